// Sign in with a read key: checked with `viewer`, kept in sessionStorage only.

import { ApiError, graphql, session } from "../api.js";
import { field } from "../components.js";
import { h, replace } from "../dom.js";
import { SIGN_IN, SIGN_IN_KEY_ONLY } from "../operations.js";

/** Checks `key` against the service and signs in with it; rejects with an ApiError. */
export async function verifyKey(key) {
  if (!key) throw new ApiError("Enter a read key.");
  let viewer = null;
  try {
    viewer = (await graphql(SIGN_IN, {}, { key })).viewer;
  } catch (e) {
    if (!(e instanceof ApiError) || e.missingField !== "viewer") throw e;
    await graphql(SIGN_IN_KEY_ONLY, {}, { key }); // a service without `viewer` yet
  }
  session.signIn(key, viewer);
  return viewer;
}

export function signInPage(main, { notice, onSignedIn }) {
  const input = h("input", {
    type: "password",
    name: "key",
    autocomplete: "off",
    spellcheck: "false",
    autocapitalize: "off",
  });
  const message = h("div", { class: "form-message", role: "alert", "aria-live": "assertive" });
  const button = h("button", { type: "submit", class: "btn" }, "Sign in");
  const showError = (text) => {
    replace(message, h("p", { class: "notice error" }, text));
    input.setAttribute("aria-invalid", "true");
  };
  const form = h(
    "form",
    { class: "card signin", novalidate: true },
    h("h1", { tabindex: "-1" }, "Sign in"),
    h("p", { class: "lead" }, "Find out whether a user was connected and what happened to each message they sent."),
    field("Read key", input, {
      hint: "A read key of your app. Create one with: polaris-tracking keys create --app APP --role read",
      required: true,
      wide: true,
    }),
    message,
    h("div", { class: "actions" }, button),
    h("p", { class: "fine" }, "The key stays in this browser tab only and is forgotten when you sign out or close the tab."),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showError("Enter a read key.");
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      await verifyKey(key);
      onSignedIn();
    } catch (e) {
      showError(e.message);
      button.disabled = false;
      button.textContent = "Sign in";
      input.select();
      input.focus();
    }
  });
  replace(main, h("div", { class: "signin-wrap" }, form));
  if (notice) showError(notice);
  input.focus();
}
