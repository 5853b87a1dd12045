"""The export read (:meth:`store.interface.TrackingReader.export_messages`): how the
rows a backend reads for one chunk become lean records, one rule for every backend.

A backend reads a chunk of messages (the keyset order of ``message_pages``), then,
for those that have receipts, their stored receipts with a visible status, their
status events and their push attempts, each with one read a few hundred messages;
:func:`assemble` joins them. The receipts are exactly what ``receipt_pages`` lists
(``store.receipts``: the status of the largest status key, the PENDING target of a
DIRECT message without a visible status), without building a ``Receipt`` and a
``SentMessage`` a row: enums come from dictionaries of their values, times stay
integers.
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from store.catalogue import ACCEPTED_RESULTS, RECEIPT_CHANNELS, STATUS_RANK
from store.model import (
    ChannelType,
    MessageSource,
    MuteScope,
    PushProvider,
    ReceiptStatus,
    SendResult,
)
from store.receipts import RANKS, skip_floor, skip_of_key, status_of_key
from store.records import ExportMessage, ExportPush, ExportReceipt, SentMessage

MessageRow = tuple[Any, ...]
"""A message as a backend reads it: ``key, msg_uid, sender_id, target_id,
channel_type, message_type, source, sent_at, result, mute_scope, connection_id``,
enums as their stored values."""
ReceiptRow = tuple[Any, ...]
"""A stored receipt: ``msg_uid, recipient_id, status_key, skip_key``."""
History = tuple[tuple[ReceiptStatus, int], ...]
T = TypeVar("T")
ByReceipt = dict[str, dict[str, tuple[T, ...]]]
"""Items of each receipt, by msgUid then recipient id."""

CHANNEL_TYPES = {m.value: m for m in ChannelType}
SOURCES = {m.value: m for m in MessageSource}
RESULTS = {m.value: m for m in SendResult}
MUTE_SCOPES: dict[Any, MuteScope | None] = {None: None, **{m.value: m for m in MuteScope}}
PROVIDERS = {m.value: m for m in PushProvider}
STATUSES = {m.value: m for m in ReceiptStatus}
_RECEIPT_CHANNELS = frozenset(c.value for c in RECEIPT_CHANNELS)
_ACCEPTED = frozenset(r.value for r in ACCEPTED_RESULTS)
_NO_PUSHES: tuple[ExportPush, ...] = ()

STATUS_RANK_SQL = " ".join(f"WHEN '{s.value}' THEN {r}" for s, r in STATUS_RANK.items())
"""The body of a SQL ``CASE status ... END`` giving an event's rank (ties of time)."""


def _has_receipts(row: MessageRow) -> bool:
    """``store.receipts.has_receipts`` of a message row."""
    return row[1] is not None and row[4] in _RECEIPT_CHANNELS and row[8] in _ACCEPTED


def receipt_uids(rows: Sequence[MessageRow]) -> list[str]:
    """The msgUids of the messages of ``rows`` that have receipts."""
    return [r[1] for r in rows if _has_receipts(r)]


def by_receipt(rows: Iterable[Sequence[Any]], item: Callable[..., T]) -> ByReceipt[T]:
    """Rows ``(msg_uid, recipient_id, *fields)`` ordered by (msg_uid, recipient_id), then
    by the order of their items, as ``item(*fields)`` by msgUid and recipient id."""
    found: ByReceipt[T] = {}
    uid: Any = None
    rid: Any = None
    items: list[T] = []
    mine: dict[str, tuple[T, ...]] = {}
    for row in rows:
        if row[1] != rid or row[0] != uid:
            if items:
                mine[rid] = tuple(items)
            if row[0] != uid:
                uid = row[0]
                mine = found.setdefault(uid, {})
            rid, items = row[1], []
        items.append(item(*row[2:]))
    if items:
        mine[rid] = tuple(items)
    return found


def histories(rows: Iterable[tuple[str, str, str, int]]) -> ByReceipt[tuple[ReceiptStatus, int]]:
    """Status events ``(msg_uid, recipient_id, status, at)`` ordered by (msg_uid,
    recipient_id), oldest first, as the history of each receipt (:func:`by_receipt`
    for the most numerous rows of an export, without a call a row)."""
    found: ByReceipt[tuple[ReceiptStatus, int]] = {}
    uid: Any = None
    rid: Any = None
    items: list[tuple[ReceiptStatus, int]] = []
    mine: dict[str, tuple[tuple[ReceiptStatus, int], ...]] = {}
    statuses = STATUSES
    for msg_uid, recipient_id, status, at in rows:
        if recipient_id != rid or msg_uid != uid:
            if items:
                mine[rid] = tuple(items)
            if msg_uid != uid:
                uid = msg_uid
                mine = found.setdefault(uid, {})
            rid, items = recipient_id, []
        items.append((statuses[status], at))
    if items:
        mine[rid] = tuple(items)
    return found


def push(
    provider: str, sent_at: int, success: Any, code: str | None, text: str | None
) -> ExportPush:
    return ExportPush(PROVIDERS[provider], sent_at, bool(success), code, text)


def assemble(
    rows: Sequence[MessageRow],
    receipts: Mapping[str, Sequence[ReceiptRow]],
    changes: Mapping[str, Mapping[str, History]],
    pushes: Mapping[str, Mapping[str, tuple[ExportPush, ...]]],
    horizon: int,
    lone_histories: bool = False,
) -> list[ExportMessage]:
    """The records of a chunk: ``receipts`` by msgUid (recipient order, visible
    statuses only), ``changes`` (histories) and ``pushes`` by msgUid then recipient id, oldest
    first. A message outside ``receipt_uids`` gets no receipts.

    ``lone_histories``: ``changes`` holds only the histories of more than one event
    (a backend may skip reading the others); a receipt missing from it has the one
    event its status key holds (a visible status key is a status event in the window).
    """
    floor = skip_floor(horizon)
    out: list[ExportMessage] = []
    no_items: dict[str, Any] = {}
    for r in rows:
        uid = r[1]
        listed: tuple[ExportReceipt, ...] = ()
        if _has_receipts(r):
            history = changes.get(uid, no_items)
            attempts = pushes.get(uid, no_items)
            found = []
            for _, rid, key, skip in receipts.get(uid, ()):
                status, at = status_of_key(key), key // RANKS
                changed = history.get(rid, ()) if history else ()
                if lone_histories and not changed:
                    changed = ((status, at),)
                pushed = attempts.get(rid, _NO_PUSHES) if attempts else _NO_PUSHES
                found.append(
                    ExportReceipt(rid, status, at, skip_of_key(skip, floor), changed, pushed)
                )
            if r[4] == "DIRECT":
                _add_pending(found, r[3], attempts)
            listed = tuple(found)
        message = SentMessage(
            r[0],
            uid,
            r[2],
            r[3],
            CHANNEL_TYPES[r[4]],
            r[5],
            SOURCES[r[6]],
            r[7],
            RESULTS[r[8]],
            MUTE_SCOPES[r[9]],
            r[10],
        )
        out.append(ExportMessage(message, listed))
    return out


def _add_pending(
    found: list[ExportReceipt], target: str, pushes: Mapping[str, tuple[ExportPush, ...]]
) -> None:
    """A DIRECT message's target without a visible status shows PENDING, in its place
    by recipient id."""
    rids = [receipt.recipient_id for receipt in found]
    at = bisect_left(rids, target)
    if at < len(rids) and rids[at] == target:
        return
    pending = ExportReceipt(
        target, ReceiptStatus.PENDING, None, None, (), pushes.get(target, _NO_PUSHES)
    )
    found.insert(at, pending)
