"""Receipt-level types: a recipient's status, its history and its push attempts."""

from collections import Counter

import strawberry
from strawberry import Parent

from resolvers.context import ContextInfo
from resolvers.enums import PushProvider, PushSkipReason, ReceiptStatus
from resolvers.scalars import DateTime
from store import records
from store.receipts import build_receipts, has_receipts


@strawberry.type(name="ReceiptEvent")
class ReceiptEventType:
    status: ReceiptStatus
    at: DateTime


@strawberry.type(name="PushAttempt")
class PushAttemptType:
    provider: PushProvider
    sent_at: DateTime
    success: bool
    error_code: str | None
    error_description: str | None


@strawberry.type(name="Receipt")
class ReceiptType:
    recipient_id: strawberry.ID
    status: ReceiptStatus
    status_at: DateTime | None = strawberry.field(
        description="Time of the event that set the status; null while PENDING."
    )
    history: list[ReceiptEventType] = strawberry.field(
        description="Every status event, oldest first."
    )
    push_skipped: PushSkipReason | None = strawberry.field(
        description="Why an offline recipient got no push."
    )

    @strawberry.field(description="Oldest first.")
    async def push_attempts(
        self, root: Parent[records.Receipt], info: ContextInfo
    ) -> list[PushAttemptType]:
        if root.msg_uid is None:
            return []
        attempts = await info.context.loaders.push_attempts.load(root.msg_uid)
        return [a for a in attempts if a.recipient_id == root.recipient_id]  # type: ignore[misc]


@strawberry.type
class ReceiptSummary:
    total: int
    delivered: int
    not_delivered: int
    offline: int
    pending: int
    push_succeeded: int = strawberry.field(
        description="Recipients with at least one successful push attempt."
    )
    push_failed: int = strawberry.field(
        description="Recipients with push attempts of which none succeeded."
    )


async def receipts_of(message: records.SentMessage, info: ContextInfo) -> list[records.Receipt]:
    """The receipts of a message by recipient id (no store call for one that has none)."""
    if not has_receipts(message) or message.msg_uid is None:
        return []
    events = await info.context.loaders.receipt_events.load(message.msg_uid)
    return build_receipts(message, events)


async def summarize(message: records.SentMessage, info: ContextInfo) -> ReceiptSummary:
    receipts = await receipts_of(message, info)
    statuses = Counter(r.status for r in receipts)
    succeeded: set[str] = set()
    attempted: set[str] = set()
    if receipts and message.msg_uid is not None:
        for attempt in await info.context.loaders.push_attempts.load(message.msg_uid):
            attempted.add(attempt.recipient_id)
            if attempt.success:
                succeeded.add(attempt.recipient_id)
    return ReceiptSummary(
        total=len(receipts),
        delivered=statuses[ReceiptStatus.DELIVERED],
        not_delivered=statuses[ReceiptStatus.NOT_DELIVERED],
        offline=statuses[ReceiptStatus.OFFLINE],
        pending=statuses[ReceiptStatus.PENDING],
        push_succeeded=len(succeeded),
        push_failed=len(attempted - succeeded),
    )
