// A registered buyer's orders, under the cart of their own (customer) link: each as it stands
// now (GET /links/{link}/orders: placed, shipped in part or whole, cancelled; amended lines as
// amended), with its lines, the units shipped of each, and each shipment's carrier and
// tracking number; its lines as CSV, which a linesheet's order form reads to order the same
// again. Asked when the page opens and after each order placed here.

import { authorization, call, count, downloadLines, h, linkPath, money, orderRows, page, text,
  when } from "./lib.js";

const day = (iso) => new Intl.DateTimeFormat(page.language,
  { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));

function status(past) {
  if (past.status === "cancelled") {
    return text("order_cancelled", { date: when(past.cancelled_at) });
  }
  return text({ none: "order_placed", part: "order_part_shipped", all: "order_shipped" }[
    past.shipped]);
}

function shipped(past) {
  const units = new Map();
  for (const shipment of past.shipments) {
    for (const line of shipment.lines) {
      const key = `${line.style_no}\u0000${line.color}\u0000${line.size}`;
      units.set(key, (units.get(key) ?? 0) + line.quantity);
    }
  }
  return (line) => units.get(`${line.style_no}\u0000${line.color}\u0000${line.size}`) ?? 0;
}

function pastOrder(past) {
  const { order } = past;
  const shippedOf = shipped(past);
  return h("li", { class: "past-order", "data-past-order": order.order_number },
    h("details", {},
      h("summary", {},
        h("span", { class: "past-number" }, order.order_number), " · ",
        when(order.received_at), " · ", money(order.total, order.currency), " · ",
        h("span", { class: `past-status ${past.status}`, "data-past-status": true },
          status(past))),
      h("table", { class: "cart-lines past-lines" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, text("style")),
          h("th", { scope: "col" }, text("colour_size")),
          h("th", { scope: "col", class: "amount" }, text("quantity")),
          h("th", { scope: "col", class: "amount" }, text("shipped")))),
        // A colour sold in packs counts packs, shipped when all of a pack's units are.
        h("tbody", {}, orderRows(order.lines).map(({ line, lines, packs, sizes }) => h("tr", {},
          h("th", { scope: "row" }, `${line.style_no} ${line.name}`),
          packs ? h("td", {}, `${line.color_name}, `, h("span", { class: "pack-sizes" },
            text("pack_of", { sizes }))) : h("td", {}, `${line.color_name}, ${line.size}`),
          h("td", { class: "amount" }, count(packs ?? line.quantity)),
          h("td", { class: "amount" }, count(packs ? Math.min(...lines.map((each) =>
            Math.floor(shippedOf(each) / each.pack))) : shippedOf(line))))))),
      past.shipments.length ? h("ul", { class: "past-shipments" }, past.shipments.map(
        (shipment) => h("li", {}, text("shipment", { date: day(shipment.shipped_on) }),
          shipment.carrier || shipment.tracking
            ? ` · ${[shipment.carrier, shipment.tracking].filter(Boolean).join(" ")}` : ""))) : null,
      h("p", {}, h("button", { type: "button", class: "link-button",
        onclick: () => downloadLines(order) }, text("download_lines")))));
}

async function show(section) {
  let answer;
  try {
    answer = await call("GET", `${linkPath}/orders`, { headers: authorization() });
  } catch {
    return; // offline: the list stays as it was
  }
  const orders = answer.ok ? answer.data?.orders ?? [] : [];
  section.hidden = orders.length === 0;
  section.querySelector("[data-past-orders-list]").replaceChildren(...orders.map(pastOrder));
  section.querySelector("[data-past-more]").hidden = !answer.data?.more;
}

export function setUpPastOrders(section) {
  show(section);
  document.addEventListener("linesheets:ordered", () => show(section));
}
