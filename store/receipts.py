"""How stored status events become the receipts of a message (SPEC §5).

One rule for every backend: the receipt's status is its latest event by time,
a tie won by DELIVERED over NOT_DELIVERED over OFFLINE; a DIRECT message sent
successfully whose target has no event yet shows one PENDING receipt; blocked,
OPEN and SYSTEM messages have no receipts.
"""

from collections.abc import Iterable
from itertools import groupby

from store.catalogue import ACCEPTED_RESULTS, RECEIPT_CHANNELS, STATUS_RANK
from store.model import ChannelType, ReceiptStatus
from store.records import Receipt, ReceiptEventRecord, SentMessage, StatusChange


def has_receipts(message: SentMessage) -> bool:
    return message.channel_type in RECEIPT_CHANNELS and message.result in ACCEPTED_RESULTS


def _event_order(event: ReceiptEventRecord) -> tuple[int, int]:
    return event.at, STATUS_RANK[event.status]


def build_receipts(message: SentMessage, events: Iterable[ReceiptEventRecord]) -> list[Receipt]:
    """The receipts of ``message``, by recipient id."""
    if not has_receipts(message):
        return []
    receipts: list[Receipt] = []
    by_recipient = groupby(
        sorted(events, key=lambda e: e.recipient_id), key=lambda e: e.recipient_id
    )
    for recipient_id, group in by_recipient:
        ordered = sorted(group, key=_event_order)
        latest = ordered[-1]
        skipped = next((e.push_skipped for e in reversed(ordered) if e.push_skipped), None)
        receipts.append(
            Receipt(
                msg_uid=message.msg_uid,
                recipient_id=recipient_id,
                status=latest.status,
                status_at=latest.at,
                history=tuple(StatusChange(e.status, e.at) for e in ordered),
                push_skipped=skipped,
            )
        )
    if message.channel_type is ChannelType.DIRECT and not any(
        r.recipient_id == message.target_id for r in receipts
    ):
        pending = Receipt(message.msg_uid, message.target_id, ReceiptStatus.PENDING, None)
        receipts.append(pending)
        receipts.sort(key=lambda r: r.recipient_id)
    return receipts
