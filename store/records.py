"""Domain records: the events the store takes in and the views it gives back.

Times are integer epoch milliseconds (UTC) throughout the store.
"""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import msgspec

from store.model import (
    ChannelType,
    ConnectionStatus,
    DisconnectReason,
    FindingCode,
    KeyRole,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    ReceiptStatus,
    SendResult,
    Verdict,
)

# --- events written by ingest -------------------------------------------------


class _EventRecord(msgspec.Struct, frozen=True, gc=False):
    """An event as ingest hands it to the store.

    A msgspec struct rather than a frozen dataclass: ingest builds one per
    event, and a frozen dataclass's ``__init__`` (an ``object.__setattr__`` a
    field) cost more than decoding the event's JSON. Immutable all the same;
    ``gc=False`` because a record holds only strings, numbers and enums."""


class ConnectionOpened(_EventRecord, frozen=True):
    app: str
    event_id: str
    at: int
    user_id: str
    connection_id: str
    sdk_version: str
    platform: Platform
    ip: str
    device_model: str | None = None
    os_version: str | None = None


class ConnectionClosed(_EventRecord, frozen=True):
    app: str
    event_id: str
    at: int
    user_id: str
    connection_id: str
    reason: DisconnectReason


class ConnectionRejected(_EventRecord, frozen=True):
    app: str
    event_id: str
    at: int
    user_id: str
    sdk_version: str
    platform: Platform
    ip: str
    code: str
    device_model: str | None = None
    os_version: str | None = None
    description: str | None = None


class MessageSent(_EventRecord, frozen=True):
    app: str
    event_id: str
    at: int
    sender_id: str
    target_id: str
    channel_type: ChannelType
    message_type: str
    source: MessageSource
    result: SendResult
    msg_uid: str | None = None
    connection_id: str | None = None
    mute_scope: MuteScope | None = None


class ReceiptChanged(_EventRecord, frozen=True):
    """`message.delivered`, `message.not_delivered` or `message.offline`."""

    app: str
    event_id: str
    at: int
    msg_uid: str
    recipient_id: str
    status: ReceiptStatus
    push_skipped: PushSkipReason | None = None


class PushAttempted(_EventRecord, frozen=True):
    app: str
    event_id: str
    at: int
    msg_uid: str
    recipient_id: str
    provider: PushProvider
    success: bool
    error_code: str | None = None
    error_description: str | None = None


Event = (
    ConnectionOpened
    | ConnectionClosed
    | ConnectionRejected
    | MessageSent
    | ReceiptChanged
    | PushAttempted
)


@dataclass(slots=True, frozen=True)
class WriteResult:
    accepted: int
    duplicates: int


# --- views read back -----------------------------------------------------------


def message_key(msg_uid: str | None, event_id: str) -> str:
    """The stable key of a sent message: its msgUid, or its event for a blocked one."""
    return f"u:{msg_uid}" if msg_uid is not None else f"e:{event_id}"


def connection_key(connection_id: str | None, event_id: str) -> str:
    """The stable key of a connection log within its user: the connectionId, or
    the event for a rejected attempt (which has no connection)."""
    return f"c:{connection_id}" if connection_id is not None else f"e:{event_id}"


@dataclass(slots=True, frozen=True)
class ConnectionLog:
    key: str
    user_id: str
    connection_id: str | None
    status: ConnectionStatus
    connected_at: int
    sdk_version: str
    platform: Platform
    ip: str
    device_model: str | None = None
    os_version: str | None = None
    disconnected_at: int | None = None
    disconnect_reason: DisconnectReason | None = None
    reject_code: str | None = None
    reject_description: str | None = None


@dataclass(slots=True, frozen=True)
class SentMessage:
    key: str
    msg_uid: str | None
    sender_id: str
    target_id: str
    channel_type: ChannelType
    message_type: str
    source: MessageSource
    sent_at: int
    result: SendResult
    mute_scope: MuteScope | None = None
    connection_id: str | None = None


@dataclass(slots=True, frozen=True)
class ReceiptEventRecord:
    """One stored status event of a recipient."""

    recipient_id: str
    status: ReceiptStatus
    at: int
    push_skipped: PushSkipReason | None = None


@dataclass(slots=True, frozen=True)
class StatusChange:
    status: ReceiptStatus
    at: int


@dataclass(slots=True, frozen=True)
class Receipt:
    msg_uid: str | None
    recipient_id: str
    status: ReceiptStatus
    status_at: int | None
    history: tuple[StatusChange, ...] = ()
    push_skipped: PushSkipReason | None = None


