"""Edges between the graph's objects (SPEC §7): a message's sender and connection,
a receipt's recipient, a user's connection at an instant, and ``Query.viewer``.

Every edge reads through a dataloader: a page of receipts asking for
``recipient { connectionAt(at: …) }`` costs one store call, whatever its size.
"""

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry import Parent

from resolvers.context import ContextInfo
from resolvers.errors import BadUserInput, OutOfRetention
from resolvers.fastpath.later import MaybeLater, then
from resolvers.scalars import DateTime, format_ms
from resolvers.windows import as_datetime, to_ms
from store import records
from store.limits import SETTLE_MS, horizon_ms
from store.model import MessageSource

if TYPE_CHECKING:
    from resolvers.connection_log import ConnectionLogType
    from resolvers.receipts import ReceiptNode
    from resolvers.user import User

T = TypeVar("T")
UserRef = Annotated["User", strawberry.lazy("resolvers.user")]
ConnectionRef = Annotated["ConnectionLogType", strawberry.lazy("resolvers.connection_log")]


@strawberry.type(description="What the caller's read key sees.")
class Viewer:
    app: str = strawberry.field(description="The app whose data every query of this key reads.")
    retention_days: int = strawberry.field(
        description="Days of data kept: older data never appears and windows may not start "
        "before now minus this many days."
    )
    settle_minutes: int = strawberry.field(
        description="Minutes after sending at which a message's status is settled."
    )


def viewer(info: ContextInfo) -> Viewer:
    ctx = info.context
    return Viewer(
        app=ctx.app, retention_days=ctx.retention_days, settle_minutes=SETTLE_MS // 60_000
    )


def instant(value: object, info: ContextInfo, *, field: str = "at") -> int:
    """An ``at`` argument in epoch ms (UTC when it has no offset): before the
    retention horizon is OUT_OF_RETENTION, after now BAD_USER_INPUT."""
    parsed = as_datetime(value)
    assert parsed is not None
    ctx = info.context
    at = to_ms(parsed, field=field)
    horizon = horizon_ms(ctx.retention_days, ctx.now)
    if at < horizon:
        raise OutOfRetention(
            f"{field}: {format_ms(at)} is before the retention horizon {format_ms(horizon)} "
            f"(data is kept {ctx.retention_days} days)"
        )
    if at > ctx.now:
        raise BadUserInput(
            f"{field}: {format_ms(at)} is in the future (now is {format_ms(ctx.now)})"
        )
    return at


def _user(user_id: str) -> UserRef:
    from resolvers.user import User  # the User type imports this module

    return User(id=strawberry.ID(user_id))


def sender(root: Parent[records.SentMessage]) -> UserRef:
    return _user(root.sender_id)


async def sent_on(root: Parent[records.SentMessage], info: ContextInfo) -> ConnectionRef | None:
    if root.connection_id is None or root.source is MessageSource.SERVER_API:
        return None
    key = (root.sender_id, records.connection_key(root.connection_id, ""))
    return await info.context.loaders.connections_by_key.load(key)  # type: ignore[return-value]  # resolved as ConnectionLogType


def recipient(root: Parent[Any]) -> UserRef:
    node: ReceiptNode = root
    return _user(node.recipient_id)


def connection_at(
    user_id: str, at: DateTime, info: ContextInfo
) -> MaybeLater[ConnectionRef | None]:
    """At once when the level's prefetch has loaded it (``prefetch_diagnoses``)."""
    key = (user_id, instant(at, info))
    found: MaybeLater[Any] = then(info.context.loaders.connections_at.load(key), _same)
    return found


def _same(value: T) -> T:
    return value
