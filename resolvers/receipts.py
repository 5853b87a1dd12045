"""Receipt-level types: a recipient's status, its history and its push attempts."""

import asyncio
from collections import Counter

import strawberry
from strawberry import Parent
from strawberry.types.nodes import SelectedField, Selection

from resolvers.context import ContextInfo
from resolvers.enums import PushProvider, PushSkipReason, ReceiptStatus
from resolvers.later import MaybeLater, then
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
    def push_attempts(
        self, root: Parent[records.Receipt], info: ContextInfo
    ) -> list[PushAttemptType]:
        if root.msg_uid is None:
            return []
        recipient = root.recipient_id
        attempts = info.context.loaders.push_attempts.load(root.msg_uid)
        mine = then(attempts, lambda found: [a for a in found if a.recipient_id == recipient])
        return mine  # type: ignore[return-value]  # an awaitable until the loader has them


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


def receipts_of(
    message: records.SentMessage, info: ContextInfo
) -> MaybeLater[list[records.Receipt]]:
    """The receipts of a message by recipient id (no store call for one that has none)."""
    if not has_receipts(message) or message.msg_uid is None:
        return []
    return then(
        info.context.loaders.receipt_events.load(message.msg_uid),
        lambda events: build_receipts(message, events),
    )


def summarize(message: records.SentMessage, info: ContextInfo) -> MaybeLater[ReceiptSummary]:
    def with_receipts(receipts: list[records.Receipt]) -> MaybeLater[ReceiptSummary]:
        if not receipts or message.msg_uid is None:
            return _summary(receipts, [])
        attempts = info.context.loaders.push_attempts.load(message.msg_uid)
        return then(attempts, lambda found: _summary(receipts, found))

    return then(receipts_of(message, info), with_receipts)


def _summary(
    receipts: list[records.Receipt], attempts: list[records.PushAttempt]
) -> ReceiptSummary:
    statuses = Counter(r.status for r in receipts)
    succeeded: set[str] = set()
    attempted: set[str] = set()
    for attempt in attempts:
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


_RECEIPT_FIELDS = frozenset({"receipts", "receiptSummary"})
_PUSH_FIELDS = frozenset({"pushAttempts", "receiptSummary"})


def _field_names(selections: list[Selection], into: set[str]) -> set[str]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            into.add(selection.name)
        _field_names(selection.selections, into)
    return into


async def prefetch_receipts(page: records.Page[records.SentMessage], info: ContextInfo) -> None:
    """Load the receipt events and push attempts of a page of messages, when the
    query asks for them below it, before the page is returned.

    Every page of a level is at this point in the same tick, so the loaders still
    ask the store once for all of them; and each message's receipt fields then
    find their data loaded and resolve without awaiting (see ``resolvers.later``).
    Fragments count, directives are not evaluated: at worst this loads what a
    skipped field would have needed.
    """
    uids = [m.msg_uid for m in (e.node for e in page.edges) if m.msg_uid and has_receipts(m)]
    if not uids:
        return
    names = _field_names(info.selected_fields, set())
    loaders = info.context.loaders
    wanted = []
    if names & _RECEIPT_FIELDS:
        wanted.append(loaders.receipt_events.load_many(uids))
        if names & _PUSH_FIELDS:
            wanted.append(loaders.push_attempts.load_many(uids))
    if wanted:
        await asyncio.gather(*wanted)