@dataclass(slots=True, frozen=True)
class ReceiptCounts:
    """A message's receipts counted by status, and its recipients by push outcome."""

    total: int = 0
    delivered: int = 0
    not_delivered: int = 0
    offline: int = 0
    pending: int = 0
    push_succeeded: int = 0
    """Recipients with at least one successful push attempt."""
    push_failed: int = 0
    """Recipients with push attempts of which none succeeded."""


@dataclass(slots=True, frozen=True)
class PushAttempt:
    recipient_id: str
    provider: PushProvider
    sent_at: int
    success: bool
    error_code: str | None = None
    error_description: str | None = None


@dataclass(slots=True, frozen=True)
class Finding:
    """One piece of evidence behind a diagnosis, with a text that reads on its own."""

    code: FindingCode
    at: int | None
    text: str


@dataclass(slots=True, frozen=True)
class Diagnosis:
    """The answer a support engineer would write (``store.diagnosis`` computes it)."""

    verdict: Verdict
    summary: str
    findings: tuple[Finding, ...]
    """Oldest first; findings without a time last."""
    settled: bool
    """False while later events may still change the verdict."""


# --- the export's lean records (``TrackingReader.export_messages``) ------------------


class _ExportRecord(msgspec.Struct, frozen=True, gc=False):
    """A record of the export: a msgspec struct, as cheap to build as a tuple (an
    export builds one a receipt, a million for a week of a busy app), immutable,
    ``gc=False`` because it holds only strings, numbers, enums and tuples of them."""


class ExportPush(_ExportRecord, frozen=True):
    """One push attempt of a recipient (``PushAttempt`` without the recipient)."""

    provider: PushProvider
    sent_at: int
    success: bool
    error_code: str | None = None
    error_description: str | None = None


class ExportReceipt(_ExportRecord, frozen=True):
    """A receipt as :meth:`TrackingReader.receipt_pages` shows it, with its history
    (``(status, at)``, oldest first; empty when the export was read without it) and
    the recipient's push attempts, oldest first."""

    recipient_id: str
    status: ReceiptStatus
    status_at: int | None
    push_skipped: PushSkipReason | None
    history: tuple[tuple[ReceiptStatus, int], ...]
    pushes: tuple[ExportPush, ...]


class ExportMessage(_ExportRecord, frozen=True):
    """A sent message with all its receipts, by recipient id; none for a message that
    has no receipts (blocked, OPEN, SYSTEM)."""

    message: SentMessage
    receipts: tuple[ExportReceipt, ...]


class ExportPage(msgspec.Struct, frozen=True):
    """A chunk of the export: its messages, and the cursor to read the next chunk
    from (None after the last one)."""

    messages: list[ExportMessage]
    after: str | None


T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class Edge(Generic[T]):
    cursor: str
    node: T


@dataclass(slots=True, frozen=True)
class Page(Generic[T]):
    edges: list[Edge[T]] = field(default_factory=list)
    has_next_page: bool = False


# --- queries ---------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class ConnectionQuery:
    """Connections of a user open at any time in ``[since, until)``."""

    user_id: str
    since: int
    until: int


@dataclass(slots=True, frozen=True)
class MessageQuery:
    """Messages of one sender (of every sender of the app when ``sender_id`` is None:
    the export) with ``since <= sentAt < until`` matching every set condition."""

    sender_id: str | None
    since: int
    until: int
    msg_uid: str | None = None
    target_id: str | None = None
    channel_type: ChannelType | None = None
    message_type: str | None = None
    source: MessageSource | None = None


@dataclass(slots=True, frozen=True)
class ReceiptScope:
    """The receipts of one message (``store.receipts.receipt_scope`` makes it)."""

    msg_uid: str
    pending_target: str | None = None
    """The recipient shown PENDING while it has no status event (a DIRECT
    message's target), or None."""


@dataclass(slots=True, frozen=True)
class ReceiptQuery:
    """Receipts of one message matching every set condition, by recipient id."""

    scope: ReceiptScope
    recipient_id: str | None = None
    status: ReceiptStatus | None = None


@dataclass(slots=True, frozen=True)
class PageRequest(Generic[T]):
    query: T
    first: int
    after: str | None = None


# --- API keys ----------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class ApiKey:
    key_id: str
    app: str
    """The app the key may read or write; ``*`` for an ingest key of every app."""
    role: KeyRole
    secret_hash: str
    created_at: int
    revoked_at: int | None = None
