// Receive status of one message: the message, its diagnosis and summary, then one row per
// recipient with push details, the push error's meaning and advice, and the diagnosis.

import { features, graphql } from "../api.js";
import {
  badge, countLine, emptyState, errorNotice, field, firstPageSize, loading, none, pager, rememberShown,
  row, select, table, time,
} from "../components.js";
import { h, replace } from "../dom.js";
import {
  BUILTIN_TYPES, CHANNEL_TYPES, PUSH_ACTIONS, PUSH_PROVIDERS, PUSH_SKIPPED, RECEIPT_STATUS, SEND_RESULTS,
  SOURCES, label, verdictLabel, verdictTone,
} from "../format.js";
import { moreReceipts, receiveStatus } from "../operations.js";

const PAGE_SIZE = 50;
const SHOWN = "shown";
const COLUMNS = ["Recipient", "Status", "Status time", "Push provider", "Push time", "Push result", "Error"];

/** Runs a receipts operation with the diagnosis when the service has it; a service
 * without `diagnosis` is remembered for the tab and asked without it. */
async function withDiagnosis(build, variables, signal) {
  if (features.has("diagnosis")) {
    try {
      return { data: await graphql(build({ diagnosis: true }), variables, { signal }), diagnosis: true };
    } catch (e) {
      if (e.missingField !== "diagnosis") throw e;
      features.lacks("diagnosis");
    }
  }
  return { data: await graphql(build({ diagnosis: false }), variables, { signal }), diagnosis: false };
}

function diagnosisBlock(d) {
  if (!d) return none();
  return h("div", { class: "diagnosis" }, badge(verdictLabel(d.verdict), verdictTone(d.verdict)), h("p", {}, d.summary));
}

function attemptLines(r, pick) {
  if (!r.pushAttempts.length) return null;
  return h("ul", { class: "attempts" }, r.pushAttempts.map((a) => h("li", {}, pick(a))));
}

function pushError(a) {
  if (a.success) return none("—");
  const e = a.error;
  const code = a.errorCode || (e && e.code) || "";
  const parts = [h("code", { class: "err-code" }, code || "no code"), a.errorDescription ? h("span", { class: "sub" }, a.errorDescription) : null];
  if (e) {
    parts.push(
      h("p", { class: "meaning" }, h("strong", {}, "Meaning: "), e.meaning),
      h("p", { class: "advice" }, h("strong", {}, `${label(PUSH_ACTIONS, e.action)}: `), e.advice),
    );
    if (e.reference) parts.push(h("a", { href: e.reference, class: "sub", rel: "noreferrer noopener", target: "_blank" }, "Provider documentation"));
  }
  return h("div", { class: "push-error" }, parts);
}

function receiptRow(r, withDiag) {
  const [text, tone] = RECEIPT_STATUS[r.status] || [r.status, "muted"];
  const skipped = r.pushSkipped ? h("span", { class: "sub warn-text" }, label(PUSH_SKIPPED, r.pushSkipped)) : null;
  const noPush = r.status === "OFFLINE" && !r.pushAttempts.length && !r.pushSkipped ? none("No push reported") : none();
  const userLink = h("a", { href: `/console/connections?userId=${encodeURIComponent(r.recipientId)}`, "data-link": true, title: `Connection status of ${r.recipientId}` }, r.recipientId);
  return row([
    userLink,
    badge(text, tone),
    time(r.statusAt),
    attemptLines(r, (a) => label(PUSH_PROVIDERS, a.provider)) || skipped || noPush,
    attemptLines(r, (a) => time(a.sentAt)) || none(),
    attemptLines(r, (a) => (a.success ? badge("Accepted", "ok") : badge("Failed", "bad"))) || none(),
    attemptLines(r, pushError) || none(),
    withDiag ? diagnosisBlock(r.diagnosis) : null, // the "Diagnosis" column, when the service has it
  ].filter((cell) => cell !== null));
}

function facts(m) {
  const [result, tone] = SEND_RESULTS[m.result] || [m.result, "muted"];
  const item = (term, value) => h("div", {}, h("dt", {}, term), h("dd", {}, value));
  return h(
    "dl",
    { class: "facts" },
    item("Message ID", m.msgUid ? h("code", {}, m.msgUid) : none("none (blocked)")),
    item("Sender user ID", h("a", { href: `/console/connections?userId=${encodeURIComponent(m.senderId)}`, "data-link": true }, m.senderId)),
    item("Target ID", m.targetId),
    item("Send time", time(m.sentAt)),
    item("Channel type", label(CHANNEL_TYPES, m.channelType)),
    item("Message type", m.builtinType ? `${label(BUILTIN_TYPES, m.builtinType)} (${m.messageType})` : `Custom (${m.messageType})`),
    item("Message source", label(SOURCES, m.source)),
    item("Result", badge(result, tone)),
    item("Status", m.statusSettled ? "Settled" : badge("Still settling: results may arrive for 5 minutes after sending", "info")),
  );
}

