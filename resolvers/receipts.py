"""Receipt-level types: a recipient's status, its history and its push attempts."""

import asyncio
from collections import Counter
from dataclasses import dataclass

import strawberry
from strawberry import Parent

from resolvers.context import ContextInfo
from resolvers.enums import PushProvider, PushSkipReason, ReceiptStatus
from resolvers.fastpath.later import MaybeLater, then
from resolvers.fastpath.selection import asks_for
from resolvers.push_errors import PushErrorType, attempt_error
from resolvers.scalars import DateTime
from store import model, records
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

    @strawberry.field(
        description="What the provider's error means and what to do (the push error "
        "catalogue); null for a successful attempt."
    )
    def error(self, root: Parent[records.PushAttempt]) -> PushErrorType | None:
        return attempt_error(root)


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

    push_attempts: list[PushAttemptType] = strawberry.field(description="Oldest first.")


@dataclass(slots=True, frozen=True)
class ReceiptNode:
    """A receipt as the API shows it: the stored view and the recipient's push attempts."""

    recipient_id: str
    status: model.ReceiptStatus
    status_at: int | None
    history: tuple[records.StatusChange, ...]
    push_skipped: model.PushSkipReason | None
    push_attempts: list[records.PushAttempt]


def receipt_nodes(
    message: records.SentMessage,
    receipts: list[records.Receipt],
    info: ContextInfo,
    with_pushes: bool,
) -> MaybeLater[list[ReceiptNode]]:
    """``receipts`` with their push attempts, loaded only when ``with_pushes``."""

    def nodes(attempts: list[records.PushAttempt]) -> list[ReceiptNode]:
        mine: dict[str, list[records.PushAttempt]] = {}
        for attempt in attempts:
            mine.setdefault(attempt.recipient_id, []).append(attempt)
        return [
            ReceiptNode(
                r.recipient_id,
                r.status,
                r.status_at,
                r.history,
                r.push_skipped,
                mine.get(r.recipient_id, []),
            )
            for r in receipts
        ]

    if not with_pushes or not receipts or message.msg_uid is None:
        return nodes([])
    return then(info.context.loaders.push_attempts.load(message.msg_uid), nodes)


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
    uid = message.msg_uid
    if not has_receipts(message) or uid is None:
        return []
    loaders = info.context.loaders
    built = loaders.receipts.get(uid)
    if built is not None:
        return built
    return then(
        loaders.receipt_events.load(uid),
        lambda events: loaders.receipts.setdefault(uid, build_receipts(message, events)),
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
PUSH_FIELDS = frozenset({"pushAttempts", "receiptSummary"})


async def prefetch_receipts(page: records.Page[records.SentMessage], info: ContextInfo) -> None:
    """Load the receipt events and push attempts of a page of messages, when the
    query asks for them below it, before the page is returned.

    Every page of a level is at this point in the same tick, so the loaders still
    ask the store once for all of them; and each message's receipt fields then
    find their data loaded and resolve without awaiting (see ``resolvers.fastpath.later``).
    Fragments count, directives are not evaluated: at worst this loads what a
    skipped field would have needed.
    """
    uids = [m.msg_uid for m in (e.node for e in page.edges) if m.msg_uid and has_receipts(m)]
    if not uids:
        return
    loaders = info.context.loaders
    wanted = []
    if asks_for(info, _RECEIPT_FIELDS):
        wanted.append(loaders.receipt_events.load_many(uids))
        if asks_for(info, PUSH_FIELDS):
            wanted.append(loaders.push_attempts.load_many(uids))
    if wanted:
        await asyncio.gather(*wanted)
