// What the page scripts share: the page's context (from <body>), its interface text (the
// #ui-text block the build renders in the page's language), money and dates in the page's
// locale, exact decimal sums, storage that never throws, and calls to the order endpoint.

const body = document.body;

export const page = {
  link: body.dataset.link,
  api: (body.dataset.api || "/api").replace(/\/+$/, ""),
  language: body.dataset.language || document.documentElement.lang || "en",
  currency: body.dataset.currency || null,
  timezone: body.dataset.timezone || undefined,
};

export const linkPath = `/links/${encodeURIComponent(page.link)}`;

let texts = null;

/** The interface string `key` with each {name} replaced by values[name]. */
export function text(key, values = {}) {
  if (texts === null) {
    try {
      texts = JSON.parse(document.getElementById("ui-text")?.textContent || "{}");
    } catch {
      texts = {};
    }
  }
  const template = texts[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}

const moneyFormats = new Map();

/** An amount (a decimal string, formatted exactly) in the page's locale and currency, or in
 *  another (an earlier order's). */
export function money(amount, currency = page.currency) {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(page.language, { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}

/** A whole number in the page's locale. */
export function count(value) {
  return new Intl.NumberFormat(page.language).format(value);
}

/** A moment (ISO 8601) as a long date and time in the brand's timezone. */
export function when(iso) {
  return new Intl.DateTimeFormat(page.language, {
    dateStyle: "long", timeStyle: "short", timeZone: page.timezone,
  }).format(new Date(iso));
}

/** When an order line ships (its `delivery`): a window of dates, written as an ISO 8601
 * interval, in the page's locale; the brand's text as it is. */
export function delivery(value) {
  const dates = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (!dates) return value;
  // Calendar days: read and written in UTC, so no zone moves one to the day before. Each as
  // the pages write it (CLDR's yMMMd, i18n.format_days): Apr 15, 2027 – May 15, 2027.
  const day = new Intl.DateTimeFormat(page.language, {
    year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  const [start, end] = [day.format(new Date(dates[1])), day.format(new Date(dates[2]))];
  return start === end ? start : `${start} – ${end}`;
}

// Decimal strings as [digits as BigInt, scale], so amounts and their sums stay exact.
function parse(decimal) {
  const [whole, fraction = ""] = String(decimal).split(".");
  return [BigInt(whole + fraction), fraction.length];
}

function format([digits, scale]) {
  if (scale === 0) return digits.toString();
  const padded = digits.toString().padStart(scale + 1, "0");
  return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** unit × quantity, as a decimal string with the unit's digits. */
export function times(unit, quantity) {
  const [digits, scale] = parse(unit);
  return format([digits * BigInt(quantity), scale]);
}

/** The sum of decimal strings, with the most digits any of them has. */
export function sum(amounts) {
  const parsed = amounts.map(parse);
  const scale = Math.max(0, ...parsed.map(([, s]) => s));
  const total = parsed.reduce((acc, [digits, s]) => acc + digits * 10n ** BigInt(scale - s), 0n);
  return format([total, scale]);
}

/**
 * An order's lines as the buyer ordered them, a row each: a line a size, but a colour of a
 * style sold in packs (its lines carry `pack`, the units of their size in a pack) as one row,
 * as the cart showed it: `{ line, lines, packs, sizes, amount, perPack }` (its first line, all
 * of them, how many packs, what one holds, what they come to, a pack's price). A colour that
 * is not the same whole number of packs in each size keeps a row a line.
 */
export function orderRows(lines) {
  const colours = new Map();
  const rows = [];
  for (const line of lines) {
    if (!line.pack) {
      rows.push([line]);
      continue;
    }
    const key = `${line.style_no}\u0000${line.color}`;
    if (!colours.has(key)) rows.push(colours.set(key, []).get(key));
    colours.get(key).push(line);
  }
  return rows.flatMap((group) => {
    const [line] = group;
    const packs = line.pack ? line.quantity / line.pack : 0;
    if (!Number.isInteger(packs) || packs < 1
      || !group.every((each) => each.quantity === packs * each.pack)) {
      return group.map((each) => ({ line: each, lines: [each] }));
    }
    return [{ line, lines: group, packs,
      sizes: group.map((each) => `${each.size}×${each.pack}`).join(" "),
      amount: sum(group.map((each) => each.amount)),
      perPack: sum(group.map((each) => times(each.unit_price, each.pack))) }];
  });
}

/** A JSON value from localStorage or sessionStorage; private browsing never throws. */
export function stored(storage, key, fallback = null) {
  try {
    return JSON.parse(storage.getItem(key) || "null") ?? fallback;
  } catch {
    return fallback;
  }
}

/** Keep a JSON value (null removes it); false when the browser refuses storage. */
export function store(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

const grantKey = `linesheets:${page.link}:unlock`;

/** The unlock grant of a sealed link ({key, key_version, token, until}) while it lasts. */
export function grant() {
  const kept = stored(sessionStorage, grantKey);
  return kept && kept.until > Date.now() ? kept : null;
}

/** Keep a grant the endpoint gave, measured on this device's clock from `expires_in`. */
export function keepGrant(answer) {
  const kept = { ...answer, until: Date.now() + answer.expires_in * 1000 };
  store(sessionStorage, grantKey, kept);
  return kept;
}

/** Forget the grant: the next page asks for the passcode again. */
export function forgetGrant() {
  store(sessionStorage, grantKey, null);
}

/** Authorization of a sealed link's quotes and orders: the token its unlock gave. */
export function authorization() {
  const token = grant()?.token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Call the endpoint: resolves to {status, ok, data, headers}, or rejects (TypeError) when no
 * answer arrived, in which case the request may or may not have been handled.
 */
export async function call(method, path, { json, headers = {} } = {}) {
  const response = await fetch(`${page.api}${path}`, {
    method,
    headers: {
      Accept: "application/json, application/problem+json",
      ...(json === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: json === undefined ? undefined : JSON.stringify(json),
    cache: "no-store",
    credentials: "omit",
  });
  const data = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, data, headers: response.headers };
}

/** Run `setUp` once the page's body is there: now, or once a sealed page is opened. */
export function whenOpened(setUp) {
  if (!document.getElementById("sealed-body") || "opened" in body.dataset) {
    setUp();
  } else {
    document.addEventListener("linesheets:opened", () => setUp(), { once: true });
  }
}

/**
 * Hand the browser a CSV file of rows (the first, the column names) to save: UTF-8 with a
 * byte-order mark (Excel reads it as UTF-8 then), CRLF, and a ' before a cell a spreadsheet
 * would run as a formula, as the brand's export does (docs/orders.md).
 */
export function downloadCsv(name, rows) {
  const cell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const csv = `\ufeff${rows.map((row) => row.map(cell).join(",")).join("\r\n")}\r\n`;
  saveFile(name, new Blob([csv], { type: "text/csv" }));
}

/** Hand the browser a file to save under a name. */
export function saveFile(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000); // after the browser has read it
}

// The brand's export's columns for a line, `pack` last as there: a style sold in packs gives
// the units of the line's size in one pack (the line is quantity ÷ pack packs).
const LINE_COLUMNS = ["order_number", "style_no", "style_name", "color", "color_name", "size",
  "sku", "jan", "quantity", "unit_price", "amount", "currency", "delivery", "pack"];

/** An order's lines as CSV, for the buyer's own purchase records (and to order the same
 *  again: a linesheet's order form reads it, its sizes and quantities). */
export function downloadLines(order) {
  downloadCsv(`${order.order_number}.csv`, [LINE_COLUMNS, ...order.lines.map((line) => [
    order.order_number, line.style_no, line.name, line.color, line.color_name, line.size,
    line.sku, line.jan, line.quantity, line.unit_price, line.amount, order.currency,
    line.delivery, line.pack])]);
}

/** Make an element from a tag, attributes and children (strings become text, never HTML). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined
    && child !== false));
  return element;
}

// A wheel over a focused quantity field would change the quantity unseen while the buyer
// scrolls the page: the field lets go of the focus first, and the page scrolls.
document.addEventListener("wheel", (event) => {
  const field = document.activeElement;
  if (field instanceof HTMLInputElement && field.type === "number" && field === event.target) {
    field.blur();
  }
}, { passive: true });
