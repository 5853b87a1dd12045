"""Receipt-level types: a recipient's status, its history and its push attempts."""

from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLObjectType, get_argument_values
from graphql.execution.values import VariableValues
from strawberry import Parent

from resolvers import ids, navigation
from resolvers.context import ContextInfo
from resolvers.diagnosis import (
    DiagnosisType,
    prefetch_diagnoses,
    receipt_diagnoses,
    receipt_diagnosis,
)
from resolvers.enums import PushProvider, PushSkipReason, ReceiptStatus
from resolvers.errors import BadUserInput
from resolvers.fastpath.later import MaybeLater, all_then, loaded, then
from resolvers.fastpath.selection import listed_fields, listed_names, names_in
from resolvers.limits import RECEIPTS_FIRST
from resolvers.push_errors import PushErrorType, attempt_error
from resolvers.scalars import DateTime
from resolvers.windows import check_first
from store import model, records
from store.receipts import receipt_scope


@strawberry.type(
    name="ReceiptEvent", description="One status event of a receipt, as the server reported it."
)
class ReceiptEventType:
    status: ReceiptStatus = strawberry.field(description="The status the event reported.")
    at: DateTime = strawberry.field(description="When the Nexconn server recorded it.")


@strawberry.type(
    name="PushAttempt",
    description="One push notification Nexconn handed to a provider for an OFFLINE recipient.",
)
class PushAttemptType:
    provider: PushProvider = strawberry.field(description="The push service it went to.")
    sent_at: DateTime = strawberry.field(description="When Nexconn sent it to the provider.")
    success: bool = strawberry.field(
        description="True when the provider accepted it (accepted is not the same as shown on "
        "the device)."
    )
    error_code: str | None = strawberry.field(
        description="The provider's own error code or reason (e.g. APNs BadDeviceToken, FCM "
        "UNREGISTERED); null when it succeeded."
    )
    error_description: str | None = strawberry.field(
        description="The provider's own words for the error, when it gave any; null when it "
        "succeeded."
    )

    @strawberry.field(  # type: ignore[untyped-decorator]  # field(...) is typed Any (strawberry#1929)
        description="What the provider's error means and what to do (the push error "
        "catalogue); null for a successful attempt."
    )
    def error(self, root: Parent[records.PushAttempt]) -> PushErrorType | None:
        return attempt_error(root)


@strawberry.type(
    name="Receipt", description="What happened to one message for one of its recipients."
)
class ReceiptType:
    recipient_id: strawberry.ID = strawberry.field(description="The recipient's user id.")
    status: ReceiptStatus = strawberry.field(
        description="The status of the latest status event; PENDING before the first."
    )
    status_at: DateTime | None = strawberry.field(
        description="Time of the event that set the status; null while PENDING."
    )
    history: list[ReceiptEventType] = strawberry.field(
        description="Every status event, oldest first."
    )
    push_skipped: PushSkipReason | None = strawberry.field(
        description="Why an OFFLINE recipient got no push; null when a push was attempted "
        "or the status is not OFFLINE."
    )

    push_attempts: list[PushAttemptType] = strawberry.field(
        description="Every push notification sent to this recipient for the message, oldest "
        "first; empty when none was sent."
    )
    recipient: navigation.UserRef = strawberry.field(
        resolver=navigation.recipient,
        description="The recipient, to navigate to their own connection logs.",
    )
    diagnosis: DiagnosisType = strawberry.field(
        resolver=receipt_diagnosis,
        description="Why this recipient did or did not receive the message, from its status, "
        "push attempts and the recipient's connection logs.",
    )


RECEIPT_CURSOR = "r"
PUSH_FIELDS = frozenset({"pushAttempts", "diagnosis"})
"""Fields below a receipt that need its push attempts (a diagnosis reads them)."""
SUMMARY_FIELDS = frozenset({"receiptSummary", "diagnosis"})
"""Fields of a message that read its receipts' summary (a message's diagnosis does)."""


@dataclass(slots=True, frozen=True)
class ReceiptNode:
    """A receipt as the API shows it: the stored view and the recipient's push attempts."""

    recipient_id: str
    status: model.ReceiptStatus
    status_at: int | None
    history: tuple[records.StatusChange, ...]
    push_skipped: model.PushSkipReason | None
    push_attempts: list[records.PushAttempt]
    message: records.SentMessage
    """The message received: the diagnosis reads its send time and result."""
    diagnosis: records.Diagnosis | None
    """Computed with the node when the query asks for it (see ``receipt_nodes``)."""


def receipt_nodes(
    message: records.SentMessage,
    msg_uid: str,
    receipts: list[records.Receipt],
    info: ContextInfo,
    with_pushes: bool,
    with_diagnoses: bool,
) -> MaybeLater[list[ReceiptNode]]:
    """``receipts`` with their push attempts, loaded only when ``with_pushes``, and
    their diagnoses, computed only when ``with_diagnoses`` (which needs the pushes)."""

    def nodes(
        attempts: list[list[records.PushAttempt]], diagnoses: list[records.Diagnosis] | None
    ) -> list[ReceiptNode]:
        return [
            ReceiptNode(
                r.recipient_id,
                r.status,
                r.status_at,
                r.history,
                r.push_skipped,
                attempts[i] if attempts else [],
                message,
                diagnoses[i] if diagnoses else None,
            )
            for i, r in enumerate(receipts)
        ]

    if not with_pushes or not receipts:
        return nodes([], None)

    def diagnosed(attempts: list[list[records.PushAttempt]]) -> MaybeLater[list[ReceiptNode]]:
        if not with_diagnoses:
            return nodes(attempts, None)
        return then(
            receipt_diagnoses(message, receipts, attempts, info), lambda d: nodes(attempts, d)
        )

    loader = info.context.loaders.recipient_push_attempts
    attempts = all_then([loader.load((msg_uid, r.recipient_id)) for r in receipts], list)
    return then(attempts, diagnosed)


