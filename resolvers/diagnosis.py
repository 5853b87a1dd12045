"""Diagnosis in the graph (SPEC §7): ``Diagnosis``, ``Finding``, their enums, and the
resolvers of ``User.sendDiagnosis``, ``SentMessage.diagnosis`` and ``Receipt.diagnosis``.

The resolvers only gather records through the dataloaders (a page of diagnoses
costs a handful of store calls); the rules are ``store.diagnosis``.
"""

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from graphql import FieldNode, GraphQLError, GraphQLObjectType, get_argument_values
from graphql.execution.values import VariableValues
from strawberry import Parent
from strawberry.types.enum import has_enum_definition

from resolvers.context import ContextInfo
from resolvers.fastpath.later import MaybeLater, all_then, loaded, then
from resolvers.fastpath.lean import repeatable
from resolvers.fastpath.selection import child_fields, listed_fields, listed_names
from resolvers.loaders import Loaders
from resolvers.navigation import instant
from resolvers.scalars import DateTime
from store import diagnosis as rules
from store import model, records
from store.limits import horizon_ms
from store.receipts import receipt_scope

if TYPE_CHECKING:
    from resolvers.receipts import ReceiptNode

NEARBY_FIRST = 100
"""Connection logs read around an instant to find refused connect attempts."""
DIAGNOSIS_FIELDS = frozenset({"diagnosis"})
"""The field below a page of receipts whose answers are computed with the receipts
(``receipt_diagnoses``) and need their recipients' connections loaded ahead."""


def _describe(enum: type, description: str, values: dict[str, str]) -> None:
    assert has_enum_definition(enum), enum
    definition = enum.__strawberry_definition__
    definition.description = description
    for value in definition.values:
        value.description = values[value.name]


Verdict: TypeAlias = model.Verdict
_describe(
    strawberry.enum(Verdict),
    "The answer of a diagnosis. Which values occur depends on what is diagnosed: "
    "a user's connection (sendDiagnosis), a message, or one recipient of it.",
    {
        "CONNECTED": "sendDiagnosis: a connection of the user was open at that instant.",
        "NOT_CONNECTED": "sendDiagnosis: no connection was open; the findings say when the "
        "last one closed (and why) and when the next one opened.",
        "CONNECTION_REJECTED": "sendDiagnosis: no connection was open and connect attempts "
        "were refused within 10 minutes of the instant (their codes in the findings).",
        "NO_DATA": "sendDiagnosis: the user has no connection data in the retention window.",
        "BLOCKED": "Message: a filter stopped it (blocklist, allowlist, mute, moderation).",
        "DELIVERED": "Message: every recipient received it online. Receipt: this recipient "
        "received it online.",
        "PARTIALLY_DELIVERED": "Message: some recipients received it online, others did not.",
        "NOT_DELIVERED": "Message: no recipient received it online; the summary names the "
        "dominant reason.",
        "IN_PROGRESS": "Message: not settled yet and some recipients have no status yet.",
        "NOT_TRACKED": "Message: an OPEN or SYSTEM message, which has no per-recipient status.",
        "NOT_FETCHED": "Receipt: notified, but the recipient disconnected before fetching the "
        "message; it is fetched at the next login.",
        "PUSH_SENT": "Receipt: offline, and the push provider accepted a push (which does not "
        "prove that the device showed it).",
        "PUSH_FAILED": "Receipt: offline, and every push attempt failed.",
        "PUSH_SKIPPED": "Receipt: offline, and no push was sent on purpose (pushSkipped says why).",
        "NO_PUSH_RECORD": "Receipt: offline, and neither a push attempt nor a reason to skip "
        "one was reported.",
        "PENDING": "Receipt: no status yet, and the message is not settled.",
        "NO_STATUS": "Receipt: settled, and no status event ever arrived: a gap in the "
        "tracking data, not a delivery outcome.",
    },
)

