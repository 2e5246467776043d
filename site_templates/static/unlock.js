// Opens a sealed page: asks the endpoint for the link's key (with the passcode where the link
// has one), decrypts the body with WebCrypto (AES-256-GCM, AAD "<link>:<version>") and puts it
// in place. The key and the order token stay in sessionStorage for the link, so the link's
// other pages open without asking again until the token expires.

const sealed = document.getElementById("sealed-body");
const body = document.body;
const link = body.dataset.link;
const storeKey = `linesheets:${link}:unlock`;

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function open(payload, grant) {
  const key = await crypto.subtle.importKey("raw", fromBase64(grant.key), "AES-GCM", false,
    ["decrypt"]);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(payload.iv),
      additionalData: new TextEncoder().encode(`${link}:${payload.v}`) },
    key, fromBase64(payload.ct));
  const main = document.getElementById("main");
  main.innerHTML = new TextDecoder().decode(plain);
  document.dispatchEvent(new CustomEvent("linesheets:opened"));
}

function remembered(version) {
  try {
    const grant = JSON.parse(sessionStorage.getItem(storeKey) || "null");
    if (grant && grant.key_version === version && grant.until > Date.now()) {
      return grant;
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

async function unlock(passcode) {
  const response = await fetch(`${body.dataset.api}/links/${encodeURIComponent(link)}/unlock`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(passcode === null ? {} : { passcode }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.detail || response.statusText);
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("Retry-After") || answer.retry_after || 0);
    throw error;
  }
  // The grant's end on this device's clock: the server's seconds from now, not its date.
  answer.until = Date.now() + answer.expires_in * 1000;
  try {
    sessionStorage.setItem(storeKey, JSON.stringify(answer));
  } catch {
    // Without storage the buyer types the passcode on each page.
  }
  return answer;
}

async function start() {
  if (!sealed) return;
  const payload = JSON.parse(sealed.textContent);
  const form = document.querySelector("[data-unlock-form]");
  const message = document.querySelector("[data-unlock-message]");
  const grant = remembered(payload.v);
  if (grant) {
    await open(payload, grant);
    return;
  }
  if (!form) {
    // No passcode: the key comes once the link is released.
    try {
      await open(payload, await unlock(null));
    } catch {
      // Not released yet: the shell's screen says when.
    }
    return;
  }
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    message.textContent = "";
    try {
      await open(payload, await unlock(form.elements.passcode.value));
    } catch (error) {
      const wait = error.retryAfter ? ` (${error.retryAfter} s)` : "";
      message.textContent = (error.status === 401 ? form.dataset.wrong
        : error.status === 429 ? form.dataset.throttled : error.message) + wait;
      button.disabled = false;
    }
  });
}

start();
