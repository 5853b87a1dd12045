"""``ConnectionLog``: one connection of a user (or a refused attempt) and what it sent."""

from typing import Any

import strawberry
from strawberry import Parent

from resolvers import ids
from resolvers.context import ContextInfo
from resolvers.enums import ConnectionStatus, DisconnectReason, Platform
from resolvers.errors import BadUserInput
from resolvers.fastpath.selection import asks_directly
from resolvers.limits import MESSAGES_FIRST
from resolvers.node import Node
from resolvers.pagination import Connection, connection
from resolvers.receipts import prefetch_receipts
from resolvers.scalars import DateTime
from resolvers.sent_message import SentMessageType
from resolvers.windows import check_first
from store import records
from store.interface import InvalidCursor
from store.limits import horizon_ms
from store.model import ConnectionStatus as Status


async def _no_count() -> int:
    return 0


@strawberry.type(name="ConnectionLog")
class ConnectionLogType(Node):
    connection_id: str | None = strawberry.field(description="Null for a rejected attempt.")
    user_id: strawberry.ID
    status: ConnectionStatus
    connected_at: DateTime = strawberry.field(description="Attempt time for REJECTED.")
    disconnected_at: DateTime | None
    disconnect_reason: DisconnectReason | None
    reject_code: str | None
    reject_description: str | None
    sdk_version: str
    platform: Platform
    device_model: str | None
    os_version: str | None = strawberry.field(
        description='Android API level (e.g. "34") or iOS version (e.g. "17.4").'
    )
    ip: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, records.ConnectionLog)

    @strawberry.field
    def id(self, root: Parent[records.ConnectionLog]) -> strawberry.ID:
        return strawberry.ID(ids.encode(ids.CONNECTION_LOG, root.user_id, root.key))

    @strawberry.field(
        description="What this user sent while this connection was open (sentAt within "
        "[connectedAt, disconnectedAt or now]), every channel type and source."
    )
    async def sent_messages(
        self,
        root: Parent[records.ConnectionLog],
        info: ContextInfo,
        first: int | None = MESSAGES_FIRST,
        after: str | None = None,
    ) -> Connection[SentMessageType]:
        size = check_first(first, MESSAGES_FIRST)
        ctx = info.context
        if root.status is Status.REJECTED:
            return connection(records.Page(), _no_count)
        end = root.disconnected_at if root.disconnected_at is not None else ctx.now
        query = records.MessageQuery(
            sender_id=root.user_id,
            since=max(root.connected_at, horizon_ms(ctx.retention_days, ctx.now)),
            until=end + 1,
        )
        # Asked now, the counts of every connection's messages go to the store together:
        # the pages that prefetch receipts below come back later than the others.
        counts = ctx.loaders.message_counts
        count = counts.load(query) if asks_directly(info, "totalCount") else None
        try:
            page = await ctx.loaders.message_pages.load(records.PageRequest(query, size, after))
        except InvalidCursor:
            raise BadUserInput("after: not a cursor of this list") from None
        await prefetch_receipts(page, info)
        return connection(page, lambda: counts.load(query) if count is None else count)
