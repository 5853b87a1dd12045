// Connection status: a user's connections in a window, and "View" → message monitoring
// (what the user sent while that connection was open).

import { graphql, session } from "../api.js";
import {
  badge, countLine, emptyState, errorNotice, field, firstPageSize, loading, none, pager, rememberShown,
  row, table, time,
} from "../components.js";
import { h, replace } from "../dom.js";
import {
  CONNECTION_STATUS, DISCONNECT_REASONS, PLATFORMS, formatTime, fromLocalInput, label, toLocalInput,
} from "../format.js";
import { CONNECTIONS, CONNECTION_MESSAGES } from "../operations.js";
import { messageRow, messageTable } from "./message_table.js";

const PAGE_SIZE = 20;
const SHOWN = "shown";
const SHOWN_MESSAGES = "shownMessages";
const COLUMNS = [
  "Connected", "Disconnected", "Status", "SDK version", "Platform", "Device model", "System",
  "IP address", "Reason", "Messages",
];

function system(c) {
  if (!c.osVersion) return none();
  if (c.platform === "ANDROID") return `Android API ${c.osVersion}`;
  if (c.platform === "IOS") return `iOS ${c.osVersion}`;
  return c.osVersion;
}

function reason(c) {
  if (c.status === "REJECTED") {
    return [h("code", {}, c.rejectCode || ""), c.rejectDescription ? h("span", { class: "sub" }, c.rejectDescription) : null];
  }
  if (c.disconnectReason) return label(DISCONNECT_REASONS, c.disconnectReason);
  return none();
}

function connectionRow(c, params) {
  const [text, tone] = CONNECTION_STATUS[c.status] || [c.status, "muted"];
  const view = new URLSearchParams(params);
  view.set("connection", c.id);
  const selected = params.get("connection") === c.id;
  const action = c.status === "REJECTED"
    ? none("No messages")
    : h("a", {
        class: "btn small",
        href: `/console/connections?${view}`,
        "data-link": true,
        "aria-label": `View messages sent during the connection of ${formatTime(c.connectedAt)}`,
        "aria-current": selected ? "true" : null,
      }, "View");
  return row(
    [
      time(c.connectedAt),
      c.status === "ONLINE" ? none("still open") : time(c.disconnectedAt),
      badge(text, tone),
      c.sdkVersion,
      label(PLATFORMS, c.platform),
      c.deviceModel || none(),
      system(c),
      h("code", {}, c.ip),
      reason(c),
      action,
    ],
    { class: selected ? "selected" : null },
  );
}

function searchForm(params, navigate) {
  const userId = h("input", { name: "userId", value: params.get("userId") || "", autocomplete: "off", spellcheck: "false" });
  const since = h("input", { type: "datetime-local", name: "since", value: params.get("since") ? toLocalInput(params.get("since")) : "" });
  const until = h("input", { type: "datetime-local", name: "until", value: params.get("until") ? toLocalInput(params.get("until")) : "" });
  const days = session.viewer ? session.viewer.retentionDays : 7;
  const form = h(
    "form",
    { class: "card search", role: "search", "aria-label": "Connection status" },
    h("div", { class: "fields" },
      field("User ID", userId, { required: true }),
      field("From", since, { hint: `Empty: the whole retention window (${days} days)` }),
      field("To", until, { hint: "Empty: now" }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "Search")),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const user = userId.value.trim();
    if (!user) {
      userId.setAttribute("aria-invalid", "true");
      userId.focus();
      return;
    }
    next.set("userId", user);
    if (fromLocalInput(since.value)) next.set("since", fromLocalInput(since.value));
    if (fromLocalInput(until.value)) next.set("until", fromLocalInput(until.value));
    navigate(`/console/connections?${next}`, { cause: "submit" });
  });
  return form;
}

