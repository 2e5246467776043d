// The rows of a workbook's first sheet, as text, read in the browser: an order form saved by
// Excel, Numbers or Google Sheets as .xlsx (a ZIP of XML parts) comes back without the buyer
// having to find "Save as CSV". Only what an order form needs: cell values as their text
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

/** The first sheet's rows, each an array of cell texts ("" where a cell is empty). */
export async function workbookRows(bytes) {
  const read = await unzip(bytes);
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
