"""How stored status events become the receipts of a message (SPEC §5).

One rule for every backend: the receipt's status is its latest event by time,
a tie won by DELIVERED over NOT_DELIVERED over OFFLINE; a DIRECT message sent
successfully whose target has no event yet shows one PENDING receipt; blocked,
OPEN and SYSTEM messages have no receipts.

Backends keep one stored receipt per (app, msgUid, recipientId), maintained at
write time as four integers (:class:`Marks`) each merged by ``max``: the
result is the same whatever the order, the duplicates and the batching of the
events, and both SQLite (``max()`` in an upsert) and MongoDB (``$max``) apply
it in the write itself, without reading first.

* ``status_key`` orders status events by the rule: ``at * RANKS + rank``, so
  the largest key is the receipt's status (``key % RANKS`` its rank, ``key //
  RANKS`` its time); 0 when the recipient has push attempts only.
* ``skip_key``: the latest event carrying ``pushSkipped`` by the same order
  (ties of time and rank by the reason's place in ``PushSkipReason``), as
  ``status_key * SKIP_WIDTH + reason index + 1``; 0 when there is none.
* ``push_at`` / ``push_ok_at``: the time of the latest push attempt / the
  latest successful one; 0 when there is none.

Retention: an event older than the horizon is not shown, so a stored receipt
shows a status while ``status_key >= status_floor(horizon)``, its skip reason
while ``skip_key >= skip_floor(horizon)``, and counts a push while its time is
at or after the horizon: exactly what folding only the visible events gives,
since each mark is the latest of its events.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from store.catalogue import ACCEPTED_RESULTS, RECEIPT_CHANNELS, STATUS_RANK
from store.model import ChannelType, PushSkipReason, ReceiptStatus
from store.records import (
    PushAttempted,
    Receipt,
    ReceiptChanged,
    ReceiptCounts,
    ReceiptQuery,
    ReceiptScope,
    SentMessage,
    StatusChange,
)

RANKS = max(STATUS_RANK.values()) + 1
"""Modulus of a status key: rank 0 means no status event."""
_SKIPS = tuple(PushSkipReason)
SKIP_WIDTH = len(_SKIPS) + 1
_BY_RANK = {rank: status for status, rank in STATUS_RANK.items()}

ReceiptKey = tuple[str, str, str]
"""(app, msgUid, recipientId)."""


@dataclass(slots=True, frozen=True)
class Marks:
    status_key: int = 0
    skip_key: int = 0
    push_at: int = 0
    push_ok_at: int = 0

    def merge(self, other: "Marks") -> "Marks":
        return Marks(
            max(self.status_key, other.status_key),
            max(self.skip_key, other.skip_key),
            max(self.push_at, other.push_at),
            max(self.push_ok_at, other.push_ok_at),
        )

    @property
    def latest_at(self) -> int:
        """The time of the latest event folded in (what retention goes by)."""
        return max(self.status_key // RANKS, self.push_at)


def has_receipts(message: SentMessage) -> bool:
    return message.channel_type in RECEIPT_CHANNELS and message.result in ACCEPTED_RESULTS


def receipt_scope(message: SentMessage) -> ReceiptScope | None:
    """What identifies the receipts of ``message``; None when it has none."""
    if not has_receipts(message) or message.msg_uid is None:
        return None
    pending = message.target_id if message.channel_type is ChannelType.DIRECT else None
    return ReceiptScope(message.msg_uid, pending)


def status_key(status: ReceiptStatus, at: int) -> int:
    return at * RANKS + STATUS_RANK[status]


def rank(status: ReceiptStatus) -> int | None:
    """The rank a stored status key carries (``key % RANKS``); None for PENDING,
    which is never stored."""
    return STATUS_RANK.get(status)


def rank_of_key(key: int) -> int:
    """The rank a status key carries (0: no status event)."""
    return key % RANKS


def status_floor(horizon: int) -> int:
    """The smallest status key of an event at the horizon."""
    return horizon * RANKS


def skip_floor(horizon: int) -> int:
    return status_floor(horizon) * SKIP_WIDTH


_SKIP_INDEX = {reason: index + 1 for index, reason in enumerate(_SKIPS)}


def skip_key(status_key: int, skipped: PushSkipReason | None) -> int:
    """The skip mark of a status event: ``status_key * SKIP_WIDTH + index + 1``; 0 for none."""
    return 0 if skipped is None else status_key * SKIP_WIDTH + _SKIP_INDEX[skipped]


def status_of_key(key: int) -> ReceiptStatus:
    """The status a non-zero stored status key carries."""
    return _BY_RANK[key % RANKS]


def skip_of_key(key: int, floor: int) -> PushSkipReason | None:
    """The skip reason of a stored skip key, None below ``floor`` (:func:`skip_floor`:
    the reason of an event past the retention horizon no longer shows)."""
    return _SKIPS[key % SKIP_WIDTH - 1] if key >= floor else None


def status_marks(status: ReceiptStatus, at: int, skipped: PushSkipReason | None) -> Marks:
    key = status_key(status, at)
    return Marks(status_key=key, skip_key=skip_key(key, skipped))


def push_marks(at: int, success: bool) -> Marks:
    return Marks(push_at=at, push_ok_at=at if success else 0)


def marks_of(event: ReceiptChanged | PushAttempted) -> Marks:
    if isinstance(event, ReceiptChanged):
        return status_marks(event.status, event.at, event.push_skipped)
    return push_marks(event.at, event.success)


def fold_marks(items: Iterable[tuple[ReceiptKey, Marks]]) -> dict[ReceiptKey, Marks]:
    """Marks merged per receipt."""
    folded: dict[ReceiptKey, Marks] = {}
    for key, mine in items:
        known = folded.get(key)
        folded[key] = mine if known is None else known.merge(mine)
    return folded


def fold(events: Iterable[ReceiptChanged | PushAttempted]) -> dict[ReceiptKey, Marks]:
    """The marks of a batch of events, one entry per receipt they touch."""
    return fold_marks(((e.app, e.msg_uid, e.recipient_id), marks_of(e)) for e in events)


def stored_receipt(
    msg_uid: str,
    recipient_id: str,
    status_key: int,
    skip_key: int,
    horizon: int,
    history: tuple[StatusChange, ...] = (),
) -> Receipt:
    """The receipt a stored row shows; a row whose status key is 0 (nothing stored
    yet, the backends' stand-in for a missing target) is PENDING."""
    if status_key == 0:
        return Receipt(msg_uid, recipient_id, ReceiptStatus.PENDING, None)
    skipped = skip_of_key(skip_key, skip_floor(horizon))
    status = status_of_key(status_key)
    return Receipt(msg_uid, recipient_id, status, status_key // RANKS, history, skipped)


def pending_listed(query: ReceiptQuery, after: str | None = None) -> bool:
    """Whether the query's PENDING receipt (when its target has no status event)
    matches the query's filters and comes after ``after``."""
    target = query.scope.pending_target
    return (
        target is not None
        and query.recipient_id in (None, target)
        and query.status in (None, ReceiptStatus.PENDING)
        and (after is None or target > after)
    )


def stored_listed(query: ReceiptQuery) -> bool:
    """Whether stored receipts can match the query (PENDING is never stored)."""
    return query.status is None or rank(query.status) is not None


def receipt_counts(
    by_rank: Mapping[int, int], pending: bool, push_succeeded: int, push_failed: int
) -> ReceiptCounts:
    """A summary from stored receipts counted by rank (visible ones only), whether
    the PENDING receipt shows, and recipients counted by push outcome. Push
    outcomes count only for a message that has receipts."""
    total = sum(by_rank.values()) + pending
    if total == 0:
        return ReceiptCounts()
    of = {status: by_rank.get(r, 0) for status, r in STATUS_RANK.items()}
    return ReceiptCounts(
        total=total,
        delivered=of[ReceiptStatus.DELIVERED],
        not_delivered=of[ReceiptStatus.NOT_DELIVERED],
        offline=of[ReceiptStatus.OFFLINE],
        pending=int(pending),
        push_succeeded=push_succeeded,
        push_failed=push_failed,
    )


def counted_by_summary(query: ReceiptQuery, counts: ReceiptCounts) -> int | None:
    """How many receipts match ``query`` according to its message's summary; None
    when the query names a recipient (the summary does not say)."""
    if query.recipient_id is not None:
        return None
    by_status = {
        None: counts.total,
        ReceiptStatus.DELIVERED: counts.delivered,
        ReceiptStatus.NOT_DELIVERED: counts.not_delivered,
        ReceiptStatus.OFFLINE: counts.offline,
        ReceiptStatus.PENDING: counts.pending,
    }
    return by_status[query.status]
