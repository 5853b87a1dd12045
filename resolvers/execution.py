"""An execution path that skips graphql-core's per-field machinery for plain fields.

graphql-core resolves every field the same way: it builds a ``GraphQLResolveInfo``,
calls the resolver (Strawberry's wrapper around ``getattr``), checks for an
awaitable, then walks ``complete_value`` (non-null, list, leaf) to serialise the
value: about 4 µs a field, which made the console query several times slower
than fetching and serialising the same records by hand.

:class:`FastExecutionContext` overrides ``execute_fields`` only. For each field of
an object type it looks up a plan, built once per type from the Strawberry
definitions, and resolves these fields inline:

* a leaf (scalar or enum) with Strawberry's default resolver: the attribute of
  the source object, serialised by the field's own type;
* a leaf whose resolver is a plain sync function of its parent (parameters
  ``self``, ``root`` or a ``Parent`` only: no arguments, no ``info``, no
  extensions): that function's result, serialised the same way.

Everything else goes to graphql-core's own ``execute_field``: fields with
arguments, ``info`` or async resolvers, objects and lists, ``__typename``, and
any plain field whose value is not simply serialisable (a None on a non-null
field, a value the type refuses, an exception). That path computes the value
again and raises, nulls and locates the error exactly as GraphQL defines it.
Field collection (fragments, aliases, ``@include``/``@skip``, merging) has
happened before ``execute_fields`` is called and is untouched, so the response
is the same document, in the same order, as the plain executor's. With an
extension that wraps resolvers (``resolve`` hooks, i.e. middleware) or during
incremental delivery, the plain path runs for every field.

``TRACKING_GRAPHQL_FAST_PATH=0`` turns the fast path off (the tests run the
whole GraphQL suite both ways).
"""

import os
from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_PLAIN_TYPES: frozenset[type] = frozenset({str, int, float, bool})
"""Values that are never awaitable; enum members are added per field."""


class _Plan(NamedTuple):
    attribute: str | None
    """The source's attribute (default resolver), or None when ``call`` computes it."""
    call: Callable[[Any], Any] | None
    leaf: GraphQLLeafType
    non_null: bool
    plain: frozenset[type]
    """Value types serialised inline; anything else takes graphql-core's path."""
    names: dict[Any, Any] | None
    """For an enum: each member's serialised name, computed once by the type itself."""


def _leaf_of(field_type: GraphQLOutputType) -> tuple[GraphQLLeafType, bool] | None:
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    return (inner, non_null) if is_leaf_type(inner) else None


def _parent_call(field: StrawberryField) -> Callable[[Any], Any] | None:
    """A resolver that is a plain function of its parent, as a one-argument callable."""
    resolver = field.base_resolver
    if resolver is None or resolver.is_async or field.extensions or field.arguments:
        return None
    if resolver.info_parameter is not None:
        return None
    parents = (resolver.parent_parameter, resolver.root_parameter)
    reserved = list({p.name: p for p in parents if p is not None}.values())
    if len(resolver.signature.parameters) != len(reserved) + bool(resolver.self_parameter):
        return None  # a parameter Strawberry fills in some other way
    func = resolver.wrapped_func
    names = [p.name for p in reserved]
    with_self = resolver.self_parameter is not None

    def call(source: Any) -> Any:
        kwargs = dict.fromkeys(names, source)
        return func(source, **kwargs) if with_self else func(**kwargs)

    return call


def _plan(field: GraphQLField) -> _Plan | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    leaf = _leaf_of(field.type)
    if leaf is None:
        return None
    plain, names = _PLAIN_TYPES, None
    members = getattr(leaf[0], "wrapped_cls", None)  # a Strawberry enum: its Python enum
    if isinstance(members, type) and issubclass(members, Enum):
        plain, names = frozenset({members}), _enum_names(leaf[0], members)
    if definition.is_basic_field:
        if definition.default_resolver is not getattr:
            return None
        return _Plan(definition.python_name, None, leaf[0], leaf[1], plain, names)
    call = _parent_call(definition)
    return None if call is None else _Plan(None, call, leaf[0], leaf[1], plain, names)


def _enum_names(leaf: GraphQLLeafType, members: type[Enum]) -> dict[Any, Any]:
    """``leaf.coerce_output_value`` of every member (a linear search each time in
    Strawberry), computed once; a member it refuses is left to graphql-core."""
    names = {}
    for member in members:
        try:
            names[member] = leaf.coerce_output_value(member)
        except Exception:  # refused: graphql-core's path reports it
            continue
    return names


_PLANS: dict[GraphQLObjectType, dict[str, _Plan] | None] = {}


def plans_of(parent_type: GraphQLObjectType) -> dict[str, _Plan] | None:
    """The inline plans of a type's fields by name (built once), None when it has none."""
    try:
        return _PLANS[parent_type]
    except KeyError:
        pass
    plans = {name: p for name, f in parent_type.fields.items() if (p := _plan(f)) is not None}
    _PLANS[parent_type] = plans or None
    return plans or None


def enabled() -> bool:
    return os.environ.get("TRACKING_GRAPHQL_FAST_PATH", "1") != "0"


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with plain leaf fields resolved inline (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._inline = enabled() and not (middleware and middleware.middlewares)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plans = plans_of(parent_type) if self._inline and position_context is None else None
        if plans is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for response_name, field_details_list in grouped_field_set.items():
            plan = plans.get(field_details_list[0].node.name.value)
            if plan is not None:
                try:
                    if plan.call is None:
                        value = getattr(source_value, plan.attribute)  # type: ignore[arg-type]
                    else:
                        value = plan.call(source_value)
                    if value is None:
                        if not plan.non_null:
                            results[response_name] = None
                            continue
                    elif type(value) in plan.plain:
                        if plan.names is None:
                            coerced = plan.leaf.coerce_output_value(value)
                        else:
                            coerced = plan.names.get(value)
                        if coerced is not None and coerced is not Undefined:
                            results[response_name] = coerced
                            continue
                except Exception:  # graphql-core's path below reports it
                    pass
            results[response_name] = _PENDING
            rest[response_name] = field_details_list
        if not rest:
            return results
        # graphql-core's own path for the rest, all at once (its awaitables run together)
        computed = super().execute_fields(parent_type, source_value, path, rest, None)
        if self.is_awaitable(computed):

            async def merge() -> dict[str, Any]:
                return _merged(results, await computed)  # type: ignore[misc]

            return merge()
        return _merged(results, computed)  # type: ignore[arg-type]


_PENDING = object()


def _merged(results: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """The response in field order: inline values and graphql-core's, less the fields
    graphql-core left out."""
    return {
        name: computed[name] if value is _PENDING else value
        for name, value in results.items()
        if value is not _PENDING or name in computed
    }
