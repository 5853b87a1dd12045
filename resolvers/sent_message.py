"""``SentMessage``: one message a user sent, its filter outcome and its receipts."""

from typing import Any

import strawberry
from strawberry import Parent

from resolvers import ids
from resolvers.context import ContextInfo
from resolvers.enums import BuiltinMessageType, ChannelType, MessageSource, MuteScope, SendResult
from resolvers.errors import BadUserInput
from resolvers.fastpath.later import then
from resolvers.fastpath.selection import asks_for
from resolvers.limits import RECEIPTS_FIRST
from resolvers.node import Node
from resolvers.pagination import Connection, connection
from resolvers.receipts import (
    ReceiptNode,
    ReceiptStatus,
    ReceiptSummary,
    ReceiptType,
    receipt_nodes,
    receipts_of,
    summarize,
)
from resolvers.scalars import DateTime
from resolvers.windows import check_first
from store import records
from store.catalogue import BUILTIN_OBJECT_NAMES, prompt_for
from store.limits import SETTLE_MS

_RECEIPT_CURSOR = "r"
_PUSHES = frozenset({"pushAttempts"})


@strawberry.type(name="SentMessage")
class SentMessageType(Node):
    msg_uid: str | None = strawberry.field(description="Null when the message was blocked.")
    sender_id: strawberry.ID
    target_id: strawberry.ID
    channel_type: ChannelType
    message_type: str = strawberry.field(description="The ObjectName, e.g. NX:TxtMsg.")
    source: MessageSource
    sent_at: DateTime
    result: SendResult
    mute_scope: MuteScope | None

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, records.SentMessage)

    @strawberry.field(description="Stable even for a blocked message with no msgUid.")
    def id(self, root: Parent[records.SentMessage]) -> strawberry.ID:
        return strawberry.ID(ids.encode(ids.SENT_MESSAGE, root.key))

    @strawberry.field(description="Null for custom message types.")
    def builtin_type(self, root: Parent[records.SentMessage]) -> BuiltinMessageType | None:
        return BUILTIN_OBJECT_NAMES.get(root.message_type)

    @strawberry.field(description="What the result means for the user; null for SENT.")
    def prompt(self, root: Parent[records.SentMessage]) -> str | None:
        return prompt_for(root.result, root.mute_scope)

    @strawberry.field(description="True from sentAt + 5 minutes: no status changes after.")
    def status_settled(self, root: Parent[records.SentMessage], info: ContextInfo) -> bool:
        return info.context.now >= root.sent_at + SETTLE_MS

    @strawberry.field(description="Receipts by recipientId.")
    def receipts(
        self,
        root: Parent[records.SentMessage],
        info: ContextInfo,
        recipient_id: strawberry.ID | None = None,
        status: ReceiptStatus | None = None,
        first: int | None = RECEIPTS_FIRST,
        after: str | None = None,
    ) -> Connection[ReceiptType]:
        size = check_first(first, RECEIPTS_FIRST)
        if after is not None:
            parts = ids.decode(after)
            if parts is None or len(parts) != 2 or parts[0] != _RECEIPT_CURSOR:
                raise BadUserInput("after: not a cursor of this list")
            start_after: str | None = parts[1]
        else:
            start_after = None

        def page(receipts: list[records.Receipt]) -> Connection[ReceiptType]:
            matching = [
                r
                for r in receipts
                if (recipient_id is None or r.recipient_id == recipient_id)
                and (status is None or r.status is status)
            ]
            rest = matching
            if start_after is not None:
                rest = [r for r in matching if r.recipient_id > start_after]
            shown = rest[:size]

            async def count() -> int:
                return len(matching)

            def done(nodes: list[ReceiptNode]) -> Connection[ReceiptType]:
                edges = [
                    records.Edge(ids.encode(_RECEIPT_CURSOR, n.recipient_id), n) for n in nodes
                ]
                return connection(records.Page(edges=edges, has_next_page=len(rest) > size), count)

            return then(receipt_nodes(root, shown, info, with_pushes), done)

        with_pushes = asks_for(info, _PUSHES)
        # synchronous when the page's resolver has loaded the receipts already
        return then(receipts_of(root, info), page)  # type: ignore[return-value]

    @strawberry.field
    def receipt_summary(
        self, root: Parent[records.SentMessage], info: ContextInfo
    ) -> ReceiptSummary:
        return summarize(root, info)  # type: ignore[return-value]  # see receipts
