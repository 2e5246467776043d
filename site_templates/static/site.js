// Progressive enhancement shared by every page: the link's state at request time, the cart
// count in the header, the chooser's memory and the linesheet's filters; the style page's
// grid and the cart page's scripts load only there. Pages read and work without it.

import { loadCart, onCartChange, unitsIn } from "./cart-store.js";
import { count } from "./lib.js";
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

function setUpFilters(form) {
  const cards = [...document.querySelectorAll(".style-card")];
  const apply = () => {
    const category = form.elements.category.value;
    const color = form.elements.color.value;
    for (const card of cards) {
      const byCategory = !category || card.dataset.category === category;
      const byColor = !color || card.dataset.colors.split(" ").includes(color);
      card.hidden = !(byCategory && byColor);
    }
  };
  form.addEventListener("change", apply);
  form.hidden = false;
  apply();
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
const filters = document.querySelector("[data-filters]");
if (filters) setUpFilters(filters);
if (body.classList.contains("page-style")) import("./grid.js");
if (body.classList.contains("page-cart")) import("./checkout.js");