FindingCode: TypeAlias = model.FindingCode
_describe(
    strawberry.enum(FindingCode),
    "The kind of evidence a finding records.",
    {
        "CONNECTION_OPEN": "A connection of the user was open at the instant asked about.",
        "CONNECTION_CLOSED": "The user's last connection before the instant closed (when, why).",
        "NEXT_CONNECTION": "The user's next connection after the instant (when, which device).",
        "CONNECTION_REFUSED": "A connect attempt the server refused (code and description).",
        "NO_CONNECTION_DATA": "No connection of the user is recorded in the retention window.",
        "MESSAGE_SENT": "The sender sent the message (when, from which source and connection).",
        "PROFANITY_REPLACED": "Sent with profanity replaced by the moderation filter.",
        "MESSAGE_BLOCKED": "A filter stopped the message; the text is the prompt shown for it.",
        "CHANNEL_NOT_TRACKED": "The channel type has no per-recipient status.",
        "RECIPIENTS_COUNTED": "The message's recipients counted by outcome.",
        "STATUS_NOT_SETTLED": "When the message's status settles (5 minutes after sending).",
        "RECIPIENT_CONNECTED_AT_SEND": "The recipient had a connection open when the message "
        "was sent.",
        "RECIPIENT_DISCONNECTED_AT_SEND": "The recipient had no connection open when the "
        "message was sent.",
        "DELIVERED_ONLINE": "A message.delivered event: received online.",
        "NOTIFIED_NOT_FETCHED": "A message.not_delivered event: notified, not fetched.",
        "STORED_OFFLINE": "A message.offline event: stored for the next login.",
        "PUSH_ACCEPTED": "A push attempt the provider accepted.",
        "PUSH_REFUSED": "A push attempt that failed, with what the provider's error means.",
        "PUSH_NOT_SENT": "No push was sent, on purpose (the skip reason).",
        "NO_PUSH_REPORTED": "Offline, and no push attempt or skip reason was reported.",
        "NO_STATUS_EVENT": "No status event arrived for the recipient before the message settled.",
    },
)


@strawberry.type(name="Finding", description="One piece of evidence behind a diagnosis.")
class FindingType:
    code: FindingCode = strawberry.field(description="What kind of evidence this is.")
    at: DateTime | None = strawberry.field(
        description="When it happened; null for a fact that has no time of its own."
    )
    text: str = strawberry.field(description="The evidence in one sentence, times in UTC.")


@strawberry.type(
    name="Diagnosis",
    description="Why something did or did not happen, as a support engineer would write it, "
    "computed from the same records the graph shows.",
)
class DiagnosisType:
    verdict: Verdict = strawberry.field(description="The answer, in one word.")
    summary: str = strawberry.field(
        description="One plain sentence to paste into a ticket: times in UTC, the facts and "
        "codes that decide it, and what to do."
    )
    findings: list[FindingType] = strawberry.field(
        description="The evidence behind the verdict, oldest first; findings without a time last."
    )
    settled: bool = strawberry.field(
        description="False while events still to arrive may change the verdict (until 5 "
        "minutes after a message was sent; 10 minutes after the instant of a sendDiagnosis)."
    )


def _shown(found: records.Diagnosis) -> DiagnosisType:
    return found  # type: ignore[return-value]  # records.Diagnosis has every field


@repeatable
def message_diagnosis(root: Parent[records.SentMessage], info: ContextInfo) -> DiagnosisType:
    """From the message's counts (the same store read as ``receiptSummary``)."""
    message = root
    now = info.context.now
    scope = receipt_scope(message)
    if scope is None:
        return _shown(rules.message_diagnosis(message, records.ReceiptCounts(), now))
    counts: MaybeLater[records.ReceiptCounts] = info.context.loaders.receipts.summary(scope)
    later: MaybeLater[DiagnosisType] = then(
        counts, lambda c: _shown(rules.message_diagnosis(message, c, now))
    )
    return later  # type: ignore[return-value]  # graphql-core awaits it when it must


def receipt_diagnosis(root: Parent[Any]) -> DiagnosisType:
    """Computed with the receipt's node (``receipt_diagnoses``), so that a page of
    receipts resolves its diagnoses as plain values."""
    node: ReceiptNode = root
    if node.diagnosis is None:
        raise RuntimeError("a receipt node without its diagnosis: receipt_nodes was not asked")
    return _shown(node.diagnosis)


