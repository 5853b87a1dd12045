"""Resolvers called without Strawberry's per-call wrappers, for the fast execution path.

For a field with a resolver, Strawberry's ``_resolver`` builds an ``Info``, then
runs ``get_arguments`` (a conversion of every argument by its annotation and a
rename to Python names), an extension chain and ``get_result``: about 10 µs a
call, paid by every message of a console page for ``receipts``,
``receiptSummary`` and ``statusSettled``. For the simple case these layers do
nothing but rename: a sync resolver, no field extensions or permission classes,
no exception handlers, and arguments that are scalars or enums (maybe
optional), which ``convert_argument`` hands over unchanged. :func:`lean_resolvers`
maps such fields' Strawberry resolvers to a direct call of the same function
with the same arguments: the renamed GraphQL arguments, the parent for
``self``/``root``/``Parent``, an ``Info`` for ``info``. graphql-core still
coerces the arguments, applies the defaults, awaits, completes values and
handles errors as for any resolver.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

Resolver = Callable[..., Any]
F = TypeVar("F", bound=Callable[..., Any])

REPEATABLE = "__repeatable_resolver__"


def repeatable(func: F) -> F:
    """Mark a sync resolver that the fast execution path may call inline
    (``resolvers.fastpath.execution``), and call again when its first answer
    cannot be used there (an awaitable still to come, an error to report): it
    reads only its parent, its arguments, the context and the dataloaders, so
    that a second call finds what the first one asked for."""
    setattr(func, REPEATABLE, True)
    return func


def _plain_argument(graphql_type: Any, annotation: Any) -> bool:
    """An argument ``convert_argument`` hands over as it is: a scalar or an enum."""
    if isinstance(annotation, StrawberryMaybe):
        return False
    if isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(inner, GraphQLEnumType):
        return True
    return isinstance(inner, GraphQLScalarType) and inner.name != "GlobalID"


def _lean(
    field: StrawberryField, graphql_args: dict[str, Any], info_class: type
) -> Resolver | None:
    resolver = field.base_resolver
    if resolver is None or resolver.is_async or field.extensions:
        return None
    if getattr(field, "permission_classes", None):
        return None
    python_names: dict[str, str] = {}
    for graphql_name, graphql_argument in graphql_args.items():
        argument = (graphql_argument.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(argument, StrawberryArgument) or argument.python_name is None:
            return None
        if not _plain_argument(graphql_argument.type, argument.type):
            return None
        python_names[graphql_name] = argument.python_name
    if len(python_names) != len(field.arguments):
        return None
    parents = {p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p}
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    expected = len(python_names) + len(parents) + bool(info_name) + bool(resolver.self_parameter)
    if len(resolver.signature.parameters) != expected:
        return None  # a parameter Strawberry fills in some other way
    func = resolver.wrapped_func
    if not callable(func):  # an unbound classmethod: Strawberry's own call refuses it too
        return None
    with_self = resolver.self_parameter is not None

    def lean(source: Any, info: GraphQLResolveInfo[object], **kwargs: Any) -> Any:
        call = {python_names[name]: value for name, value in kwargs.items()}
        for name in parents:
            call[name] = source
        if info_name is not None:
            call[info_name] = info_class(_raw_info=info, _field=field)
        return func(source, **call) if with_self else func(**call)

    return lean


_CACHE: dict[int, tuple[GraphQLSchema, dict[Resolver, Resolver]]] = {}


def lean_resolvers(schema: GraphQLSchema) -> dict[Resolver, Resolver]:
    """Strawberry's resolver -> its lean replacement, for every field that has one
    (built once a schema; none when the schema has exception handlers)."""
    found = _CACHE.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    table: dict[Resolver, Resolver] = {}
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    config = getattr(strawberry_schema, "config", None)
    info_class = getattr(config, "info_class", None) or Info
    if getattr(strawberry_schema, "exception_handlers", ()):
        _CACHE[id(schema)] = (schema, table)
        return table
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for graphql_field in named.fields.values():
            definition = (graphql_field.extensions or {}).get(
                GraphQLCoreConverter.DEFINITION_BACKREF
            )
            if not isinstance(definition, StrawberryField) or graphql_field.resolve is None:
                continue
            lean = _lean(definition, graphql_field.args, info_class)
            if lean is not None:
                table[graphql_field.resolve] = lean
    _CACHE[id(schema)] = (schema, table)
    return table


class LeanResolvers:
    """A stand-in for graphql-core's middleware manager (the executor asks it for
    every field's resolver): the lean resolver where there is one."""

    def __init__(self, table: dict[Resolver, Resolver]) -> None:
        self._table = table
        self.middlewares = ()

    def get_field_resolver(self, field_resolver: Resolver) -> Resolver:
        return self._table.get(field_resolver, field_resolver)