def receipt_request(
    message: records.SentMessage,
    recipient_id: str | None,
    status: model.ReceiptStatus | None,
    first: int | None,
    after: str | None,
) -> records.PageRequest[records.ReceiptQuery] | None:
    """The store page a ``receipts`` field asks for; None for a message without
    receipts. Bad arguments are ``BAD_USER_INPUT``."""
    size = check_first(first, RECEIPTS_FIRST)
    start_after: str | None = None
    if after is not None:
        parts = ids.decode(after)
        if parts is None or len(parts) != 2 or parts[0] != RECEIPT_CURSOR:
            raise BadUserInput("after: not a cursor of this list")
        start_after = parts[1]
    scope = receipt_scope(message)
    if scope is None:
        return None
    query = records.ReceiptQuery(scope, recipient_id, status)
    return records.PageRequest(query, size, start_after)


@strawberry.type(
    description="How many of a message's recipients are in each status; every count is "
    "of recipients, counted over all of them."
)
class ReceiptSummary:
    total: int = strawberry.field(description="Recipients with a receipt.")
    delivered: int = strawberry.field(description="Recipients in status DELIVERED.")
    not_delivered: int = strawberry.field(description="Recipients in status NOT_DELIVERED.")
    offline: int = strawberry.field(description="Recipients in status OFFLINE.")
    pending: int = strawberry.field(description="Recipients in status PENDING.")
    push_succeeded: int = strawberry.field(
        description="Recipients with at least one successful push attempt."
    )
    push_failed: int = strawberry.field(
        description="Recipients with push attempts of which none succeeded."
    )


def _summary(counts: records.ReceiptCounts) -> ReceiptSummary:
    return ReceiptSummary(
        total=counts.total,
        delivered=counts.delivered,
        not_delivered=counts.not_delivered,
        offline=counts.offline,
        pending=counts.pending,
        push_succeeded=counts.push_succeeded,
        push_failed=counts.push_failed,
    )


def summarize(message: records.SentMessage, info: ContextInfo) -> MaybeLater[ReceiptSummary]:
    """Counted by the store (no store call for a message that has no receipts)."""
    scope = receipt_scope(message)
    if scope is None:
        return _summary(records.ReceiptCounts())
    return then(info.context.loaders.receipts.summary(scope), _summary)


def _receipt_fields(info: ContextInfo) -> list[tuple[FieldNode, dict[str, Any]]]:
    """Every ``receipts`` field of the messages of the current page, with its
    arguments coerced with the request's variables (defaults applied)."""
    raw = info._raw_info
    sent_message = raw.schema.get_type("SentMessage")
    if not isinstance(sent_message, GraphQLObjectType):
        return []
    definition = sent_message.fields["receipts"]
    variables = raw.variable_values
    if isinstance(variables, dict):  # an executor that keeps only the coerced values
        variables = VariableValues({}, variables)
    return [
        (node, get_argument_values(definition, node, variables))
        for node in listed_fields(info, "receipts")
    ]


async def prefetch_receipts(page: records.Page[records.SentMessage], info: ContextInfo) -> None:
    """Load the receipt pages, summaries and push attempts of a page of messages
    that the query asks for below it, before the page is returned.

    Every page of a level is at this point in the same tick, so the loaders still
    ask the store once for all of them; and each message's receipt fields then
    find their data loaded and resolve without awaiting (see ``resolvers.fastpath.later``).
    Fragments count, directives are not evaluated: at worst this loads what a
    skipped field would have needed.
    """
    messages = [e.node for e in page.edges]
    scopes = [s for s in (receipt_scope(m) for m in messages) if s is not None]
    if not scopes:
        return
    loaders = info.context.loaders
    wanted: list[Any] = []
    if not listed_names(info).isdisjoint(SUMMARY_FIELDS):
        wanted += [loaders.receipts.summary(s) for s in scopes]
    requests: list[records.PageRequest[records.ReceiptQuery]] = []
    owners: list[records.SentMessage] = []
    fields = _receipt_fields(info)
    for node, args in fields:
        counted = "totalCount" in names_in(info, (node,))
        for message in messages:
            status = args.get("status")
            try:
                request = receipt_request(
                    message,
                    args.get("recipientId"),
                    None
                    if status is None
                    else model.ReceiptStatus(getattr(status, "value", status)),
                    args.get("first"),
                    args.get("after"),
                )
            except BadUserInput:
                break  # the field itself answers with the error
            if request is not None:
                requests.append(request)
                owners.append(message)
                if counted and request.query.recipient_id is None:  # as the field counts
                    wanted.append(loaders.receipts.summary(request.query.scope))
    pages = [loaders.receipts.page(r) for r in requests]
    await loaded([*wanted, *pages])
    nodes = [node for node, _ in fields]
    if pages and not listed_names(info, nodes).isdisjoint(PUSH_FIELDS):
        keys = [
            (r.query.scope.msg_uid, e.node.recipient_id)
            for r, p in zip(requests, pages, strict=True)
            for e in p.result().edges
        ]
        if keys:
            await loaded(loaders.recipient_push_attempts.load(k) for k in keys)
    if pages:
        found = [(m, e.node) for m, p in zip(owners, pages, strict=True) for e in p.result().edges]
        await prefetch_diagnoses(found, info, nodes)
