"""Records of the export as NDJSON objects and CSV rows (SPEC §10).

NDJSON: one message a line, its receipts, push attempts and their errors nested,
under the GraphQL field names (a line parses into what the graph would answer).
CSV: one row per (message, recipient) with the recipient's last push attempt; a
message without receipts has one row with the recipient columns empty. Cells a
spreadsheet would run as a formula are escaped (OWASP's advice: a leading ``'``).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from resolvers import ids
from resolvers.scalars import format_ms
from store.catalogue import BUILTIN_OBJECT_NAMES, prompt_for
from store.limits import SETTLE_MS
from store.push_errors import lookup
from store.records import ConnectionLog, PushAttempt, Receipt, SentMessage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(slots=True)
class ExportedMessage:
    message: SentMessage
    receipts: list[Receipt] = field(default_factory=list)
    pushes: dict[str, list[PushAttempt]] = field(default_factory=dict)
    """Push attempts by recipient id, oldest first."""


def _ms(value: int | None) -> str | None:
    return None if value is None else format_ms(value)


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _push(attempt: PushAttempt) -> dict[str, Any]:
    error = None
    if not attempt.success:
        info = lookup(attempt.provider, attempt.error_code or "", attempt.error_description)
        error = {
            "provider": info.provider.value,
            "code": info.code,
            "known": info.known,
            "meaning": info.meaning,
            "action": info.action.value,
            "advice": info.advice,
            "retryable": info.retryable,
            "reference": info.reference,
        }
    return {
        "provider": attempt.provider.value,
        "sentAt": format_ms(attempt.sent_at),
        "success": attempt.success,
        "errorCode": attempt.error_code,
        "errorDescription": attempt.error_description,
        "error": error,
    }


def message_fields(m: SentMessage, now: int) -> dict[str, Any]:
    builtin = BUILTIN_OBJECT_NAMES.get(m.message_type)
    return {
        "id": ids.encode(ids.SENT_MESSAGE, m.key),
        "msgUid": m.msg_uid,
        "senderId": m.sender_id,
        "targetId": m.target_id,
        "channelType": m.channel_type.value,
        "messageType": m.message_type,
        "builtinType": None if builtin is None else builtin.value,
        "source": m.source.value,
        "sentAt": format_ms(m.sent_at),
        "result": m.result.value,
        "muteScope": _value(m.mute_scope),
        "prompt": prompt_for(m.result, m.mute_scope),
        "statusSettled": now >= m.sent_at + SETTLE_MS,
    }


def message_object(item: ExportedMessage, now: int) -> dict[str, Any]:
    receipts = [
        {
            "recipientId": r.recipient_id,
            "status": r.status.value,
            "statusAt": _ms(r.status_at),
            "pushSkipped": _value(r.push_skipped),
            "history": [{"status": h.status.value, "at": format_ms(h.at)} for h in r.history],
            "pushAttempts": [_push(a) for a in item.pushes.get(r.recipient_id, ())],
        }
        for r in item.receipts
    ]
    return {**message_fields(item.message, now), "receipts": receipts}


def connection_object(c: ConnectionLog) -> dict[str, Any]:
    return {
        "id": ids.encode(ids.CONNECTION_LOG, c.user_id, c.key),
        "connectionId": c.connection_id,
        "userId": c.user_id,
        "status": c.status.value,
        "connectedAt": format_ms(c.connected_at),
        "disconnectedAt": _ms(c.disconnected_at),
        "disconnectReason": _value(c.disconnect_reason),
        "rejectCode": c.reject_code,
        "rejectDescription": c.reject_description,
        "sdkVersion": c.sdk_version,
        "platform": c.platform.value,
        "deviceModel": c.device_model,
        "osVersion": c.os_version,
        "ip": c.ip,
    }


MESSAGE_COLUMNS = [
    "id", "msgUid", "senderId", "targetId", "channelType", "messageType", "builtinType",
    "source", "sentAt", "result", "muteScope", "prompt", "statusSettled",
]  # fmt: skip
RECIPIENT_COLUMNS = [
    "recipientId", "status", "statusAt", "pushSkipped", "pushAttempts", "pushProvider",
    "pushSentAt", "pushSuccess", "pushErrorCode", "pushErrorDescription", "pushErrorMeaning",
    "pushErrorAdvice",
]  # fmt: skip
"""The recipient's status and its last push attempt (``pushAttempts``: how many there were)."""
MESSAGE_CSV_HEADER = MESSAGE_COLUMNS + RECIPIENT_COLUMNS
CONNECTION_CSV_HEADER = [
    "id", "connectionId", "userId", "status", "connectedAt", "disconnectedAt",
    "disconnectReason", "rejectCode", "rejectDescription", "sdkVersion", "platform",
    "deviceModel", "osVersion", "ip",
]  # fmt: skip


def _recipient_cells(receipt: Receipt, pushes: Sequence[PushAttempt]) -> list[Any]:
    cells: list[Any] = [
        receipt.recipient_id,
        receipt.status.value,
        _ms(receipt.status_at),
        _value(receipt.push_skipped),
        len(pushes),
    ]
    if not pushes:
        return cells + [None] * 7
    last = _push(pushes[-1])
    error = last["error"] or {}
    return [
        *cells,
        last["provider"],
        last["sentAt"],
        last["success"],
        last["errorCode"],
        last["errorDescription"],
        error.get("meaning"),
        error.get("advice"),
    ]


def message_rows(item: ExportedMessage, now: int) -> Iterable[list[Any]]:
    fields = message_fields(item.message, now)
    head = [fields[c] for c in MESSAGE_COLUMNS]
    if not item.receipts:
        yield head + [None] * len(RECIPIENT_COLUMNS)
    for receipt in item.receipts:
        yield head + _recipient_cells(receipt, item.pushes.get(receipt.recipient_id, ()))


def connection_row(c: ConnectionLog) -> list[Any]:
    return list(connection_object(c).values())


def cell(value: Any) -> str:
    """A CSV cell: empty for null, true/false, and a leading ``'`` before a text that a
    spreadsheet would read as a formula."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    """``rows`` as CSV text (RFC 4180: CRLF line ends, quotes where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
