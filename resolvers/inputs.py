"""Input types of the ``sentMessages`` query."""

import strawberry

from resolvers.enums import BuiltinMessageType, ChannelType, MessageSource
from resolvers.scalars import DateTime
from store.limits import HORIZON_GRACE_MS


@strawberry.input(
    one_of=True,
    description="Which message type to match: exactly one of a built-in type or a custom "
    "ObjectName.",
)
class MessageTypeFilter:
    builtin: BuiltinMessageType | None = strawberry.field(
        default=strawberry.UNSET, description="A built-in type (matched by its NX: ObjectName)."
    )
    custom: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An app-defined ObjectName such as App:OrderCard (prefix:name, letters, "
        "digits and _ . -; the NX: prefix is reserved); a malformed one is BAD_USER_INPUT.",
    )


@strawberry.input(
    description="Which of a user's messages sentMessages returns; every condition given must hold."
)
class SentMessageFilter:
    sender_id: strawberry.ID = strawberry.field(
        description="Required: the user who sent the messages; empty is BAD_USER_INPUT."
    )
    msg_uid: str | None = strawberry.field(
        default=None,
        description="Only the message with this msgUid (its window then defaults to the whole "
        "retention window).",
    )
    target_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only messages to this target: a user id for DIRECT and SYSTEM, a group id "
        "for GROUP, an open channel id for OPEN.",
    )
    channel_type: ChannelType | None = strawberry.field(
        default=ChannelType.DIRECT,
        description="Only messages of this kind of conversation; null means DIRECT.",
    )
    message_type: MessageTypeFilter | None = strawberry.field(
        default=None, description="Only messages of this type; absent: every type."
    )
    source: MessageSource | None = strawberry.field(
        default=None, description="Only messages sent from this source; absent: every source."
    )
    since: DateTime | None = strawberry.field(
        default=None,
        description="Start of the window (inclusive). Default: midnight of the current day in "
        "timeZone; with msgUid, the whole retention window. Up to "
        f"{HORIZON_GRACE_MS // 60_000} minutes before the retention horizon reads as the "
        "horizon, earlier is OUT_OF_RETENTION. Without an offset: read in timeZone.",
    )
    until: DateTime | None = strawberry.field(
        default=None,
        description="End of the window (exclusive). Default: now. Must not be before since. "
        "Without an offset: read in timeZone.",
    )
    time_zone: str | None = strawberry.field(
        default="UTC",
        description="IANA time zone name (e.g. Asia/Shanghai) for the default since and for "
        "since and until given without an offset; an unknown name is BAD_USER_INPUT.",
    )
