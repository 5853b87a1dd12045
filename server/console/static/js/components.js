// Building blocks shared by the pages: fields, tables, badges, notices, paging.

import { h, uid } from "./dom.js";
import { formatTime } from "./format.js";

export function badge(text, tone = "muted") {
  return h("span", { class: `badge ${tone}` }, h("span", { class: "dot", "aria-hidden": "true" }), text);
}

export function time(iso) {
  if (!iso) return h("span", { class: "none" }, "—");
  const text = formatTime(iso);
  const at = text.lastIndexOf(" UTC");
  if (at < 0) return h("time", { datetime: iso }, text);
  return h("time", { datetime: iso }, text.slice(0, at), " ", h("span", { class: "tz" }, text.slice(at + 1)));
}

export function none(text = "—") {
  return h("span", { class: "none" }, text);
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function errorNotice(error, { title = "That did not work" } = {}) {
  return h(
    "div",
    { class: "notice error", role: "alert" },
    h("strong", {}, title),
    h("p", {}, error && error.message ? error.message : String(error)),
  );
}

export function emptyState(title, ...hints) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), ...hints.map((t) => h("p", {}, t)));
}

/** A labelled control: `control` gets the id; `hint` becomes its description. */
export function field(labelText, control, { hint, required = false, wide = false } = {}) {
  const id = control.id || uid("field");
  control.id = id;
  const hintEl = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  if (required) control.required = true;
  return h(
    "div",
    { class: `field${wide ? " wide" : ""}` },
    h("label", { for: id, class: required ? "required" : null }, labelText),
    control,
    hintEl,
  );
}

export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
}

/** A data table: `columns` are header texts, `rows` arrays of cells (or {cells, class}). */
export function table(caption, columns, rows) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows),
    ),
  );
}

export function row(cells, attrs = {}) {
  return h("tr", attrs, cells.map((c) => h("td", {}, c)));
}

/** "Load more": calls `load(cursor)` → {rows, pageInfo}, appends the rows to `tbody`. */
export function pager(tbody, pageInfo, load, onError) {
  const holder = h("div", { class: "pager" });
  const render = (info) => {
    holder.replaceChildren();
    if (!info || !info.hasNextPage) return;
    const button = h("button", { type: "button", class: "btn secondary" }, "Load more");
    button.addEventListener("click", async () => {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = "Loading…";
      try {
        const page = await load(info.endCursor);
        const first = page.rows[0];
        tbody.append(...page.rows);
        render(page.pageInfo);
        if (first) {
          const target = first.querySelector("a, button") || first;
          if (target === first) first.tabIndex = -1;
          target.focus();
        }
      } catch (e) {
        holder.replaceChildren(errorNotice(e));
        if (onError) onError(e);
      }
    });
    holder.append(button);
  };
  render(pageInfo);
  return holder;
}

/** The most a list asks for at once (the API's cap on `first`). */
const MAX_FIRST = 100;

/**
 * The size of a list's first page: its `pageSize`, or as many rows as the URL says
 * were shown (`param=N`, written by "Load more"), so that a link pasted into a
 * ticket after loading more opens with the same rows (up to the API's 100 at once).
 */
export function firstPageSize(params, param, pageSize) {
  const n = Number.parseInt(params.get(param) || "", 10);
  return n > pageSize ? Math.min(n, MAX_FIRST) : pageSize;
}

/** Writes in the URL how many rows a list shows, without a new history entry. */
export function rememberShown(param, shown) {
  const url = new URL(location.href);
  url.searchParams.set(param, String(shown));
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

export function countLine(shown, total, noun) {
  return h("p", { class: "count", role: "status" }, `Showing ${shown} of ${total} ${noun}${total === 1 ? "" : "s"}`);
}
