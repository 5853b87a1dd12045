"""Object completion compiled to Python, for the inline path's plain selections.

``resolvers.fastpath.execution`` completes an object whose whole selection is
plain fields by walking the selection for every object: for each field, find
its plan, read the value, pick how to finish it. A page of receipts repeats
that walk a few thousand times with the same selection. :func:`object_factory`
turns the walk into source once per *shape* of selection (how each value is
read, how it is finished: names of the schema's attributes, nothing a client
names), compiled once and kept among the last :data:`SHAPES_KEPT` shapes used;
the executor binds a shape's factory to one place in one request's document
(its response names, sub-completers, resolvers, serialisers), so nothing of a
request outlives it. The generated function reads attributes directly and
builds the response dict in one display, in field order; whatever it cannot
finish raises, and the executor then hands the field to graphql-core, as for
any inline work (see that module).
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

Completer = Callable[[Any], Any]


class Field(NamedTuple):
    """One field of a selection's shape (its response name is bound, not shaped:
    aliases make no new shapes)."""

    read: str
    """``typename`` (the type's name), ``attribute`` (``value.<attribute>``) or
    ``call`` (a callable of the value)."""
    attribute: str | None
    finish: str
    """``same`` (returned as it is when of the leaf's own value type, else
    serialised), ``enum`` (a member's name from a table when a member of the
    enum, else serialised), ``call`` (a serialiser or a sub-completer)."""


Shape = tuple[bool, tuple[Field, ...]]
"""Whether the type has an ``is_type_of`` to ask, and its fields in order."""

SHAPES_KEPT = 512
"""Compiled shapes kept (the least recently used beyond are compiled again when
needed): a client choosing its fields can make many; the console's few are hot."""


def object_factory(shape: Shape) -> Callable[..., Completer]:
    """``make(impure, is_awaitable, type_of, type_name, *bound)`` -> the completer of
    one object of that shape; ``bound`` holds, field by field in field order, its
    response name, then its reader (``call`` reads), then its finisher (``call``
    finishes), its value type and serialiser (``same``) or its enum, names and
    serialiser (``enum``); ``__typename`` binds its response name only."""
    return _compile(shape)


@lru_cache(maxsize=SHAPES_KEPT)
def _compile(shape: Shape) -> Callable[..., Completer]:
    with_type_of, fields = shape
    parameters = ["impure", "is_awaitable", "type_of", "type_name"]
    body = [
        "    def complete(value):",
        "        if value is None or is_awaitable(value):",
        "            raise impure",
    ]
    if with_type_of:
        body += ["        if type_of(value, None) is not True:", "            raise impure"]
    entries = []
    for i, field in enumerate(fields):
        parameters.append(f"name{i}")
        if field.read == "typename":
            entries.append(f"name{i}: type_name")
            continue
        if field.read == "attribute":
            assert field.attribute is not None and field.attribute.isidentifier(), field
            body.append(f"        v{i} = value.{field.attribute}")
        else:
            parameters.append(f"read{i}")
            body.append(f"        v{i} = read{i}(value)")
        if field.finish == "enum":
            parameters += [f"enum{i}", f"names{i}", f"finish{i}"]
            entries.append(f"name{i}: names{i}[v{i}] if type(v{i}) is enum{i} else finish{i}(v{i})")
        elif field.finish == "same":
            parameters += [f"same{i}", f"finish{i}"]
            entries.append(f"name{i}: v{i} if type(v{i}) is same{i} else finish{i}(v{i})")
        else:
            parameters.append(f"finish{i}")
            entries.append(f"name{i}: finish{i}(v{i})")
    body.append("        return {" + ", ".join(entries) + "}")
    source = "\n".join([f"def make({', '.join(parameters)}):", *body, "    return complete", ""])
    namespace: dict[str, Any] = {}
    # the source holds only the schema's attribute names, checked above
    exec(compile(source, "<completer>", "exec"), namespace)
    factory: Callable[..., Completer] = namespace["make"]
    return factory
