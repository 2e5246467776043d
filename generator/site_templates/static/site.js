// Progressive enhancement shared by every page: the link's state at request time, the cart
// count in the header, the chooser's memory and the linesheet's filters; the style page's
// grid and the cart page's scripts load only there. Pages read and work without it.

import { entryUnits, loadCart, onCartChange, unitsIn } from "./cart-store.js";
import { count, downloadCsv, h, text, whenOpened } from "./lib.js";
import "./state.js";

const body = document.body;
const link = body.dataset.link;
const memoryKey = `linesheets:${link}:choice`;

function rememberChoice() {
  if (body.dataset.currency) {
    try {
      localStorage.setItem(memoryKey, `${body.dataset.language}/${body.dataset.currency}`);
    } catch {
      // Private browsing may refuse storage; the choice is then simply not remembered.
    }
  }
}

function setUpChooser(chooser) {
  let remembered = null;
  try {
    remembered = localStorage.getItem(memoryKey);
  } catch {
    remembered = null;
  }
  const links = [...chooser.querySelectorAll("[data-choice]")];
  const known = links.find((a) => a.dataset.choice === remembered);
  if (known) known.classList.add("remembered");
  // Propose the browser's language: the first of navigator.languages the link offers.
  const offered = [...chooser.querySelectorAll("[data-language]")];
  for (const wanted of navigator.languages || [navigator.language]) {
    const lower = wanted.toLowerCase();
    const match = offered.find((item) => {
      const tag = item.dataset.language.toLowerCase();
      return lower === tag || lower.startsWith(`${tag}-`) || tag.startsWith(`${lower}-`)
        || (tag === "zh-hans" && /^zh-(cn|sg)$/.test(lower));
    });
    if (match) {
      match.classList.add("proposed");
      offered[0].parentElement.prepend(match);
      break;
    }
  }
  for (const a of links) {
    a.addEventListener("click", () => {
      try {
        localStorage.setItem(memoryKey, a.dataset.choice);
      } catch {
        // see rememberChoice
      }
    });
  }
}

/** Fold text for the search: full-width to ASCII (ＳＳ２７), lowercase, accents and the
 * punctuation of style numbers dropped, so "ss27001" finds SS27-001 and "creme" Crème. */
function folded(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[\s\-_./·]+/g, " ");
}

/** Ask now for every picture that would load only once scrolled to; return them. */
function askForEveryPicture() {
  const pictures = [...document.querySelectorAll("img[loading=lazy]")];
  for (const picture of pictures) picture.loading = "eager";
  return pictures;
}

/** Print the linesheet (the styles the filters show) once every picture has arrived: the
 * cards' pictures load as they scroll into view, and a print of those not yet seen would be
 * blank. Waits at most 10 s for a slow connection, then prints what there is. */
async function printWhole(event) {
  const button = event.currentTarget;
  button.disabled = true;
  const pictures = askForEveryPicture();
  const arrived = pictures.map((picture) => (picture.complete ? null : new Promise((done) => {
    picture.addEventListener("load", done, { once: true });
    picture.addEventListener("error", done, { once: true });
  })));
  await Promise.race([Promise.all(arrived),
    new Promise((done) => { setTimeout(done, 10000); })]);
  button.disabled = false;
  window.print();
}

/** The styles the linesheet shows, in the order shown, as a spreadsheet: a row a style. */
function downloadSheet(list) {
  const rows = [...list.querySelectorAll(".style-card:not([hidden])")].map((card) => {
    const price = card.querySelector(".price");
    const texts = (selector) => [...card.querySelectorAll(selector)]
      .map((item) => item.textContent.trim());
    return [card.querySelector(".style-no")?.textContent.trim(),
      card.querySelector(".style-name")?.textContent.trim(),
      texts(".swatches li").join(", "),
      (card.querySelector(".sizes")?.textContent ?? "").split("·").map((s) => s.trim())
        .join(", "),
      price?.dataset.amount, price?.dataset.rrp, body.dataset.currency, card.dataset.moq,
      card.querySelector(".delivery")?.dataset.dates || list.dataset.delivery,
      card.dataset.pack ?? ""];
  });
  downloadCsv(`${link}-${list.dataset.season}-${body.dataset.currency.toLowerCase()}.csv`, [
    ["style_no", "name", "colors", "sizes", "price", "rrp", "currency", "moq", "delivery",
      "pack"],
    ...rows]);
}

