// The cart: kept in localStorage per link and currency, so it survives reloads and closed tabs,
// and is shared by the link's tabs. Per style it keeps what the cart page shows before the
// server's quote arrives (names, the page's unit price, MOQ, multiple) and the quantity of
// each colour × size cell. Prices are only ever the server's: the quote re-prices every line.

import { page, store, stored } from "./lib.js";

// The link's cart in a currency (each currency has its own: its prices are another list).
const keyOf = (currency) => `linesheets:${page.link}:${currency}:cart`;
const cartKey = keyOf(page.currency);
/** The most units of one colour and size in an order (the endpoint's limit). */
export const MAX_QUANTITY = 10_000;
const listeners = new Set();

/** A pack's sizes and units, as a style page gives them: [[size, a whole number ≥ 1], …]. */
function validPack(pack) {
  return Array.isArray(pack) && pack.length > 0 && pack.every((pair) => Array.isArray(pair)
    && pair.length === 2 && typeof pair[0] === "string" && pair[0] && pair[0].length <= 300
    && Number.isInteger(pair[1]) && pair[1] > 0 && pair[1] <= MAX_QUANTITY);
}

function valid(entry) {
  // The cart page links each style by `href`: only a path of this site is taken.
  return entry && (entry.pack === undefined || validPack(entry.pack))
    && typeof entry.season === "string" && typeof entry.style === "string"
    && typeof entry.href === "string" && entry.href.startsWith("/") && !entry.href.startsWith("//")
    && Array.isArray(entry.cells) && entry.cells.every((cell) => cell
      && typeof cell.color === "string" && typeof cell.size === "string"
      && Number.isInteger(cell.quantity) && cell.quantity > 0);
}

/** The cart: {styles: [{season, seasonName, style, name, href, unit, moq, multiple, pack?,
 *  cells: [{color, colorName, size, quantity}]}]}; a damaged entry is left out. `pack`
 *  ([[size, units], …] in size order) marks a style sold in packs: its cells hold whole
 *  packs of each colour. */
export function loadCart(key = cartKey) {
  const cart = stored(localStorage, key, {});
  const styles = Array.isArray(cart.styles) ? cart.styles.filter(valid) : [];
  for (const entry of styles) { // names are for show: a missing one shows the code
    if (typeof entry.name !== "string") entry.name = entry.style;
    for (const cell of entry.cells) {
      if (typeof cell.colorName !== "string") cell.colorName = cell.color;
    }
  }
  return { styles };
}

/** The units in the link's cart in another currency. */
export function unitsInCurrency(currency) {
  return unitsIn(loadCart(keyOf(currency)));
}

function save(cart) {
  cart.styles = cart.styles.filter((entry) => entry.cells.length > 0);
  store(localStorage, cartKey, cart.styles.length ? { v: 1, styles: cart.styles } : null);
  for (const listener of listeners) listener(cart);
  return cart;
}

/** Call `listener(cart)` whenever the cart changes, in this tab or another. */
export function onCartChange(listener) {
  listeners.add(listener);
}

window.addEventListener("storage", (event) => {
  if (event.key === cartKey || event.key === null) {
    const cart = loadCart();
    for (const listener of listeners) listener(cart);
  }
});

function find(cart, season, style) {
  return cart.styles.find((entry) => entry.season === season && entry.style === style);
}

/** The style's entry in the cart, or null. */
export function styleEntry(season, style) {
  return find(loadCart(), season, style) || null;
}

/** Put a style with these cells in the cart, in place of what it held of the style. */
export function putStyle(entry) {
  const cart = loadCart();
  const known = find(cart, entry.season, entry.style);
  if (known) cart.styles[cart.styles.indexOf(known)] = entry;
  else cart.styles.push(entry);
  return save(cart);
}

/** Put styles' colours in the cart, as an order form names them: [{entry, colors}], each
 *  colour of `colors` taking `entry`'s cells of it in place of what the cart held of it
 *  (where it was), the style's other colours kept. */
export function putColors(changes) {
  const cart = loadCart();
  for (const { entry, colors } of changes) {
    const known = find(cart, entry.season, entry.style);
    if (!known) {
      cart.styles.push(entry);
      continue;
    }
    let cells = known.cells;
    for (const color of colors) {
      const at = cells.findIndex((c) => c.color === color);
      const others = cells.filter((c) => c.color !== color);
      others.splice(at < 0 ? others.length : at, 0,
        ...entry.cells.filter((c) => c.color === color));
      cells = others;
    }
    Object.assign(known, entry, { cells });
  }
  return save(cart);
}

/** Set the packs of one colour of a style sold in packs: each size of its pack that many
 *  times its units (0 removes the colour). */
export function setPacks(season, style, color, packs) {
  const cart = loadCart();
  const entry = find(cart, season, style);
  if (!entry?.pack) return cart;
  const colorName = entry.cells.find((c) => c.color === color)?.colorName ?? color;
  const others = entry.cells.filter((c) => c.color !== color);
  const at = entry.cells.findIndex((c) => c.color === color);
  const cells = packs > 0 ? entry.pack.map(([size, units]) => ({
    color, colorName, size, quantity: packs * units })) : [];
  others.splice(at < 0 ? others.length : at, 0, ...cells); // where the colour was
  entry.cells = others;
  return save(cart);
}

/** Set one cell's quantity (0 removes the cell). */
export function setQuantity(season, style, color, size, quantity) {
  const cart = loadCart();
  const entry = find(cart, season, style);
  if (!entry) return cart;
  const cell = entry.cells.find((c) => c.color === color && c.size === size);
  if (cell && quantity > 0) cell.quantity = quantity;
  else entry.cells = entry.cells.filter((c) => c !== cell);
  return save(cart);
}

