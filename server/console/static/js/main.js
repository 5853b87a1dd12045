// The console's shell: sign-in state, header and navigation, and the client-side router.
// Every view is a URL: links and forms push history entries, back/forward re-render.

import { ApiError, session } from "./api.js";
import { h, replace } from "./dom.js";
import { connectionsPage } from "./pages/connections.js";
import { messagesPage } from "./pages/messages.js";
import { receivePage } from "./pages/receive.js";
import { signInPage, verifyKey } from "./pages/signin.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
const PRODUCT = "Nexconn Data Tracking";

let current = null; // the AbortController of the view being shown

const ROUTES = [
  [/^\/console\/?$/, "messages", messagesPage], // "I never received that message" first
  [/^\/console\/connections\/?$/, "connections", connectionsPage],
  [/^\/console\/messages\/?$/, "messages", messagesPage],
  [/^\/console\/messages\/([^/]+)\/?$/, "messages", receivePage],
];

export function navigate(url, { replace: replaceEntry = false, cause = "link" } = {}) {
  if (replaceEntry) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render(cause);
}

function setTitle(title) {
  document.title = title ? `${title} · ${PRODUCT}` : PRODUCT;
}

function header(section) {
  const viewer = session.viewer;
  const signedIn = Boolean(session.key);
  const nav = signedIn
    ? h(
        "nav",
        { "aria-label": "Main" },
        h("ul", {}, [
          ["connections", "/console/connections", "Connections"],
          ["messages", "/console/messages", "Messages"],
        ].map(([name, href, text]) =>
          h("li", {}, h("a", { href, "data-link": true, "aria-current": name === section ? "page" : null }, text)),
        )),
      )
    : null;
  const account = signedIn
    ? h(
        "div",
        { class: "account" },
        viewer
          ? h("span", { class: "app", title: `Data is kept ${viewer.retentionDays} days` }, "App ", h("strong", {}, viewer.app))
          : null,
        h("a", { href: "/graphql", class: "subtle" }, "GraphiQL"),
        h("button", { type: "button", class: "btn secondary small", onclick: signOut }, "Sign out"),
      )
    : null;
  replace(
    topbar,
    h("a", { class: "brand", href: "/console", "data-link": true },
      h("img", { src: "/console/assets/icon.svg", alt: "", width: 24, height: 24 }),
      h("span", {}, "Nexconn ", h("strong", {}, "Data Tracking"))),
    nav,
    account,
  );
}

function signOut() {
  session.signOut();
  navigate("/console", { replace: true });
}

function notFound() {
  setTitle("Not found");
  replace(
    main,
    h("h1", { tabindex: "-1" }, "This page does not exist"),
    h("p", {}, "Try ", h("a", { href: "/console/connections", "data-link": true }, "Connections"), " or ",
      h("a", { href: "/console/messages", "data-link": true }, "Messages"), "."),
  );
}

export async function render(cause = "load", notice = null) {
  if (current) current.abort();
  current = new AbortController();
  const path = location.pathname;
  const match = ROUTES.map(([re, section, page]) => [re.exec(path), section, page]).find(([m]) => m);
  header(match ? match[1] : "");
  if (!session.key) {
    setTitle("Sign in");
    signInPage(main, { notice, onSignedIn: () => render("signin") });
    return;
  }
  if (!match) {
    notFound();
    return;
  }
  const [m, , page] = match;
  const ctx = {
    cause,
    signal: current.signal,
    params: new URLSearchParams(location.search),
    pathParam: m[1] ? decodeURIComponent(m[1]) : null,
    navigate,
    setTitle,
    unauthorized,
  };
  try {
    await page(main, ctx);
  } catch (e) {
    if (e.name === "AbortError") return;
    if (e instanceof ApiError && e.status === 401) {
      unauthorized(e);
      return;
    }
    throw e;
  }
  const focused = document.activeElement;
  const focusFree = !focused || focused === document.body || !main.contains(focused);
  if ((cause === "link" || cause === "pop") && focusFree) {
    const heading = main.querySelector("h1");
    if (heading) heading.focus({ preventScroll: cause === "pop" });
  }
}

/** The key stopped working mid-session (revoked): back to sign-in, on the same URL. */
function unauthorized(error) {
  session.signOut();
  render("signin", `${error.message} Sign in again.`);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", () => render("pop"));

async function boot() {
  const fragmentKey = session.takeKeyFromFragment();
  if (fragmentKey) {
    try {
      await verifyKey(fragmentKey);
    } catch (e) {
      render("load", e.message);
      return;
    }
  }
  render("load");
}

boot();
