"""An execution path that skips graphql-core's per-field machinery for plain fields.

graphql-core resolves every field the same way: it builds a ``GraphQLResolveInfo``,
calls the resolver (Strawberry's wrapper around ``getattr``), checks for an
awaitable, then walks ``complete_value`` (non-null, list, object, leaf): about
4 µs a field, and more for each object of a list, which made the console query
several times slower than fetching and serialising the same records by hand.

:class:`FastExecutionContext` overrides ``execute_fields`` only. Each object
type gets, once, a *plan* for each of its plain fields: fields without
arguments whose value is the source's attribute (Strawberry's default resolver)
or a plain sync function of the parent (parameters ``self``, ``root`` or a
``Parent`` only: no arguments, no ``info``, no extensions), or a sync resolver
marked :func:`~resolvers.fastpath.lean.repeatable` that has a lean call (its
arguments coerced once for each place in the document, an ``Info`` of its own;
an awaitable or an error it returns sends the field to graphql-core, which calls
it again). Such a field is resolved inline:

* a leaf (scalar or enum): the value serialised by the field's own type (enum
  names computed once per member by that same type);
* an object or a list of objects whose whole sub-selection is plain fields
  (and ``__typename``), on a type whose ``is_type_of``, if any, answers True at
  once (called without an ``info``): completed recursively the same way, into
  the same dicts graphql-core would build, by completers made once a place of
  the document (objects by functions compiled once a shape of selection:
  ``resolvers.fastpath.compiled``).

Anything else goes to graphql-core's own ``execute_field``: fields with
arguments, ``info`` or async resolvers, ``__typename`` at the top, interfaces,
and any plain field whose value is not simply serialisable (a None on a
non-null field, a value its type refuses or coerces oddly, something not a
list where a list is due, an awaitable, an exception). Inline work is pure (an
attribute read, a pure function, a serialiser) or repeatable (a resolver that
reads the context and dataloaders, whose second call finds what the first
asked for), so abandoning it leaves no trace that matters: graphql-core then
computes the field again and raises, nulls and
locates any error exactly as GraphQL defines it. Field collection (fragments,
aliases, ``@include``/``@skip``, merging) is graphql-core's own, done before
``execute_fields`` and for sub-selections by its memoised ``collect_subfields``,
so the response is the same document, in the same order. With an extension
that wraps resolvers (``resolve`` hooks, i.e. middleware) or during incremental
delivery, the plain path runs for every field.

The fields graphql-core does resolve call simple sync resolvers directly, past
Strawberry's per-call wrappers (``resolvers.fastpath.lean``).

``TRACKING_GRAPHQL_FAST_PATH=0`` turns the fast path off (the tests run the
whole GraphQL suite both ways).
"""

import asyncio
import builtins
import inspect
import os
from collections.abc import Callable
from enum import Enum
from keyword import iskeyword
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from resolvers.fastpath import compiled
from resolvers.fastpath.compiled import Completer
from resolvers.fastpath.later import drop
from resolvers.fastpath.lean import REPEATABLE, LeanResolvers, Resolver, lean_resolvers

_PLAIN_TYPES: frozenset[type] = frozenset({str, int, float, bool})
"""Values that are never awaitable; enum members are added per field."""


class _Impure(Exception):
    """This field is not for the inline path: graphql-core's own path resolves it."""


class _Leaf(NamedTuple):
    type: GraphQLLeafType
    plain: frozenset[builtins.type]
    """Value types serialised inline; anything else takes graphql-core's path."""
    names: dict[Any, Any] | None
    """For an enum: each member's serialised name, computed once by the type itself."""
    same: builtins.type | None
    """The value type the type serialises to itself (graphql-core's String and ID:
    ``str``; Boolean: ``bool``), returned as it is."""


_UNCHANGED: dict[GraphQLLeafType, builtins.type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
}


class _Plan(NamedTuple):
    attribute: str | None
    """The source's attribute (default resolver), or None when ``call`` or ``lean``
    computes it."""
    call: Callable[[Any], Any] | None
    lean: Resolver | None
    """A repeatable resolver's lean call: ``lean(source, info, **arguments)``."""
    field: GraphQLField
    type: GraphQLOutputType
    leaf: _Leaf | None
    """For a leaf field: how to serialise it."""
    non_null: bool


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
    if not callable(func):  # an unbound classmethod: Strawberry's own call refuses it too
        return None
    names = [p.name for p in reserved]
    with_self = resolver.self_parameter is not None

    def call(source: Any) -> Any:
        kwargs = dict.fromkeys(names, source)
        return func(source, **kwargs) if with_self else func(**kwargs)

    return call


