"""``SentMessage``: one message a user sent, its filter outcome and its receipts."""

from typing import Any

import strawberry
from strawberry import Parent

from resolvers import ids, navigation
from resolvers.context import ContextInfo
from resolvers.diagnosis import DiagnosisType, message_diagnosis
from resolvers.enums import BuiltinMessageType, ChannelType, MessageSource, MuteScope, SendResult
from resolvers.fastpath.later import MaybeLater, then
from resolvers.fastpath.selection import asks_directly, asks_for
from resolvers.limits import RECEIPTS_FIRST
from resolvers.node import Node
from resolvers.pagination import Connection, connection
from resolvers.receipts import (
    PUSH_FIELDS,
    RECEIPT_CURSOR,
    ReceiptNode,
    ReceiptStatus,
    ReceiptSummary,
    ReceiptType,
    receipt_nodes,
    receipt_request,
    summarize,
)
from resolvers.scalars import DateTime
from store import records
from store.catalogue import BUILTIN_OBJECT_NAMES, prompt_for
from store.limits import SETTLE_MS
from store.receipts import counted_by_summary


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
    sender: navigation.UserRef = strawberry.field(
        resolver=navigation.sender, description="The user who sent the message."
    )
    connection: navigation.ConnectionRef | None = strawberry.field(
        resolver=navigation.sent_on,
        description="The connection the message was sent on; null for SERVER_API messages "
        "and for a connectionId with no connection log in the retention window.",
    )
    diagnosis: DiagnosisType = strawberry.field(
        resolver=message_diagnosis,
        description="The message as a whole: blocked, delivered, partially delivered, not "
        "delivered (and the dominant reason), in progress or not tracked.",
    )

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
        request = receipt_request(root, recipient_id, status, first, after)
        if request is None:
            return connection(records.Page(), _no_receipts)
        loaders = info.context.loaders
        with_pushes = asks_for(info, PUSH_FIELDS)
        query = request.query
        # asked in the same tick as the page: one snapshot (see ReceiptLoader)
        summary = None
        if query.recipient_id is None and asks_directly(info, "totalCount"):
            summary = loaders.receipts.summary(query.scope)

        def page(found: records.Page[records.Receipt]) -> MaybeLater[Connection[ReceiptType]]:
            async def count() -> int:
                if summary is None:
                    return await loaders.receipt_counts.load(query)
                return counted_by_summary(query, await summary) or 0

            def done(nodes: list[ReceiptNode]) -> Connection[ReceiptType]:
                edges = [records.Edge(ids.encode(RECEIPT_CURSOR, n.recipient_id), n) for n in nodes]
                return connection(records.Page(edges, found.has_next_page), count)

            receipts = [e.node for e in found.edges]
            return then(
                receipt_nodes(root, request.query.scope.msg_uid, receipts, info, with_pushes),
                done,
            )

        # synchronous when the page's resolver has loaded the receipts already
        return then(loaders.receipts.page(request), page)  # type: ignore[return-value]

    @strawberry.field
    def receipt_summary(
        self, root: Parent[records.SentMessage], info: ContextInfo
    ) -> ReceiptSummary:
        return summarize(root, info)  # type: ignore[return-value]  # see receipts


async def _no_receipts() -> int:
    return 0
