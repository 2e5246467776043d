// The checkout: the buyer's details, then POST /links/{link}/orders with the total the buyer
// saw (`expected_total`). One Idempotency-Key per checkout, kept in localStorage until the
// server acknowledges the order, so a double click, a reload or a retry after a network error
// never orders twice. A 409 shows the server's new total and asks the buyer to confirm it;
// a 201 shows the order number with a printable summary and only then empties the cart.

import { canOrder, currentQuote, explainProblem, fillTotals, onQuote, orderLines, selectedSeason,
  showQuote } from "./cart.js";
import { loadCart, removeOrdered, unitsIn } from "./cart-store.js";
import { authorization, call, count, delivery, downloadLines, h, linkPath, money, orderRows, page,
  store, stored, text, when, whenOpened } from "./lib.js";

const pendingKey = `linesheets:${page.link}:${page.currency}:checkout`;
// The last order placed from this tab's cart, shown again after a reload while the cart is
// empty (sessionStorage: it goes with the tab, buyer's details and all).
const placedKey = `linesheets:${page.link}:${page.currency}:placed`;
const BUYER = ["company", "name", "email", "phone", "vat_number"];
const ADDRESS = ["country", "postal_code", "region", "city", "line1", "line2"];
const FIELD_TEXT = { email: "field_email", phone: "field_phone", country: "field_country",
  vat_number: "field_vat_number" };

function value(form, name) {
  const input = form.elements.namedItem(name);
  return input ? input.value.trim() : null;
}

function orderBody(form, quote) {
  const buyer = Object.fromEntries(BUYER.map((name) => [name, value(form, name)])
    .filter(([, v]) => v));
  const body = { language: page.language, currency: page.currency, season: selectedSeason(),
    buyer, lines: orderLines(), expected_total: quote.total };
  const address = Object.fromEntries(ADDRESS.map((name) => [name, value(form, name) ?? ""]));
  // An address the link does not require is sent only when the buyer gave one.
  if (form.elements.namedItem("line1")?.required || ADDRESS.slice(1).some((name) => address[name])) {
    body.address = { ...address, country: address.country.toUpperCase() };
  }
  const note = value(form, "note");
  if (note) body.note = note;
  return body;
}

/**
 * The checkout's key and the bodies sent under it before its order was acknowledged: at most
 * one of them became an order (a lost answer), and only re-sending it shows which.
 */
function pending() {
  const kept = stored(localStorage, pendingKey);
  if (kept && typeof kept.key === "string" && KEY.test(kept.key) && Array.isArray(kept.unsure)) {
    return kept;
  }
  return { key: newKey(), unsure: [] };
}

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A random (version 4) UUID; crypto.randomUUID exists only on https:// and localhost. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)}`;
}

function send(key, body) {
  return call("POST", `${linkPath}/orders`, { json: body,
    headers: { "Idempotency-Key": key, ...authorization() } });
}

/**
 * Place the order; resolves to {order, earlier, other} or {problem} (a non-201 answer), or
 * rejects when no answer came (the key and body stay kept for the retry). `earlier`: the
 * order is an earlier try's, stored although its answer was lost; `other`: with other lines
 * than the cart's now, which is then still to be ordered.
 */
async function place(body) {
  const checkout = pending();
  const same = (sent) => JSON.stringify(sent) === JSON.stringify(body);
  // Bodies stay unsure until a 201: a refusal may come before the server looks at the key.
  if (!checkout.unsure.some(same)) checkout.unsure = [...checkout.unsure, body].slice(-10);
  store(localStorage, pendingKey, checkout);
  const answer = await send(checkout.key, body);
  if (answer.status === 201) return { order: answer.data, earlier: false };
  const kind = (answer.data?.type || "").split("/").pop();
  if (kind === "idempotency-key-reused") {
    // An earlier try under this key was stored after all: its replay is the order.
    for (const earlier of checkout.unsure.filter((sent) => !same(sent))) {
      const replay = await send(checkout.key, earlier);
      if (replay.status === 201) {
        const other = earlier.season !== body.season
          || JSON.stringify(earlier.lines) !== JSON.stringify(body.lines);
        return { order: replay.data, earlier: true, other };
      }
    }
  }
  return { problem: answer };
}

