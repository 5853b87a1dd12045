"""Validation of wire tracking events (SPEC §4) into :mod:`store.records` events.

Table-driven and plain Python: each event type is a tuple of field specs
(wire name, record attribute, checker, required), checked in order; the first
failing field is reported as ``"<wire name>: <reason>"``. Fields a type does not
define are ignored. Each type's table is compiled once into a straight-line
function (``server.event_parsers``), which halves the cost of an event.
"""

import ipaddress
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any

from server.event_parsers import compile_parser
from store.catalogue import ACCEPTED_RESULTS, object_name_error
from store.limits import MAX_FUTURE_MS, horizon_ms
from store.model import (
    ChannelType,
    DisconnectReason,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    ReceiptStatus,
    SendResult,
)
from store.records import (
    ConnectionClosed,
    ConnectionOpened,
    ConnectionRejected,
    Event,
    MessageSent,
    PushAttempted,
    ReceiptChanged,
)

EVENT_ID_MAX = 128
APP_KEY_MAX = 64
ID_MAX = 128
"""userId, connectionId, senderId, targetId, recipientId, msgUid."""
SDK_VERSION_MAX = 64
DEVICE_MODEL_MAX = 128
OS_VERSION_MAX = 64
CODE_MAX = 128
"""connection.rejected `code`, push.attempted `errorCode`."""
DESCRIPTION_MAX = 1024
IP_MAX = 64
DATETIME_MAX = 64


class EventError(ValueError):
    """A wire event that cannot be stored: ``field`` is the wire name, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class _Invalid(Exception):
    """Raised by a checker; the caller adds the field name."""


Checker = Callable[[Any], Any]


def _string_reason(value: Any, max_len: int) -> str:
    """Why ``value`` is not a non-empty string of at most ``max_len`` characters."""
    if type(value) is not str:
        return "must be a string"
    if not value:
        return "must not be empty"
    return f"must be at most {max_len} characters"


class EnumChecker:
    """Checks that a value is one of ``cls``'s values and gives the member.

    A class, not a closure, so that the typed decoder (``server.wire``) can see
    which enumeration a field holds."""

    __slots__ = ("_members", "_reason", "cls")

    def __init__(self, cls: type[Enum]) -> None:
        self.cls = cls
        self._members = {m.value: m for m in cls}
        self._reason = "must be one of " + ", ".join(self._members)

    def __call__(self, value: Any) -> Enum:
        member = self._members.get(value) if type(value) is str else None
        if member is None:
            raise _Invalid(self._reason)
        return member


_enum = EnumChecker


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Invalid("must be true or false")
    return value


_IP_REASON = "must be an IPv4 or IPv6 address"


@lru_cache(maxsize=65_536)
def _normal_ip(value: str) -> str | None:
    """The canonical text of an IP address (cached: clients reconnect from the same IPs)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _ip(value: Any) -> str:
    if type(value) is not str or len(value) > IP_MAX:
        raise _Invalid(_IP_REASON)
    normal = _normal_ip(value)
    if normal is None:
        raise _Invalid(_IP_REASON)
    return normal


def _object_name(value: Any) -> str:
    if type(value) is not str:
        raise _Invalid("must be a string")
    error = object_name_error(value)
    if error is not None:
        raise _Invalid(error)
    return value


_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_AT_REASON = "must be an RFC 3339 date-time with offset or integer epoch milliseconds"


def _timestamp(value: Any) -> int:
    """Epoch milliseconds of an ``at`` value (an int, or an RFC 3339 string with offset)."""
    if type(value) is int:
        return value
    if type(value) is not str or len(value) > DATETIME_MAX or not _RFC3339.fullmatch(value):
        raise _Invalid(_AT_REASON)
    text = value
    if "." in text:  # fromisoformat takes at most 6 fraction digits
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)] + rest[digits:]
    try:
        parsed = datetime.fromisoformat(text.upper())
    except ValueError:
        raise _Invalid(_AT_REASON) from None
    return (parsed - _EPOCH) // _ONE_MS


# --- the table -------------------------------------------------------------------

# A plain string field is checked inline: its spec holds its maximum length.
_ID = ID_MAX
_SDK = SDK_VERSION_MAX
_DEVICE = DEVICE_MODEL_MAX
_OS = OS_VERSION_MAX
_CODE = CODE_MAX
_DESCRIPTION = DESCRIPTION_MAX
_PLATFORM = _enum(Platform)

FieldSpec = tuple[str, str, Checker | int, bool]
"""(wire name, record attribute, checker or maximum string length, required)."""

