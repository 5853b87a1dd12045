"""The console query without GraphQL: the same records, straight from the store, as JSON.

The yardstick of the GraphQL layer's overhead (SPEC §6): the same store calls
the dataloaders make (one per level, the same batches), the same receipts,
summaries, ids, cursors and date formats, assembled into plain dicts by hand
and serialised with orjson. ``bench.console`` checks that the document equals
the GraphQL response's ``data``, so both sides really do the same work.
"""

import asyncio
from typing import Any

from resolvers import ids
from resolvers.limits import CONNECTIONS_FIRST, MESSAGES_FIRST, RECEIPTS_FIRST
from resolvers.scalars import format_ms
from resolvers.windows import window
from server.export_rows import message_fields
from store.interface import TrackingReader
from store.limits import horizon_ms
from store.model import ConnectionStatus
from store.receipts import receipt_scope
from store.records import (
    ConnectionLog,
    ConnectionQuery,
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
    receipts: list[tuple[Receipt, list[PushAttempt]]],
    counts: ReceiptCounts,
    now: int,
) -> dict[str, Any]:
    return {
        **message_fields(m, now),
        "receiptSummary": _summary(counts),
        "receipts": {"nodes": [_receipt(r, attempts) for r, attempts in receipts]},
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
) -> dict[str, Any]:
    """The console query's ``data`` for ``user_id``, fetched and assembled without GraphQL."""
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
                counts = ReceiptCounts() if scope is None else counts_of[scope]
                item["sentMessages"]["nodes"].append(_message(m, with_attempts, counts, now))
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