/** Take the ordered lines of a season out of the cart (after the server acknowledged them). */
export function removeOrdered(season, lines) {
  const cart = loadCart();
  for (const line of lines) {
    const entry = find(cart, season, line.style_no);
    if (entry) {
      entry.cells = entry.cells.filter((c) => !(c.color === line.color && c.size === line.size));
    }
  }
  return save(cart);
}

/** The seasons in the cart, in the order they were first added: [{id, name}]. */
export function seasonsOf(cart) {
  const seen = new Map();
  for (const entry of cart.styles) {
    if (!seen.has(entry.season)) seen.set(entry.season, { id: entry.season, name: entry.seasonName });
  }
  return [...seen.values()];
}

/** The order lines of a season, as the endpoint takes them. */
export function linesOf(cart, season) {
  return cart.styles.filter((entry) => entry.season === season).flatMap((entry) => entry.cells
    .map((cell) => ({ style_no: entry.style, color: cell.color, size: cell.size,
      quantity: cell.quantity })));
}

/** The units of one style in the cart. */
export function entryUnits(entry) {
  return entry.cells.reduce((units, cell) => units + cell.quantity, 0);
}

/** Every unit in the cart. */
export function unitsIn(cart) {
  return cart.styles.reduce((all, entry) => all + entryUnits(entry), 0);
}

/** The problems of a style's units by its rules, or [] ({kind, values} for text()). */
export function ruleProblems(units, moq, multiple) {
  const problems = [];
  if (units > 0 && units < moq) problems.push({ kind: "below_moq", values: { moq, units } });
  if (units > 0 && units % multiple) {
    // The totals on either side that are multiples and reach the MOQ (itself a multiple).
    const lower = units - (units % multiple);
    const upper = Math.max(moq, lower + multiple);
    problems.push(lower >= Math.max(moq, 1)
      ? { kind: "not_multiple", values: { multiple, lower, upper } }
      : { kind: "not_multiple_first", values: { multiple, upper } });
  }
  return problems;
}

// A cart shared as a link (#cart=…): the styles and quantities with what the cart page shows
// before the quote (names, MOQ, multiple), as compact JSON in base64url. Nothing priced: the
// page that opens it asks the server, as for any cart.
const SHARED_VERSION = 1;
const MAX_TEXT = 300; // characters of a name or code a shared cart may carry

/** The cart as the text of a link to it, or "" when it is empty. */
export function encodeCart(cart) {
  if (!cart.styles.length) return "";
  const styles = cart.styles.map((e) => [e.season, e.seasonName ?? e.season, e.style, e.name,
    e.href, e.unit ?? null, e.moq ?? 1, e.multiple ?? 1,
    e.cells.map((c) => [c.color, c.colorName, c.size, c.quantity]),
    ...(e.pack ? [e.pack] : [])]);
  const bytes = new TextEncoder().encode(JSON.stringify([SHARED_VERSION, styles]));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The styles a link's cart text carries, each checked as a stored cart's are and its page
 *  under `prefix` (this link's pages); null when the text is not such a cart. */
export function decodeCart(encoded, prefix) {
  let data;
  try {
    const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(data) || data[0] !== SHARED_VERSION || !Array.isArray(data[1])) return null;
  const short = (value) => typeof value === "string" && value.length > 0
    && value.length <= MAX_TEXT;
  const count = (value) => Number.isInteger(value) && value > 0 && value <= MAX_QUANTITY;
  const styles = [];
  for (const item of data[1]) {
    // Nine fields; a style sold in packs has its pack as a tenth.
    if (!Array.isArray(item) || ![9, 10].includes(item.length) || !Array.isArray(item[8])) {
      return null;
    }
    const [season, seasonName, style, name, href, unit, moq, multiple, cells, pack] = item;
    const entry = { season, seasonName, style, name, href, moq, multiple,
      cells: cells.map((cell) => (Array.isArray(cell) && cell.length === 4
        ? { color: cell[0], colorName: cell[1], size: cell[2], quantity: cell[3] } : null)) };
    if (unit !== null) entry.unit = unit;
    if (item.length === 10) {
      if (!validPack(pack)) return null;
      entry.pack = pack;
    }
    const fits = [season, seasonName, style, name].every(short) && short(href)
      && href.startsWith(prefix) && !href.includes("\\") && count(moq) && count(multiple)
      && (unit === null || short(unit)) && entry.cells.length > 0
      && entry.cells.every((c) => c && short(c.color) && short(c.colorName) && short(c.size)
        && count(c.quantity));
    if (!fits || !valid(entry) || find({ styles }, season, style)) return null;
    styles.push(entry);
  }
  return styles.length ? styles : null;
}

/** Take a shared cart's styles: in place of the cart's (`replace`), or beside them, a cell
 *  the cart holds already getting the shared units added (up to the most a cell takes). */
export function takeShared(styles, replace) {
  const cart = replace ? { styles: [] } : loadCart();
  for (const shared of styles) {
    const known = find(cart, shared.season, shared.style);
    if (!known) {
      cart.styles.push(shared);
      continue;
    }
    for (const cell of shared.cells) {
      const same = known.cells.find((c) => c.color === cell.color && c.size === cell.size);
      if (same) same.quantity = Math.min(MAX_QUANTITY, same.quantity + cell.quantity);
      else known.cells.push(cell);
    }
  }
  return save(cart);
}
