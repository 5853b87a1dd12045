"""Object completion compiled to Python, for the inline path's plain selections.

``resolvers.fastpath.execution`` completes an object whose whole selection is
plain fields by walking the selection for every object: for each field, find
its plan, read the value, pick how to finish it. A page of receipts repeats
that walk a few thousand times with the same selection. :func:`object_factory`
turns the walk into source once per *shape* of selection (response names,
how each value is read, how it is finished), compiled once a process; the
executor binds a shape's factory to the callables of one place in one
request's document (sub-completers, resolvers, serialisers), so nothing of a
request outlives it. The generated function reads attributes directly and
builds the response dict in one display, in field order; whatever it cannot
finish raises, and the executor then hands the field to graphql-core, as for
any inline work (see that module).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

Completer = Callable[[Any], Any]


class Field(NamedTuple):
    """One field of a selection's shape."""

    response_name: str
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

_FACTORIES: dict[Shape, Callable[..., Completer]] = {}


def object_factory(shape: Shape) -> Callable[..., Completer]:
    """``make(impure, is_awaitable, type_of, *bound)`` -> the completer of one object
    of that shape; ``bound`` holds, field by field, its reader (``call`` reads) and
    its finisher (``call`` finishes), its value type and serialiser (``same``) or its
    enum, names and serialiser (``enum``), in field order; ``__typename`` needs
    nothing bound but the type's name, bound first."""
    found = _FACTORIES.get(shape)
    if found is None:
        found = _FACTORIES[shape] = _compile(shape)
    return found


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
        if field.read == "typename":
            entries.append(f"{field.response_name!r}: type_name")
            continue
        if field.read == "attribute":
            assert field.attribute is not None and field.attribute.isidentifier(), field
            body.append(f"        v{i} = value.{field.attribute}")
        else:
            parameters.append(f"read{i}")
            body.append(f"        v{i} = read{i}(value)")
        if field.finish == "enum":
            parameters += [f"enum{i}", f"names{i}", f"finish{i}"]
            entries.append(
                f"{field.response_name!r}: names{i}[v{i}] if type(v{i}) is enum{i}"
                f" else finish{i}(v{i})"
            )
        elif field.finish == "same":
            parameters += [f"same{i}", f"finish{i}"]
            entries.append(
                f"{field.response_name!r}: v{i} if type(v{i}) is same{i} else finish{i}(v{i})"
            )
        else:
            parameters.append(f"finish{i}")
            entries.append(f"{field.response_name!r}: finish{i}(v{i})")
    body.append("        return {" + ", ".join(entries) + "}")
    source = "\n".join([f"def make({', '.join(parameters)}):", *body, "    return complete", ""])
    namespace: dict[str, Any] = {}
    # the source holds only response names (as literals) and attribute names checked above
    exec(compile(source, f"<completer {len(_FACTORIES)}>", "exec"), namespace)
    factory: Callable[..., Completer] = namespace["make"]
    return factory
