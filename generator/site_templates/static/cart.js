// The cart page: the cart's lines of one collection grouped by style, each quantity editable
// and removable, and the server's quote of them (POST /links/{link}/quote): line amounts,
// subtotal, tax, total, deposit and balance exactly as the server computed them. The page
// never prices anything itself. checkout.js orders what this module shows.

import { MAX_QUANTITY as MAX, entryUnits, linesOf, loadCart, onCartChange, ruleProblems,
  seasonsOf, setPacks, setQuantity, unitsInCurrency } from "./cart-store.js";
import { authorization, call, count, delivery, forgetGrant, grant, h, linkPath, money, page, sum,
  text, times, whenOpened } from "./lib.js";
import { onState, orderable, refreshState } from "./state.js";

const quoteListeners = new Set();
let season = null; // the collection being ordered
let quote = null; // the server's quote of the lines shown, or null
let asked = 0; // the latest quote request: answers to older ones are dropped
let linkStatus = null; // the link's state, as the server last gave it
let open = true; // the collection takes orders, by that state
let short = false; // the quote shown is below the link's minimum order
let view = null; // the page's elements

/** The collection the page orders. */
export function selectedSeason() {
  return season;
}

/** The server's quote of the lines the page shows, or null while there is none. */
export function currentQuote() {
  return quote;
}

/** Call `listener(quote)` whenever the quote changes (null: none, or being asked). */
export function onQuote(listener) {
  quoteListeners.add(listener);
}

/** Tell whether the buyer can order what the page shows: lines, in a collection open now. */
export function canOrder() {
  return open && orderLines().length > 0 && !short;
}

/** The order lines of the collection the page shows, as the endpoint takes them. */
export function orderLines() {
  return linesOf(loadCart(), season);
}

function setQuote(value) {
  quote = value;
  for (const listener of quoteListeners) listener(quote);
}

const cellId = (style, color, size) => `cell-${[style, color, size].map(encodeURIComponent).join("-")
  .replace(/%/g, "_")}`;

function lineRow(entry, cell) {
  const id = cellId(entry.style, cell.color, cell.size);
  const label = text("line_quantity", { color: cell.colorName, size: cell.size });
  const input = h("input", { type: "number", inputmode: "numeric", min: "0", max: String(MAX),
    step: "1", value: String(cell.quantity), id, "aria-label": label, disabled: !open,
    onchange: () => {
      // An emptied field (or one the browser cannot read: "1e") is no 0: only a typed 0
      // or Remove takes a line out.
      const raw = input.value.trim();
      const quantity = raw === "" ? NaN : Number(raw);
      if (Number.isInteger(quantity) && quantity >= 0 && quantity <= MAX) {
        setQuantity(entry.season, entry.style, cell.color, cell.size, quantity);
      } else {
        refuseQuantity(input);
      }
    } });
  // A collection closed since the line was added: its lines can still be taken out.
  const remove = h("button", { type: "button", class: "link-button", id: `${id}-remove`,
    "aria-label": text("remove_line", { color: cell.colorName, size: cell.size }),
    onclick: () => {
      setQuantity(entry.season, entry.style, cell.color, cell.size, 0);
      view.title.focus();
    } }, text("remove"));
  return h("tr", { "data-line": `${entry.style}|${cell.color}|${cell.size}` },
    h("th", { scope: "row" }, `${cell.colorName} · ${cell.size}`),
    h("td", {}, input),
    h("td", { class: "amount", "data-amount": true }),
    h("td", {}, remove));
}

/** A style sold in packs: one row a colour, its number of packs editable; its amount is
 *  that of the colour's sizes. */
