"""Conversion between the domain records and MongoDB documents, and the cursors.

Merging records (a connection's open and close, a message and its repeats) are
written as two updates applied in order: an upsert that makes sure the
document exists (its filter is exactly the unique index, so the server retries
it on a concurrent insert), then a conditional ``$set`` that applies only when
this event sorts before the one already kept by ``(at, eventId)``. The kept
event is thus the smallest ``(at, eventId)`` whatever the arrival order, and
replaying an event changes nothing.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import UpdateOne

from store.interface import InvalidCursor
from store.limits import fits_int64
from store.model import (
    ChannelType,
    ConnectionStatus,
    DisconnectReason,
    KeyRole,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    ReceiptStatus,
    SendResult,
)
from store.receipts import Marks, ReceiptKey, push_marks, rank_of_key, status_marks
from store.records import (
    ApiKey,
    ConnectionClosed,
    ConnectionLog,
    ConnectionOpened,
    ConnectionRejected,
    MessageSent,
    PushAttempt,
    PushAttempted,
    ReceiptChanged,
    ReceiptEventRecord,
    SentMessage,
    connection_key,
    message_key,
)
from store.tokens import decode_token, encode_token

Doc = dict[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC).replace(tzinfo=None)


def bson_date(ms: int) -> datetime:
    """Epoch milliseconds as the naive-UTC datetime PyMongo stores as a BSON date."""
    return _EPOCH + timedelta(milliseconds=ms)


def _value(enum: Any) -> Any:
    return None if enum is None else enum.value


def _earliest_wins(
    ident: Doc, at: int, event_id: str, at_field: str, id_field: str, fields: Doc
) -> list[UpdateOne]:
    ensure = UpdateOne(ident, {"$setOnInsert": {"exp": bson_date(at)}}, upsert=True)
    later = {
        "$or": [
            {at_field: {"$exists": False}},
            {at_field: {"$gt": at}},
            {at_field: at, id_field: {"$gt": event_id}},
        ]
    }
    return [ensure, UpdateOne({**ident, **later}, {"$set": fields})]


# --- events to write operations ---------------------------------------------------


def event_id(app: str, event_id: str) -> str:
    """The ``_id`` of whatever is stored once per event: its (app, eventId), as
    ``<length of app>:<app>:<eventId>`` (unambiguous whatever the characters)."""
    return f"{len(app)}:{app}:{event_id}"


def seen_doc(app: str, event: str, at: int) -> Doc:
    return {"_id": event_id(app, event), "exp": bson_date(at)}


def opened_ops(e: ConnectionOpened) -> list[UpdateOne]:
    ident = {
        "app": e.app,
        "userId": e.user_id,
        "connKey": connection_key(e.connection_id, e.event_id),
    }
    fields = {
        "at": e.at,
        "openEventId": e.event_id,
        "connectionId": e.connection_id,
        "sdkVersion": e.sdk_version,
        "platform": e.platform.value,
        "ip": e.ip,
        "deviceModel": e.device_model,
        "osVersion": e.os_version,
        "exp": bson_date(e.at),
    }
    return _earliest_wins(ident, e.at, e.event_id, "at", "openEventId", fields)


def closed_ops(e: ConnectionClosed) -> list[UpdateOne]:
    ident = {
        "app": e.app,
        "userId": e.user_id,
        "connKey": connection_key(e.connection_id, e.event_id),
    }
    fields = {"end": e.at, "closeEventId": e.event_id, "reason": e.reason.value}
    ops = _earliest_wins(ident, e.at, e.event_id, "end", "closeEventId", fields)
    # A log expires by its open time; by its kept close time while no open has arrived.
    unopened = {**ident, "at": {"$exists": False}, "closeEventId": e.event_id}
    return [*ops, UpdateOne(unopened, {"$set": {"exp": bson_date(e.at)}})]


def rejected_ops(e: ConnectionRejected) -> list[UpdateOne]:
    ident = {"app": e.app, "userId": e.user_id, "connKey": connection_key(None, e.event_id)}
    doc = {
        "at": e.at,
        "end": e.at,
        "rejected": True,
        "openEventId": e.event_id,
        "sdkVersion": e.sdk_version,
        "platform": e.platform.value,
        "ip": e.ip,
        "deviceModel": e.device_model,
        "osVersion": e.os_version,
        "rejectCode": e.code,
        "rejectDescription": e.description,
        "exp": bson_date(e.at),
    }
    return [UpdateOne(ident, {"$setOnInsert": doc}, upsert=True)]


def message_ops(e: MessageSent) -> list[UpdateOne]:
    key = message_key(e.msg_uid, e.event_id)
    fields = {
        "at": e.at,
        "eventId": e.event_id,
        "msgUid": e.msg_uid,
        "targetId": e.target_id,
        "channelType": e.channel_type.value,
        "messageType": e.message_type,
        "source": e.source.value,
        "result": e.result.value,
        "muteScope": _value(e.mute_scope),
        "connectionId": e.connection_id,
        "exp": bson_date(e.at),
    }
    ident = {"app": e.app, "senderId": e.sender_id, "msgKey": key}
    return _earliest_wins(ident, e.at, e.event_id, "at", "eventId", fields)


def message_key_ops(e: MessageSent) -> list[UpdateOne]:
    """The msgKey -> senderId lookup that routes a by-key read to one shard."""
    ident = {"app": e.app, "msgKey": message_key(e.msg_uid, e.event_id)}
    fields = {"at": e.at, "eventId": e.event_id, "senderId": e.sender_id, "exp": bson_date(e.at)}
    return _earliest_wins(ident, e.at, e.event_id, "at", "eventId", fields)


def receipt_doc(e: ReceiptChanged) -> Doc:
    return {
        "_id": event_id(e.app, e.event_id),
        "app": e.app,
        "msgUid": e.msg_uid,
        "recipientId": e.recipient_id,
        "status": e.status.value,
        "at": e.at,
        "pushSkipped": _value(e.push_skipped),
        "exp": bson_date(e.at),
    }


def push_doc(e: PushAttempted) -> Doc:
    return {
        "_id": event_id(e.app, e.event_id),
        "app": e.app,
        "msgUid": e.msg_uid,
        "recipientId": e.recipient_id,
        "provider": e.provider.value,
        "at": e.at,
        "success": e.success,
        "errorCode": e.error_code,
        "errorDescription": e.error_description,
        "exp": bson_date(e.at),
    }


def receipt_ops(key: ReceiptKey, m: Marks) -> list[UpdateOne]:
    """Merge marks into a stored receipt (``store.receipts``): the marks merged by
    ``$max`` in an upsert whose filter is exactly the unique index; the status key
    and its rank together by a ``$set`` that applies only to a smaller key, so the
    largest wins whatever the order."""
    app, msg_uid, recipient_id = key
    ident = {"app": app, "msgUid": msg_uid, "recipientId": recipient_id}
    merged = {
        "skipKey": m.skip_key,
        "pushAt": m.push_at,
        "pushOkAt": m.push_ok_at,
        "exp": bson_date(m.latest_at),
    }
    ensure = UpdateOne(
        ident, {"$max": merged, "$setOnInsert": {"statusKey": 0, "rank": 0}}, upsert=True
    )
    if m.status_key == 0:
        return [ensure]
    status = {"statusKey": m.status_key, "rank": rank_of_key(m.status_key)}
    return [ensure, UpdateOne({**ident, "statusKey": {"$lt": m.status_key}}, {"$set": status})]


def key_doc(key: ApiKey) -> Doc:
    return {
        "_id": key.key_id,
        "app": key.app,
        "role": key.role.value,
        "secretHash": key.secret_hash,
        "createdAt": key.created_at,
        "revokedAt": key.revoked_at,
    }


# --- documents to records ------------------------------------------------------------


def _opt(enum: type, value: Any) -> Any:
    return None if value is None else enum(value)


def to_connection(doc: Doc) -> ConnectionLog:
    if doc.get("rejected"):
        status = ConnectionStatus.REJECTED
    elif doc.get("end") is None:
        status = ConnectionStatus.ONLINE
    else:
        status = ConnectionStatus.CLOSED
    closed = status is ConnectionStatus.CLOSED
    return ConnectionLog(
        key=doc["connKey"],
        user_id=doc["userId"],
        connection_id=doc.get("connectionId"),
        status=status,
        connected_at=doc["at"],
        sdk_version=doc["sdkVersion"],
        platform=Platform(doc["platform"]),
        ip=doc["ip"],
        device_model=doc.get("deviceModel"),
        os_version=doc.get("osVersion"),
        disconnected_at=doc["end"] if closed else None,
        disconnect_reason=_opt(DisconnectReason, doc.get("reason")) if closed else None,
        reject_code=doc.get("rejectCode"),
        reject_description=doc.get("rejectDescription"),
    )


def to_message(doc: Doc) -> SentMessage:
    return SentMessage(
        key=doc["msgKey"],
        msg_uid=doc.get("msgUid"),
        sender_id=doc["senderId"],
        target_id=doc["targetId"],
        channel_type=ChannelType(doc["channelType"]),
        message_type=doc["messageType"],
        source=MessageSource(doc["source"]),
        sent_at=doc["at"],
        result=SendResult(doc["result"]),
        mute_scope=_opt(MuteScope, doc.get("muteScope")),
        connection_id=doc.get("connectionId"),
    )


def to_receipt_event(doc: Doc) -> ReceiptEventRecord:
    return ReceiptEventRecord(
        recipient_id=doc["recipientId"],
        status=ReceiptStatus(doc["status"]),
        at=doc["at"],
        push_skipped=_opt(PushSkipReason, doc.get("pushSkipped")),
    )


def to_push_attempt(doc: Doc) -> PushAttempt:
    return PushAttempt(
        recipient_id=doc["recipientId"],
        provider=PushProvider(doc["provider"]),
        sent_at=doc["at"],
        success=doc["success"],
        error_code=doc.get("errorCode"),
        error_description=doc.get("errorDescription"),
    )


def to_status_marks(doc: Doc) -> tuple[ReceiptKey, Marks]:
    """The marks of a stored receipt event, for a migration's fold."""
    skipped = _opt(PushSkipReason, doc.get("pushSkipped"))
    marks = status_marks(ReceiptStatus(doc["status"]), doc["at"], skipped)
    return (doc["app"], doc["msgUid"], doc["recipientId"]), marks


