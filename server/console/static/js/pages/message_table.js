// The list of sent messages (message status, and message monitoring of a connection).

import { badge, none, row, table, time } from "../components.js";
import { h } from "../dom.js";
import { BUILTIN_TYPES, CHANNEL_TYPES, SEND_RESULTS, SOURCES, label } from "../format.js";

export const MESSAGE_COLUMNS = [
  "Message ID",
  "Sender user ID",
  "Target ID",
  "Send time",
  "Channel type",
  "Message type",
  "Message source",
  "Result",
  "Receive status",
];

export function receiveStatusHref(message) {
  return `/console/messages/${encodeURIComponent(message.msgUid || message.id)}`;
}

function messageType(m) {
  if (m.builtinType) {
    return [h("span", {}, label(BUILTIN_TYPES, m.builtinType)), h("code", { class: "sub" }, m.messageType)];
  }
  return [h("span", {}, "Custom"), h("code", { class: "sub" }, m.messageType)];
}

function result(m) {
  const [text, tone] = SEND_RESULTS[m.result] || [m.result, "muted"];
  return [badge(text, tone), m.prompt ? h("p", { class: "prompt" }, m.prompt) : null];
}

function summaryLine(m) {
  const s = m.receiptSummary;
  if (!s || !s.total) return null;
  const parts = [`${s.delivered}/${s.total} delivered`];
  if (s.pushFailed) parts.push(`${s.pushFailed} push failed`);
  return h("span", { class: `sub${s.pushFailed ? " bad-text" : ""}` }, parts.join(" · "));
}

export function messageRow(m) {
  const blocked = !m.msgUid;
  return row(
    [
      blocked ? none("") : h("code", {}, m.msgUid),
      m.senderId,
      m.targetId,
      time(m.sentAt),
      label(CHANNEL_TYPES, m.channelType),
      messageType(m),
      label(SOURCES, m.source),
      result(m),
      h(
        "div",
        { class: "cell-action" },
        h(
          "a",
          {
            class: "btn small",
            href: receiveStatusHref(m),
            "data-link": true,
            "aria-label": `View receive status of ${blocked ? "the blocked message" : m.msgUid} sent ${time(m.sentAt).textContent}`,
          },
          "View",
        ),
        summaryLine(m),
      ),
    ],
    { class: blocked ? "blocked" : null },
  );
}

export function messageTable(caption, messages) {
  return table(caption, MESSAGE_COLUMNS, messages.map(messageRow));
}