async function monitoring(holder, params, ctx) {
  const id = params.get("connection");
  replace(holder, loading("Loading the messages of this connection…"));
  let data;
  try {
    const first = firstPageSize(params, SHOWN_MESSAGES, PAGE_SIZE);
    data = await graphql(CONNECTION_MESSAGES, { id, first }, { signal: ctx.signal });
  } catch (e) {
    if (e.name === "AbortError" || e.status === 401) throw e;
    replace(holder, errorNotice(e));
    return;
  }
  const c = data.node;
  const close = new URLSearchParams(params);
  close.delete("connection");
  const closeLink = h("a", { href: `/console/connections?${close}`, "data-link": true, class: "subtle" }, "Close");
  if (!c) {
    replace(holder, h("div", { class: "notice" }, "This connection is not in the data (it may be older than the retention window). ", closeLink));
    return;
  }
  const page = c.sentMessages;
  const heading = h("h2", { id: "monitoring-title", tabindex: "-1" },
    `Message monitoring: sent by ${c.userId} during the connection of ${formatTime(c.connectedAt)}`);
  const head = h("div", { class: "section-head" }, heading, closeLink);
  if (!page.nodes.length) {
    replace(holder, head, emptyState("Nothing was sent during this connection.",
      "Messages sent through the server API are not tied to a connection: look them up in Messages."));
  } else {
    const tableEl = messageTable(`Messages sent during this connection`, page.nodes);
    const tbody = tableEl.querySelector("tbody");
    let shown = page.nodes.length;
    const count = countLine(shown, page.totalCount, "message");
    const more = pager(tbody, page.pageInfo, async (after) => {
      const next = (await graphql(CONNECTION_MESSAGES, { id, first: PAGE_SIZE, after })).node.sentMessages;
      shown += next.nodes.length;
      rememberShown(SHOWN_MESSAGES, shown);
      count.textContent = `Showing ${shown} of ${next.totalCount} messages`;
      return { rows: next.nodes.map(messageRow), pageInfo: next.pageInfo };
    });
    replace(holder, head, count, tableEl, more);
  }
  if (ctx.cause === "link") heading.focus();
}

export async function connectionsPage(main, ctx) {
  const { params, navigate } = ctx;
  const userId = params.get("userId") || "";
  ctx.setTitle(userId ? `Connections of ${userId}` : "Connection status");
  const results = h("section", { "aria-labelledby": "results-title", class: "results" });
  const monitor = h("section", { class: "results monitoring", "aria-live": "polite" });
  replace(
    main,
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Connection status"),
      h("p", { class: "lead" }, "Was the user connected? Every connection of a user, newest first, with its device and why it closed.")),
    searchForm(params, navigate),
    results,
    monitor,
  );
  if (!userId) {
    replace(results, emptyState("Enter a user ID to see their connections.", "Try the user who reported the problem, e.g. alice in the demo."));
    if (ctx.cause !== "pop") main.querySelector("input[name=userId]").focus();
    return;
  }
  const variables = { userId, first: PAGE_SIZE, since: params.get("since") || null, until: params.get("until") || null };
  const title = h("h2", { id: "results-title", tabindex: "-1" }, `Connections of ${userId}`);
  replace(results, title, loading("Loading connections…"));
  // The connections and the monitored connection's messages load side by side.
  const pending = params.get("connection") ? monitoring(monitor, params, ctx) : Promise.resolve();
  let page;
  try {
    const first = firstPageSize(params, SHOWN, PAGE_SIZE);
    page = (await graphql(CONNECTIONS, { ...variables, first }, { signal: ctx.signal })).user.connections;
  } catch (e) {
    if (e.name === "AbortError" || e.status === 401) throw e;
    replace(results, title, errorNotice(e));
    await pending;
    return;
  }
  if (!page.nodes.length) {
    replace(results, title, emptyState(`No connections of ${userId} in this window.`,
      "Check the user ID (it is case-sensitive), or clear From and To to search the whole retention window."));
  } else {
    const tableEl = table(`Connections of ${userId}`, COLUMNS, page.nodes.map((c) => connectionRow(c, params)));
    const tbody = tableEl.querySelector("tbody");
    let shown = page.nodes.length;
    const count = countLine(shown, page.totalCount, "connection");
    const more = pager(tbody, page.pageInfo, async (after) => {
      const next = (await graphql(CONNECTIONS, { ...variables, after })).user.connections;
      shown += next.nodes.length;
      rememberShown(SHOWN, shown);
      count.textContent = `Showing ${shown} of ${next.totalCount} connections`;
      return { rows: next.nodes.map((c) => connectionRow(c, params)), pageInfo: next.pageInfo };
    });
    replace(results, title, count, tableEl, more);
  }
  if (ctx.cause === "submit") title.focus();
  await pending;
}
