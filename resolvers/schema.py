"""The assembled schema; ``schema.graphql`` is exported from it."""

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult

from resolvers.complexity import QueryLimits
from resolvers.connection_log import ConnectionLogType
from resolvers.context import Context
from resolvers.cost import QueryCost
from resolvers.fastpath.execution import FastExecutionContext
from resolvers.masking import mask_errors, new_request_id
from resolvers.query import Query
from resolvers.scalars import DATETIME_SCALAR, DateTime
from resolvers.sent_message import SentMessageType


class IntrospectionSwitch(SchemaExtension):
    """Refuses ``__schema`` and ``__type`` (a validation error) when the request's
    context turns introspection off; ``__typename`` stays allowed."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        if not getattr(ctx.context, "introspection", True):
            ctx.validation_rules = (*ctx.validation_rules, NoSchemaIntrospectionCustomRule)
        yield


class OperationName(SchemaExtension):
    """Leaves the name of the operation about to run on the request's context."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if isinstance(ctx.context, Context):
            ctx.context.operation_name = ctx.operation_name
        yield


class TrackingSchema(strawberry.Schema):
    """Masks internal errors on every result, whatever raised them (see ``resolvers.masking``).

    Masking here rather than in an extension also covers exceptions raised by
    extensions and validation rules, which skip the extensions' exit hooks."""

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            context = kwargs.get("context_value", args[2] if len(args) > 2 else None)
            request_id = getattr(context, "request_id", None) or new_request_id()
            result.errors = mask_errors(result.errors, request_id)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error here, the client's mistakes included: internal
        errors are logged once, with their request id, by ``mask_errors``."""


schema = TrackingSchema(
    query=Query,
    types=[ConnectionLogType, SentMessageType],
    # The caches come last: the limits (a token count before parsing, a rule per
    # variables in validation) run first, and the validation cache keys on the rules.
    extensions=[
        QueryLimits,
        QueryCost,
        IntrospectionSwitch,
        OperationName,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
    config=StrawberryConfig(scalar_map={DateTime: DATETIME_SCALAR}),
    execution_context_class=FastExecutionContext,
)