function summaryBar(s) {
  const cell = (term, value, tone = "") => h("div", { class: `stat ${tone}` }, h("dt", {}, term), h("dd", {}, String(value)));
  return h(
    "dl",
    { class: "stats", "aria-label": "Receive summary" },
    cell("Recipients", s.total),
    cell("Delivered", s.delivered, "ok"),
    cell("Not fetched", s.notDelivered, "warn"),
    cell("Offline", s.offline, "info"),
    cell("Pending", s.pending),
    cell("Push accepted", s.pushSucceeded, "ok"),
    cell("Push failed", s.pushFailed, s.pushFailed ? "bad" : ""),
  );
}

function filterForm(id, params, navigate) {
  const recipient = h("input", { name: "recipientId", value: params.get("recipientId") || "", autocomplete: "off", spellcheck: "false" });
  const status = select("status", [["", "All statuses"], ...Object.entries(RECEIPT_STATUS).map(([v, [t]]) => [v, t])], params.get("status") || "");
  const form = h(
    "form",
    { class: "inline-filter", role: "search", "aria-label": "Filter recipients" },
    field("Recipient ID", recipient),
    field("Status", status),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn secondary" }, "Filter")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (recipient.value.trim()) next.set("recipientId", recipient.value.trim());
    if (status.value) next.set("status", status.value);
    navigate(`/console/messages/${encodeURIComponent(id)}${next.size ? `?${next}` : ""}`, { cause: "submit" });
  });
  return form;
}

export async function receivePage(main, ctx) {
  const id = ctx.pathParam;
  ctx.setTitle(`Receive status of ${id}`);
  const heading = () => h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Receive status"));
  replace(main, heading(), loading("Loading the message…"));
  const recipientId = ctx.params.get("recipientId") || null;
  const status = RECEIPT_STATUS[ctx.params.get("status")] ? ctx.params.get("status") : null;
  const variables = { id, msgUid: id, recipientId, status, first: firstPageSize(ctx.params, SHOWN, PAGE_SIZE) };
  let result;
  try {
    result = await withDiagnosis(receiveStatus, variables, ctx.signal);
  } catch (e) {
    if (e.name === "AbortError" || e.status === 401) throw e;
    replace(main, heading(), errorNotice(e));
    return;
  }
  const m = result.data.message || result.data.node;
  if (!m || !m.id) {
    replace(main, heading(), emptyState(`No message ${id} in this app's data.`,
      "Check the message ID; data older than the retention window is no longer kept."));
    return;
  }
  const list = new URLSearchParams({ senderId: m.senderId, channelType: m.channelType });
  const head = h("div", { class: "page-head" },
    h("a", { href: `/console/messages?${list}`, "data-link": true, class: "subtle back" }, `← Messages of ${m.senderId}`),
    h("h1", { tabindex: "-1" }, "Receive status"));
  const sections = [head, h("section", { class: "card message", "aria-label": "The message" }, facts(m),
    m.prompt ? h("p", { class: `notice ${m.msgUid ? "warn" : "error"} prompt-notice`, role: "note" }, h("strong", {}, "Filter prompt: "), m.prompt) : null)];
  if (result.diagnosis && m.diagnosis) {
    sections.push(h("section", { class: `card verdict ${verdictTone(m.diagnosis.verdict)}`, "aria-label": "Diagnosis" },
      h("h2", {}, "Diagnosis"), diagnosisBlock(m.diagnosis)));
  }
  const receipts = m.receipts;
  if (!m.msgUid || m.channelType === "OPEN" || m.channelType === "SYSTEM") {
    sections.push(emptyState(
      m.msgUid ? `${label(CHANNEL_TYPES, m.channelType)} messages have no per-recipient status.` : "A blocked message reaches no recipient.",
      m.msgUid ? "Only direct and group messages are tracked per recipient." : "The filter prompt above says why it was stopped."));
    replace(main, ...sections);
    return;
  }
  sections.push(summaryBar(m.receiptSummary));
  const recipients = h("section", { class: "results", "aria-labelledby": "recipients-title" },
    h("h2", { id: "recipients-title", tabindex: "-1" }, "Recipients"), filterForm(id, ctx.params, ctx.navigate));
  if (!receipts.nodes.length) {
    recipients.append(emptyState(recipientId || status ? "No recipient matches this filter." : "No recipient status yet.",
      recipientId || status ? "Clear the filter to see every recipient." : "Statuses arrive within minutes of sending."));
  } else {
    const columns = result.diagnosis ? [...COLUMNS, "Diagnosis"] : COLUMNS;
    const tableEl = table("Recipients and their push results", columns, receipts.nodes.map((r) => receiptRow(r, result.diagnosis)));
    const tbody = tableEl.querySelector("tbody");
    let shown = receipts.nodes.length;
    const count = countLine(shown, receipts.totalCount, "recipient");
    const more = pager(tbody, receipts.pageInfo, async (after) => {
      const next = await withDiagnosis(moreReceipts, { id: m.id, recipientId, status, first: PAGE_SIZE, after });
      const page = next.data.node.receipts;
      shown += page.nodes.length;
      rememberShown(SHOWN, shown);
      count.textContent = `Showing ${shown} of ${page.totalCount} recipients`;
      return { rows: page.nodes.map((r) => receiptRow(r, next.diagnosis)), pageInfo: page.pageInfo };
    });
    recipients.append(count, tableEl, more);
  }
  sections.push(recipients);
  replace(main, ...sections);
  if (ctx.cause === "submit") recipients.querySelector("h2").focus();
}
