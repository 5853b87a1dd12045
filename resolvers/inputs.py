"""Input types of the ``sentMessages`` query."""

import strawberry

from resolvers.enums import BuiltinMessageType, ChannelType, MessageSource
from resolvers.scalars import DateTime


@strawberry.input(one_of=True, description="Exactly one of a built-in type or a custom ObjectName.")
class MessageTypeFilter:
    builtin: BuiltinMessageType | None = strawberry.UNSET
    custom: str | None = strawberry.UNSET


@strawberry.input
class SentMessageFilter:
    sender_id: strawberry.ID = strawberry.field(description="Required.")
    msg_uid: str | None = None
    target_id: strawberry.ID | None = None
    channel_type: ChannelType | None = ChannelType.DIRECT
    message_type: MessageTypeFilter | None = strawberry.field(
        default=None, description="Absent: every type."
    )
    source: MessageSource | None = strawberry.field(
        default=None, description="Absent: every source."
    )
    since: DateTime | None = strawberry.field(
        default=None,
        description="Default: midnight of the current day in timeZone; "
        "with msgUid, the whole retention window.",
    )
    until: DateTime | None = strawberry.field(default=None, description="Default: now.")
    time_zone: str | None = strawberry.field(default="UTC", description="IANA name.")
