"""Typed decoding of a whole batch of wire events in C: the fast path of ingest.

The rules stay in the one field table of ``server.events``. From it, each
event type becomes a msgspec struct, tagged by ``type``, that checks while it
decodes what a type can say: strings and their lengths, enumerations,
booleans. The table's other checks (``ip``, ``messageType``, ``at`` and its
window, the key's app, the cross-field rules) then run in a parser compiled
from the same table without the checks already done.

The fast path is all or nothing. When anything in a batch is wrong it returns
``None`` and the batch goes through :func:`server.events.parse_event`, which
names each rejected event's field and reason exactly as it always has: the
fast path decides only what is accepted, never how a rejection reads, and it
accepts nothing the per-field path would reject (``tests/server/test_wire.py``
holds the two to each other).
"""

from collections.abc import Sequence
from typing import Annotated, Any, Union, cast

import msgspec

from server.event_parsers import Parser, compile_parser
from server.events import (
    _TYPES,
    APP_KEY_MAX,
    EVENT_ID_MAX,
    EnumChecker,
    EventError,
    FieldSpec,
    _bool,
    _field_error,
    _Invalid,
    _timestamp,
)
from store.limits import MAX_FUTURE_MS, horizon_ms
from store.records import Event


def _text(max_len: int) -> Any:
    return Annotated[str, msgspec.Meta(min_length=1, max_length=max_len)]


class WireEvent(msgspec.Struct, kw_only=True, gc=False, tag_field="type"):
    """The fields every event has (SPEC §4), by their wire names."""

    eventId: Annotated[str, msgspec.Meta(min_length=1, max_length=EVENT_ID_MAX)]
    appKey: Annotated[str, msgspec.Meta(min_length=1, max_length=APP_KEY_MAX)]
    at: int | str


def _field_type(check: Any) -> Any:
    """The decoded type of a field: what msgspec checks, or any JSON value the parser checks."""
    if type(check) is int:
        return _text(check)
    if type(check) is EnumChecker:
        return check.cls
    if check is _bool:
        return bool
    return Any


def _decoded(check: Any) -> bool:
    return type(check) is EnumChecker or check is _bool


def _struct(kind: str, fields: tuple[FieldSpec, ...]) -> type[WireEvent]:
    specs: list[Any] = []
    for wire, _, check, required in fields:
        kind_of = _field_type(check)
        specs.append((wire, kind_of) if required else (wire, kind_of | None, None))
    name = "Wire_" + kind.replace(".", "_")
    struct = msgspec.defstruct(name, specs, bases=(WireEvent,), tag=kind, kw_only=True, gc=False)
    return cast(type[WireEvent], struct)  # defstruct's stub returns type[Struct], whatever bases


_STRUCTS: dict[type[WireEvent], Parser] = {}
for _kind, (_cls, _fields, _constants, _finish) in _TYPES.items():
    _STRUCTS[_struct(_kind, _fields)] = compile_parser(
        _cls,
        _fields,
        _constants,
        _finish,
        errors={"EventError": EventError, "_Invalid": _Invalid, "_field_error": _field_error},
        decoded=_decoded,
    )

_ANY_EVENT: object = Union[tuple(_STRUCTS)]  # noqa: UP007  # a runtime union of the generated types
_ARRAY: msgspec.json.Decoder[list[WireEvent]] = msgspec.json.Decoder(
    list[_ANY_EVENT]  # type: ignore[valid-type]  # the union is built at run time, not a static type
)
_LINE: msgspec.json.Decoder[WireEvent] = msgspec.json.Decoder(_ANY_EVENT)


def decode_array(body: bytes) -> list[WireEvent] | None:
    """The events of a JSON array body, or None when any of them does not decode."""
    try:
        return _ARRAY.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def decode_lines(lines: Sequence[bytes]) -> list[WireEvent] | None:
    """The events of NDJSON lines (one each), or None when any of them does not decode."""
    decode = _LINE.decode
    try:
        return [decode(line) for line in lines]
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def accept_all(
    decoded: Sequence[WireEvent], *, now: int, retention_days: int, app_scope: str | None
) -> list[Event] | None:
    """The records of decoded events when every one of them is valid, else None."""
    oldest = horizon_ms(retention_days, now)
    newest = now + MAX_FUTURE_MS
    parsers = _STRUCTS
    events: list[Event] = []
    append = events.append
    try:
        for s in decoded:
            at = s.at
            if type(at) is not int:
                at = _timestamp(at)
            if at < oldest or at > newest:
                return None
            app = s.appKey
            if app_scope is not None and app != app_scope:
                return None
            append(parsers[type(s)](s, app, s.eventId, at))
    except (EventError, _Invalid):
        return None
    return events