function markFields(form, errors) {
  let first = null;
  for (const error of errors || []) {
    const name = /^(?:(?:buyer|address)\.(\w+)|(note))$/.exec(error.field || "")
      ?.slice(1).find(Boolean);
    const input = name && form.elements.namedItem(name);
    if (!input || input.type === "hidden") continue;
    input.setAttribute("aria-invalid", "true");
    const id = `problem-${name}`;
    if (!document.getElementById(id)) {
      // An optional VAT number is only mistyped; a required one may also be of the wrong country.
      const why = name === "vat_number" && !input.required ? "field_vat_optional" : FIELD_TEXT[name];
      input.after(h("span", { class: "problem", id }, text(why || "field_check")));
      input.setAttribute("aria-describedby", id);
    }
    first ??= input;
  }
  first?.focus();
  return first !== null;
}

function clearFields(form) {
  for (const note of form.querySelectorAll("span.problem")) note.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function summary(order, earlier, other = false) {
  const totals = document.querySelector("[data-cart-totals]").cloneNode(true);
  totals.hidden = false;
  totals.removeAttribute("data-cart-totals");
  fillTotals(totals, order);
  const { buyer, address } = order;
  const remaining = unitsIn(loadCart());
  // When the lines ship: once for the order if together, else on each line (a later drop).
  const shipments = new Set(order.lines.map((line) => line.delivery ?? null));
  const apart = shipments.size > 1;
  const together = apart ? null : [...shipments][0];
  return h("section", { class: "confirmation", "data-confirmation": true, tabindex: "-1",
    "aria-labelledby": "confirmation-title" },
  h("h1", { id: "confirmation-title" }, text(other ? "earlier_order_title" : "order_received",
    { number: order.order_number })),
  earlier ? h("p", { class: "note" }, text(other ? "earlier_order_other" : "earlier_order"))
    : null,
  h("p", {}, text("order_received_text")),
  h("p", { class: "meta" }, text("received_at", { date: when(order.received_at) })),
  together ? h("p", { class: "meta" }, text("delivery", { dates: delivery(together) })) : null,
  h("table", { class: "cart-lines" },
    h("thead", {}, h("tr", {}, [text("style"), text("colour_size"), text("quantity"),
      text("amount")].map((label) => h("th", { scope: "col" }, label)))),
    // A colour sold in packs is one row, its packs counted, as in the cart.
    h("tbody", {}, orderRows(order.lines).map(({ line, packs, sizes, amount, perPack }) => h(
      "tr", {},
      h("th", { scope: "row" }, `${line.style_no} ${line.name}`, apart && line.delivery
        ? h("span", { class: "line-delivery" }, text("delivery", { dates: delivery(line.delivery) }))
        : null),
      packs ? h("td", {}, `${line.color_name} · `, h("span", { class: "pack-sizes" },
        text("pack_of", { sizes }))) : h("td", {}, `${line.color_name} · ${line.size}`),
      h("td", {}, count(packs ?? line.quantity)),
      h("td", { class: "amount" }, money(amount ?? line.amount),
        h("span", { class: "unit-price" }, packs ? text("per_pack", { price: money(perPack) })
          : text("each", { price: money(line.unit_price) }))))))),
  totals,
  h("h2", {}, text("your_details")),
  h("p", {}, [buyer.company, buyer.name, buyer.email, buyer.phone, buyer.vat_number]
    .filter(Boolean).join(" · ")),
  address ? h("p", {}, [address.postal_code, address.region, address.city, address.line1,
    address.line2, address.country].filter(Boolean).join(" ")) : null,
  order.note ? h("p", {}, order.note) : null,
  remaining && !other ? h("p", {}, h("a", { href: location.pathname }, text("cart_has_more")))
    : null,
  h("p", { class: "confirmation-actions" },
    h("button", { type: "button", class: "button", onclick: () => window.print() },
      text("print")), " ",
    h("button", { type: "button", class: "button", "data-download-lines": true,
      onclick: () => downloadLines(order) }, text("download_lines"))));
}

/**
 * Show an earlier try's order, found stored, above the cart it differs from: the cart stays as
 * it is, and the next press of the button orders it under a new key.
 */
function showEarlier(order) {
  store(localStorage, pendingKey, null);
  const section = summary(order, true, true);
  section.removeAttribute("data-confirmation");
  section.setAttribute("data-earlier-order", "");
  section.removeAttribute("aria-labelledby");
  const title = section.querySelector("h1"); // the page's own title stays its one h1
  title.replaceWith(h("h2", {}, ...title.childNodes));
  document.querySelector("[data-earlier-order]")?.remove();
  document.querySelector("[data-cart]").before(section);
  section.focus();
}

function confirm(form, order, earlier) {
  // Only now, with the order acknowledged, do its lines leave the cart.
  store(localStorage, pendingKey, null);
  document.querySelector("[data-earlier-order]")?.remove();
  removeOrdered(order.season, order.lines);
  store(sessionStorage, placedKey, { order, earlier });
  showConfirmation(form, order, earlier);
  document.dispatchEvent(new CustomEvent("linesheets:ordered")); // the orders listed below
}

/** The order's confirmation in place of the cart and the form. */
function showConfirmation(form, order, earlier) {
  const section = summary(order, earlier);
  document.querySelector("[data-cart]").hidden = true;
  form.hidden = true;
  form.before(section);
  document.body.classList.add("has-confirmation");
  section.focus();
}

function setUp() {
  const form = document.querySelector("form[data-checkout]");
  if (!form) return;
  const button = form.querySelector("button[type=submit]");
  const message = form.querySelector("[data-checkout-message]");
  const label = button.textContent;
  let busy = false;
  // A reload after the order shows it again, until the buyer fills the cart anew.
  const placed = stored(sessionStorage, placedKey);
  if (placed?.order?.order_number && !unitsIn(loadCart())) {
    showConfirmation(form, placed.order, placed.earlier);
  } else if (placed) {
    store(sessionStorage, placedKey, null);
  }
  onQuote(() => {
    if (!document.body.classList.contains("has-confirmation")) form.hidden = !canOrder();
  });
  form.addEventListener("input", () => clearFields(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return; // a second click while the first is on its way does nothing
    const quote = currentQuote();
    if (!quote) {
      // The order needs the total the buyer saw: say why there is none (the cart's status).
      message.textContent = document.querySelector("[data-cart-status]")?.textContent
        || text("quoting");
      return;
    }
    busy = true;
    button.disabled = true;
    message.textContent = text("placing");
    try {
      const result = await place(orderBody(form, quote));
      if (result.order && result.other) {
        showEarlier(result.order);
        message.textContent = "";
        return;
      }
      if (result.order) {
        confirm(form, result.order, result.earlier);
        return;
      }
      const problem = result.problem;
      if (problem.data?.type?.endsWith("/total-changed") && problem.data?.quote) {
        showQuote(problem.data.quote);
        message.textContent = text("total_changed", { total: money(problem.data.quote.total),
          old: money(quote.total) });
        button.textContent = text("confirm_total");
      } else if (problem.status === 422 && markFields(form, problem.data?.errors)) {
        message.textContent = text("check_fields");
      } else {
        message.textContent = await explainProblem(problem);
      }
    } catch {
      message.textContent = text("network_error");
    } finally {
      busy = false;
      button.disabled = false;
    }
  });
  // A confirmed total goes back to the plain label once the cart changes again.
  onQuote((quote) => {
    if (quote && !busy) button.textContent = label;
  });
}

whenOpened(setUp);
