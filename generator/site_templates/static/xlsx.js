// The rows of a workbook's first sheet, as text, read in the browser: an order form saved by
// Excel, Numbers or Google Sheets as .xlsx (a ZIP of XML parts), or by LibreOffice in its
// own OpenDocument format (.ods, a ZIP too), comes back without the buyer having to find
// "Save as CSV". Only what an order form needs: cell values as their text
// (shared strings, inline strings, numbers, booleans), by row and column; no formulas are
// evaluated (a spreadsheet program stores each formula's last value, which is what is read).

const decoder = new TextDecoder();

/** The ZIP's entries by name -> their bytes, inflated (stored or deflated entries only). */
async function unzip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22; // the end-of-central-directory record, after any comment
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error("not a ZIP file");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries = new Map();
  for (let n = 0; n < count; n += 1) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("a damaged ZIP directory");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    entries.set(name, { method, size, local });
    at += 46 + nameLength + skip;
  }
  return async (name) => {
    const entry = entries.get(name);
    if (!entry) return null;
    const start = entry.local + 30 + view.getUint16(entry.local + 26, true)
      + view.getUint16(entry.local + 28, true);
    const data = bytes.subarray(start, start + entry.size);
    if (entry.method === 0) return data;
    if (entry.method !== 8) throw new Error(`a ZIP entry compressed by method ${entry.method}`);
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
}

async function xml(read, name) {
  const data = await read(name);
  return data ? new DOMParser().parseFromString(decoder.decode(data), "application/xml") : null;
}

// Elements by local name, whatever prefix a program gave the spreadsheet namespace.
const all = (node, name) => [...node.getElementsByTagNameNS("*", name)];

/** Column letters to an index: A -> 0, Z -> 25, AA -> 26. */
function column(reference) {
  let index = 0;
  for (const letter of /^[A-Z]+/.exec(reference)?.[0] ?? "") {
    index = index * 26 + letter.charCodeAt(0) - 64;
  }
  return index - 1;
}

/** The path of the workbook's first sheet, by its relationship. */
async function firstSheet(read) {
  const book = await xml(read, "xl/workbook.xml");
  const sheet = book && all(book, "sheet")[0];
  const id = sheet?.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id");
  const rels = await xml(read, "xl/_rels/workbook.xml.rels");
  const target = rels && all(rels, "Relationship").find((r) => r.getAttribute("Id") === id)
    ?.getAttribute("Target");
  if (!target) return "xl/worksheets/sheet1.xml";
  return target.startsWith("/") ? target.slice(1) : `xl/${target}`;
}

/** The first sheet's rows of an .xlsx or .ods file, each an array of cell texts ("" where
 *  a cell is empty). */
export async function workbookRows(bytes) {
  const read = await unzip(bytes);
  const content = await xml(read, "content.xml"); // OpenDocument's
  if (content) return openDocumentRows(content);
  const strings = await xml(read, "xl/sharedStrings.xml");
  const shared = strings ? all(strings, "si").map((item) => all(item, "t")
    .map((t) => t.textContent).join("")) : [];
  const sheet = await xml(read, await firstSheet(read));
  if (!sheet || sheet.getElementsByTagName("parsererror").length) {
    throw new Error("no readable sheet");
  }
  const rows = [];
  for (const row of all(sheet, "row")) {
    const cells = [];
    for (const cell of all(row, "c")) {
      const type = cell.getAttribute("t");
      const value = all(cell, "v")[0]?.textContent ?? "";
      const at = cell.hasAttribute("r") ? column(cell.getAttribute("r")) : cells.length;
      cells[at] = type === "s" ? shared[Number(value)] ?? ""
        : type === "inlineStr" ? all(cell, "t").map((t) => t.textContent).join("")
          : type === "b" ? (value === "1" ? "TRUE" : "FALSE") : value;
    }
    const number = Number(row.getAttribute("r")) || rows.length + 1;
    while (rows.length < number - 1) rows.push([]); // rows left empty are not written
    rows.push(Array.from(cells, (cell) => cell ?? ""));
  }
  return rows;
}

