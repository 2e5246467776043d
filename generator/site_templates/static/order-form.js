// Ordering from a spreadsheet, on a linesheet: the order form of the styles shown (CSV, a row
// for each style and colour, a column for each size, the cart's quantities filled in) to
// download, fill in a spreadsheet program and choose again here (saved as CSV or as an Excel
// workbook, xlsx.js); or an order confirmation's CSV (a row for each line), to order the
// same again. Every row is checked against the cards
// (style, colour, size, sold-out cells, packs) before anything goes in: a file with a problem
// changes nothing and lists each problem with its row. The quote checks the rest (MOQ,
// multiples, stock) on the cart page, as for any cart.

import { MAX_QUANTITY, loadCart, putColors } from "./cart-store.js";
import { count, downloadCsv, h, page, saveFile, text } from "./lib.js";
import { onState, orderable } from "./state.js";
import { CELL, columnName, workbook, workbookRows } from "./xlsx.js";

const MAX_BYTES = 2 * 1024 * 1024;
const MAX_SHOWN = 20; // problems listed; the others counted
const COLUMNS = ["style_no", "name", "color", "color_name", "price", "currency", "moq",
  "multiple", "pack", "packs"];
// A legacy encoding a spreadsheet program saves CSV in, by the page's language (Excel's
// "CSV" in Japanese is Shift_JIS, for instance); a file that is not UTF-8 is read in it.
const LEGACY = { ja: "shift_jis", "zh-Hans": "gb18030", "zh-Hant": "big5", ko: "euc-kr" };
const EMPTY = new Set(["", "-", "–", "—", "0"]);
const HEAD_ROWS = 5; // rows above the data where a form's column names may be

/** Fold a style number or code for comparison: full-width to ASCII, case and spaces out. */
function fold(value) {
  return value.normalize("NFKC").trim().toUpperCase();
}

/** Each card's style as the form and the cart need it, by folded style number. */
function stylesOf(list) {
  const season = list.dataset.season;
  const seasonName = document.querySelector(".season-head h1")?.textContent.trim() || season;
  const styles = new Map();
  for (const card of list.querySelectorAll(".style-card")) {
    let cells;
    try {
      cells = JSON.parse(card.dataset.cells);
    } catch {
      continue; // a card without them cannot be ordered from a form
    }
    const style = card.querySelector(".style-no").textContent.trim();
    const anchor = card.querySelector("a[href]");
    styles.set(fold(style), {
      card, season, seasonName, style,
      name: card.querySelector(".style-name")?.textContent.trim() || style,
      href: new URL(anchor.getAttribute("href"), location.href).pathname,
      moq: Number(card.dataset.moq) || 1,
      multiple: cells.multiple ?? 1,
      pack: cells.pack ?? null,
      sizes: cells.sizes,
      soldOut: cells.soldOut ?? {},
      colors: [...card.querySelectorAll(".swatches [data-color]")].map((item) => ({
        code: item.dataset.color, name: item.textContent.trim() })),
      price: card.querySelector(".price")?.dataset.amount ?? "",
    });
  }
  return styles;
}

const packText = (pack) => pack.map(([size, units]) => `${size}×${units}`).join(" ");

const ABSENT = Symbol("a size the style lacks");
const SOLD_OUT = Symbol("sold out");
const IN_PACKS = Symbol("a size of a style ordered in packs");

/** The order form: the styles shown, in the order shown, a row for each colour with the
 *  cart's quantities ({style, color, packs, cells}: a quantity, "" or one of the symbols
 *  above for each size of `sizes`, every size of the collection in the order met). */