_CONNECTION_OPENED: tuple[FieldSpec, ...] = (
    ("userId", "user_id", _ID, True),
    ("connectionId", "connection_id", _ID, True),
    ("sdkVersion", "sdk_version", _SDK, True),
    ("platform", "platform", _PLATFORM, True),
    ("deviceModel", "device_model", _DEVICE, False),
    ("osVersion", "os_version", _OS, False),
    ("ip", "ip", _ip, True),
)
_CONNECTION_CLOSED: tuple[FieldSpec, ...] = (
    ("userId", "user_id", _ID, True),
    ("connectionId", "connection_id", _ID, True),
    ("reason", "reason", _enum(DisconnectReason), True),
)
_CONNECTION_REJECTED: tuple[FieldSpec, ...] = (
    ("userId", "user_id", _ID, True),
    ("sdkVersion", "sdk_version", _SDK, True),
    ("platform", "platform", _PLATFORM, True),
    ("deviceModel", "device_model", _DEVICE, False),
    ("osVersion", "os_version", _OS, False),
    ("ip", "ip", _ip, True),
    ("code", "code", _CODE, True),
    ("description", "description", _DESCRIPTION, False),
)
_MESSAGE_SENT: tuple[FieldSpec, ...] = (
    ("senderId", "sender_id", _ID, True),
    ("targetId", "target_id", _ID, True),
    ("channelType", "channel_type", _enum(ChannelType), True),
    ("messageType", "message_type", _object_name, True),
    ("source", "source", _enum(MessageSource), True),
    ("connectionId", "connection_id", _ID, False),
    ("result", "result", _enum(SendResult), True),
    ("muteScope", "mute_scope", _enum(MuteScope), False),
    ("msgUid", "msg_uid", _ID, False),
)
_RECEIPT: tuple[FieldSpec, ...] = (
    ("msgUid", "msg_uid", _ID, True),
    ("recipientId", "recipient_id", _ID, True),
)
_RECEIPT_OFFLINE: tuple[FieldSpec, ...] = (
    *_RECEIPT,
    ("pushSkipped", "push_skipped", _enum(PushSkipReason), False),
)
_PUSH_ATTEMPTED: tuple[FieldSpec, ...] = (
    *_RECEIPT,
    ("provider", "provider", _enum(PushProvider), True),
    ("success", "success", _bool, True),
    ("errorCode", "error_code", _CODE, False),
    ("errorDescription", "error_description", _DESCRIPTION, False),
)


def _check_message_sent(values: dict[str, Any]) -> None:
    result = values["result"]
    if result in ACCEPTED_RESULTS:
        if values["msg_uid"] is None:
            raise EventError("msgUid", f"required when result is {result.value}")
    elif values["msg_uid"] is not None:
        raise EventError("msgUid", f"must be absent or null when result is {result.value}")
    if result is SendResult.MUTED:
        if values["mute_scope"] is None:
            raise EventError("muteScope", "required when result is MUTED")
    elif values["mute_scope"] is not None:
        raise EventError("muteScope", "allowed only when result is MUTED")


def _check_push_attempted(values: dict[str, Any]) -> None:
    if values["success"]:
        for wire, attr in (("errorCode", "error_code"), ("errorDescription", "error_description")):
            if values[attr] is not None:
                raise EventError(wire, "must be absent or null when success is true")
    elif values["error_code"] is None:
        raise EventError("errorCode", "required when success is false")


Finish = Callable[[dict[str, Any]], None] | None

# type -> (record class, field specs, constant attributes, cross-field check)
_TYPES: dict[str, tuple[type, tuple[FieldSpec, ...], dict[str, Any], Finish]] = {
    "connection.opened": (ConnectionOpened, _CONNECTION_OPENED, {}, None),
    "connection.closed": (ConnectionClosed, _CONNECTION_CLOSED, {}, None),
    "connection.rejected": (ConnectionRejected, _CONNECTION_REJECTED, {}, None),
    "message.sent": (MessageSent, _MESSAGE_SENT, {}, _check_message_sent),
    "message.delivered": (ReceiptChanged, _RECEIPT, {"status": ReceiptStatus.DELIVERED}, None),
    "message.not_delivered": (
        ReceiptChanged,
        _RECEIPT,
        {"status": ReceiptStatus.NOT_DELIVERED},
        None,
    ),
    "message.offline": (ReceiptChanged, _RECEIPT_OFFLINE, {"status": ReceiptStatus.OFFLINE}, None),
    "push.attempted": (PushAttempted, _PUSH_ATTEMPTED, {}, _check_push_attempted),
}
EVENT_TYPES = tuple(_TYPES)
_TYPE_REASON = "must be one of " + ", ".join(EVENT_TYPES)


def parse_event(
    raw: object, *, now: int, retention_days: int, app_scope: str | None = None
) -> Event:
    """Validate one decoded wire event and build its store record.

    ``now`` is epoch ms; events older than the retention horizon or more than
    ``MAX_FUTURE_MS`` ahead of ``now`` are rejected. With ``app_scope``, an event
    of another app is rejected. Raises :class:`EventError` naming the first bad field.
    """
    if type(raw) is not dict:
        raise EventError("event", "must be a JSON object")
    get = raw.get
    event_id = get("eventId")
    if type(event_id) is not str or not event_id or len(event_id) > EVENT_ID_MAX:
        raise _field_error("eventId", event_id, EVENT_ID_MAX)
    kind = get("type")
    spec = _PARSERS.get(kind) if type(kind) is str else None
    if spec is None:
        raise EventError("type", "required" if kind is None else _TYPE_REASON)
    app = get("appKey")
    if type(app) is not str or not app or len(app) > APP_KEY_MAX:
        raise _field_error("appKey", app, APP_KEY_MAX)
    if app_scope is not None and app != app_scope:
        raise EventError("appKey", f"this key may write only app '{app_scope}'")
    at = get("at")
    if type(at) is not int:
        if at is None:
            raise EventError("at", "required")
        try:
            at = _timestamp(at)
        except _Invalid as e:
            raise EventError("at", str(e)) from None
    if at < horizon_ms(retention_days, now):
        raise EventError("at", f"older than the retention window ({retention_days} days)")
    if at > now + MAX_FUTURE_MS:
        raise EventError("at", f"more than {MAX_FUTURE_MS // 60_000} minutes in the future")

    return spec(get, app, event_id, at)


def _field_error(wire: str, value: Any, max_len: int) -> EventError:
    if value is None:
        return EventError(wire, "required")
    return EventError(wire, _string_reason(value, max_len))


_PARSERS = {
    kind: compile_parser(
        *table,
        errors={"EventError": EventError, "_Invalid": _Invalid, "_field_error": _field_error},
    )
    for kind, table in _TYPES.items()
}
"""Each type's field table compiled into one function (see ``server.event_parsers``)."""
