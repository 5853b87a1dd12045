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
from resolvers.pagination import After, Connection, First, connection
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


@strawberry.type(
    name="ConnectionLog",
    description="One connection of a user to Nexconn, from open to close, or one connect "
    "attempt the server refused (status REJECTED).",
)
class ConnectionLogType(Node):
    connection_id: str | None = strawberry.field(
        description="The connection's id as the Nexconn server assigned it; null for a "
        "rejected attempt."
    )
    user_id: strawberry.ID = strawberry.field(description="The user who connected.")
    status: ConnectionStatus = strawberry.field(
        description="ONLINE while no close is recorded, CLOSED after, REJECTED for a "
        "refused attempt."
    )
    connected_at: DateTime = strawberry.field(
        description="When the connection opened; the attempt time for REJECTED."
    )
    disconnected_at: DateTime | None = strawberry.field(
        description="When the connection closed; null while ONLINE and for REJECTED."
    )
    disconnect_reason: DisconnectReason | None = strawberry.field(
        description="Why it closed; null while ONLINE and for REJECTED."
    )
    reject_code: str | None = strawberry.field(
        description="Why the attempt was refused, as the server's code (e.g. TOKEN_INVALID); "
        "null unless REJECTED."
    )
    reject_description: str | None = strawberry.field(
        description="The server's words for rejectCode, when it gave any; null unless REJECTED."
    )
    sdk_version: str = strawberry.field(description="Version of the client SDK, e.g. 5.10.2.")
    platform: Platform = strawberry.field(description="The SDK's platform.")
    device_model: str | None = strawberry.field(
        description="The device model the SDK reported (e.g. Pixel 8); null when not reported."
    )
    os_version: str | None = strawberry.field(
        description='Android API level (e.g. "34") or iOS version (e.g. "17.4"); null when '
        "not reported."
    )
    ip: str = strawberry.field(
        description="The client's IP address (IPv4 or IPv6) as seen by Nexconn."
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, records.ConnectionLog)

    @strawberry.field(  # type: ignore[misc, untyped-decorator]  # typed Any (strawberry#1929); resolves Node.id
        description="Global id of this connection log entry, for node(id)."
    )
    def id(self, root: Parent[records.ConnectionLog]) -> strawberry.ID:
        return strawberry.ID(ids.encode(ids.CONNECTION_LOG, root.user_id, root.key))

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="What this user sent while this connection was open (sentAt within "
        "[connectedAt, disconnectedAt or now]), every channel type and source, newest first."
    )
    async def sent_messages(
        self,
        root: Parent[records.ConnectionLog],
        info: ContextInfo,
        first: First = MESSAGES_FIRST,
        after: After = None,
    ) -> Connection[SentMessageType]:
        size = check_first(first, MESSAGES_FIRST)
        ctx = info.context
        if root.status is Status.REJECTED:
            return connection(records.Page(), _no_count, after)
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
        return connection(page, lambda: counts.load(query) if count is None else count, after)  # type: ignore[arg-type]  # records resolve as SentMessageType
