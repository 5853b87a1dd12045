"""``User``: the entry point of a user's connection logs."""

from typing import Annotated

import strawberry

from resolvers import diagnosis, navigation
from resolvers.connection_log import ConnectionLogType
from resolvers.context import ContextInfo
from resolvers.errors import BadUserInput
from resolvers.fastpath.lean import repeatable
from resolvers.limits import CONNECTIONS_FIRST
from resolvers.pagination import After, Connection, First, connection
from resolvers.scalars import DateTime
from resolvers.windows import as_datetime, check_first, window
from store import records
from store.interface import InvalidCursor
from store.limits import HORIZON_GRACE_MS


@strawberry.type(description="A user of the app, identified by the app's own user id.")
class User:
    id: strawberry.ID = strawberry.field(description="The user id, as the app knows it.")

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="The user's connections and refused connect attempts that were open at any "
        "time in [since, until), newest first; default: the whole retention window."
    )
    async def connections(
        self,
        info: ContextInfo,
        since: Annotated[
            DateTime | None,
            strawberry.argument(
                description="Start of the window (inclusive). Absent: the retention horizon "
                "(now minus the retention days); up to "
                f"{HORIZON_GRACE_MS // 60_000} minutes before it reads as the horizon, earlier "
                "is OUT_OF_RETENTION. Without an offset: UTC."
            ),
        ] = None,
        until: Annotated[
            DateTime | None,
            strawberry.argument(
                description="End of the window (exclusive); absent: now. Must not be before "
                "since. Without an offset: UTC."
            ),
        ] = None,
        first: First = CONNECTIONS_FIRST,
        after: After = None,
    ) -> Connection[ConnectionLogType]:
        size = check_first(first, CONNECTIONS_FIRST)
        ctx = info.context
        start, end = window(
            as_datetime(since), as_datetime(until), now=ctx.now, retention_days=ctx.retention_days
        )
        query = records.ConnectionQuery(user_id=str(self.id), since=start, until=end)
        try:
            page = await ctx.loaders.connection_pages.load(records.PageRequest(query, size, after))
        except InvalidCursor:
            raise BadUserInput("after: not a cursor of this list") from None
        return connection(page, lambda: ctx.loaders.connection_counts.load(query), after)  # type: ignore[arg-type]  # records resolve as ConnectionLogType

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="The connection open at that instant (the latest opened if several); "
        "null when none was. A rejected attempt is never open."
    )
    @repeatable
    def connection_at(
        self,
        info: ContextInfo,
        at: Annotated[
            DateTime,
            strawberry.argument(
                description="The instant (UTC when it has no offset); within the retention "
                "window and not in the future."
            ),
        ],
    ) -> ConnectionLogType | None:
        found = navigation.connection_at(str(self.id), at, info)
        return found  # type: ignore[return-value]  # graphql-core awaits it when it must

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description='"My message failed to send": was the user connected at that instant, '
        "and if not, why (the last disconnection, refused connect attempts, the next connection)."
    )
    async def send_diagnosis(
        self,
        info: ContextInfo,
        at: Annotated[
            DateTime,
            strawberry.argument(
                description="When the send failed (UTC when it has no offset); within the "
                "retention window and not in the future."
            ),
        ],
    ) -> diagnosis.DiagnosisType:
        return await diagnosis.send_diagnosis(str(self.id), navigation.instant(at, info), info)
