"""The export read: a chunk of messages with every receipt, status event and push
attempt of theirs (``store.export`` joins them).

The messages are one keyset range of ``messages`` (``app_at_msgKey``, or
``app_senderId_at_msgKey`` for one sender), read as ``message_pages`` reads a
page; then the chunk's stored receipts, events and pushes are three ``find``s with
``$in`` on its msgUids (served by each collection's ``app_msgUid_recipientId``),
awaited together. Not one snapshot: MongoDB would need a transaction for that.
"""

from typing import Any

from store.export import (
    ByReceipt,
    MessageRow,
    ReceiptRow,
    assemble,
    by_receipt,
    histories,
    push,
    receipt_uids,
)
from store.model import ReceiptStatus
from store.mongo import documents as d
from store.mongo.reader import message_filter
from store.mongo.receipts import push_order, receipt_order
from store.mongo.schema import MESSAGES, PUSHES, RECEIPT_EVENTS, RECEIPTS
from store.mongo.writer import gather_all
from store.receipts import status_floor
from store.records import ExportPage, ExportPush, MessageQuery

CURSOR_KIND = "x"
_MESSAGE_FIELDS = {
    name: 1
    for name in (
        "msgKey",
        "msgUid",
        "senderId",
        "targetId",
        "channelType",
        "messageType",
        "source",
        "at",
        "result",
        "muteScope",
        "connectionId",
    )
}
_RECEIPT_FIELDS = {"msgUid": 1, "recipientId": 1, "statusKey": 1, "skipKey": 1}
_EVENT_FIELDS = {"msgUid": 1, "recipientId": 1, "status": 1, "at": 1}
_PUSH_FIELDS = {
    "msgUid": 1,
    "recipientId": 1,
    "provider": 1,
    "at": 1,
    "success": 1,
    "errorCode": 1,
    "errorDescription": 1,
}


def _row(doc: d.Doc) -> MessageRow:
    return (
        doc["msgKey"],
        doc.get("msgUid"),
        doc["senderId"],
        doc["targetId"],
        doc["channelType"],
        doc["messageType"],
        doc["source"],
        doc["at"],
        doc["result"],
        doc.get("muteScope"),
        doc.get("connectionId"),
    )


async def _docs(collection: Any, f: d.Doc, fields: d.Doc) -> list[d.Doc]:
    found: list[d.Doc] = await collection.find(f, fields).to_list()
    return found


async def _nothing() -> list[d.Doc]:
    return []


async def export_messages(
    db: Any,
    app: str,
    query: MessageQuery,
    first: int,
    after: str | None,
    history: bool,
    horizon: int,
) -> ExportPage:
    first = max(first, 1)
    f = message_filter(app, query, horizon)
    if after is not None:
        at, key = d.decode_cursor(CURSOR_KIND, after)
        f = {**f, "at": {**f["at"], "$lte": at}}
        f["$and"] = [{"$or": [{"at": {"$lt": at}}, {"msgKey": {"$lt": key}}]}]
    cursor = db[MESSAGES].find(f, _MESSAGE_FIELDS).sort([("at", -1), ("msgKey", -1)])
    docs: list[d.Doc] = await cursor.limit(first + 1).to_list()
    rows = [_row(doc) for doc in docs[:first]]
    uids = receipt_uids(rows)
    receipts: dict[str, list[ReceiptRow]] = {}
    changes: ByReceipt[tuple[ReceiptStatus, int]] = {}
    pushes: ByReceipt[ExportPush] = {}
    if uids:
        by_uid = {"app": app, "msgUid": {"$in": uids}}
        visible = {**by_uid, "statusKey": {"$gte": status_floor(horizon)}}
        recent = {**by_uid, "at": {"$gte": horizon}}
        found, events, attempts = await gather_all(
            _docs(db[RECEIPTS], visible, _RECEIPT_FIELDS),
            _docs(db[RECEIPT_EVENTS], recent, _EVENT_FIELDS) if history else _nothing(),
            _docs(db[PUSHES], recent, _PUSH_FIELDS),
        )
        for doc in sorted(found, key=lambda doc: (doc["msgUid"], doc["recipientId"])):
            row = (doc["msgUid"], doc["recipientId"], doc["statusKey"], doc["skipKey"])
            receipts.setdefault(doc["msgUid"], []).append(row)
        events.sort(key=lambda doc: (doc["msgUid"], *receipt_order(doc)))
        changes = histories((e["msgUid"], e["recipientId"], e["status"], e["at"]) for e in events)
        attempts.sort(key=lambda doc: (doc["msgUid"], *push_order(doc)))
        pushes = by_receipt(
            (
                (
                    a["msgUid"],
                    a["recipientId"],
                    a["provider"],
                    a["at"],
                    a["success"],
                    a.get("errorCode"),
                    a.get("errorDescription"),
                )
                for a in attempts
            ),
            push,
        )
    next_after = None
    if len(docs) > first:
        last = docs[first - 1]
        next_after = d.encode_cursor(CURSOR_KIND, last["at"], last["msgKey"])
    return ExportPage(assemble(rows, receipts, changes, pushes, horizon), next_after)