const OD_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const OD_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
const MOST_ROWS = 100000; // far more than an order form: a file claiming more is refused
const MOST_COLUMNS = 2000;

/** The first table's rows of an OpenDocument spreadsheet's content.xml. A row or cell the
 *  file repeats (`number-rows-repeated`, `number-columns-repeated`) counts that many times;
 *  the empty ones a program writes to fill the sheet to its edge are not kept. */
function openDocumentRows(content) {
  const table = all(content, "table")[0];
  if (!table || content.getElementsByTagName("parsererror").length) {
    throw new Error("no readable sheet");
  }
  const repeated = (node, name) => Number(node.getAttributeNS(OD_TABLE, name)) || 1;
  const rows = [];
  let emptyRows = 0;
  for (const row of all(table, "table-row")) {
    const cells = [];
    let emptyCells = 0;
    for (const cell of [...row.children].filter((c) => /table-cell$/.test(c.localName))) {
      const type = cell.getAttributeNS(OD_OFFICE, "value-type");
      const value = type === "boolean"
        ? (cell.getAttributeNS(OD_OFFICE, "boolean-value") === "true" ? "TRUE" : "FALSE")
        : ["float", "percentage", "currency"].includes(type)
          ? cell.getAttributeNS(OD_OFFICE, "value")
          : all(cell, "p").map((p) => p.textContent).join("\n");
      const times = repeated(cell, "number-columns-repeated");
      if (value === "") {
        emptyCells += times; // kept only if a cell with a value comes after
        continue;
      }
      if (cells.length + emptyCells + times > MOST_COLUMNS) throw new Error("too wide a sheet");
      cells.push(...Array(emptyCells).fill(""), ...Array(times).fill(value));
      emptyCells = 0;
    }
    const times = repeated(row, "number-rows-repeated");
    if (!cells.length) {
      emptyRows += times;
      continue;
    }
    if (rows.length + emptyRows + times > MOST_ROWS) throw new Error("too long a sheet");
    for (let n = 0; n < emptyRows; n += 1) rows.push([]);
    for (let n = 0; n < times; n += 1) rows.push([...cells]);
    emptyRows = 0;
  }
  return rows;
}

// Writing: a workbook of one sheet, for the order form a buyer downloads. What Excel,
// Numbers and Google Sheets open without a repair prompt, and no more: inline strings,
// numbers, formulas left for the program to calculate on opening, a few cell styles, frozen
// panes, column widths, a whole-number check on the cells a buyer types in, a landscape
// printout a page wide whose first row repeats on every page.

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships";
const TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml";
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** The cell styles a sheet may name, by their index in styles.xml's cellXfs. */
export const CELL = Object.freeze({
  plain: 0, head: 1, input: 2, unavailable: 3, amount0: 4, amount2: 5, amount3: 6, total: 7,
  key: 8,
});

const STYLES = `${HEAD}<styleSheet xmlns="${MAIN}">`
  + '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.000"/></numFmts>'
  + '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
  + '<font><b/><sz val="11"/><name val="Calibri"/></font>'
  + '<font><sz val="11"/><color rgb="FF767676"/><name val="Calibri"/></font>'
  + '<font><sz val="9"/><color rgb="FF767676"/><name val="Calibri"/></font></fonts>'
  + '<fills count="4"><fill><patternFill patternType="none"/></fill>'
  + '<fill><patternFill patternType="gray125"/></fill>'
  + '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF7D6"/><bgColor indexed="64"/></patternFill></fill>'
  + '<fill><patternFill patternType="solid"><fgColor rgb="FFF0F0F0"/><bgColor indexed="64"/></patternFill></fill></fills>'
  + '<borders count="3"><border><left/><right/><top/><bottom/><diagonal/></border>'
  + '<border><left style="thin"><color rgb="FFC8C8C8"/></left><right style="thin"><color rgb="FFC8C8C8"/></right>'
  + '<top style="thin"><color rgb="FFC8C8C8"/></top><bottom style="thin"><color rgb="FFC8C8C8"/></bottom><diagonal/></border>'
  + '<border><left/><right/><top/><bottom style="medium"><color rgb="FF000000"/></bottom><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
  + '<xf numFmtId="0" fontId="0" fillId="2" borderId="1" xfId="0" applyFill="1" applyBorder="1"/>'
  + '<xf numFmtId="0" fontId="2" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center"/></xf>'
  + '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="3" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
  + '<xf numFmtId="0" fontId="3" fillId="0" borderId="2" xfId="0" applyFont="1" applyBorder="1"/></cellXfs>'
  + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
  + "</styleSheet>";