function formOf(list, styles) {
  const byCard = new Map([...styles.values()].map((style) => [style.card, style]));
  const entries = [...list.querySelectorAll(".style-card:not([hidden])")]
    .map((card) => byCard.get(card)).filter(Boolean);
  const sizes = [];
  for (const style of entries) {
    for (const size of style.sizes) if (!sizes.includes(size)) sizes.push(size);
  }
  const cart = loadCart();
  const rows = entries.flatMap((style) => {
    const inCart = cart.styles.find((e) => e.season === style.season && e.style === style.style);
    return style.colors.map((color) => {
      const cells = inCart?.cells.filter((cell) => cell.color === color.code) ?? [];
      const packs = style.pack && cells.length
        ? cells[0].quantity / (style.pack.find(([size]) => size === cells[0].size)?.[1] ?? 1)
        : "";
      const soldOut = style.soldOut[color.code] ?? [];
      return { style, color, packs, cells: sizes.map((size) => {
        if (!style.sizes.includes(size)) return ABSENT;
        if (soldOut.includes(size)) return SOLD_OUT;
        if (style.pack) return IN_PACKS;
        return cells.find((cell) => cell.size === size)?.quantity ?? "";
      }) };
    });
  });
  return { sizes, rows };
}

function formName(list, extension) {
  return `${page.link}-${list.dataset.season}-${page.currency.toLowerCase()}-order-form.${extension}`;
}

/** The order form as CSV (any spreadsheet program, or a buyer's own tools). */
function downloadCsvForm(list, styles) {
  const { sizes, rows } = formOf(list, styles);
  const shown = (cell) => {
    if (cell === ABSENT) return "—"; // a "-" would be guarded as a formula
    if (cell === SOLD_OUT) return text("sold_out");
    return cell === IN_PACKS ? "" : cell;
  };
  downloadCsv(formName(list, "csv"), [[...COLUMNS, ...sizes], ...rows.map(
    ({ style, color, packs, cells }) => [style.style, style.name, color.code, color.name,
      style.price, page.currency, style.moq, style.multiple,
      style.pack ? packText(style.pack) : "", packs, ...cells.map(shown)])]);
}

/** The order form as an Excel workbook: under the page's title, each column's label in the
 *  page's language over its name (the names are what is read back), the cells to type in
 *  shaded and checked for whole numbers, the others grey, prices and numbers as numbers,
 *  each row's units and the column totals as formulas, the heading and the style columns
 *  kept in view. */
async function downloadWorkbook(list, styles) {
  const { sizes, rows } = formOf(list, styles);
  const packsAt = COLUMNS.indexOf("packs");
  const first = columnName(packsAt + 1);
  const last = columnName(packsAt + sizes.length);
  const packs = columnName(packsAt);
  const units = columnName(COLUMNS.length + sizes.length);
  const HEAD = 3; // the page's title, the labels, the column names
  const bottom = rows.length + HEAD;
  const grey = (value) => ({ value, style: CELL.unavailable });
  const amount = (price) => {
    const digits = price.split(".")[1]?.length ?? 0;
    return { value: Number(price), style: [CELL.amount0, CELL.amount2, CELL.amount3][digits] };
  };
  const body = rows.map(({ style, color, packs: packed, cells }, index) => {
    const row = index + HEAD + 1;
    const inPack = style.pack?.reduce((sum, [, n]) => sum + n, 0);
    return [style.style, style.name, color.code, color.name].map((value) => ({ value }))
      .concat([style.price === "" ? {} : amount(style.price), { value: page.currency },
        { value: style.moq }, { value: style.multiple },
        { value: style.pack ? packText(style.pack) : "" },
        style.pack ? { value: packed, style: CELL.input } : grey(""),
        ...cells.map((cell) => {
          if (cell === ABSENT) return grey("—");
          if (cell === SOLD_OUT) return grey(text("sold_out"));
          return cell === IN_PACKS ? grey("") : { value: cell, style: CELL.input };
        }),
        { formula: style.pack ? `${packs}${row}*${inPack}` : `SUM(${first}${row}:${last}${row})`,
          style: CELL.amount0 }]);
  });
  const sum = (column) => ({ formula: `SUM(${column}${HEAD + 1}:${column}${bottom})`,
    style: CELL.total });
  const total = [{}, { value: text("form_total"), style: CELL.total }, ...COLUMNS.slice(2, packsAt)
    .map(() => ({})), ...[packs, ...sizes.map((_, n) => columnName(packsAt + 1 + n)), units]
    .map(sum)];
  const width = (values, least) => Math.min(40, Math.max(least, ...values.map((value) => (
    [...String(value)].reduce((sum, char) => sum + (char.charCodeAt(0) > 0x2e7f ? 2 : 1), 0)
      + 2))));
  const labels = [...COLUMNS.map((name) => text(`form_${name}`)), ...sizes, text("form_units")];
  const widths = [...COLUMNS.map((name, n) => width([labels[n], ...body.map((row) => (
    row[n].value ?? ""))], name === "price" ? 10 : 6)), ...sizes.map((size) => width([size,
    text("sold_out")], 6)), width([labels.at(-1)], 8)];
  saveFile(formName(list, "xlsx"), await workbook({
    name: document.querySelector(".season-head h1")?.textContent.trim() || list.dataset.season,
    rows: [[{ value: `${document.title} (${page.currency})`, style: CELL.head }],
      labels.map((value) => ({ value, style: CELL.head })),
      [...COLUMNS, ...sizes, "units"].map((value) => ({ value, style: CELL.key })),
      ...body, total],
    widths,
    frozen: { rows: HEAD, columns: COLUMNS.indexOf("color_name") + 1 },
    inputs: [{ range: `${packs}${HEAD + 1}:${last}${bottom}`, min: 0, max: MAX_QUANTITY,
      message: text("form_quantity", { max: count(MAX_QUANTITY) }) }],
  }));
}