def receipt_diagnoses(
    message: records.SentMessage,
    receipts: list[records.Receipt],
    attempts: list[list[records.PushAttempt]],
    info: ContextInfo,
) -> MaybeLater[list[records.Diagnosis]]:
    """The diagnosis of each of a message's receipts (``attempts`` are theirs, in the
    same order), from the recipients' connection logs: at once when the level's
    prefetch loaded them (``prefetch_diagnoses``)."""
    loaders = info.context.loaders
    now = info.context.now
    reads = [_connections_read(message, r, loaders) for r in receipts]

    def found(logs: list[records.ConnectionLog | None]) -> list[records.Diagnosis]:
        pairs = iter(logs)
        diagnoses = []
        for receipt, pushes, read in zip(receipts, attempts, reads, strict=True):
            at_send, following = (next(pairs), next(pairs)) if read else (None, None)
            diagnoses.append(
                rules.receipt_diagnosis(
                    message, receipt, pushes, at_send=at_send, following=following, now=now
                )
            )
        return diagnoses

    return all_then([log for read in reads for log in read], found)


def _connections_read(
    message: records.SentMessage, receipt: records.Receipt, loaders: Loaders
) -> list[Awaitable[records.ConnectionLog | None]]:
    """The recipient's connections a receipt's diagnosis reads: the one open when the
    message was sent and the next after its status; none once delivered."""
    after = rules.next_connection_after(message, receipt)
    if after is None:
        return []
    return [
        loaders.connections_at.load((receipt.recipient_id, message.sent_at)),
        loaders.next_connections.load((receipt.recipient_id, after)),
    ]


async def send_diagnosis(user_id: str, at: int, info: ContextInfo) -> DiagnosisType:
    """Around ``at`` (already checked against retention and the clock)."""
    ctx = info.context
    loaders = ctx.loaders
    key = (user_id, at)
    horizon = horizon_ms(ctx.retention_days, ctx.now)
    near = records.ConnectionQuery(
        user_id, max(at - rules.REJECT_WINDOW_MS, horizon), at + rules.REJECT_WINDOW_MS
    )
    open_at, previous, following, page = await asyncio.gather(
        loaders.connections_at.load(key),
        loaders.previous_connections.load(key),
        loaders.next_connections.load(key),
        loaders.connection_pages.load(records.PageRequest(near, NEARBY_FIRST)),
    )
    nearby = [edge.node for edge in page.edges]
    has_data = bool(open_at or previous or following or nearby)
    if not has_data:
        everything = records.ConnectionQuery(user_id, horizon, ctx.now + 1)
        has_data = await loaders.connection_counts.load(everything) > 0
    found = rules.send_diagnosis(
        user_id,
        at,
        open_at=open_at,
        previous=previous,
        following=following,
        nearby=nearby,
        has_data=has_data,
        now=ctx.now,
    )
    return _shown(found)


def _instants_asked(info: ContextInfo, below: Sequence[FieldNode]) -> list[int]:
    """The valid ``at`` of every ``recipient { connectionAt }`` of the receipts of the
    ``receipts`` fields ``below`` (a bad one is left for the field itself to refuse)."""
    raw = info._raw_info
    user = raw.schema.get_type("User")
    if not isinstance(user, GraphQLObjectType):
        return []
    definition = user.fields["connectionAt"]
    variables = raw.variable_values
    if isinstance(variables, dict):  # an executor that keeps only the coerced values
        variables = VariableValues({}, variables)
    found = []
    recipients = listed_fields(info, "recipient", below)
    for node in child_fields(info, recipients, "connectionAt"):
        try:
            found.append(instant(get_argument_values(definition, node, variables)["at"], info))
        except (GraphQLError, KeyError):
            continue
    return found


async def prefetch_diagnoses(
    receipts: list[tuple[records.SentMessage, records.Receipt]],
    info: ContextInfo,
    below: Sequence[FieldNode],
) -> None:
    """Load the recipients' connections that the receipts' diagnoses and any
    ``connectionAt`` below them will read, for a whole level at once (called by
    ``resolvers.receipts.prefetch_receipts``, ``below`` being the ``receipts``
    fields that listed them): one store call each, however the receipts'
    resolvers are scheduled later."""
    if not receipts:
        return
    loaders = info.context.loaders
    wanted: list[Any] = []
    if not listed_names(info, below).isdisjoint(DIAGNOSIS_FIELDS):
        for message, receipt in receipts:
            wanted += _connections_read(message, receipt, loaders)
    for at in _instants_asked(info, below):
        wanted += [loaders.connections_at.load((r.recipient_id, at)) for _, r in receipts]
    await loaded(wanted)
