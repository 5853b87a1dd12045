"""Every backend of the store conformance suite (SQLite in a temp dir, MongoDB
on mongomock, a real MongoDB when configured), filled through the ingest parser
and queried through the real schema."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from resolvers.context import build_context
from resolvers.schema import schema
from store.interface import Store
from store.limits import now_ms
from tests.store import wire
from tests.store.conftest import BACKENDS, opened_store


class Graph:
    """Ingest wire events and run GraphQL documents as a read key of ``app``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def ingest(self, *events: dict[str, Any]) -> None:
        await wire.ingest(self.store, list(events), now_ms())

    async def run(
        self, document: str, variables: dict[str, Any] | None = None, app: str = "app-a"
    ) -> ExecutionResult:
        context = build_context(self.store, app)
        return await schema.execute(document, variable_values=variables, context_value=context)

    async def data(
        self, document: str, variables: dict[str, Any] | None = None, app: str = "app-a"
    ) -> dict[str, Any]:
        result = await self.run(document, variables, app)
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data

    async def error_codes(self, document: str, variables: dict[str, Any] | None = None) -> list:
        result = await self.run(document, variables)
        assert result.errors, "expected errors"
        return [(e.extensions or {}).get("code") for e in result.errors]


@pytest.fixture(autouse=True)
def on_both_paths(execution_path: str) -> str:
    """Every resolver test runs on both execution paths (``tests/conftest.py``)."""
    return execution_path


@pytest.fixture(params=sorted(BACKENDS))
async def graph(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Graph]:
    async with opened_store(request.param, tmp_path) as store:
        yield Graph(store)