/** A CSV file's text: UTF-8 (with or without a byte-order mark), UTF-16 with one, or else
 *  the page language's legacy encoding. */
function decode(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops a BOM
  } catch {
    return new TextDecoder(LEGACY[page.language] ?? "windows-1252").decode(bytes);
  }
}

/** The rows of a CSV text (RFC 4180: quoted cells may hold separators, quotes doubled, line
 *  breaks). The separator is the header's most frequent of comma, semicolon (a European
 *  Excel's CSV) and tab (a "Unicode text" file). */
function parseCsv(csv) {
  const head = csv.slice(0, csv.search(/\r|\n|$/)).replace(/"[^"]*"/g, "");
  const separator = [",", ";", "\t"].reduce((best, candidate) => (
    head.split(candidate).length > head.split(best).length ? candidate : best));
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let at = 0; at < csv.length; at += 1) {
    const char = csv[at];
    if (quoted) {
      if (char === '"' && csv[at + 1] === '"') {
        cell += '"';
        at += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === "") {
      quoted = true;
    } else if (char === separator) {
      row.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && csv[at + 1] === "\n") at += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else {
      cell += char;
    }
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows;
}

/** A quantity cell: 0 for nothing, a whole number, or null when it is no quantity. */
function quantityOf(value) {
  let cell = value.normalize("NFKC").trim();
  if (cell.startsWith("'")) cell = cell.slice(1); // as our own CSV files guard cells
  if (EMPTY.has(cell) || cell === text("sold_out")) return 0;
  const number = /^\d{1,3}(,\d{3})+$/.test(cell) ? cell.replaceAll(",", "") : cell;
  if (!/^\d+(\.0*)?$/.test(number)) return null;
  const units = Number.parseInt(number, 10);
  return units <= MAX_QUANTITY ? units : null;
}

/** The colour a row names: by its code, else by its name (either in either column: a buyer
 *  may type "Black" under `color`), else the style's only colour; null for one it lacks. */
function colorOf(style, code, name) {
  const given = [code, name].map((value) => value.normalize("NFKC").trim()).filter(Boolean);
  if (!given.length) return style.colors.length === 1 ? style.colors[0] : undefined;
  const named = (color) => color.name.normalize("NFKC").trim().toLowerCase();
  return style.colors.find((color) => given.some((value) => fold(value) === fold(color.code)))
    ?? style.colors.find((color) => given.some((value) => value.toLowerCase() === named(color)))
    ?? null;
}

/** Read a filled order form (or a confirmation's lines) against the linesheet's styles:
 *  {colors: [{style, color, units: Map(size -> units)}], problems: [text]}, or {refusal}
 *  for a file that is no order form at all. */
function readForm(rows, styles) {
  // The column names' row: the first, or in our workbook the one under the labels.
  const named = (cells) => cells.map((name) => name.normalize("NFKC").trim().toLowerCase());
  const top = Math.max(0, rows.slice(0, HEAD_ROWS)
    .findIndex((cells) => named(cells).includes("style_no")));
  const header = named(rows[top] ?? []);
  const column = (name) => header.indexOf(name);
  const problems = [];
  const at = { style: column("style_no"), color: column("color"), colorName: column("color_name"),
    size: column("size"), quantity: column("quantity"), packs: column("packs") };
  if (at.style < 0) return { refusal: text("form_no_column", { column: "style_no" }) };
  if (at.color < 0 && at.colorName < 0) {
    return { refusal: text("form_no_column", { column: "color" }) };
  }
  // A size column: one named after a size of this collection (what our form writes).
  const known = new Set([...styles.values()].flatMap((style) => style.sizes));
  const sizeColumns = (rows[top] ?? []).map((name, index) => [name.trim(), index])
    .filter(([name, index]) => known.has(name) && !Object.values(at).includes(index));
  const long = at.size >= 0 && at.quantity >= 0;
  if (!long && !sizeColumns.length && at.packs < 0) {
    return { refusal: text("form_no_sizes") };
  }
  const found = new Map(); // style|colour -> {style, color, units, packs, row}
  rows.slice(top + 1).forEach((cells, index) => {
    const row = count(top + index + 2);
    const cell = (position) => (position >= 0 ? cells[position] ?? "" : "");
    const number = cell(at.style).normalize("NFKC").trim();
    if (!number) return; // a blank row, or a total under the rows
    const style = styles.get(fold(number));
    if (!style) {
      problems.push(text("form_unknown_style", { row, style: number }));
      return;
    }
    const offered = style.colors.map((c) => c.code).join(", ");
    const color = colorOf(style, cell(at.color), cell(at.colorName));
    if (!color) {
      problems.push(color === undefined
        ? text("form_no_color", { row, style: style.style, colors: offered })
        : text("form_unknown_color", { row, style: style.style,
          color: cell(at.color).trim() || cell(at.colorName).trim(), colors: offered }));
      return;
    }
    const key = `${style.style}\u0000${color.code}`;
    const entry = found.get(key) ?? { style, color, units: new Map(), packs: 0, row };
    found.set(key, entry);
    const add = (size, value, columnName) => {
      const units = quantityOf(value);
      if (units === null) {
        problems.push(text("form_bad_quantity", { row, column: columnName, value: value.trim(),
          max: count(MAX_QUANTITY) }));
      } else if (units > 0 && !style.sizes.includes(size)) {
        problems.push(text("form_unknown_size", { row, style: style.style, size,
          sizes: style.sizes.join(", ") }));
      } else if (units > 0 && (style.soldOut[color.code] ?? []).includes(size)) {
        problems.push(text("form_sold_out", { row, style: style.style, color: color.name, size }));
      } else if (units > 0) {
        entry.units.set(size, (entry.units.get(size) ?? 0) + units);
      }
    };
    if (long) add(cell(at.size).normalize("NFKC").trim(), cell(at.quantity), "quantity");
    for (const [size, position] of sizeColumns) {
      // A size the style lacks is "—" in our form; a cell typed there is a problem.
      if (style.sizes.includes(size) || quantityOf(cell(position)) !== 0) {
        add(size, cell(position), size);
      }
    }
    if (at.packs >= 0) {
      const packs = quantityOf(cell(at.packs));
      if (packs === null) {
        problems.push(text("form_bad_quantity", { row, column: "packs",
          value: cell(at.packs).trim(), max: count(MAX_QUANTITY) }));
      } else if (packs > 0 && !style.pack) {
        problems.push(text("form_not_packed", { row, style: style.style }));
      } else {
        entry.packs += packs;
      }
    }
  });
  const colors = [];
  for (const entry of found.values()) {
    const { style, color, units, packs, row } = entry;
    if (style.pack) { // units of each size must make whole packs, the same number of each
      const each = style.pack.map(([size, inPack]) => (units.get(size) ?? 0) / inPack);
      const whole = each.every((n) => n === each[0] && Number.isInteger(n))
        && [...units.keys()].every((size) => style.pack.some(([s]) => s === size));
      if (!whole) {
        problems.push(text("form_whole_packs", { row, style: style.style,
          pack: packText(style.pack), color: color.name }));
        continue;
      }
      units.clear();
      for (const [size, inPack] of style.pack) units.set(size, (each[0] + packs) * inPack);
    }
    for (const [size, quantity] of units) {
      if (quantity > MAX_QUANTITY) {
        problems.push(text("form_too_many", { row, style: style.style, color: color.name, size,
          max: count(MAX_QUANTITY) }));
      }
    }
    colors.push(entry);
  }
  return { colors, problems };
}

/** Put what a form holds in the cart: each colour it names in place of that colour's cells. */
function takeForm(colors) {
  const byStyle = new Map();
  for (const { style, color, units } of colors) {
    const entry = byStyle.get(style) ?? { colors: [], cells: [] };
    byStyle.set(style, entry);
    entry.colors.push(color.code);
    for (const size of style.sizes) { // in the style's size order, as its page puts them
      const quantity = units.get(size) ?? 0;
      if (quantity > 0) entry.cells.push({ color: color.code, colorName: color.name, size, quantity });
    }
  }
  putColors([...byStyle].map(([style, { colors: codes, cells }]) => ({
    entry: { season: style.season, seasonName: style.seasonName, style: style.style,
      name: style.name, href: style.href, moq: style.moq, multiple: style.multiple,
      ...(style.pack ? { pack: style.pack } : {}), cells },
    colors: codes })));
}

function show(result, ...parts) {
  result.replaceChildren(...parts.filter((part) => part !== null));
}

/** A file's rows: a workbook's first sheet (.xlsx or .ods, a ZIP), or a CSV file's; null
 *  for an old binary workbook (.xls), which only a spreadsheet program reads. */
async function rowsOf(bytes) {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return workbookRows(bytes);
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf) return null;
  return parseCsv(decode(bytes));
}

