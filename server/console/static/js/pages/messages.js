// Message status: the seed's query conditions (each in the URL) and the list of sent messages.

import { graphql } from "../api.js";
import {
  countLine, emptyState, errorNotice, field, firstPageSize, loading, pager, rememberShown, select,
} from "../components.js";
import { h, replace } from "../dom.js";
import {
  BUILTIN_TYPES, CHANNEL_TYPES, SOURCES, browserTimeZone, fromLocalInput, midnightToday, toLocalInput,
} from "../format.js";
import { SENT_MESSAGES } from "../operations.js";
import { messageRow, messageTable } from "./message_table.js";

const PAGE_SIZE = 20;
const SHOWN = "shown";
const CUSTOM = "CUSTOM";

/** The conditions in the URL: what the form shows and what the API is asked. */
function conditions(params) {
  return {
    senderId: params.get("senderId") || "",
    msgUid: params.get("msgUid") || "",
    targetId: params.get("targetId") || "",
    channelType: CHANNEL_TYPES[params.get("channelType")] ? params.get("channelType") : "DIRECT",
    messageType: params.get("messageType") || "",
    objectName: params.get("objectName") || "",
    source: SOURCES[params.get("source")] ? params.get("source") : "",
    since: params.get("since") || "",
    until: params.get("until") || "",
  };
}

/** The API filter: absent since/until are the API's own defaults in the browser's time
 * zone (midnight today → now; with a message ID, the whole retention window). */
function filterOf(c) {
  const filter = { senderId: c.senderId, channelType: c.channelType, timeZone: browserTimeZone() };
  if (c.msgUid) filter.msgUid = c.msgUid;
  if (c.targetId) filter.targetId = c.targetId;
  if (c.source) filter.source = c.source;
  if (c.messageType === CUSTOM) filter.messageType = { custom: c.objectName };
  else if (c.messageType) filter.messageType = { builtin: c.messageType };
  if (c.since) filter.since = c.since;
  if (c.until) filter.until = c.until;
  return filter;
}

const HOUR_MS = 3_600_000;
const RANGES = [
  ["Today", () => midnightToday()],
  ["Last 24 hours", () => new Date(Date.now() - 24 * HOUR_MS)],
  ["Last 3 days", () => new Date(Date.now() - 72 * HOUR_MS)],
  ["Last 7 days", () => new Date(Date.now() - 7 * 24 * HOUR_MS + 60_000)],
];

/** Buttons that set From and To to a common window and search at once. */
function quickRanges(since, until) {
  return h(
    "div",
    { class: "quick-ranges", role: "group", "aria-label": "Time range" },
    h("span", { class: "hint" }, "Time range:"),
    RANGES.map(([text, start]) =>
      h("button", {
        type: "button",
        class: "chip",
        onclick: () => {
          since.value = toLocalInput(start());
          until.value = toLocalInput(new Date());
          since.dataset.chosen = "true";
          since.form.requestSubmit();
        },
      }, text),
    ),
  );
}