/** Text as XML character data: markup escaped, characters XML forbids left out. */
function escaped(value) {
  return String(value)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** An index to column letters: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnName(index) {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** One cell's XML: a number, a text, a formula (its value left to the program), or only a
 *  style (an empty cell to fill in). */
function cellXml(reference, cell) {
  const style = cell.style ? ` s="${cell.style}"` : "";
  if (cell.formula) return `<c r="${reference}"${style}><f>${escaped(cell.formula)}</f></c>`;
  const { value } = cell;
  if (value === undefined || value === null || value === "") {
    return style ? `<c r="${reference}"${style}/>` : "";
  }
  if (typeof value === "number") return `<c r="${reference}"${style}><v>${value}</v></c>`;
  return `<c r="${reference}"${style} t="inlineStr"><is><t xml:space="preserve">${escaped(value)}</t></is></c>`;
}

/** A sheet's name as Excel takes one: 31 characters at most, none of []:*?/\ and not
 *  starting or ending with an apostrophe. */
function sheetName(name) {
  const clean = name.replace(/[[\]:*?/\\]/g, " ").replace(/^'+|'+$/g, "").trim().slice(0, 31);
  return clean || "Sheet1";
}

function sheetXml({ rows, widths = [], frozen = { rows: 0, columns: 0 }, inputs = [] }) {
  const wide = Math.max(1, ...rows.map((row) => row.length));
  const dimension = `A1:${columnName(wide - 1)}${Math.max(1, rows.length)}`;
  const { rows: down, columns: across } = frozen;
  let pane = "";
  if (down || across) {
    const active = across && down ? "bottomRight" : down ? "bottomLeft" : "topRight";
    pane = `<pane${across ? ` xSplit="${across}"` : ""}${down ? ` ySplit="${down}"` : ""}`
      + ` topLeftCell="${columnName(across)}${down + 1}" activePane="${active}" state="frozen"/>`
      + `<selection pane="${active}" activeCell="${columnName(across)}${down + 1}"`
      + ` sqref="${columnName(across)}${down + 1}"/>`;
  }
  const cols = widths.length ? `<cols>${widths.map((width, index) => (
    `<col min="${index + 1}" max="${index + 1}" width="${width}" customWidth="1"/>`)).join("")}</cols>` : "";
  const data = rows.map((row, at) => {
    const cells = row.map((cell, index) => cellXml(`${columnName(index)}${at + 1}`, cell)).join("");
    return `<row r="${at + 1}">${cells}</row>`;
  }).join("");
  const checks = inputs.length ? `<dataValidations count="${inputs.length}">${inputs.map(
    ({ range, min, max, title, message }) => `<dataValidation type="whole" operator="between"`
      + ` allowBlank="1" showErrorMessage="1"${title ? ` errorTitle="${escaped(title)}"` : ""}`
      + ` error="${escaped(message)}" sqref="${range}"><formula1>${min}</formula1>`
      + `<formula2>${max}</formula2></dataValidation>`).join("")}</dataValidations>` : "";
  return `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${RELATIONS}">`
    + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
    + `<dimension ref="${dimension}"/><sheetViews><sheetView workbookViewId="0">${pane}`
    + `</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>${cols}`
    + `<sheetData>${data}</sheetData>${checks}`
    + '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
    + '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>';
}

/** The workbook's parts, by their path in the package. */
function parts(sheet) {
  const name = escaped(sheetName(sheet.name ?? ""));
  const titles = sheet.frozen?.rows
    ? `<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'${
      name.replaceAll("'", "''")}'!$1:$${sheet.frozen.rows}</definedName></definedNames>` : "";
  return [
    ["[Content_Types].xml", `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + `<Override PartName="/xl/workbook.xml" ContentType="${TYPES}.sheet.main+xml"/>`
      + `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${TYPES}.worksheet+xml"/>`
      + `<Override PartName="/xl/styles.xml" ContentType="${TYPES}.styles+xml"/></Types>`],
    ["_rels/.rels", `${HEAD}<Relationships xmlns="${PACKAGE}">`
      + `<Relationship Id="rId1" Type="${RELATIONS}/officeDocument" Target="xl/workbook.xml"/>`
      + "</Relationships>"],
    ["xl/workbook.xml", `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${RELATIONS}">`
      + `<sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets>${titles}`
      + '<calcPr calcId="0" fullCalcOnLoad="1"/></workbook>'],
    ["xl/_rels/workbook.xml.rels", `${HEAD}<Relationships xmlns="${PACKAGE}">`
      + `<Relationship Id="rId1" Type="${RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>`
      + `<Relationship Id="rId2" Type="${RELATIONS}/styles" Target="styles.xml"/></Relationships>`],
    ["xl/styles.xml", STYLES],
    ["xl/worksheets/sheet1.xml", sheetXml(sheet)],
  ];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Deflated bytes, or null where the browser cannot deflate (the entry is stored then). */
async function deflated(data) {
  if (typeof CompressionStream === "undefined") return null;
  try {
    const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}

/** A ZIP archive of named entries (no timestamps: the same sheet gives the same bytes). */
async function zip(entries) {
  const encoder = new TextEncoder();
  const chunks = [];
  const directory = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = encoder.encode(text);
    const packed = await deflated(data);
    const body = packed ?? data;
    const path = encoder.encode(name);
    const fields = (signature, size) => {
      const head = new DataView(new ArrayBuffer(size));
      head.setUint32(0, signature, true);
      return head;
    };
    const local = fields(0x04034b50, 30);
    const central = fields(0x02014b50, 46);
    // Version needed, flags (bit 11: the name is UTF-8), method, time, date, CRC, sizes.
    const common = [20, 0x0800, packed ? 8 : 0, 0, 0x21];
    common.forEach((value, index) => local.setUint16(4 + 2 * index, value, true));
    common.forEach((value, index) => central.setUint16(6 + 2 * index, value, true));
    central.setUint16(4, 20, true); // made by
    for (const [view, at] of [[local, 14], [central, 16]]) {
      view.setUint32(at, crc32(data), true);
      view.setUint32(at + 4, body.length, true);
      view.setUint32(at + 8, data.length, true);
      view.setUint16(at + 12, path.length, true);
    }
    central.setUint32(42, offset, true);
    chunks.push(new Uint8Array(local.buffer), path, body);
    directory.push(new Uint8Array(central.buffer), path);
    offset += 30 + path.length + body.length;
  }
  const size = directory.reduce((sum, chunk) => sum + chunk.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new Blob([...chunks, ...directory, new Uint8Array(end.buffer)], { type: `${TYPES}.sheet` });
}

/**
 * A workbook of one sheet, as a Blob to save: `name` (the sheet's), `rows` (arrays of cells,
 * each {value, style} or {formula, style}, styles from CELL), `widths` (each column's, in
 * characters), `frozen` ({rows, columns} kept in view while scrolling; the rows also head
 * every printed page) and `inputs` ([{range, min, max, title, message}]: cells that take
 * whole numbers only, with what Excel says of another).
 */
export function workbook(sheet) {
  return zip(parts(sheet));
}
