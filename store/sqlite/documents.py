"""Conversion between domain records and SQLite rows, and the page cursors."""

import re
from typing import Any

from store import receipts
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
from store.receipts import Marks, ReceiptKey
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

Row = tuple[Any, ...]


# --- events to rows ------------------------------------------------------------
# The enums are `str` subclasses: sqlite3 binds a member as its string value, so
# rows carry the members themselves (reading `.value` costs ~5% of a write).


def opened_row(e: ConnectionOpened) -> Row:
    return (
        e.app,
        e.user_id,
        connection_key(e.connection_id, e.event_id),
        e.connection_id,
        e.at,
        e.event_id,
        e.sdk_version,
        e.platform,
        e.ip,
        e.device_model,
        e.os_version,
    )


def closed_row(e: ConnectionClosed) -> Row:
    key = connection_key(e.connection_id, e.event_id)
    return (e.app, e.user_id, key, e.connection_id, e.at, e.event_id, e.reason)


def rejected_row(e: ConnectionRejected) -> Row:
    return (
        e.app,
        e.user_id,
        connection_key(None, e.event_id),
        e.at,
        e.event_id,
        e.sdk_version,
        e.platform,
        e.ip,
        e.device_model,
        e.os_version,
        e.at,
        e.code,
        e.description,
    )


def message_row(e: MessageSent) -> Row:
    return (
        e.app,
        message_key(e.msg_uid, e.event_id),
        e.event_id,
        e.msg_uid,
        e.sender_id,
        e.target_id,
        e.channel_type,
        e.message_type,
        e.source,
        e.at,
        e.result,
        e.mute_scope,
        e.connection_id,
    )


def receipt_row(e: ReceiptChanged) -> Row:
    return (e.app, e.msg_uid, e.recipient_id, e.status, e.at, e.push_skipped)


def push_row(e: PushAttempted) -> Row:
    return (
        e.app,
        e.msg_uid,
        e.recipient_id,
        e.provider,
        e.at,
        int(e.success),
        e.error_code,
        e.error_description,
    )


def key_row(k: ApiKey) -> Row:
    return (k.key_id, k.app, k.role, k.secret_hash, k.created_at, k.revoked_at)


# --- rows to records -----------------------------------------------------------

CONNECTION_COLUMNS = (
    "conn_key, user_id, connection_id, opened_at, sdk_version, platform, ip, device_model,"
    " os_version, closed_at, reason, reject_code, reject_description"
)


def connection_log(r: Row) -> ConnectionLog:
    rejected = r[11] is not None
    if rejected:
        status = ConnectionStatus.REJECTED
    else:
        status = ConnectionStatus.ONLINE if r[9] is None else ConnectionStatus.CLOSED
    return ConnectionLog(
        key=r[0],
        user_id=r[1],
        connection_id=r[2],
        status=status,
        connected_at=r[3],
        sdk_version=r[4],
        platform=Platform(r[5]),
        ip=r[6],
        device_model=r[7],
        os_version=r[8],
        disconnected_at=None if rejected else r[9],
        disconnect_reason=None if r[10] is None else DisconnectReason(r[10]),
        reject_code=r[11],
        reject_description=r[12],
    )


MESSAGE_COLUMNS = (
    "msg_key, msg_uid, sender_id, target_id, channel_type, message_type, source, sent_at,"
    " result, mute_scope, connection_id"
)


def sent_message(r: Row) -> SentMessage:
    return SentMessage(
        key=r[0],
        msg_uid=r[1],
        sender_id=r[2],
        target_id=r[3],
        channel_type=ChannelType(r[4]),
        message_type=r[5],
        source=MessageSource(r[6]),
        sent_at=r[7],
        result=SendResult(r[8]),
        mute_scope=None if r[9] is None else MuteScope(r[9]),
        connection_id=r[10],
    )


RECEIPT_COLUMNS = "recipient_id, status, at, push_skipped"


def receipt_event(r: Row) -> ReceiptEventRecord:
    skipped = None if r[3] is None else PushSkipReason(r[3])
    return ReceiptEventRecord(r[0], ReceiptStatus(r[1]), r[2], skipped)


PUSH_COLUMNS = "recipient_id, provider, at, success, error_code, error_description"


def push_attempt(r: Row) -> PushAttempt:
    return PushAttempt(r[0], PushProvider(r[1]), r[2], bool(r[3]), r[4], r[5])


def status_marks(r: Row) -> Marks:
    """The marks of a stored receipt event (status, at, push_skipped)."""
    skipped = None if r[2] is None else PushSkipReason(r[2])
    return receipts.status_marks(ReceiptStatus(r[0]), r[1], skipped)


def push_marks(r: Row) -> Marks:
    """The marks of a stored push attempt (at, success)."""
    return receipts.push_marks(r[0], bool(r[1]))


MARKS_COLUMNS = "app, msg_uid, recipient_id, status_key, skip_key, push_at, push_ok_at"


def marks_row(key: ReceiptKey, m: Marks) -> Row:
    return (*key, m.status_key, m.skip_key, m.push_at, m.push_ok_at)


KEY_COLUMNS = "key_id, app, role, secret_hash, created_at, revoked_at"


def api_key(r: Row) -> ApiKey:
    return ApiKey(r[0], r[1], KeyRole(r[2]), r[3], r[4], r[5])


# --- cursors -------------------------------------------------------------------

_CURSOR = re.compile(r"([a-z]):(-?[0-9]{1,19}):([0-9]{1,19})")


def encode_cursor(kind: str, sort_value: int, row_id: int) -> str:
    """An opaque cursor: the kind of list and the position (sort value, row id)."""
    return encode_token(f"{kind}:{sort_value}:{row_id}".encode())


def decode_cursor(kind: str, cursor: str) -> tuple[int, int]:
    """The (sort value, row id) of a cursor of this kind; InvalidCursor otherwise."""
    token = decode_token(cursor)
    try:
        raw = "" if token is None else token.decode()
    except UnicodeError:
        raise InvalidCursor("malformed cursor") from None
    match = _CURSOR.fullmatch(raw)
    if match is None or match[1] != kind:
        raise InvalidCursor("malformed cursor")
    sort_value, row_id = int(match[2]), int(match[3])
    if not (fits_int64(sort_value) and fits_int64(row_id)):
        raise InvalidCursor("cursor position out of range")
    return sort_value, row_id
