"""Records of the export as NDJSON objects and CSV rows (SPEC §10).

NDJSON: one message a line, its receipts, push attempts and their errors nested,
under the GraphQL field names (a line parses into what the graph would answer).
CSV: one row per (message, recipient) with the recipient's last push attempt; a
message without receipts has one row with the recipient columns empty. Cells a
spreadsheet would run as a formula are escaped (OWASP's advice: a leading ``'``).

The sent messages come from the store's export read (``Store.export_messages``) as
lean records; :func:`message_ndjson` and :func:`message_csv` turn a chunk of them
into bytes with as little Python a row as they can: times by ``format_ms`` (a
table and a cache per minute), the push errors, prompts and built-in types looked
up once per distinct value, cells escaped only where a user's text can be.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import orjson

from resolvers import ids
from resolvers.scalars import format_ms
from store.catalogue import BUILTIN_OBJECT_NAMES, prompt_for
from store.limits import SETTLE_MS
from store.model import MuteScope, PushProvider, SendResult
from store.push_errors import lookup
from store.records import ConnectionLog, ExportMessage, ExportPush, SentMessage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _ms(value: int | None) -> str | None:
    return None if value is None else format_ms(value)


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


@cache
def push_error(provider: PushProvider, code: str | None, description: str | None) -> dict[str, Any]:
    """The ``error`` of a failed push attempt (its catalogue entry), one per distinct
    (provider, code, description): an export repeats a few dozen of them. Shared:
    never change what it returns."""
    info = lookup(provider, code or "", description)
    return {
        "provider": info.provider.value,
        "code": info.code,
        "known": info.known,
        "meaning": info.meaning,
        "action": info.action.value,
        "advice": info.advice,
        "retryable": info.retryable,
        "reference": info.reference,
    }


def message_fields(m: SentMessage, now: int) -> dict[str, Any]:
    """A message's fields under their GraphQL names (an NDJSON line, receipts aside)."""
    return {
        "id": _message_id(m.key),
        "msgUid": m.msg_uid,
        "senderId": m.sender_id,
        "targetId": m.target_id,
        "channelType": m.channel_type,
        "messageType": m.message_type,
        "builtinType": _BUILTIN.get(m.message_type),
        "source": m.source,
        "sentAt": format_ms(m.sent_at),
        "result": m.result,
        "muteScope": m.mute_scope,
        "prompt": _prompt(m.result, m.mute_scope),
        "statusSettled": now >= m.sent_at + SETTLE_MS,
    }


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


# --- sent messages, from the store's export read -------------------------------------

_BUILTIN = {name: builtin.value for name, builtin in BUILTIN_OBJECT_NAMES.items()}


@cache
def _prompt(result: SendResult, mute_scope: MuteScope | None) -> str | None:
    return prompt_for(result, mute_scope)


def _message_id(key: str) -> str:
    return ids.encode(ids.SENT_MESSAGE, key)


def _ndjson_push(p: ExportPush) -> dict[str, Any]:
    return {
        "provider": p.provider,
        "sentAt": format_ms(p.sent_at),
        "success": p.success,
        "errorCode": p.error_code,
        "errorDescription": p.error_description,
        "error": None if p.success else push_error(p.provider, p.error_code, p.error_description),
    }


def message_ndjson(messages: Sequence[ExportMessage], now: int) -> bytes:
    """One line a message: the fields of :func:`message_fields`, then its receipts with
    their history and push attempts (each with its catalogue ``error``) nested."""
    lines = []
    for m in messages:
        receipts = [
            {
                "recipientId": r.recipient_id,
                "status": r.status,
                "statusAt": None if r.status_at is None else format_ms(r.status_at),
                "pushSkipped": r.push_skipped,
                "history": [{"status": status, "at": format_ms(at)} for status, at in r.history],
                "pushAttempts": [_ndjson_push(p) for p in r.pushes] if r.pushes else [],
            }
            for r in m.receipts
        ]
        line = message_fields(m.message, now)
        line["receipts"] = receipts
        lines.append(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))
    return b"".join(lines)


_QUOTED = re.compile(r'[",\r\n]')
"""What makes a CSV cell quoted (the ``csv`` module's minimal quoting, RFC 4180)."""


def _text(value: str | None) -> str:
    """A CSV cell of a user's text, as ``csv.writer`` writes ``cell(value)``: empty for
    null, a leading ``'`` before a formula, quoted where it must be."""
    if value is None:
        return ""
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if _QUOTED.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


@cache
def _push_cells(
    provider: PushProvider, code: str | None, description: str | None, success: bool
) -> str:
    """The push columns after ``pushSentAt`` (success, code, description, meaning,
    advice), once per distinct attempt outcome."""
    if success:
        return f"true,{_text(code)},{_text(description)},,"
    error = push_error(provider, code, description)
    return (
        f"false,{_text(code)},{_text(description)},{_text(error['meaning'])},"
        f"{_text(error['advice'])}"
    )


@cache
def _prompt_cell(result: SendResult, mute_scope: MuteScope | None) -> str:
    return _text(prompt_for(result, mute_scope))


_NO_RECIPIENT = "," * (len(RECIPIENT_COLUMNS) - 1)
_NO_PUSH = "0" + "," * 7


def message_csv(messages: Sequence[ExportMessage], now: int) -> bytes:
    """One row per (message, recipient) under :data:`MESSAGE_CSV_HEADER` (a message
    without receipts: one row, the recipient columns empty), the recipient's last push
    attempt in the ``push*`` columns; the text ``csv.writer`` would write for the
    cells of :func:`cell`, built by hand: a cell of ours needs quotes only where a
    user's text is."""
    settled_before = now - SETTLE_MS
    lines: list[str] = []
    add = lines.append
    for exported in messages:
        m = exported.message
        builtin = _BUILTIN.get(m.message_type)
        head = (
            f"{_text(_message_id(m.key))},{_text(m.msg_uid)},{_text(m.sender_id)},"
            f"{_text(m.target_id)},{m.channel_type.value},{_text(m.message_type)},"
            f"{'' if builtin is None else builtin},{m.source.value},{format_ms(m.sent_at)},"
            f"{m.result.value},{'' if m.mute_scope is None else m.mute_scope.value},"
            f"{_prompt_cell(m.result, m.mute_scope)},"
            f"{'true' if m.sent_at <= settled_before else 'false'},"
        )
        if not exported.receipts:
            add(f"{head}{_NO_RECIPIENT}\r\n")
            continue
        for r in exported.receipts:
            pushes = r.pushes
            if pushes:
                last = pushes[-1]
                outcome = _push_cells(
                    last.provider, last.error_code, last.error_description, last.success
                )
                push = f"{len(pushes)},{last.provider.value},{format_ms(last.sent_at)},{outcome}"
            else:
                push = _NO_PUSH
            add(
                f"{head}{_text(r.recipient_id)},{r.status.value},"
                f"{'' if r.status_at is None else format_ms(r.status_at)},"
                f"{'' if r.push_skipped is None else r.push_skipped.value},{push}\r\n"
            )
    return "".join(lines).encode()