async function choose(input, result, styles) {
  const file = input.files?.[0];
  input.value = ""; // the same file chosen again (once corrected) is read again
  if (!file) return;
  if (file.size > MAX_BYTES) {
    show(result, h("p", { class: "problem" }, text("form_too_big")));
    return;
  }
  let rows;
  try {
    rows = await rowsOf(new Uint8Array(await file.arrayBuffer()));
  } catch {
    show(result, h("p", { class: "problem" }, text("form_unreadable")));
    return;
  }
  if (rows === null) {
    show(result, h("p", { class: "problem" }, text("form_workbook")));
    return;
  }
  const { colors, problems, refusal } = readForm(rows, styles);
  if (refusal) {
    show(result, h("p", { class: "problem" }, refusal));
    return;
  }
  if (problems.length) {
    show(result, h("p", { class: "problem" }, text("form_problems")),
      h("ul", {}, problems.slice(0, MAX_SHOWN).map((problem) => h("li", {}, problem))),
      problems.length > MAX_SHOWN
        ? h("p", {}, text("form_more", { count: count(problems.length - MAX_SHOWN) })) : null);
    return;
  }
  const unitsOf = (cells) => [...cells.values()].reduce((sum, n) => sum + n, 0);
  const units = colors.reduce((all, color) => all + unitsOf(color.units), 0);
  if (!units) {
    show(result, h("p", { class: "problem" }, text("form_empty")));
    return;
  }
  takeForm(colors);
  const cartLink = document.querySelector(".cart-link");
  show(result, h("p", {}, text("form_taken", {
    styles: count(new Set(colors.filter((color) => unitsOf(color.units) > 0)
      .map(({ style }) => style)).size),
    units: count(units) }),
  " ", cartLink ? h("a", { href: cartLink.getAttribute("href") }, text("view_cart")) : ""));
}

export function setUpOrderForm(section, list) {
  const styles = stylesOf(list);
  const result = section.querySelector("[data-order-form-result]");
  const input = section.querySelector("[data-order-form-file]");
  section.querySelector("[data-order-form-download]")
    .addEventListener("click", () => downloadWorkbook(list, styles));
  section.querySelector("[data-order-form-download-csv]")
    .addEventListener("click", () => downloadCsvForm(list, styles));
  input.addEventListener("change", () => choose(input, result, styles));
  const opener = document.querySelector("[data-order-form-link]");
  section.hidden = false;
  onState((status) => { // the form orders: it goes while the season takes no orders
    const open = orderable(status, list.dataset.season);
    section.hidden = !open;
    if (opener) opener.hidden = !open;
  });
}