function searchForm(c, navigate) {
  const input = (name, value, attrs = {}) => h("input", { name, value, autocomplete: "off", spellcheck: "false", ...attrs });
  const senderId = input("senderId", c.senderId);
  const msgUid = input("msgUid", c.msgUid);
  const targetId = input("targetId", c.targetId);
  const channelType = select("channelType", Object.entries(CHANNEL_TYPES), c.channelType);
  const typeOptions = [["", "All types"], ...Object.entries(BUILTIN_TYPES).map(([v, [text, name]]) => [v, `${text} (${name})`]), [CUSTOM, "Custom"]];
  const messageType = select("messageType", typeOptions, c.messageType);
  const objectName = input("objectName", c.objectName, { placeholder: "e.g. App:OrderCard" });
  const source = select("source", [["", "All sources"], ...Object.entries(SOURCES)], c.source);
  const defaultSince = toLocalInput(midnightToday());
  const defaultUntil = toLocalInput(new Date());
  const since = input("since", c.since ? toLocalInput(c.since) : defaultSince, { type: "datetime-local" });
  const until = input("until", c.until ? toLocalInput(c.until) : defaultUntil, { type: "datetime-local" });
  const customField = field("ObjectName", objectName, { hint: "The custom type's ObjectName, as the app registered it" });
  const syncCustom = () => {
    const on = messageType.value === CUSTOM;
    customField.hidden = !on;
    objectName.required = on;
  };
  messageType.addEventListener("change", syncCustom);
  syncCustom();
  const form = h(
    "form",
    { class: "card search", role: "search", "aria-label": "Message status" },
    h("div", { class: "fields" },
      field("Sender user ID", senderId, { required: true }),
      field("Message ID", msgUid, { hint: "msgUid; searches the whole retention window unless From is changed" }),
      field("Target ID", targetId, { hint: "User, group or channel" }),
      field("Channel type", channelType),
      field("Message type", messageType),
      customField,
      field("Message source", source),
      field("From", since, { hint: "Default: midnight today" }),
      field("To", until, { hint: "Default: now" }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "Search")),
    ),
    quickRanges(since, until),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const sender = senderId.value.trim();
    if (!sender) {
      senderId.setAttribute("aria-invalid", "true");
      senderId.focus();
      return;
    }
    if (messageType.value === CUSTOM && !objectName.value.trim()) {
      objectName.setAttribute("aria-invalid", "true");
      objectName.focus();
      return;
    }
    const next = new URLSearchParams({ senderId: sender });
    if (msgUid.value.trim()) next.set("msgUid", msgUid.value.trim());
    if (targetId.value.trim()) next.set("targetId", targetId.value.trim());
    next.set("channelType", channelType.value);
    if (messageType.value) next.set("messageType", messageType.value);
    if (messageType.value === CUSTOM) next.set("objectName", objectName.value.trim());
    if (source.value) next.set("source", source.value);
    // Untouched defaults stay out of the URL: the link keeps meaning "today so far".
    const chosen = since.dataset.chosen === "true" || since.value !== defaultSince || c.since;
    if (since.value && chosen) next.set("since", fromLocalInput(since.value));
    if (until.value && (until.value !== defaultUntil || c.until)) next.set("until", fromLocalInput(until.value));
    navigate(`/console/messages?${next}`, { cause: "submit" });
  });
  return form;
}

export async function messagesPage(main, ctx) {
  const c = conditions(ctx.params);
  ctx.setTitle(c.senderId ? `Messages of ${c.senderId}` : "Message status");
  const results = h("section", { "aria-labelledby": "results-title", class: "results" });
  replace(
    main,
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Message status"),
      h("p", { class: "lead" }, "What a user sent, whether a filter stopped it, and what happened for each recipient.")),
    searchForm(c, ctx.navigate),
    results,
  );
  if (!c.senderId) {
    replace(results, emptyState("Enter the sender's user ID to list what they sent.",
      "The list starts with today's direct messages; change Channel type or From to see more."));
    if (ctx.cause !== "pop") main.querySelector("input[name=senderId]").focus();
    return;
  }
  const title = h("h2", { id: "results-title", tabindex: "-1" }, `Messages sent by ${c.senderId}`);
  replace(results, title, loading("Loading messages…"));
  const filter = filterOf(c);
  let page;
  try {
    const first = firstPageSize(ctx.params, SHOWN, PAGE_SIZE);
    page = (await graphql(SENT_MESSAGES, { filter, first }, { signal: ctx.signal })).sentMessages;
  } catch (e) {
    if (e.name === "AbortError" || e.status === 401) throw e;
    replace(results, title, errorNotice(e, { title: "The search did not run" }));
    return;
  }
  if (!page.nodes.length) {
    replace(results, title, emptyState("No messages match these conditions.",
      c.channelType === "DIRECT" ? "Only direct messages are listed: try Group or another channel type." : "Try another channel type.",
      c.since || c.msgUid ? "Widen From and To." : "The default window is today so far: set an earlier From."));
  } else {
    const tableEl = messageTable(`Messages sent by ${c.senderId}`, page.nodes);
    const tbody = tableEl.querySelector("tbody");
    let shown = page.nodes.length;
    const count = countLine(shown, page.totalCount, "message");
    const more = pager(tbody, page.pageInfo, async (after) => {
      const next = (await graphql(SENT_MESSAGES, { filter, first: PAGE_SIZE, after })).sentMessages;
      shown += next.nodes.length;
      rememberShown(SHOWN, shown);
      count.textContent = `Showing ${shown} of ${next.totalCount} messages`;
      return { rows: next.nodes.map(messageRow), pageInfo: next.pageInfo };
    });
    replace(results, title, count, tableEl, more);
  }
  if (ctx.cause === "submit") title.focus();
}
