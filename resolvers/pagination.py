"""Relay-style connections: ``edges { cursor node }``, ``nodes``, ``pageInfo``, ``totalCount``.

Edges are the store's own ``Edge`` records; ``totalCount`` is computed only
when asked, through a counting loader.
"""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from store.records import Edge as EdgeRecord
from store.records import Page

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items every page together holds.")
    async def total_count(self) -> int:
        return await self.count()


def connection(page: Page[T], count: Callable[[], Awaitable[int]]) -> Connection[T]:
    end = page.edges[-1].cursor if page.edges else None
    edges: list[EdgeRecord[T]] = page.edges
    return Connection(
        edges=edges,  # type: ignore[arg-type]  # store edges resolve the same fields
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=end),
        count=count,
    )
