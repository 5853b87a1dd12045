"""Query limits checked before execution (SPEC §5): tokens, depth, aliases and the
estimated node count, each answered with ``QUERY_TOO_COMPLEX``.

* Tokens are counted before parsing, so an oversized document is never parsed.
* Depth, aliases and the node estimate come from one walk of the operation that
  will run, inside graphql-core validation (a rule built per request, because
  the estimate needs the request's variables). Depth counts the fields on the
  longest path, the leaf included. Aliases count every aliased field once per
  place it is spread. The node estimate is the sum, over every field with a
  ``first`` argument, of the product of the ``first`` values along its path: a
  literal, else the variable's value, else the variable's default, else the
  schema's default for the argument; clamped to ``[0, MAX_FIRST]`` (a value out
  of range is the resolver's ``BAD_USER_INPUT``).
* Fragments are walked once each and their totals reused, so a document whose
  fragments spread each other many times costs a linear walk, not an exponential one.

None of this depends on how the operation is executed afterwards.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ConstValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.language import Lexer, Source, TokenKind
from strawberry.extensions import SchemaExtension

from resolvers.errors import BadRequest, QueryTooComplex
from resolvers.limits import MAX_ALIASES, MAX_DEPTH, MAX_ESTIMATED_NODES, MAX_FIRST, MAX_TOKENS

_PAGE_SIZE_ARG = "first"


@dataclass(frozen=True, slots=True)
class Cost:
    depth: int = 0
    aliases: int = 0
    nodes: int = 0
    """Estimated nodes under a selection set, for a multiplier of 1."""


def count_tokens(query: str, stop_after: int) -> int:
    """Tokens of ``query`` (comments excluded), counting no further than ``stop_after + 1``.

    A syntax error ends the count: the parser reports it."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF and count <= stop_after:
            count += 1
    except GraphQLSyntaxError:
        pass
    return count


_CACHED_DOCUMENT_CHARS = 16_384
"""Token counts of documents up to this size are remembered (the same few
documents come back again and again); larger ones are counted every time, so
the cache never holds more than a few MiB."""


@lru_cache(maxsize=256)
def _cached_token_count(query: str) -> int:
    return count_tokens(query, MAX_TOKENS)


def too_many_tokens(query: str) -> bool:
    if len(query) <= _CACHED_DOCUMENT_CHARS:
        return _cached_token_count(query) > MAX_TOKENS
    return count_tokens(query, MAX_TOKENS) > MAX_TOKENS


