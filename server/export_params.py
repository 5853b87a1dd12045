"""The query parameters of ``GET /v1/export/...`` (SPEC §10): the GraphQL filter's
names and meanings, each bad value a 400 that names its parameter.

``senderId`` is optional here (every sender of the app); ``channelType`` absent
means every channel type (a bulk export of a window, unlike the console's
search, which defaults to DIRECT). Windows follow the GraphQL rules: ``since``
defaults to midnight today in ``timeZone`` (the whole retention window with
``msgUid``; always for connections), ``until`` to now, the retention horizon
applies, values without an offset are read in ``timeZone``.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeVar

from starlette.datastructures import Headers, QueryParams

from resolvers.errors import BadUserInput, OutOfRetention
from resolvers.windows import start_of_day_ms, time_zone, window
from store.catalogue import BUILTIN_OBJECT_NAMES, OBJECT_NAME_OF, custom_type_error
from store.limits import horizon_ms
from store.model import BuiltinMessageType, ChannelType, MessageSource
from store.records import ConnectionQuery, MessageQuery

E = TypeVar("E", bound=Enum)

NDJSON = "ndjson"
CSV = "csv"
MESSAGE_PARAMS = frozenset(
    {"senderId", "msgUid", "targetId", "channelType", "messageType", "source"}
    | {"since", "until", "timeZone", "format"}
)
CONNECTION_PARAMS = frozenset({"userId", "since", "until", "timeZone", "format"})


class ExportParamError(Exception):
    """A parameter the export cannot take: answered 400 with ``param`` and the reason."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True, slots=True)
class Clock:
    now: int
    retention_days: int


def export_format(params: QueryParams, headers: Headers) -> str:
    """``format=csv|ndjson`` first, else the Accept header; NDJSON by default."""
    given = params.get("format")
    if given is not None:
        if given.lower() not in {NDJSON, CSV}:
            raise ExportParamError("format", f"format: must be ndjson or csv, got '{given}'")
        return given.lower()
    accept = headers.get("accept", "").lower()
    return CSV if "text/csv" in accept and "x-ndjson" not in accept else NDJSON


def _check_names(params: QueryParams, known: frozenset[str]) -> None:
    for name in params:
        if name not in known:
            raise ExportParamError(
                name, f"{name}: unknown parameter; known: {', '.join(sorted(known))}"
            )
    for name in known:
        if len(params.getlist(name)) > 1:
            raise ExportParamError(name, f"{name}: given more than once")


def _text(params: QueryParams, name: str) -> str | None:
    value = params.get(name)
    if value is not None and not value.strip():
        raise ExportParamError(name, f"{name}: must not be empty; leave it out instead")
    return value


def _enum(params: QueryParams, name: str, enum: type[E]) -> E | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(m.value for m in enum)
        raise ExportParamError(name, f"{name}: '{value}' is not one of {names}") from None


def _datetime(params: QueryParams, name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ExportParamError(name, f"{name}: '{value}' is not an ISO-8601 date-time") from None


def _message_type(params: QueryParams) -> str | None:
    """A built-in type by its name (TEXT) or ObjectName (NX:TxtMsg), or a custom ObjectName."""
    value = params.get("messageType")
    if value is None:
        return None
    if value in BuiltinMessageType.__members__:
        return OBJECT_NAME_OF[BuiltinMessageType(value)]
    if value in BUILTIN_OBJECT_NAMES:
        return value
    if reason := custom_type_error(value):
        raise ExportParamError("messageType", f"messageType: {reason}")
    return value


def _window(params: QueryParams, clock: Clock, default_since: int | None) -> tuple[int, int]:
    zone_name = params.get("timeZone", "UTC")
    try:
        zone = time_zone(zone_name)
    except BadUserInput as e:
        raise ExportParamError("timeZone", str(e)) from None
    since, until = _datetime(params, "since"), _datetime(params, "until")
    if default_since is None:
        default_since = start_of_day_ms(clock.now, zone)
    try:
        start, end = window(
            since,
            until,
            now=clock.now,
            retention_days=clock.retention_days,
            default_since=default_since,
            zone=zone,
        )
    except (BadUserInput, OutOfRetention) as e:
        message = str(e)
        raise ExportParamError(message.partition(":")[0] or "since", message) from None
    return start, end


def message_query(params: QueryParams, clock: Clock) -> MessageQuery:
    _check_names(params, MESSAGE_PARAMS)
    msg_uid = _text(params, "msgUid")
    default_since = horizon_ms(clock.retention_days, clock.now) if msg_uid is not None else None
    since, until = _window(params, clock, default_since)
    return MessageQuery(
        sender_id=_text(params, "senderId"),
        since=since,
        until=until,
        msg_uid=msg_uid,
        target_id=_text(params, "targetId"),
        channel_type=_enum(params, "channelType", ChannelType),
        message_type=_message_type(params),
        source=_enum(params, "source", MessageSource),
    )


def connection_query(params: QueryParams, clock: Clock) -> ConnectionQuery:
    """A user's connections: ``userId`` is required (connection ids are unique per
    user only, so a whole-app keyset over them would not be stable)."""
    _check_names(params, CONNECTION_PARAMS)
    user_id = _text(params, "userId")
    if user_id is None:
        raise ExportParamError("userId", "userId: required")
    since, until = _window(params, clock, horizon_ms(clock.retention_days, clock.now))
    return ConnectionQuery(user_id=user_id, since=since, until=until)
