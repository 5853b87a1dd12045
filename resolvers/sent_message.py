"""``SentMessage``: one message a user sent, its filter outcome and its receipts."""

from typing import Annotated, Any

import strawberry
from strawberry import Parent

from resolvers import ids, navigation
from resolvers.context import ContextInfo
from resolvers.diagnosis import DIAGNOSIS_FIELDS, DiagnosisType, message_diagnosis
from resolvers.enums import (
    BuiltinMessageType,
    ChannelType,
    MessageSource,
    MuteScope,
    ReceiptStatus,
    SendResult,
)
from resolvers.fastpath.later import MaybeLater, then
from resolvers.fastpath.lean import repeatable
from resolvers.fastpath.selection import asks_directly, listed_names
from resolvers.limits import RECEIPTS_FIRST
from resolvers.node import Node
from resolvers.pagination import After, Connection, First, connection
from resolvers.receipts import (
    PUSH_FIELDS,
    RECEIPT_CURSOR,
    ReceiptNode,
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


@strawberry.type(
    name="SentMessage",
    description="One message a user sent: what it was, whether the server accepted it or a "
    "filter stopped it, and what happened to it for each recipient.",
)
class SentMessageType(Node):
    msg_uid: str | None = strawberry.field(
        description="Nexconn's message id; null when the message was blocked (a blocked "
        "message never gets one)."
    )
    sender_id: strawberry.ID = strawberry.field(description="The user who sent it.")
    target_id: strawberry.ID = strawberry.field(
        description="Where it was sent, by channelType: the recipient's user id for DIRECT "
        "and SYSTEM, the group id for GROUP, the open channel's id for OPEN."
    )
    channel_type: ChannelType = strawberry.field(description="The kind of conversation.")
    message_type: str = strawberry.field(
        description="The ObjectName, e.g. NX:TxtMsg (see builtinType), or the app's own "
        "custom type."
    )
    source: MessageSource = strawberry.field(
        description="Where it was sent from: a client SDK, or SERVER_API for the app's server."
    )
    sent_at: DateTime = strawberry.field(description="When the Nexconn server handled the send.")
    result: SendResult = strawberry.field(
        description="Whether the server accepted it (SENT, SENT_PROFANITY_REPLACED) or which "
        "filter stopped it."
    )
    mute_scope: MuteScope | None = strawberry.field(
        description="Which mute stopped it; null unless result is MUTED."
    )
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

    @strawberry.field(  # type: ignore[misc, untyped-decorator]  # typed Any (strawberry#1929); resolves Node.id
        description="Global id of this message, for node(id); stable even for a blocked "
        "message with no msgUid."
    )
    def id(self, root: Parent[records.SentMessage]) -> strawberry.ID:
        return strawberry.ID(ids.encode(ids.SENT_MESSAGE, root.key))

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="The built-in type messageType names; null for custom message types."
    )
    def builtin_type(self, root: Parent[records.SentMessage]) -> BuiltinMessageType | None:
        return BUILTIN_OBJECT_NAMES.get(root.message_type)

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="What the result means, in the words the API shows the sender; null for SENT."
    )
    def prompt(self, root: Parent[records.SentMessage]) -> str | None:
        return prompt_for(root.result, root.mute_scope)

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description=f"True from sentAt + {SETTLE_MS // 60_000} minutes: receipts and push "
        "results arriving later are not expected, so statuses no longer change."
    )
    @repeatable
    def status_settled(self, root: Parent[records.SentMessage], info: ContextInfo) -> bool:
        return info.context.now >= root.sent_at + SETTLE_MS

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="One receipt per recipient, ordered by recipientId: for DIRECT messages "
        "the target, for GROUP messages each member it was sent to. Empty for blocked, OPEN "
        "and SYSTEM messages."
    )
    @repeatable
    def receipts(
        self,
        root: Parent[records.SentMessage],
        info: ContextInfo,
        recipient_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this recipient's receipt; absent: everyone's."),
        ] = None,
        status: Annotated[
            ReceiptStatus | None,
            strawberry.argument(description="Only receipts in this status; absent: every status."),
        ] = None,
        first: First = RECEIPTS_FIRST,
        after: After = None,
    ) -> Connection[ReceiptType]:
        request = receipt_request(root, recipient_id, status, first, after)
        if request is None:
            return connection(records.Page(), _no_receipts, after)
        loaders = info.context.loaders
        asked = listed_names(info)  # of each receipt, as the prefetch reads them
        with_pushes = not asked.isdisjoint(PUSH_FIELDS)
        with_diagnoses = not asked.isdisjoint(DIAGNOSIS_FIELDS)
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
                return connection(records.Page(edges, found.has_next_page), count, after)  # type: ignore[arg-type]  # ReceiptNode resolves as ReceiptType

            receipts = [e.node for e in found.edges]
            return then(
                receipt_nodes(
                    root, request.query.scope.msg_uid, receipts, info, with_pushes, with_diagnoses
                ),
                done,
            )

        # synchronous when the page's resolver has loaded the receipts already
        return then(loaders.receipts.page(request), page)  # type: ignore[return-value]  # graphql-core awaits it when it must

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="How many recipients are in each status, counted over every receipt "
        "(not just a page); all zero for messages without receipts."
    )
    @repeatable
    def receipt_summary(
        self, root: Parent[records.SentMessage], info: ContextInfo
    ) -> ReceiptSummary:
        return summarize(root, info)  # type: ignore[return-value]  # see receipts


async def _no_receipts() -> int:
    return 0
