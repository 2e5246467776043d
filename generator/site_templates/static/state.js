// The link's state at request time: every page asks the endpoint (GET /links/{link}) and
// follows what the server says, even when the build is older than the change: an expired or
// not-yet-open link shows its screen, a link or season that no longer takes orders loses its
// cart controls. It asks again every minute while the page is visible, whenever the page
// comes back into view, and just after the next moment the state is known to change.

import { call, h, linkPath, text, when } from "./lib.js";

const body = document.body;
const built = (body.className.match(/\bstate-(\w+)/) || [])[1] || "open";
const POLL = 60_000;
const MAX_DELAY = 2_147_000_000; // setTimeout's limit, about 24.8 days
const listeners = new Set();
let last = null;
let nextChange = null;

/** Call `listener(status)` with the state now (if known) and whenever it changes. */
export function onState(listener) {
  listeners.add(listener);
  if (last) listener(last);
}

/** Tell whether a season takes orders by `status` (not known yet: the build's word stands). */
export function orderable(status, season) {
  if (!status) return true;
  return status.state === "open" && status.seasons.some((s) => s.id === season && s.orderable);
}

// What the page shows of a state; server_time moves on every answer and changes nothing.
function shape(status) {
  return JSON.stringify([status.state, status.window, status.seasons]);
}

/**
 * Ask the endpoint now; resolves to the state, or to the last known one when offline.
 * `viewed`: the page's first ask, which the endpoint counts as a page viewed on the link
 * (for the brand's `linesheets orders activity`; nothing about the buyer is sent).
 */
export async function refreshState(viewed = false) {
  let answer;
  try {
    answer = await call("GET", viewed ? `${linkPath}?viewed=1` : linkPath);
  } catch {
    return last; // offline: the page keeps showing what it showed
  }
  if (!answer.ok || !answer.data?.state) return last;
  const changed = !last || shape(last) !== shape(answer.data);
  last = answer.data;
  if (changed) announce();
  schedule(last);
  return last;
}

function announce() {
  present(last);
  for (const listener of listeners) listener(last);
}

function screen(status) {
  const expired = status.state === "expired";
  const moment = expired ? status.window.expires_at : status.window.release_at;
  return h("section", { class: "screen", "data-screen": status.state,
    "aria-labelledby": "screen-title" },
  h("h1", { id: "screen-title" }, text(expired ? "expired_title" : "upcoming_title")),
  moment ? h("p", {}, text(expired ? "expired_text" : "upcoming_text", { date: when(moment) }))
    : null);
}

function present(status) {
  body.className = body.className.replace(/\bstate-\w+/, `state-${status.state}`);
  for (const cartLink of document.querySelectorAll(".cart-link")) {
    cartLink.hidden = status.state !== "open";
  }
  const main = document.getElementById("main");
  if (status.state === "expired" || status.state === "upcoming") {
    if (!main.querySelector(`[data-screen="${status.state}"]`)) {
      // A sealed page keeps its encrypted body: it opens if the link opens again.
      const sealed = document.getElementById("sealed-body");
      main.replaceChildren(screen(status), ...(sealed && status.state === "upcoming"
        ? [...main.querySelectorAll("[data-unlock]")] : []));
    }
    return;
  }
  const banner = main.querySelector("[data-closed-banner]");
  // A page built open that stopped taking orders says so; one built closed already does.
  if (status.state === "view_only" && built === "open" && !banner) {
    main.prepend(h("p", { class: "closed-banner", "data-closed-banner": true, role: "status" },
      text("view_only")));
  } else if (status.state === "open" && banner) {
    banner.remove();
  }
}

function schedule(status) {
  clearTimeout(nextChange);
  // The server's moments on this device's clock, whatever its offset from the server's.
  const skew = Date.parse(status.server_time) - Date.now();
  const delays = [status.window.release_at, status.window.expires_at,
    ...status.seasons.map((s) => s.order_deadline)]
    .filter(Boolean).map((iso) => Date.parse(iso) - skew - Date.now())
    .filter((delay) => delay > 0);
  if (delays.length) {
    nextChange = setTimeout(() => refreshState(), Math.min(Math.min(...delays) + 1000,
      MAX_DELAY));
  }
}

// A sealed page's body arrives after the first answer: present the state again over it.
document.addEventListener("linesheets:opened", () => {
  if (last) announce();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshState();
});
setInterval(() => {
  if (document.visibilityState === "visible") refreshState();
}, POLL);
if (body.dataset.link) refreshState(true);