function packRow(entry, color, cells) {
  const id = cellId(entry.style, color, "packs");
  const [first, perPack] = entry.pack[0];
  const packs = Math.floor((cells.find((c) => c.size === first)?.quantity ?? 0) / perPack);
  const most = Math.floor(MAX / Math.max(...entry.pack.map(([, units]) => units)));
  const colorName = cells[0].colorName;
  const input = h("input", { type: "number", inputmode: "numeric", min: "0", max: String(most),
    step: "1", value: String(packs), id, disabled: !open,
    "aria-label": text("pack_quantity", { color: colorName }),
    onchange: () => {
      const raw = input.value.trim();
      const quantity = raw === "" ? NaN : Number(raw);
      if (Number.isInteger(quantity) && quantity >= 0 && quantity <= most) {
        setPacks(entry.season, entry.style, color, quantity);
      } else {
        refuseQuantity(input, most);
      }
    } });
  const remove = h("button", { type: "button", class: "link-button", id: `${id}-remove`,
    "aria-label": text("remove_packs", { color: colorName }),
    onclick: () => {
      setPacks(entry.season, entry.style, color, 0);
      view.title.focus();
    } }, text("remove"));
  const sizes = entry.pack.map(([size, units]) => `${size}×${units}`).join(" ");
  return h("tr", { "data-line": `${entry.style}|${color}|`, "data-pack-row": true },
    h("th", { scope: "row" }, `${colorName} · `, h("span", { class: "pack-sizes" },
      text("pack_of", { sizes }))),
    h("td", {}, input),
    h("td", { class: "amount", "data-amount": true }),
    h("td", {}, remove));
}

/** The row that shows a line: its own, or its colour's in a style sold in packs. */
function rowOf(style, color, size) {
  return view.lines.querySelector(`[data-line="${CSS.escape(`${style}|${color}|${size}`)}"]`)
    || view.lines.querySelector(`[data-pack-row][data-line="${CSS.escape(`${style}|${color}|`)}"]`);
}

/**
 * Keep a quantity the buyer typed that is no whole number from 0 to MAX out of the cart, say
 * so under its style, and withdraw the quote: the order must not go with the old quantity.
 */
function refuseQuantity(input, most = MAX) {
  input.setAttribute("aria-invalid", "true");
  const problem = input.closest("[data-style]").querySelector("[data-style-problem]");
  const message = text("bad_quantity", { max: count(most) });
  if (!problem.textContent.includes(message)) problem.append(` ${message}`);
  asked += 1; // an answer on its way is of the old quantities
  setQuote(null);
  view.totals.hidden = true;
  view.status.textContent = text("cart_problem");
}

function styleSection(entry) {
  const units = entryUnits(entry);
  const problems = ruleProblems(units, entry.moq, entry.multiple).map((p) => text(p.kind,
    Object.fromEntries(Object.entries(p.values).map(([k, v]) => [k, count(v)]))));
  return h("section", { class: "cart-style", "data-style": entry.style },
    h("h2", {}, h("a", { href: entry.href }, entry.name), " ",
      h("span", { class: "style-no" }, entry.style)),
    h("p", { class: "style-delivery", "data-style-delivery": true, hidden: true }),
    h("table", { class: "cart-lines" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, text("colour_size")),
        h("th", { scope: "col" }, text("quantity")),
        h("th", { scope: "col" }, text("amount")),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, text("remove"))))),
      h("tbody", {}, entry.pack ? colorsOf(entry).map(([color, cells]) => packRow(entry, color,
        cells)) : entry.cells.map((cell) => lineRow(entry, cell)))),
    h("p", { class: "style-total", "data-style-total": true }),
    h("p", { class: "problem", "data-style-problem": true, role: "alert" }, problems.join(" ")));
}

/** A style's cells by colour, in the cart's order: [[color, cells], …]. */
function colorsOf(entry) {
  const colors = new Map();
  for (const cell of entry.cells) {
    if (!colors.has(cell.color)) colors.set(cell.color, []);
    colors.get(cell.color).push(cell);
  }
  return [...colors];
}

function seasonPicker(seasons) {
  return h("fieldset", { class: "season-picker" },
    h("legend", {}, text("order_season")),
    seasons.map((s) => h("label", {}, h("input", { type: "radio", name: "season", value: s.id,
      id: `season-${s.id}`, checked: s.id === season, onchange: () => {
        season = s.id;
        render();
      } }), ` ${s.name}`)));
}

