// The size grid of a style page: quantities by colour × size (or, for a style sold in packs,
// a number of packs of each colour), with live row and style totals in the page's currency,
// the style's MOQ and multiple checked as the buyer types, and "Add to cart" putting the
// style's cells in the cart (in place of what the cart held of it); a pack puts each of its
// sizes. Plain number inputs in a table: the keyboard (Tab, arrows, Enter) does everything.

import { MAX_QUANTITY as MAX, onCartChange, putStyle, ruleProblems, styleEntry }
  from "./cart-store.js";
import { authorization, call, count, h, linkPath, money, sum, text, times, whenOpened }
  from "./lib.js";
import { onState, orderable } from "./state.js";

function setUp() {
  const form = document.querySelector("form[data-grid]");
  // A pack's sizes and their units, in size order ([["S", 1], ["M", 2]]): each input is
  // then a colour's packs.
  const pack = form?.dataset.pack ? JSON.parse(form.dataset.pack) : null;
  const inputs = form ? [...form.querySelectorAll(pack ? "input[data-color][data-packs]"
    : "input[data-color][data-size]")] : [];
  if (!inputs.length) return; // a catalog, or a season closed at build time: nothing to order
  // The endpoint's limit, kept in one place: of a cell, or of the packs no cell goes over.
  const most = pack ? Math.floor(MAX / Math.max(...pack.map(([, units]) => units))) : MAX;
  for (const input of inputs) input.max = String(most);
  const { style, season, unit } = form.dataset;
  // Sizes priced apart have their own unit price ({"XL": "23400"}); the others, the style's.
  const sizeUnits = JSON.parse(form.dataset.sizeUnits || "{}");
  const unitOf = (size) => sizeUnits[size] ?? unit;
  // What an input's quantity orders: of its own size, or of each size of a pack.
  const cellsOf = (input, quantity) => (pack
    ? pack.map(([size, units]) => ({ size, quantity: quantity * units }))
    : [{ size: input.dataset.size, quantity }]);
  const moq = Number(form.dataset.moq) || 1;
  const multiple = Number(form.dataset.multiple) || 1;
  const button = form.querySelector("button[type=submit]");
  const totalLine = form.querySelector("[data-grid-total]");
  const problemLine = form.querySelector("[data-grid-problem]");
  const addedLine = form.querySelector("[data-grid-added]");
  const table = form.querySelector("table");
  const colorName = (input) => input.closest("tr").querySelector("th").textContent.trim();
  // Units left of the colours and sizes with a stock ("BLK|M" -> 4), as the endpoint counts
  // them now: the page was built before the orders that took from them.
  const left = new Map();
  const leftOf = (color, size) => left.get(`${color}|${size}`);

  // A total per colour row, in a column only the script adds (it means nothing without it).
  // A phone leaves it out (site.css): five sizes and a total do not fit 360 px, and the
  // style's quantity and amount show under the grid.
  const totalHead = h("th", { scope: "col", class: "row-total" }, text("total"));
  table.querySelector("thead tr").append(totalHead);
  const rowTotals = new Map();
  for (const row of table.querySelectorAll("tbody tr")) {
    const cell = h("td", { class: "row-total", "data-row-total": true });
    row.append(cell);
    rowTotals.set(row, cell);
  }

  // What the cart holds of the style fills the grid, so "Add to cart" changes it in place:
  // at the start (not what the browser kept of the page: Back after an order would show the
  // ordered quantities again), when the page comes back from the history, and when another
  // tab or the cart page changes the cart, unless the buyer has typed here since.
  const snapshot = () => inputs.map((input) => input.value).join(",");
  let filled = ""; // the grid as the cart last filled it
  function fill(force) {
    if (!force && snapshot() !== filled) return;
    const kept = styleEntry(season, style);
    const [first, perPack] = pack ? pack[0] : [null, 1];
    for (const input of inputs) {
      const cell = kept?.cells.find((c) => c.color === input.dataset.color
        && c.size === (pack ? first : input.dataset.size));
      input.value = cell ? String(Math.floor(cell.quantity / perPack)) : "0";
    }
    filled = snapshot();
    update();
  }

  const quantityOf = (input) => {
    const raw = input.value.trim();
    if (raw === "") return 0;
    const value = Number(raw);
    return Number.isInteger(value) && value >= 0 && value <= most ? value : null;
  };

  function update() {
    let units = 0;
    let invalid = null;
    const amounts = [];
    const short = [];
    for (const [row, cell] of rowTotals) {
      let rowUnits = 0;
      const rowAmounts = [];
      for (const input of row.querySelectorAll("input")) {
        const quantity = quantityOf(input);
        let over = false;
        if (quantity === null) invalid ??= input;
        else {
          for (const cell of cellsOf(input, quantity)) {
            const rest = leftOf(input.dataset.color, cell.size);
            if (cell.quantity > (rest ?? MAX)) {
              over = true;
              short.push(text("over_stock", { left: count(rest), color: colorName(input),
                size: cell.size }));
            }
            rowUnits += cell.quantity;
            rowAmounts.push(times(unitOf(cell.size), cell.quantity));
          }
        }
        input.setAttribute("aria-invalid", String(quantity === null || over));
      }
      units += rowUnits;
      amounts.push(...rowAmounts);
      cell.textContent = rowUnits ? money(sum(rowAmounts)) : "";
    }
    totalLine.textContent = units
      ? text("quantity_total", { units: count(units), amount: money(sum(amounts)) }) : "";
    const problems = invalid ? [text("bad_quantity", { max: count(most) })]
      : [...short, ...ruleProblems(units, moq, multiple).map((p) => text(p.kind,
        Object.fromEntries(Object.entries(p.values).map(([k, v]) => [k, count(v)]))))];
    problemLine.textContent = problems.join(" ");
    form.toggleAttribute("data-has-problem", problems.length > 0);
    return { units, invalid, problems };
  }

  // Under each cell with a stock, what is left; the grid refuses more than that.
  async function askStock() {
    const query = `season=${encodeURIComponent(season)}&style=${encodeURIComponent(style)}`;
    let answer;
    try {
      answer = await call("GET", `${linkPath}/stock?${query}`, { headers: authorization() });
    } catch {
      return; // offline: the order's own check still says what is left
    }
    if (!answer.ok) return;
    const cells = answer.data?.left?.[style] || {};
    left.clear();
    for (const input of inputs) {
      const color = input.dataset.color;
      for (const [size, units] of Object.entries(cells[color] || {})) {
        left.set(`${color}|${size}`, units);
      }
      // What is left of the input's size, or the packs the sizes of a pack leave.
      const limits = pack ? pack.filter(([size]) => cells[color]?.[size]
        !== undefined).map(([size, units]) => Math.floor(cells[color][size] / units))
        : [cells[color]?.[input.dataset.size]].filter((units) => units !== undefined);
      let note = input.parentElement.querySelector("[data-left]");
      if (!limits.length) {
        note?.remove();
        continue;
      }
      const units = Math.min(...limits);
      input.max = String(Math.min(units, most));
      if (!note) {
        note = h("span", { class: "left", "data-left": true });
        input.after(note);
      }
      note.textContent = !units ? text("none_left")
        : text(pack ? "packs_left" : "left", { units: count(units) });
    }
    update();
  }

  form.addEventListener("input", () => {
    addedLine.textContent = "";
    update();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { units, invalid, problems } = update();
    if (invalid || problems.length) {
      (invalid || inputs.find((input) => quantityOf(input) > 0) || inputs[0]).focus();
      return;
    }
    const before = styleEntry(season, style);
    if (!units && !before) {
      problemLine.textContent = text("nothing");
      inputs[0].focus();
      return;
    }
    filled = snapshot(); // what is saved now is what the cart fills the grid with
    putStyle({
      season, style, unit, moq, multiple, ...(pack ? { pack } : {}),
      seasonName: document.querySelector(".crumbs a")?.textContent.trim() || season,
      name: document.querySelector(".details h1")?.textContent.trim() || style,
      href: location.pathname,
      cells: inputs.filter((input) => quantityOf(input) > 0).flatMap((input) => cellsOf(input,
        quantityOf(input)).map((cell) => ({ color: input.dataset.color,
        colorName: colorName(input), size: cell.size, quantity: cell.quantity }))),
    });
    const cartLink = document.querySelector(".cart-link");
    addedLine.replaceChildren(units ? text("added", { units: count(units) }) : text("removed"),
      " ", cartLink ? h("a", { href: cartLink.getAttribute("href") }, text("view_cart")) : "");
  });

  button.hidden = false;
  onState((status) => {
    const open = orderable(status, season);
    for (const input of inputs) input.disabled = !open;
    button.hidden = !open;
    for (const rules of form.querySelectorAll("[data-grid-rules]")) rules.hidden = !open;
    let closed = form.querySelector("[data-grid-closed]");
    if (!open && !closed) {
      closed = h("p", { class: "note", "data-grid-closed": true, role: "status" },
        text("closed"));
      button.after(closed);
    }
    if (closed) closed.hidden = open;
  });

  fill(true);
  onCartChange(() => fill(false));
  const stocked = "stocked" in form.dataset;
  if (stocked) askStock();
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    fill(true);
    if (stocked) askStock();
  });
}

whenOpened(setUp);