class Walker:
    """Walks the operations of one document; the rule below and ``resolvers.cost`` use it."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.defaults: dict[str, ConstValueNode | None] = {}
        self._fragment_costs: dict[str, Cost] = {}
        self._in_progress: set[str] = set()

    def operation(self, op: OperationDefinitionNode) -> Cost:
        self.defaults = {
            d.variable.name.value: d.default_value for d in op.variable_definitions or ()
        }
        return self.selection_set(op.selection_set, self.schema.get_root_type(op.operation))

    def selection_set(self, selections: SelectionSetNode | None, parent: Any) -> Cost:
        depth = aliases = nodes = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                cost = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                cost = self.selection_set(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                cost = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            depth = max(depth, cost.depth)
            aliases += cost.aliases
            nodes += cost.nodes
        return Cost(depth, aliases, nodes)

    def fragment(self, name: str) -> Cost:
        if name in self._fragment_costs:
            return self._fragment_costs[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._in_progress:  # unknown or cyclic: validation says
            return Cost()
        self._in_progress.add(name)
        cost = self.selection_set(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self._in_progress.discard(name)
        self._fragment_costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: Any) -> Cost:
        definition: GraphQLField | None = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        child_type = get_named_type(definition.type) if definition else None
        child = self.selection_set(node.selection_set, child_type)
        nodes = child.nodes
        if definition is not None and _PAGE_SIZE_ARG in definition.args:
            first = self.page_size(node, definition)
            nodes = first + first * child.nodes
        return Cost(1 + child.depth, child.aliases + (node.alias is not None), nodes)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        value = definition.args[_PAGE_SIZE_ARG].default_value
        for arg in node.arguments or ():
            if arg.name.value != _PAGE_SIZE_ARG:
                continue
            literal: ValueNode | None = arg.value
            if isinstance(literal, VariableNode):
                name = literal.name.value
                if name in self.variables:
                    given = self.variables[name]
                    if given is not None:
                        value = given
                else:
                    literal = self.defaults.get(name)
            if isinstance(literal, IntValueNode):
                value = int(literal.value)
            elif isinstance(literal, NullValueNode):
                pass  # null means the field's default
        if not isinstance(value, int) or isinstance(value, bool):
            return MAX_FIRST
        return min(max(value, 0), MAX_FIRST)


SEVERAL_OPERATIONS = "operationName: the document has several operations; name the one to run"
_MAX_CACHED_VARIABLES = 64
VariablesKey = tuple[tuple[str, int | str | None], ...]


def _limits_rule(variables: Mapping[str, Any], operation_name: str | None) -> type[ValidationRule]:
    """The rule for a request, the same class for the same variables and operation name,
    so that the schema's validation cache answers a repeated request.

    The cache keys only on what can change an estimate (each variable's name, and
    its value when an int, clamped as a page size is; null or "other" else): a few
    bytes a request, never the variables' payload, which may be up to the body limit."""
    if len(variables) > _MAX_CACHED_VARIABLES:
        return _new_limits_rule(variables, operation_name)
    key = tuple(
        sorted(
            (str(name), _page_size_of(value) if type(value) is int else _shape(value))
            for name, value in variables.items()
        )
    )
    return _cached_limits_rule(key, operation_name)


def _page_size_of(value: int) -> int:
    return min(max(value, 0), MAX_FIRST)


def _shape(value: object) -> str | None:
    return None if value is None else "other"


@lru_cache(maxsize=256)
def _cached_limits_rule(
    variables: VariablesKey, operation_name: str | None
) -> type[ValidationRule]:
    return _new_limits_rule(dict(variables), operation_name)


def _new_limits_rule(
    variables: Mapping[str, Any], operation_name: str | None
) -> type[ValidationRule]:
    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            walker = Walker(context.schema, context.document, variables)
            operations = [
                op for op in context.document.definitions if isinstance(op, OperationDefinitionNode)
            ]
            if operation_name is None and len(operations) > 1:
                context.report_error(BadRequest(SEVERAL_OPERATIONS))
                return
            for op in operations:
                if operation_name is not None and (op.name and op.name.value) != operation_name:
                    continue
                for message in exceeded(walker.operation(op)):
                    context.report_error(QueryTooComplex(message))

    return QueryLimitsRule


def exceeded(cost: Cost) -> list[str]:
    """A message for every limit ``cost`` breaks."""
    messages = []
    if cost.depth > MAX_DEPTH:
        messages.append(f"query depth {cost.depth} exceeds the limit of {MAX_DEPTH}")
    if cost.aliases > MAX_ALIASES:
        messages.append(f"{cost.aliases} aliases exceed the limit of {MAX_ALIASES}")
    if cost.nodes > MAX_ESTIMATED_NODES:
        messages.append(
            f"estimated node count {cost.nodes:,} exceeds the limit of {MAX_ESTIMATED_NODES:,}"
        )
    return messages


class QueryLimits(SchemaExtension):
    """Rejects, before execution, a document over any limit of ``resolvers.limits``."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        variables = ctx.variables if isinstance(ctx.variables, Mapping) else {}
        rule = _limits_rule(variables, ctx.operation_name)
        ctx.validation_rules = (*ctx.validation_rules, rule)
        yield

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query and too_many_tokens(query):
            raise QueryTooComplex(f"the document has more than {MAX_TOKENS:,} tokens (the limit)")
        yield