function render() {
  const cart = loadCart();
  const seasons = seasonsOf(cart);
  if (!seasons.some((s) => s.id === season)) season = seasons[0]?.id ?? null;
  open = orderable(linkStatus, season);
  // Rows are made anew: the focus goes back to the same control (the keyboard keeps its place).
  const focused = document.activeElement?.id;
  const entries = cart.styles.filter((entry) => entry.season === season);
  view.lines.replaceChildren(...(entries.length
    ? [seasons.length > 1 ? seasonPicker(seasons) : null, ...entries.map(styleSection)]
      .filter(Boolean)
    : [h("p", { class: "empty" }, text("cart_empty")), ...otherCarts()]));
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  requestQuote();
}

/** Links to the link's carts in other currencies that hold something, for an empty cart. */
function otherCarts() {
  return [...document.querySelectorAll("a[data-currency-choice]")]
    .filter((a) => a.dataset.currencyChoice !== page.currency
      && unitsInCurrency(a.dataset.currencyChoice) > 0)
    .map((a) => h("p", { class: "note" }, h("a", { href: a.getAttribute("href") },
      text("cart_in_currency", { currency: a.dataset.currencyChoice }))));
}

/** Show a quote of the server's: after a 409, the new total the buyer is asked to confirm. */
export function showQuote(value) {
  // The packs of the collection's styles sold in packs (read once, not once a row).
  const packs = new Map(loadCart().styles.filter((e) => e.season === season && e.pack)
    .map((e) => [e.style, new Map(e.pack)]));
  for (const row of view.lines.querySelectorAll("[data-line]")) {
    const [style, color, size] = row.dataset.line.split("|");
    if ("packRow" in row.dataset) { // the colour's sizes, and what a pack of them comes to
      const pack = packs.get(style) ?? new Map();
      const lines = value.lines.filter((l) => l.style_no === style && l.color === color);
      if (!pack.size || lines.length !== pack.size) continue; // a quote on the way
      const each = sum(lines.map((l) => times(l.unit_price, pack.get(l.size) ?? 0)));
      row.querySelector("[data-amount]").replaceChildren(money(sum(lines.map((l) => l.amount))),
        h("span", { class: "unit-price" }, text("per_pack", { price: money(each) })));
      continue;
    }
    const line = value.lines.find((l) => l.style_no === style && l.color === color
      && l.size === size);
    if (!line) continue; // the cart changed meanwhile: its own quote is on the way
    row.querySelector("[data-amount]").replaceChildren(money(line.amount),
      h("span", { class: "unit-price" }, text("each", { price: money(line.unit_price) })));
  }
  // When the styles ship at different times (a later drop among them), each says when.
  const apart = new Set(value.lines.map((l) => l.delivery ?? null)).size > 1;
  for (const section of view.lines.querySelectorAll("[data-style]")) {
    const lines = value.lines.filter((l) => l.style_no === section.dataset.style);
    section.querySelector("[data-style-total]").textContent = text("style_total",
      { amount: money(sum(lines.map((l) => l.amount))) });
    const shipping = section.querySelector("[data-style-delivery]");
    const when = apart ? lines[0]?.delivery : null;
    shipping.textContent = when ? text("delivery", { dates: delivery(when) }) : "";
    shipping.hidden = !when;
  }
  fillTotals(view.totals, value);
  view.totals.hidden = false;
  // Below the link's minimum order (before tax), the server would refuse the order: say
  // what is missing, and keep the form back until the cart reaches it.
  const missing = view.minimum - Number(value.subtotal);
  short = missing > 0;
  view.status.textContent = short ? text("below_minimum", { missing: money(missing) }) : "";
  setQuote(value);
}

/** Fill a totals list (the cart's, or a copy of it) with a quote's or an order's amounts. */
export function fillTotals(totals, value) {
  for (const dd of totals.querySelectorAll("[data-total]")) {
    dd.textContent = money(value[dd.dataset.total]);
  }
}

async function requestQuote() {
  const lines = orderLines();
  const id = ++asked;
  setQuote(null);
  view.totals.hidden = true;
  if (!lines.length || !open) {
    view.status.textContent = lines.length ? text("closed") : "";
    return;
  }
  view.status.textContent = text("quoting");
  let answer;
  try {
    answer = await call("POST", `${linkPath}/quote`, { headers: authorization(),
      json: { language: page.language, currency: page.currency, season, lines } });
  } catch {
    if (id === asked) view.status.textContent = text("quote_failed");
    return;
  }
  if (id !== asked) return;
  if (answer.ok) showQuote(answer.data);
  else view.status.textContent = await explainProblem(answer);
}

