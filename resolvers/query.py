"""The root ``Query``."""

from typing import Annotated

import strawberry

from resolvers import ids
from resolvers.connection_log import ConnectionLogType
from resolvers.context import ContextInfo
from resolvers.enums import PushProvider
from resolvers.errors import BadUserInput
from resolvers.inputs import SentMessageFilter
from resolvers.limits import MESSAGES_FIRST
from resolvers.navigation import Viewer, viewer
from resolvers.node import Node
from resolvers.pagination import After, Connection, First, connection
from resolvers.push_errors import PushErrorType, push_errors
from resolvers.receipts import prefetch_receipts
from resolvers.sent_message import SentMessageType
from resolvers.user import User
from resolvers.windows import as_datetime, check_first, start_of_day_ms, time_zone, window
from store import records
from store.catalogue import OBJECT_NAME_OF, custom_type_error
from store.interface import InvalidCursor
from store.limits import horizon_ms
from store.model import ChannelType


def _message_query(f: SentMessageFilter, info: ContextInfo) -> records.MessageQuery:
    ctx = info.context
    if not f.sender_id.strip():
        raise BadUserInput("filter.senderId: must not be empty")
    zone = time_zone("UTC" if f.time_zone is None else f.time_zone)
    default_since = (
        horizon_ms(ctx.retention_days, ctx.now)
        if f.msg_uid is not None
        else start_of_day_ms(ctx.now, zone)
    )
    since, until = window(
        as_datetime(f.since),
        as_datetime(f.until),
        now=ctx.now,
        retention_days=ctx.retention_days,
        default_since=default_since,
        zone=zone,
    )
    message_type = None
    if f.message_type is not None:
        if f.message_type.builtin:
            message_type = OBJECT_NAME_OF[f.message_type.builtin]
        elif f.message_type.custom:
            if reason := custom_type_error(f.message_type.custom):
                raise BadUserInput(f"filter.messageType.custom: {reason}")
            message_type = f.message_type.custom
    return records.MessageQuery(
        sender_id=str(f.sender_id),
        since=since,
        until=until,
        msg_uid=f.msg_uid,
        target_id=None if f.target_id is None else str(f.target_id),
        channel_type=f.channel_type or ChannelType.DIRECT,
        message_type=message_type,
        source=f.source,
    )


@strawberry.type(
    description="The entry points of the graph. Every read sees only the data of the app "
    "the read key belongs to."
)
class Query:
    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="A user of the app, to navigate to their connections; never null: a user "
        "with no data has empty lists."
    )
    def user(
        self,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The user id, as the app knows it.")
        ],
    ) -> User:
        return User(id=id)

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="What the caller's read key sees: its app and the data rules."
    )
    def viewer(self, info: ContextInfo) -> Viewer:
        return viewer(info)

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="Messages one user sent in a time window, newest first (ties in a stable "
        "order)."
    )
    async def sent_messages(
        self,
        info: ContextInfo,
        filter: Annotated[
            SentMessageFilter,
            strawberry.argument(description="Whose messages, of which kind, in which window."),
        ],
        first: First = MESSAGES_FIRST,
        after: After = None,
    ) -> Connection[SentMessageType]:
        size = check_first(first, MESSAGES_FIRST)
        query = _message_query(filter, info)
        loaders = info.context.loaders
        try:
            page = await loaders.message_pages.load(records.PageRequest(query, size, after))
        except InvalidCursor:
            raise BadUserInput("after: not a cursor of this list") from None
        await prefetch_receipts(page, info)
        return connection(page, lambda: loaders.message_counts.load(query), after)  # type: ignore[arg-type]  # records resolve as SentMessageType

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="A message by its msgUid; null when there is none in the retention window "
        "(blocked messages have no msgUid: find them with sentMessages or node)."
    )
    async def message(
        self,
        info: ContextInfo,
        msg_uid: Annotated[
            str, strawberry.argument(description="Nexconn's message id (SentMessage.msgUid).")
        ],
    ) -> SentMessageType | None:
        key = records.message_key(msg_uid, "")
        return await info.context.loaders.messages_by_key.load(key)  # type: ignore[return-value]  # a record, resolved as SentMessageType

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="An object by its global id; null when there is none, or when it belongs "
        "to another app."
    )
    async def node(
        self,
        info: ContextInfo,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id field of a SentMessage or ConnectionLog."),
        ],
    ) -> Node | None:
        parts = ids.decode(id)
        loaders = info.context.loaders
        match parts:
            case [ids.SENT_MESSAGE, key]:
                return await loaders.messages_by_key.load(key)  # type: ignore[return-value]  # resolved as SentMessageType
            case [ids.CONNECTION_LOG, user_id, key]:
                found = await loaders.connections_by_key.load((user_id, key))
                return found  # type: ignore[return-value]  # a record, resolved as ConnectionLogType
        return None

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="The push error catalogue: what each provider's error code means and what "
        "to do. Without arguments, every entry; with a provider and a code the catalogue "
        "does not know, the one entry that says so (known: false)."
    )
    def push_errors(
        self,
        provider: Annotated[
            PushProvider | None,
            strawberry.argument(description="Only this provider's codes; absent: every provider."),
        ] = None,
        code: Annotated[
            str | None,
            strawberry.argument(
                description="Only this code, matched ignoring case and surrounding whitespace "
                "(APNs also as '410 Unregistered'); without a provider, every provider's entry "
                "for it. Must not be empty."
            ),
        ] = None,
    ) -> list[PushErrorType]:
        return push_errors(provider, code)


__all__ = ["ConnectionLogType", "Query"]
