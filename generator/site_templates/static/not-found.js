// The 404 page: where the address the buyer has is close to a page the site has, say which.
// A link cut short in a chat still names its link (…/l/<link>/…): that link's first page; an
// address typed in capitals (…/EN/JPY/): the same in small letters. Each is asked of the host
// (HEAD) before it is offered, so only a page that exists is.

const base = document.body.dataset.base || "";

function candidates(path) {
  const found = [];
  const lower = path.toLowerCase();
  if (lower !== path) found.push(lower);
  const link = /^\/l\/([^/]+)/.exec(path.slice(base.length));
  if (link && path.startsWith(base)) {
    for (const slug of new Set([link[1], link[1].toLowerCase()])) {
      found.push(`${base}/l/${slug}/`);
    }
  }
  return [...new Set(found)].filter((candidate) => candidate !== path);
}

async function offerClosest() {
  const shown = document.querySelector("[data-closest]");
  if (!shown) return;
  for (const candidate of candidates(location.pathname)) {
    let answer;
    try {
      answer = await fetch(candidate, { method: "HEAD", redirect: "follow" });
    } catch {
      return; // offline, or the host refuses: the page says what to do without it
    }
    if (answer.ok) {
      const link = shown.querySelector("[data-closest-link]");
      link.href = candidate;
      link.textContent = new URL(candidate, location.href).href;
      shown.hidden = false;
      return;
    }
  }
}

offerClosest();