_LEAVES: dict[GraphQLLeafType, _Leaf] = {}


def _leaf(leaf_type: GraphQLLeafType) -> _Leaf:
    found = _LEAVES.get(leaf_type)
    if found is None:
        plain, names = _PLAIN_TYPES, None
        members = getattr(leaf_type, "wrapped_cls", None)  # a Strawberry enum's Python enum
        if isinstance(members, type) and issubclass(members, Enum):
            plain, names = frozenset({members}), _enum_names(leaf_type, members)
        same = _UNCHANGED.get(leaf_type)
        found = _LEAVES[leaf_type] = _Leaf(leaf_type, plain, names, same)
    return found


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


def _plan(field: GraphQLField, leans: dict[Resolver, Resolver]) -> _Plan | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    if isinstance(field.type, GraphQLNonNull):
        non_null, inner = True, field.type.of_type
    else:
        non_null, inner = False, field.type
    leaf = _leaf(inner) if is_leaf_type(inner) else None
    if definition.is_basic_field:
        if definition.default_resolver is not getattr or field.args:
            return None
        return _Plan(definition.python_name, None, None, field, field.type, leaf, non_null)
    call = None if field.args else _parent_call(definition)
    if call is not None:
        return _Plan(None, call, None, field, field.type, leaf, non_null)
    resolver = definition.base_resolver
    lean = leans.get(field.resolve) if field.resolve is not None else None
    if lean is None or resolver is None or not getattr(resolver.wrapped_func, REPEATABLE, False):
        return None
    return _Plan(None, None, lean, field, field.type, leaf, non_null)


_PLANS: dict[GraphQLObjectType, dict[str, _Plan] | None] = {}


def plans_of(
    parent_type: GraphQLObjectType, leans: dict[Resolver, Resolver]
) -> dict[str, _Plan] | None:
    """The inline plans of a type's fields by name (built once), None when it has
    none. ``leans`` is the schema's table of lean resolvers (one schema a type)."""
    try:
        return _PLANS[parent_type]
    except KeyError:
        pass
    plans = {n: p for n, f in parent_type.fields.items() if (p := _plan(f, leans)) is not None}
    _PLANS[parent_type] = plans or None
    return plans or None


def _finisher(leaf: _Leaf, non_null: bool) -> Completer:
    def finish(value: Any) -> Any:
        return _serialize(leaf, value, non_null)

    return finish


def _serialize(leaf: _Leaf, value: Any, non_null: bool) -> Any:
    """A leaf value as graphql-core would complete it, or :class:`_Impure`."""
    if type(value) is leaf.same:
        return value
    if value is None:
        if non_null:
            raise _Impure
        return None
    if type(value) not in leaf.plain:
        raise _Impure
    coerced = leaf.type.coerce_output_value(value) if leaf.names is None else leaf.names.get(value)
    if coerced is None or coerced is Undefined:
        raise _Impure
    return coerced


_OVERRIDDEN = {
    "execute_fields": ("self", "parent_type", "source_value", "path", "grouped_field_set",
                       "position_context"),
    "execute_field": None,
    "collect_subfields": ("self", "return_type", "field_details_list"),
    "is_awaitable": None,
    "execute_operation": ("self", "serially"),
    "build_resolve_info": ("self", "field_def", "field_nodes", "parent_type", "path"),
}  # fmt: skip
"""The executor's methods this module overrides or calls, with the parameters it
passes (None: only that the method exists): graphql-core internals, pinned in
pyproject.toml, checked here so that an upgrade fails loudly at import."""


def _check_executor(executor: type) -> None:
    for name, parameters in _OVERRIDDEN.items():
        method = getattr(executor, name, None)
        if method is None:
            raise ImportError(
                f"the fast execution path needs {executor.__name__}.{name}, which this"
                " graphql-core/strawberry-graphql release lacks: install the versions"
                " pyproject.toml pins, or set TRACKING_GRAPHQL_FAST_PATH=0"
            )
        if parameters is not None and tuple(inspect.signature(method).parameters) != parameters:
            raise ImportError(
                f"the fast execution path overrides {executor.__name__}.{name}{parameters},"
                f" but this release has {name}{inspect.signature(method)}: install the"
                " versions pyproject.toml pins, or set TRACKING_GRAPHQL_FAST_PATH=0"
            )


