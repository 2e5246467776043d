// A cart shared as a link: "Copy a link to this cart" puts the cart in the address's fragment
// (#cart=…, which browsers never send to a server), and the cart page opened from it offers
// that cart: taken at once into an empty cart, else in place of the buyer's or added to it.
// For a buyer finishing on a laptop what was chosen on a phone, a colleague checking an
// order, a sales rep preparing one for a buyer. Prices are the server's, asked again here.

import { decodeCart, encodeCart, loadCart, onCartChange, takeShared, unitsIn }
  from "./cart-store.js";
import { count, text, whenOpened } from "./lib.js";

// This link's pages (…/l/<link>/): a shared cart's styles must link to them.
const prefix = location.pathname.replace(/[^/]+\/[^/]+\/cart\/$/, "");

function setUpSharing(section) {
  const link = section.querySelector("[data-share-link]");
  const field = section.querySelector("[data-share-url]");
  const status = section.querySelector("[data-share-status]");
  const show = (cart) => {
    section.hidden = cart.styles.length === 0;
    link.hidden = true; // a link made before a change is of the cart as it was
    status.textContent = "";
  };
  section.querySelector("[data-share-copy]").addEventListener("click", async () => {
    field.value = `${location.origin}${location.pathname}#cart=${encodeCart(loadCart())}`;
    link.hidden = false;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = text("share_copied");
    } catch { // no clipboard (plain http, a refusal): the field is there to copy from
      status.textContent = text("share_select");
    }
  });
  field.addEventListener("focus", () => field.select());
  show(loadCart());
  onCartChange(show);
}

let offered = null; // the styles of the shared cart on offer, or null

function offerShared(notice) {
  const found = /^#cart=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!found) return;
  // Offered once: a reload or a bookmark of the page does not offer it again.
  history.replaceState(history.state, "", location.pathname + location.search);
  const summary = notice.querySelector("[data-shared-summary]");
  const choices = notice.querySelector("[data-shared-choices]");
  notice.hidden = false;
  choices.hidden = true;
  offered = decodeCart(found[1], prefix);
  if (!offered) {
    summary.textContent = text("shared_damaged");
    return;
  }
  const sizes = { styles: count(offered.length), units: count(unitsIn({ styles: offered })) };
  if (loadCart().styles.length === 0) {
    takeShared(offered, true);
    offered = null;
    summary.textContent = text("shared_taken", sizes);
    return;
  }
  choices.hidden = false;
  summary.textContent = text("shared_summary", sizes);
}

function setUpOffers(notice) {
  const heading = notice.querySelector("h2");
  heading.tabIndex = -1;
  const answer = (button, message, take) => {
    notice.querySelector(button).addEventListener("click", () => {
      if (offered) take(offered);
      offered = null;
      notice.querySelector("[data-shared-choices]").hidden = true;
      notice.querySelector("[data-shared-summary]").textContent = text(message);
      heading.focus();
    });
  };
  answer("[data-shared-replace]", "shared_replaced", (styles) => takeShared(styles, true));
  answer("[data-shared-add]", "shared_added", (styles) => takeShared(styles, false));
  answer("[data-shared-ignore]", "shared_ignored", () => {});
  offerShared(notice);
  // A shared link pasted into the tab that shows the cart page changes only the fragment.
  window.addEventListener("hashchange", () => offerShared(notice));
}

whenOpened(() => { // a sealed cart page's parts arrive with its body
  const notice = document.querySelector("[data-shared-cart]");
  if (notice) setUpOffers(notice);
  const section = document.querySelector("[data-share-cart]");
  if (section) setUpSharing(section);
});
