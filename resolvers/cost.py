"""``extensions.cost`` on every result (SPEC §10): the estimated node count of
section 5 and its limit, so that a partner sees what a query costs before the
limit refuses it.

The estimate is the limits walk of ``resolvers.complexity`` over the operation
that runs (or would have run), with the request's variables. It is computed
here, not taken from the validation rule, because the validation cache answers
a repeated document without running the rule. A document that does not parse,
or names no runnable operation, costs 0: nothing of it can run.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from resolvers.complexity import Walker
from resolvers.limits import MAX_ESTIMATED_NODES


def estimated_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any],
    operation_name: str | None,
) -> int:
    """The node estimate of the operation ``operation_name`` selects (0 when none does)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [op for op in operations if op.name and op.name.value == operation_name]
    if len(operations) != 1:
        return 0
    return Walker(schema, document, variables).operation(operations[0]).nodes


def cost_extension(nodes: int) -> dict[str, Any]:
    """The ``cost`` entry of a response's ``extensions``."""
    return {"cost": {"estimatedNodes": nodes, "nodeLimit": MAX_ESTIMATED_NODES}}


class QueryCost(SchemaExtension):
    """Adds ``extensions.cost`` to every result, errors included."""

    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self.nodes = 0

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            variables = ctx.variables if isinstance(ctx.variables, Mapping) else {}
            self.nodes = estimated_nodes(
                ctx.schema._schema, ctx.graphql_document, variables, ctx.operation_name
            )
        yield

    def get_results(self) -> dict[str, Any]:
        return cost_extension(self.nodes)