def to_push_marks(doc: Doc) -> tuple[ReceiptKey, Marks]:
    return (doc["app"], doc["msgUid"], doc["recipientId"]), push_marks(doc["at"], doc["success"])


def to_api_key(doc: Doc) -> ApiKey:
    return ApiKey(
        key_id=doc["_id"],
        app=doc["app"],
        role=KeyRole(doc["role"]),
        secret_hash=doc["secretHash"],
        created_at=doc["createdAt"],
        revoked_at=doc.get("revokedAt"),
    )


# --- cursors ---------------------------------------------------------------------------


def encode_cursor(kind: str, at: int, key: str) -> str:
    """An opaque cursor: the position ``(at, key)`` of the last item of a page."""
    return encode_token(json.dumps([kind, at, key], separators=(",", ":")).encode())


def decode_cursor(kind: str, cursor: str) -> tuple[int, str]:
    raw = decode_token(cursor)
    try:
        if raw is None:
            raise ValueError("not a token")
        tag, at, key = json.loads(raw)
    except (ValueError, TypeError, RecursionError) as err:
        raise InvalidCursor("malformed cursor") from err
    valid = tag == kind and type(at) is int and fits_int64(at) and isinstance(key, str)
    if not valid:
        raise InvalidCursor("malformed cursor")
    return at, key
