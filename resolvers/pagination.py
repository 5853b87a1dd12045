"""Relay-style connections: ``edges { cursor node }``, ``nodes``, ``pageInfo``, ``totalCount``.

Edges are the store's own ``Edge`` records; ``totalCount`` is computed only
when asked, through a counting loader. Paging is forward only: ``hasPreviousPage``
is true exactly when ``after`` was given (SPEC §5).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from resolvers.limits import MAX_FIRST
from store.records import Edge as EdgeRecord
from store.records import Page

T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page size: how many items to return, from 0 to {MAX_FIRST} (more is "
        "BAD_USER_INPUT); null or absent means the default shown here."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Return the items after this cursor: the endCursor (or an edge's cursor) "
        "of a page of this same list; absent: from the start. Cursors are opaque and stay "
        "valid while new data arrives."
    ),
]


@strawberry.type(description="Where a page sits in its list, and the cursors to page on.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when items follow this page: ask again with after: endCursor."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null for an empty page."
    )
    has_previous_page: bool = strawberry.field(
        description="True exactly when the page was asked for with after (paging is forward "
        "only: items come before it)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )


@strawberry.type(description="One item of a page and its position in the list.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as after to get the items after it."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list, Relay-style: the items as edges (with cursors) or "
    "as plain nodes, the paging state, and the size of the whole list."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="The page's items, in the list's order, without cursors."
    )
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="How many items every page together holds (the whole list for the "
        "same arguments, not just this page)."
    )
    async def total_count(self) -> int:
        return await self.count()


def connection(
    page: Page[T], count: Callable[[], Awaitable[int]], after: str | None = None
) -> Connection[T]:
    """The connection of a store page; ``after`` is the cursor the page was asked after."""
    edges: list[EdgeRecord[T]] = page.edges
    return Connection(
        edges=edges,  # type: ignore[arg-type]  # store edges resolve the same fields
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
        ),
        count=count,
    )
