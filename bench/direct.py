"""The console query without GraphQL: the same records, straight from the store, as JSON.

The yardstick of the GraphQL layer's overhead (SPEC §6): the same store calls
the dataloaders make (one per level, the same batches), the same receipts,
summaries, ids, cursors and date formats, assembled into plain dicts by hand
and serialised with orjson. ``bench.console`` checks that the document equals
the GraphQL response's ``data``, so both sides really do the same work. With
``connection_at`` it is the diagnosis case (``bench.console.diagnosis_query``):
every message's and receipt's diagnosis by the same rules (``store.diagnosis``),
and each recipient's connection at that instant, read with the same two
timeline calls.
"""

import asyncio
from typing import Any

from resolvers import ids
from resolvers.limits import CONNECTIONS_FIRST, MESSAGES_FIRST, RECEIPTS_FIRST
from resolvers.scalars import format_ms
from resolvers.windows import window
from server.export_rows import message_fields
from store import diagnosis as rules
from store.interface import TrackingReader
from store.limits import horizon_ms
from store.model import ConnectionStatus
from store.receipts import receipt_scope
from store.records import (
    ConnectionLog,
    ConnectionQuery,
    Diagnosis,
    MessageQuery,
    PageRequest,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    ReceiptQuery,
    SentMessage,
)


def _ms(value: int | None) -> str | None:
    return None if value is None else format_ms(value)


def _connection(log: ConnectionLog) -> dict[str, Any]:
    return {
        "id": ids.encode(ids.CONNECTION_LOG, log.user_id, log.key),
        "connectionId": log.connection_id,
        "userId": log.user_id,
        "status": log.status.value,
        "connectedAt": format_ms(log.connected_at),
        "disconnectedAt": _ms(log.disconnected_at),
        "disconnectReason": log.disconnect_reason and log.disconnect_reason.value,
        "rejectCode": log.reject_code,
        "rejectDescription": log.reject_description,
        "sdkVersion": log.sdk_version,
        "platform": log.platform.value,
        "deviceModel": log.device_model,
        "osVersion": log.os_version,
        "ip": log.ip,
    }


def _diagnosis(found: Diagnosis) -> dict[str, Any]:
    return {
        "verdict": found.verdict.value,
        "summary": found.summary,
        "findings": [
            {"code": f.code.value, "at": _ms(f.at), "text": f.text} for f in found.findings
        ],
        "settled": found.settled,
    }


def _receipt(receipt: Receipt, attempts: list[PushAttempt]) -> dict[str, Any]:
    return {
        "recipientId": receipt.recipient_id,
        "status": receipt.status.value,
        "statusAt": _ms(receipt.status_at),
        "pushSkipped": receipt.push_skipped and receipt.push_skipped.value,
        "history": [{"status": h.status.value, "at": format_ms(h.at)} for h in receipt.history],
        "pushAttempts": [
            {
                "provider": a.provider.value,
                "sentAt": format_ms(a.sent_at),
                "success": a.success,
                "errorCode": a.error_code,
                "errorDescription": a.error_description,
            }
            for a in attempts
        ],
    }


def _summary(counts: ReceiptCounts) -> dict[str, int]:
    return {
        "total": counts.total,
        "delivered": counts.delivered,
        "notDelivered": counts.not_delivered,
        "offline": counts.offline,
        "pending": counts.pending,
        "pushSucceeded": counts.push_succeeded,
        "pushFailed": counts.push_failed,
    }


def _message(
    m: SentMessage,
    receipts: list[dict[str, Any]],
    counts: ReceiptCounts,
    now: int,
) -> dict[str, Any]:
    return {
        **message_fields(m, now),
        "receiptSummary": _summary(counts),
        "receipts": {"nodes": receipts},
    }