// What the buyer reads for each kind of line the server refused (generator/cart.py's kinds).
const LINE_PROBLEMS = { sold_out: "server_sold_out", out_of_stock: "server_few_left",
  below_moq: "server_rules", not_whole_packs: "server_packs",
  not_multiple: "server_rules", unknown_style: "server_line", unknown_color: "server_line",
  unknown_size: "server_line", duplicate_line: "server_line", bad_quantity: "bad_quantity" };

/** Mark the cart lines a 422's errors name; true when there were any. */
function markLines(errors) {
  const lines = orderLines();
  let marked = false;
  for (const error of errors || []) {
    const at = /^lines\[(\d+)\]/.exec(error.field || "");
    const line = at && lines[Number(at[1])];
    if (!line) continue;
    const row = rowOf(line.style_no, line.color, line.size);
    const problem = row?.closest("[data-style]").querySelector("[data-style-problem]");
    if (!problem) continue;
    const kind = error.code === "out_of_stock" && !error.left ? "server_none_left"
      : LINE_PROBLEMS[error.code] || "server_line";
    const message = text(kind, { max: count(MAX), left: count(error.left ?? 0) });
    if (!problem.textContent.includes(message)) problem.append(` ${message}`);
    row.querySelector("input")?.setAttribute("aria-invalid", "true");
    marked = true;
  }
  return marked;
}

/**
 * The buyer's explanation of a refused quote or order, in the page's language; marks the
 * lines it concerns. Refusals that change what the page can do (the link closed, the
 * token ended) update the page too.
 */
export async function explainProblem(answer) {
  const kind = (answer.data?.type || "").split("/").pop();
  if (kind === "token-rejected" && answer.data?.reason === "missing" && grant()) {
    // The page sent its token and the endpoint got none: a CDN or proxy between them drops
    // the Authorization header. Asking for the passcode again would only go round in a loop.
    console.error("linesheets: the order endpoint received no Authorization header; a CDN "
      + "or proxy in front of it drops it (docs/deployment.md)");
    return text("request_cut");
  }
  if (kind === "token-rejected") {
    forgetGrant();
    return text("token_expired");
  }
  if (kind === "idempotency-key-missing") { // sent with every order: dropped on the way too
    console.error("linesheets: the order endpoint received no Idempotency-Key header; a CDN "
      + "or proxy in front of it drops it (docs/deployment.md)");
    return text("request_cut");
  }
  if (kind === "not-orderable") {
    await refreshState();
    return text("closed");
  }
  if (kind === "below-minimum-order" && answer.data?.quote) {
    return text("below_minimum", { missing: money(Number(answer.data.minimum_order)
      - Number(answer.data.quote.subtotal)) });
  }
  // A line the server refused, or one that wants more than its stock has left (409).
  if ((answer.status === 422 || kind === "out-of-stock") && markLines(answer.data?.errors)) {
    return text("cart_problem");
  }
  if (answer.status === 422 && (answer.data?.errors || []).some((e) => e.field === "lines")) {
    return text("too_many_lines"); // the page knows no limit; the server's is 500 lines
  }
  if (answer.status === 429 || answer.status === 503) return text("busy");
  if (answer.status >= 500) return text("server_error");
  return text("request_refused");
}

function setUp() {
  const section = document.querySelector("[data-cart]");
  if (!section) return;
  view = {
    title: section.querySelector("h1"),
    lines: section.querySelector("[data-cart-lines]"),
    totals: section.querySelector("[data-cart-totals]"),
    status: section.querySelector("[data-cart-status]"),
    minimum: Number(section.dataset.minimum || 0),  // the least an order comes to, before tax
  };
  view.title.tabIndex = -1;
  render();
  onCartChange(render);
  onState((now) => {
    linkStatus = now;
    render();
  });
}

whenOpened(setUp);
