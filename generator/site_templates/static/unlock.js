// Opens a sealed page: asks the endpoint for the link's key (with the passcode where the link
// has one), decrypts the body with WebCrypto (AES-256-GCM, AAD "<link>:<version>") and puts it
// in place. The key and the order token stay in sessionStorage for the link, so the link's
// other pages open without asking again until the token expires. A page built before the
// link's release opens once the server says the link is open, without a rebuild.

import { call, forgetGrant, grant, h, keepGrant, linkPath, page, text, when } from "./lib.js";
import { onState, refreshState } from "./state.js";

const sealed = document.getElementById("sealed-body");
const body = document.body;
let opened = false;

function fromBase64(value) {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

async function open(payload, kept) {
  if (!crypto.subtle) { // only on https:// (and localhost): a page served over plain http
    const error = new Error("no WebCrypto");
    error.status = "insecure";
    throw error;
  }
  const secret = await crypto.subtle.importKey("raw", fromBase64(kept.key), "AES-GCM", false,
    ["decrypt"]);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(payload.iv),
      additionalData: new TextEncoder().encode(`${page.link}:${payload.v}`) },
    secret, fromBase64(payload.ct));
  document.getElementById("main").innerHTML = new TextDecoder().decode(plain);
  opened = true;
  body.dataset.opened = "";
  document.dispatchEvent(new CustomEvent("linesheets:opened"));
}

async function unlock(passcode) {
  const answer = await call("POST", `${linkPath}/unlock`,
    { json: passcode === null ? {} : { passcode } });
  if (!answer.ok) {
    const error = new Error(answer.data?.detail || String(answer.status));
    error.status = answer.status;
    error.state = answer.data?.state;
    error.retryAfter = Number(answer.headers.get("Retry-After") || answer.data?.retry_after || 0);
    throw error;
  }
  return keepGrant(answer.data);
}

/**
 * The link is no longer sealed (409: a rebuild published it in the open since this page was
 * loaded, e.g. at its release): load the page again, once, to get the open one.
 */
function reloadOnce() {
  const mark = `linesheets:${page.link}:reloaded`;
  if (sessionStorage.getItem(mark) === location.pathname) return false;
  sessionStorage.setItem(mark, location.pathname);
  location.reload();
  return true;
}

/** The buyer's explanation of a refused unlock, in the page's language. */
async function explain(error) {
  if (error.status === "insecure") return text("needs_https");
  if (error.status === 409 && reloadOnce()) return "";
  // 422: only spaces were typed, which the endpoint does not count as a try.
  if (error.status === 401 || error.status === 422) return text("wrong_passcode");
  if (error.status === 429) {
    const seconds = error.retryAfter || 1;
    return seconds === 1 ? text("throttled_one") : text("throttled", { seconds });
  }
  if (error.status === 403) {
    // The link closed or is not open yet: the state check shows its screen too.
    const status = await refreshState();
    const release = status?.window.release_at;
    if (error.state === "upcoming") {
      return release ? text("upcoming_text", { date: when(release) }) : text("upcoming_title");
    }
    return text("expired_title");
  }
  return text("unlock_failed");
}

let asking = false;

async function openWithoutPasscode(payload) {
  if (asking) return; // the start and the first state answer may both ask
  asking = true;
  try {
    await open(payload, await unlock(null));
  } catch (error) {
    // Not released yet: the shell's screen says when; the state check tries again later.
    if (error.status === 409 || error.status === "insecure") {
      const said = await explain(error);
      if (said) document.getElementById("main").replaceChildren(h("p", { class: "problem" }, said));
    }
  } finally {
    asking = false;
  }
}

function setUpForm(payload, form, message) {
  const button = form.querySelector("button");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    message.textContent = "";
    let wait = 0;
    try {
      await open(payload, await unlock(form.elements.passcode.value));
      return;
    } catch (error) {
      message.textContent = await explain(error);
      wait = error.status === 429 ? (error.retryAfter || 1) * 1000 : 0;
    }
    // While the endpoint makes the buyer wait, the button waits too.
    setTimeout(() => {
      button.disabled = false;
    }, wait);
    form.elements.passcode.focus();
  });
}

async function start() {
  if (!sealed) return;
  const payload = JSON.parse(sealed.textContent);
  const kept = grant();
  if (kept && kept.key_version === payload.v) {
    try {
      await open(payload, kept);
      return;
    } catch {
      forgetGrant(); // a key of an older version: ask again
    }
  }
  const form = document.querySelector("[data-unlock-form]");
  const message = document.querySelector("[data-unlock-message]");
  const upcoming = body.classList.contains("state-upcoming");
  if (form) {
    setUpForm(payload, form, message);
    form.hidden = upcoming; // before the release the form waits for the server's word
  } else if (!upcoming) {
    openWithoutPasscode(payload);
  }
  onState((status) => {
    if (opened) return;
    const inside = ["open", "view_only"].includes(status.state);
    if (form) form.hidden = !inside;
    const title = document.querySelector("[data-unlock-title]");
    if (title) title.hidden = !inside;
    if (!inside) return;
    // Released since the build: the "coming soon" screen gives way to the page.
    document.querySelector('[data-screen="upcoming"]')?.remove();
    if (!form) openWithoutPasscode(payload);
  });
}

start();
