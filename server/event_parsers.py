"""The field table of ``server.events`` turned into one plain function per event type.

Walking the table for every event (a tuple unpacked, a branch on the kind of
check, a dict of values, a keyword call) cost about as much as the JSON parse
itself. Like ``dataclasses`` does for ``__init__``, the table is compiled once
into straight-line code: the same checks, in the same order, raising the same
errors, building the record with a positional call. The table stays the one
place the rules live; ``tests/server/test_events.py`` checks the result.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from store.records import Event

FieldSpec = tuple[str, str, Callable[[Any], Any] | int, bool]
"""(wire name, record attribute, checker or maximum string length, required)."""

Parser = Callable[[Any, str, str, int], Event]
"""(``raw.get``, or the decoded struct, app, event id, at) -> record; raises the table's
errors."""


def compile_parser(
    cls: type,
    fields: tuple[FieldSpec, ...],
    constants: dict[str, Any],
    finish: Callable[[dict[str, Any]], None] | None,
    errors: dict[str, Any],
    decoded: Callable[[Any], bool] | None = None,
) -> Parser:
    """A parser for one event type. ``errors`` holds ``EventError``, ``_Invalid`` and
    ``_field_error`` of ``server.events``.

    ``decoded`` says which checkers the typed decoder (``server.wire``) has
    already applied: their checks are left out, as are the plain string checks,
    and the parser's first argument is then the decoded struct, whose
    attributes are the wire names."""
    namespace: dict[str, Any] = {**errors, "cls": cls, "finish": finish}
    lines = [f"def parse({'get' if decoded is None else 'wire'}, app, event_id, at):"]
    local: dict[str, str] = {"app": "app", "event_id": "event_id", "at": "at"}
    for n, (wire, attr, check, required) in enumerate(fields):
        var = local[attr] = f"v{n}"
        read = f"get({wire!r})" if decoded is None else f"wire.{wire}"
        lines.append(f"    {var} = {read}")
        if decoded is not None and (type(check) is int or decoded(check)):
            continue
        if type(check) is int:
            bad = f"type({var}) is not str or not {var} or len({var}) > {check}"
            error = f"raise _field_error({wire!r}, {var}, {check})"
            if required:
                lines += [f"    if {bad}:", f"        {error}"]
            else:
                lines += [f"    if {var} is not None and ({bad}):", f"        {error}"]
            continue
        namespace[f"check{n}"] = check
        if required:
            lines += [f"    if {var} is None:", f"        raise EventError({wire!r}, 'required')"]
            indent = "    "
        else:
            lines.append(f"    if {var} is not None:")
            indent = "        "
        lines += [
            f"{indent}try:",
            f"{indent}    {var} = check{n}({var})",
            f"{indent}except _Invalid as e:",
            f"{indent}    raise EventError({wire!r}, str(e)) from None",
        ]
    for n, (attr, value) in enumerate(constants.items()):
        namespace[f"const{n}"] = value
        local[attr] = f"const{n}"
    if finish is not None:
        items = ", ".join(f"{attr!r}: {var}" for attr, var in local.items())
        lines.append(f"    finish({{{items}}})")
    args = []
    for field in msgspec.structs.fields(cls):
        if field.name in local:
            args.append(local[field.name])
        elif field.default is not msgspec.NODEFAULT:
            namespace[f"default_{field.name}"] = field.default
            args.append(f"default_{field.name}")
        else:
            raise TypeError(f"{cls.__name__}.{field.name} has no value in the table")
    lines.append(f"    return cls({', '.join(args)})")
    exec("\n".join(lines), namespace)  # our own table, compiled once at import
    parser: Parser = namespace["parse"]
    return parser