class _Timeline:
    """The recipients' connections the diagnosis case reads: at each message's send
    time and at ``at`` (one ``connections_at`` call), and the next after each
    receipt's status (one ``next_connections`` call), as the loaders batch them."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.open_at: dict[tuple[str, int], ConnectionLog | None] = {}
        self.following: dict[tuple[str, int], ConnectionLog | None] = {}

    async def load(
        self, store: TrackingReader, app: str, found: list[tuple[SentMessage, Receipt]]
    ) -> None:
        at_keys: list[tuple[str, int]] = []
        next_keys: list[tuple[str, int]] = []
        for message, receipt in found:
            after = rules.next_connection_after(message, receipt)
            if after is not None:
                at_keys.append((receipt.recipient_id, message.sent_at))
                next_keys.append((receipt.recipient_id, after))
        at_keys += [(r.recipient_id, self.at) for _, r in found]
        at_keys, next_keys = list(dict.fromkeys(at_keys)), list(dict.fromkeys(next_keys))
        open_at, following = await asyncio.gather(
            store.connections_at(app, at_keys), store.next_connections(app, next_keys)
        )
        self.open_at = dict(zip(at_keys, open_at, strict=True))
        self.following = dict(zip(next_keys, following, strict=True))

    def receipt(
        self, message: SentMessage, receipt: Receipt, attempts: list[PushAttempt], now: int
    ) -> dict[str, Any]:
        after = rules.next_connection_after(message, receipt)
        at_send = following = None
        if after is not None:
            at_send = self.open_at[(receipt.recipient_id, message.sent_at)]
            following = self.following[(receipt.recipient_id, after)]
        found = rules.receipt_diagnosis(
            message, receipt, attempts, at_send=at_send, following=following, now=now
        )
        log = self.open_at[(receipt.recipient_id, self.at)]
        shown = (
            None if log is None else {"connectionId": log.connection_id, "status": log.status.value}
        )
        return {
            **_receipt(receipt, attempts),
            "recipient": {"id": receipt.recipient_id, "connectionAt": shown},
            "diagnosis": _diagnosis(found),
        }


async def console(
    store: TrackingReader,
    app: str,
    user_id: str,
    *,
    now: int,
    retention_days: int,
    connections: int = CONNECTIONS_FIRST,
    messages: int = MESSAGES_FIRST,
    receipts: int = RECEIPTS_FIRST,
    connection_at: int | None = None,
) -> dict[str, Any]:
    """The console query's ``data`` for ``user_id``, fetched and assembled without
    GraphQL; with diagnoses and each recipient's connection at ``connection_at``
    when that is given."""
    since, until = window(None, None, now=now, retention_days=retention_days)
    query = ConnectionQuery(user_id, since, until)
    [page], [total] = await asyncio.gather(
        store.connection_pages(app, [PageRequest(query, connections)]),
        store.count_connections(app, [query]),
    )
    logs = [edge.node for edge in page.edges]
    horizon = horizon_ms(retention_days, now)
    open_logs = [log for log in logs if log.status is not ConnectionStatus.REJECTED]
    queries = [
        MessageQuery(
            sender_id=log.user_id,
            since=max(log.connected_at, horizon),
            until=(now if log.disconnected_at is None else log.disconnected_at) + 1,
        )
        for log in open_logs
    ]
    pages, counts = await asyncio.gather(
        store.message_pages(app, [PageRequest(q, messages) for q in queries]),
        store.count_messages(app, queries),
    )
    by_log = {id(log): (p, c) for log, p, c in zip(open_logs, pages, counts, strict=True)}
    sent = [e.node for p in pages for e in p.edges]
    scopes = list(dict.fromkeys(s for s in (receipt_scope(m) for m in sent) if s is not None))
    requests = [PageRequest(ReceiptQuery(s), receipts) for s in scopes]
    receipt_pages, summaries = await asyncio.gather(
        store.receipt_pages(app, requests), store.receipt_summaries(app, scopes)
    )
    keys = [
        (s.msg_uid, e.node.recipient_id)
        for s, p in zip(scopes, receipt_pages, strict=True)
        for e in p.edges
    ]
    attempts = dict(zip(keys, await store.recipient_push_attempts(app, keys), strict=True))
    pages_of = dict(zip(scopes, receipt_pages, strict=True))
    counts_of = dict(zip(scopes, summaries, strict=True))
    timeline = None if connection_at is None else _Timeline(connection_at)
    if timeline is not None:
        shown_receipts = [
            (m, e.node)
            for m in sent
            if (scope := receipt_scope(m)) is not None
            for e in pages_of[scope].edges
        ]
        await timeline.load(store, app, shown_receipts)

    nodes = []
    for log in logs:
        item = _connection(log)
        found = by_log.get(id(log))
        if found is None:  # a rejected attempt sent nothing
            item["sentMessages"] = {"totalCount": 0, "nodes": []}
        else:
            message_page, count = found
            item["sentMessages"] = {"totalCount": count, "nodes": []}
            for edge in message_page.edges:
                m = edge.node
                scope = receipt_scope(m)
                shown = [] if scope is None else [e.node for e in pages_of[scope].edges]
                with_attempts = [(r, attempts[(r.msg_uid or "", r.recipient_id)]) for r in shown]
                summary = ReceiptCounts() if scope is None else counts_of[scope]
                if timeline is None:
                    rows = [_receipt(r, a) for r, a in with_attempts]
                    item["sentMessages"]["nodes"].append(_message(m, rows, summary, now))
                    continue
                rows = [timeline.receipt(m, r, a, now) for r, a in with_attempts]
                shown_message = _message(m, rows, summary, now)
                shown_message["diagnosis"] = _diagnosis(rules.message_diagnosis(m, summary, now))
                item["sentMessages"]["nodes"].append(shown_message)
        nodes.append(item)
    end = page.edges[-1].cursor if page.edges else None
    return {
        "user": {
            "id": user_id,
            "connections": {
                "totalCount": total,
                "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": end},
                "nodes": nodes,
            },
        }
    }