function setUpFilters(form) {
  const cards = [...document.querySelectorAll(".style-card")].map((card) => {
    const number = card.querySelector(".style-no")?.textContent ?? "";
    const name = card.querySelector(".style-name")?.textContent ?? "";
    const text = folded(`${number} ${name}`);
    const price = Number(card.querySelector(".price")?.dataset.amount ?? NaN);
    return { card, text, compact: text.replaceAll(" ", ""), number, price };
  });
  const list = cards[0]?.card.parentElement;
  // Orders of the cards: as the brand lists them, by price (the least a style costs) either
  // way, by style number; the browser's stable sort keeps the collection's order in ties.
  const orders = {
    price: (a, b) => a.price - b.price,
    "-price": (a, b) => b.price - a.price,
    number: (a, b) => a.number.localeCompare(b.number, undefined, { numeric: true }),
  };
  const sortCards = () => {
    const compare = orders[form.elements.sort?.value];
    const sorted = compare ? [...cards].sort(compare) : cards;
    list?.append(...sorted.map(({ card }) => card));
  };
  const noMatch = document.querySelector("[data-no-match]");
  const apply = () => {
    const category = form.elements.category.value;
    const color = form.elements.color.value;
    // Absent when every style ships together; a value names one or more cards' keys.
    const delivery = form.elements.delivery?.value.split(" ").filter(Boolean) ?? [];
    const words = folded(form.elements.q.value).split(" ").filter(Boolean);
    let shown = 0;
    for (const { card, text, compact } of cards) {
      const byCategory = !category || card.dataset.category === category;
      const byColor = !color || card.dataset.colors.split(" ").includes(color);
      const byDelivery = !delivery.length  // a card's colourways may ship at several times
        || card.dataset.delivery.split(" ").some((key) => delivery.includes(key));
      const byWords = words.every((word) => text.includes(word) || compact.includes(word));
      card.hidden = !(byCategory && byColor && byDelivery && byWords);
      shown += card.hidden ? 0 : 1;
    }
    if (noMatch) noMatch.hidden = shown > 0;
  };
  form.querySelector("[data-print]")?.addEventListener("click", printWhole);
  form.querySelector("[data-download-sheet]")?.addEventListener("click", () => {
    if (list) downloadSheet(list);
  });
  // The browser's own print cannot be held until they arrive; asked for at once, most do.
  window.addEventListener("beforeprint", askForEveryPicture);
  form.addEventListener("change", (event) => {
    if (event.target.name === "sort") sortCards();
    else apply();
  });
  form.addEventListener("input", apply);
  form.addEventListener("submit", (event) => event.preventDefault());  // Enter: stay here
  sortCards(); // a browser that restores the form on Back restores its sort too
  apply();
}

/** Mark each card of a style the cart holds with its units there, as the cart changes (in
 *  this tab, another, or by an order form chosen here). */
function markCarted(list) {
  const season = list.dataset.season;
  const mark = (cart) => {
    const units = new Map(cart.styles.filter((entry) => entry.season === season)
      .map((entry) => [entry.style, entryUnits(entry)]));
    for (const card of list.querySelectorAll(".style-card")) {
      const held = units.get(card.querySelector(".style-no")?.textContent.trim()) ?? 0;
      let badge = card.querySelector("[data-in-cart]");
      if (!held) {
        badge?.remove();
        continue;
      }
      if (!badge) {
        badge = h("p", { class: "in-cart", "data-in-cart": true });
        card.append(badge);
      }
      badge.textContent = text("in_cart", { units: count(held) });
    }
  };
  mark(loadCart());
  onCartChange(mark);
}

function showCartCount(cart) {
  const units = unitsIn(cart);
  for (const badge of document.querySelectorAll("[data-cart-count]")) {
    badge.textContent = units ? count(units) : "";
  }
}

rememberChoice();
if (body.dataset.currency && document.querySelector("[data-cart-count]")) {
  showCartCount(loadCart());
  onCartChange(showCartCount);
}
const chooser = document.querySelector("[data-chooser]");
if (chooser) setUpChooser(chooser);
/** On a style page, ← and → go to the styles before and after it, unless the focus is
 * where the arrows already mean something (a quantity, the gallery, a field). */
function setUpStyleSteps() {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey
        || event.shiftKey) return;
    const rel = { ArrowLeft: "prev", ArrowRight: "next" }[event.key];
    if (!rel || event.target.closest?.("input, textarea, select, [contenteditable], .gallery")) {
      return;
    }
    const step = document.querySelector(`.style-steps a[rel="${rel}"]`);
    if (step) {
      event.preventDefault();
      step.click();
    }
  });
}

whenOpened(() => {  // a sealed linesheet's filters arrive with its body
  const filters = document.querySelector("[data-filters]");
  if (filters) setUpFilters(filters);
  const orderForm = document.querySelector("[data-order-form]");
  const list = document.querySelector("ol.styles");
  if (list && body.dataset.currency) markCarted(list);
  if (orderForm && list) {
    import("./order-form.js").then(({ setUpOrderForm }) => setUpOrderForm(orderForm, list));
  }
});
if (body.classList.contains("page-style")) {
  import("./grid.js");
  setUpStyleSteps();
}
if (body.classList.contains("page-cart")) {
  import("./checkout.js");
  import("./cart-share.js");
  whenOpened(() => { // a customer link's cart page lists the buyer's orders
    const pastOrders = document.querySelector("[data-past-orders]");
    if (pastOrders) {
      import("./past-orders.js").then(({ setUpPastOrders }) => setUpPastOrders(pastOrders));
    }
  });
}