def enabled() -> bool:
    return os.environ.get("TRACKING_GRAPHQL_FAST_PATH", "1") != "0"


if enabled():
    _check_executor(StrawberryGraphQLCoreExecutionContext)


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with plain fields resolved inline (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self._inline = enabled() and not (middleware and middleware.middlewares)
        self._leans: dict[Resolver, Resolver] = {}
        if self._inline:  # no extension wraps resolvers: call the simple ones directly
            self._leans = lean_resolvers(self.schema)
            self.middleware_manager = LeanResolvers(self._leans)  # type: ignore[assignment]  # it stands in for the MiddlewareManager
        self._arguments: dict[int, tuple[FieldDetailsList, list[FieldNode], dict[str, Any]]] = {}
        self._completers: dict[tuple[int, int], tuple[Any, Completer | None]] = {}

    def execute_operation(self, serially: bool | None = None) -> Any:
        """The operation's result once the work graphql-core left settling in the
        background (the siblings of a failed non-null field) has ended too, so that a
        request leaves nothing running on the event loop after its answer."""
        result = super().execute_operation(serially)
        background: set[asyncio.Future[Any]] = self.background_futures
        if not self.is_awaitable(result) and not background:
            return result

        async def settled() -> Any:
            try:
                return await result if self.is_awaitable(result) else result
            finally:
                while background:
                    await asyncio.wait(list(background))

        return settled()

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        inline = self._inline and position_context is None
        plans = plans_of(parent_type, self._leans) if inline else None
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
                    # the completer first: a selection that cannot be completed inline
                    # goes to graphql-core before its resolver ran here for nothing
                    leaf = plan.leaf
                    finish = None if leaf else self._completer(plan.type, field_details_list)
                    if plan.attribute is not None:
                        value = getattr(source_value, plan.attribute)
                    elif plan.call is not None:
                        value = plan.call(source_value)
                    else:
                        at = Path(path, response_name, parent_type.name)
                        value = self._resolve(
                            plan, parent_type, source_value, field_details_list, at
                        )
                    if leaf is not None:
                        results[response_name] = _serialize(leaf, value, plan.non_null)
                    else:
                        results[response_name] = finish(value)  # type: ignore[misc]  # made above for a non-leaf
                    continue
                except Exception:  # _Impure or a failure: graphql-core's path reports it
                    pass
            results[response_name] = _PENDING
            rest[response_name] = field_details_list
        if not rest:
            return results
        # graphql-core's own path for the rest, all at once (its awaitables run together)
        computed = super().execute_fields(parent_type, source_value, path, rest, None)
        if self.is_awaitable(computed):

            async def merge() -> dict[str, Any]:
                return _merged(results, await computed)

            return merge()
        return _merged(results, computed)  # type: ignore[arg-type]  # not awaitable: a dict

    def _completer(self, field_type: GraphQLOutputType, field_details_list: Any) -> Completer:
        """How to complete a value of ``field_type`` at this place of the document
        (made once a request; :class:`_Impure` when it cannot be done inline)."""
        key = (id(field_type), id(field_details_list))
        found = self._completers.get(key)
        if found is None:
            try:
                made: Completer | None = self._make_completer(field_type, field_details_list)
            except _Impure:
                made = None
            # the list is kept alive with its completer, so that its id is not reused
            found = self._completers[key] = (field_details_list, made)
        if found[1] is None:
            raise _Impure
        return found[1]

    def _make_completer(self, field_type: GraphQLOutputType, field_details_list: Any) -> Completer:
        if isinstance(field_type, GraphQLNonNull):
            non_null, inner = True, field_type.of_type
        else:
            non_null, inner = False, field_type
        if isinstance(inner, GraphQLList):
            item = self._completer(inner.of_type, field_details_list)

            def complete_list(value: Any) -> Any:
                if value is None:
                    if non_null:
                        raise _Impure
                    return None
                if type(value) is not list and type(value) is not tuple:
                    raise _Impure
                return [item(v) for v in value]

            return complete_list
        if isinstance(inner, GraphQLObjectType):
            complete_object = self._object_completer(inner, field_details_list)
            if non_null:
                return complete_object
            return lambda value: None if value is None else complete_object(value)
        if is_leaf_type(inner):
            return _finisher(_leaf(inner), non_null)
        raise _Impure  # an interface or a union: graphql-core resolves the type

    def _object_completer(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> Completer:
        """A compiled completer of ``object_type``'s plain selection here
        (``resolvers.fastpath.compiled``), its callables bound for this request."""
        fields: list[compiled.Field] = []
        bound: list[Any] = [object_type.name]
        for response_name, plan, sub_fields in self._plain_selection(
            object_type, field_details_list
        ):
            bound.append(response_name)
            if plan is None:
                fields.append(compiled.Field("typename", None, "call"))
                continue
            attribute = plan.attribute
            if attribute is not None and attribute.isidentifier() and not iskeyword(attribute):
                read, name = "attribute", attribute
            else:
                read, name = "call", None
                bound.append(self._reader(plan, object_type, sub_fields))
            leaf = plan.leaf
            if leaf is not None and leaf.same is not None:
                fields.append(compiled.Field(read, name, "same"))
                bound += [leaf.same, _finisher(leaf, plan.non_null)]
            elif leaf is not None and leaf.names is not None and len(leaf.plain) == 1:
                [members] = leaf.plain
                fields.append(compiled.Field(read, name, "enum"))
                bound += [members, leaf.names, _finisher(leaf, plan.non_null)]
            elif leaf is not None:
                fields.append(compiled.Field(read, name, "call"))
                bound.append(_finisher(leaf, plan.non_null))
            else:
                fields.append(compiled.Field(read, name, "call"))
                bound.append(self._completer(plan.type, sub_fields))
        shape = (object_type.is_type_of is not None, tuple(fields))
        make = compiled.object_factory(shape)
        return make(_Impure, self.is_awaitable, object_type.is_type_of, *bound)

    def _reader(
        self, plan: _Plan, object_type: GraphQLObjectType, sub_fields: FieldDetailsList
    ) -> Callable[[Any], Any]:
        """How to read a field's value from its object, for a compiled completer."""
        if plan.attribute is not None:
            return attrgetter(plan.attribute)
        if plan.call is not None:
            return plan.call
        return lambda value: self._resolve(plan, object_type, value, sub_fields, None)

    def _resolve(
        self,
        plan: _Plan,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path | None,
    ) -> Any:
        """A repeatable resolver's value, or :class:`_Impure` when it is still to
        come. Its arguments are coerced once for each place in the document (they
        depend only on the node and the request's variables); a bad one raises
        here and graphql-core reports it. ``path`` is None below the top of an
        inline completion: a resolver needs its path only for an error, and
        graphql-core reruns a field that raises."""
        found = self._arguments.get(id(field_details_list))
        if found is None:
            first = field_details_list[0]
            try:
                arguments = get_argument_values(
                    plan.field,
                    first.node,
                    self.variable_values,
                    first.fragment_variable_values,
                    self.hide_suggestions,
                )
            except GraphQLError:
                raise _Impure from None
            nodes = [details.node for details in field_details_list]
            # the list is kept alive with its arguments, so that its id is not reused
            found = self._arguments[id(field_details_list)] = (field_details_list, nodes, arguments)
        info = self.build_resolve_info(plan.field, found[1], parent_type, path)  # type: ignore[arg-type]  # a path is needed only for errors: see above
        value = plan.lean(source, info, **found[2])  # type: ignore[misc]  # a lean plan
        if self.is_awaitable(value):
            drop(value)  # never started: the loads it would await stay cached
            raise _Impure
        return value

    def _plain_selection(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> list[tuple[str, _Plan | None, FieldDetailsList]]:
        """The sub-selection of ``object_type`` when every field in it has a plan, else
        :class:`_Impure`: each field's response name, plan (None for ``__typename``)
        and nodes. Asked once a place a request (its completer is kept: ``_completer``);
        the collection is graphql-core's, memoised by it."""
        plans = plans_of(object_type, self._leans)
        if plans is None:
            raise _Impure
        collected = self.collect_subfields(object_type, field_details_list)
        if collected[1] or collected[2]:
            raise _Impure
        selection = []
        for response_name, fields in collected[0].items():
            name = fields[0].node.name.value
            if name != "__typename" and name not in plans:
                raise _Impure
            selection.append((response_name, plans.get(name), fields))
        return selection


_PENDING = object()


def _merged(results: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """The response in field order: inline values and graphql-core's, less the fields
    graphql-core left out."""
    return {
        name: computed[name] if value is _PENDING else value
        for name, value in results.items()
        if value is not _PENDING or name in computed
    }
