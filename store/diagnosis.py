"""Diagnosis in words (SPEC §7): the verdict a support engineer would reach from
the records the graph shows, with the sentence they would paste into a ticket.

Pure functions over store records: no store access, no clock (``now`` is passed
in), so that every backend and every arrival order of the same events give the
same answer. The resolvers load the records through their dataloaders and call
:func:`send_diagnosis`, :func:`message_diagnosis` and :func:`receipt_diagnosis`.
Times in texts are UTC; advice for push errors comes from the catalogue
(``store.push_errors``).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from store import advice
from store.catalogue import RECEIPT_CHANNELS, prompt_for
from store.limits import SETTLE_MS
from store.model import (
    DisconnectReason,
    FindingCode,
    SendResult,
    Verdict,
)
from store.model import ReceiptStatus as Status
from store.push_errors import lookup
from store.records import ConnectionLog, Diagnosis, Finding, PushAttempt, Receipt, ReceiptCounts
from store.records import SentMessage as Message

REJECT_WINDOW_MS = 10 * 60_000
"""Connect attempts refused this close to the instant asked about explain it."""

_SENT = frozenset({SendResult.SENT, SendResult.SENT_PROFANITY_REPLACED})


def utc(ms: int) -> str:
    """``2026-12-03 14:02:05 UTC``: how every text writes a time (the minute from a
    cache, the second from a table: a page of diagnoses writes thousands)."""
    minute, rest = divmod(ms, 60_000)
    head = _UTC_MINUTES.get(minute) or _utc_minute(minute)
    return head + _UTC_SECONDS[rest // 1000]


_UTC_MINUTES: dict[int, str] = {}
"""``YYYY-MM-DD HH:MM:`` by minute since the epoch."""
_UTC_MINUTES_KEPT = 100_000
_UTC_SECONDS = tuple(f"{second:02d} UTC" for second in range(60))


def _utc_minute(minute: int) -> str:
    if len(_UTC_MINUTES) >= _UTC_MINUTES_KEPT:
        _UTC_MINUTES.clear()
    day, rest = divmod(minute, 1440)
    head = _UTC_MINUTES[minute] = f"{_day(day)} {rest // 60:02d}:{rest % 60:02d}:"
    return head


@lru_cache(maxsize=512)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def count(n: int, noun: str) -> str:
    """``1 recipient``, ``3 recipients``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _device(log: ConnectionLog) -> str:
    parts = [log.platform.value, f"SDK {log.sdk_version}"]
    parts += [p for p in (log.device_model, log.os_version and f"OS {log.os_version}") if p]
    return ", ".join(parts) + f", IP {log.ip}"


def _diagnosis(
    verdict: Verdict, summary: str, findings: Iterable[Finding], settled: bool
) -> Diagnosis:
    ordered = sorted(findings, key=lambda f: (f.at is None, f.at or 0))
    return Diagnosis(verdict, summary, tuple(ordered), settled)


# --- "my message failed to send": User.sendDiagnosis ----------------------------------


def _closed(log: ConnectionLog, user: str) -> Finding:
    reason = advice.REASONS[log.disconnect_reason or DisconnectReason.UNKNOWN]
    assert log.disconnected_at is not None
    return Finding(
        FindingCode.CONNECTION_CLOSED,
        log.disconnected_at,
        f"{user}'s connection {log.connection_id} ({_device(log)}) closed at "
        f"{utc(log.disconnected_at)}: {reason}.",
    )


def _next(log: ConnectionLog, user: str) -> Finding:
    return Finding(
        FindingCode.NEXT_CONNECTION,
        log.connected_at,
        f"{user} connected next at {utc(log.connected_at)} ({_device(log)}).",
    )


def send_diagnosis(
    user: str,
    at: int,
    *,
    open_at: ConnectionLog | None,
    previous: ConnectionLog | None,
    following: ConnectionLog | None,
    nearby: Sequence[ConnectionLog],
    has_data: bool,
    now: int,
) -> Diagnosis:
    """Was ``user`` connected at ``at``? ``open_at``: the connection open then;
    ``previous``: the last closed at or before it; ``following``: the next opened
    after it; ``nearby``: logs within :data:`REJECT_WINDOW_MS` of it (only the
    rejected attempts count); ``has_data``: any log in the retention window."""
    settled = now >= at + REJECT_WINDOW_MS
    refused = sorted(
        (log for log in nearby if log.reject_code is not None),
        key=lambda log: (log.connected_at, log.key),
    )
    findings = [
        Finding(
            FindingCode.CONNECTION_REFUSED,
            log.connected_at,
            f"A connect attempt by {user} ({_device(log)}) was refused at "
            f"{utc(log.connected_at)} with {log.reject_code}"
            + (f" ({log.reject_description})." if log.reject_description else "."),
        )
        for log in refused
    ]
    when = utc(at)
    if open_at is not None:
        findings.append(
            Finding(
                FindingCode.CONNECTION_OPEN,
                open_at.connected_at,
                f"{user}'s connection {open_at.connection_id} was open at {when}, connected "
                f"since {utc(open_at.connected_at)} ({_device(open_at)}).",
            )
        )
        summary = (
            f"{user} was connected at {when} (connection {open_at.connection_id} since "
            f"{utc(open_at.connected_at)}, {_device(open_at)}): the connection was not the "
            "problem; check the message's own result and diagnosis."
        )
        return _diagnosis(Verdict.CONNECTED, summary, findings, settled)
    if previous is not None:
        findings.append(_closed(previous, user))
    if following is not None:
        findings.append(_next(following, user))
    after = f"; {user} connected again at {utc(following.connected_at)}" if following else ""
    before = (
        f"; the last connection closed at {utc(previous.disconnected_at or 0)} ("
        f"{advice.REASONS[previous.disconnect_reason or DisconnectReason.UNKNOWN]}){after}"
        if previous
        else after
    )
    if refused:
        codes = ", ".join(dict.fromkeys(log.reject_code or "" for log in refused))
        summary = (
            f"{user} was not connected at {when}: {count(len(refused), 'connect attempt')} "
            f"within 10 minutes {'was' if len(refused) == 1 else 'were'} refused ({codes})"
            f"{before}. Fix what the code names (e.g. issue a new token for TOKEN_INVALID) so "
            "the app can connect."
        )
        return _diagnosis(Verdict.CONNECTION_REJECTED, summary, findings, settled)
    if not has_data and previous is None and following is None:
        findings.append(
            Finding(
                FindingCode.NO_CONNECTION_DATA,
                None,
                f"No connection of {user} is recorded in the retention window.",
            )
        )
        summary = (
            f"No connection data for {user} in the retention window: check the user ID, and "
            "that the app's IM server reports connection events."
        )
        return _diagnosis(Verdict.NO_DATA, summary, findings, settled)
    summary = (
        f"{user} was not connected to Nexconn at {when}{before or ''}: a message sent then "
        "through the SDK fails; check the device's network and that the app reconnects."
    )
    return _diagnosis(Verdict.NOT_CONNECTED, summary, findings, settled)


# --- SentMessage.diagnosis ---------------------------------------------------------------


def _sent(message: Message) -> Finding:
    via = f" on connection {message.connection_id}" if message.connection_id else ""
    return Finding(
        FindingCode.MESSAGE_SENT,
        message.sent_at,
        f"{message.sender_id} sent {message.message_type} to {message.channel_type.value} "
        f"{message.target_id} at {utc(message.sent_at)} from {message.source.value}{via}.",
    )


def message_diagnosis(message: Message, counts: ReceiptCounts, now: int) -> Diagnosis:
    """The message as a whole, from its filter result and its receipts counted by the store."""
    settled = now >= message.sent_at + SETTLE_MS
    findings = [_sent(message)]
    when = utc(message.sent_at)
    if message.result not in _SENT:
        prompt = prompt_for(message.result, message.mute_scope) or message.result.value
        fix = advice.BLOCKED.get((message.result, message.mute_scope), "review the app's filters")
        findings.append(Finding(FindingCode.MESSAGE_BLOCKED, message.sent_at, prompt))
        summary = f"Not sent at {when} ({message.result.value}): {prompt} To change it, {fix}."
        return _diagnosis(Verdict.BLOCKED, summary, findings, True)
    if message.result is SendResult.SENT_PROFANITY_REPLACED:
        text = prompt_for(message.result, None) or ""
        findings.append(Finding(FindingCode.PROFANITY_REPLACED, message.sent_at, text))
    if message.channel_type not in RECEIPT_CHANNELS:
        kind = message.channel_type.value
        findings.append(
            Finding(
                FindingCode.CHANNEL_NOT_TRACKED,
                None,
                f"{kind} messages have no per-recipient status.",
            )
        )
        summary = (
            f"Sent at {when} to {kind} {message.target_id}; {kind} messages are not tracked "
            "per recipient, so whether each member received it cannot be told from here."
        )
        return _diagnosis(Verdict.NOT_TRACKED, summary, findings, True)
    c = counts
    with_status = c.total - c.pending
    silent = max(c.offline - c.push_succeeded - c.push_failed, 0)
    outcomes = [
        (c.delivered, "delivered online"),
        (c.not_delivered, "notified but not fetched before disconnecting"),
        (min(c.push_succeeded, c.offline), "offline, push accepted by the provider"),
        (min(c.push_failed, c.offline), "offline, push failed"),
        (silent, "offline, no push"),
        (c.pending, "with no status yet" if not settled else "with no status event at all"),
    ]
    tally = ", ".join(f"{n} {what}" for n, what in outcomes if n)
    findings.append(
        Finding(
            FindingCode.RECIPIENTS_COUNTED,
            None,
            f"{count(c.total, 'recipient')}: {tally or 'no status event yet'}.",
        )
    )
    if not settled:
        findings.append(
            Finding(
                FindingCode.STATUS_NOT_SETTLED,
                message.sent_at + SETTLE_MS,
                f"The status settles at {utc(message.sent_at + SETTLE_MS)}.",
            )
        )
    head = f"Sent at {when} to {message.channel_type.value} {message.target_id}"
    if not settled and (c.pending or not c.total):
        summary = (
            f"{head}; {with_status} of {count(c.total, 'recipient')} reported so far"
            f"{f' ({tally})' if tally else ''}: check again after "
            f"{utc(message.sent_at + SETTLE_MS)}."
        )
        return _diagnosis(Verdict.IN_PROGRESS, summary, findings, settled)
    if c.total and c.delivered == c.total:
        summary = f"{head}; delivered online to every recipient ({c.total})."
        return _diagnosis(Verdict.DELIVERED, summary, findings, settled)
    if c.delivered:
        summary = (
            f"{head}; partially delivered: {tally}. The receipts' diagnoses say why each "
            "other recipient did not get it online."
        )
        return _diagnosis(Verdict.PARTIALLY_DELIVERED, summary, findings, settled)
    kinds = [o for o in outcomes[1:] if o[0]]
    if not kinds:
        summary = (
            f"{head}; no status event arrived for any recipient: a gap in the tracking data, "
            "not a delivery outcome; check that the IM server reports receipt events."
        )
        return _diagnosis(Verdict.NOT_DELIVERED, summary, findings, settled)
    dominant = max(kinds, key=lambda o: o[0])[1]
    mostly = f"mostly {dominant}: " if len(kinds) > 1 else ""
    gap = ": a gap in the tracking data" if kinds == [outcomes[-1]] else ""
    whom = "its recipient" if c.total == 1 else f"any of its {c.total} recipients"
    summary = (
        f"{head}; not delivered online to {whom}, {mostly}"
        f"{tally}{gap}. The receipts' diagnoses say what to do."
    )
    return _diagnosis(Verdict.NOT_DELIVERED, summary, findings, settled)


# --- Receipt.diagnosis -----------------------------------------------------------------------


def next_connection_after(message: Message, receipt: Receipt) -> int | None:
    """The instant after which the recipient's next connection matters (when it
    would fetch the message); None when nothing is left to fetch."""
    if receipt.status is Status.DELIVERED:
        return None
    return receipt.status_at if receipt.status_at is not None else message.sent_at


_STATUS_TEXTS = {
    Status.DELIVERED: (FindingCode.DELIVERED_ONLINE, "Delivered online to {r} at {t}."),
    Status.NOT_DELIVERED: (
        FindingCode.NOTIFIED_NOT_FETCHED,
        "{r} was notified at {t} but disconnected before fetching the message.",
    ),
    Status.OFFLINE: (
        FindingCode.STORED_OFFLINE,
        "{r} was offline at {t}: the message was stored for the next login.",
    ),
}


def _status_findings(receipt: Receipt) -> list[Finding]:
    found = []
    texts = _STATUS_TEXTS
    for change in receipt.history:
        if change.status in texts:
            code, text = texts[change.status]
            found.append(
                Finding(code, change.at, text.format(r=receipt.recipient_id, t=utc(change.at)))
            )
    return found


def _push_findings(attempts: Sequence[PushAttempt]) -> list[Finding]:
    found = []
    for a in attempts:
        if a.success:
            text = f"{a.provider.value} accepted the push at {utc(a.sent_at)}."
            found.append(Finding(FindingCode.PUSH_ACCEPTED, a.sent_at, text))
        else:
            error = lookup(a.provider, a.error_code or "", a.error_description)
            text = (
                f"{a.provider.value} refused the push at {utc(a.sent_at)} with "
                f"{error.code or 'no error code'}: {error.meaning}"
            )
            found.append(Finding(FindingCode.PUSH_REFUSED, a.sent_at, text))
    return found


def receipt_diagnosis(
    message: Message,
    receipt: Receipt,
    attempts: Sequence[PushAttempt],
    *,
    at_send: ConnectionLog | None,
    following: ConnectionLog | None,
    now: int,
) -> Diagnosis:
    """One recipient of ``message``: its status, push attempts and connection logs
    (``at_send``: its connection open at the send time; ``following``: its next
    connection after :func:`next_connection_after`)."""
    settled = now >= message.sent_at + SETTLE_MS
    who = receipt.recipient_id
    ordered = sorted(attempts, key=lambda a: (a.sent_at, a.success, a.error_code or ""))
    findings = [*_status_findings(receipt), *_push_findings(ordered)]
    status, at = receipt.status, receipt.status_at
    if status is Status.DELIVERED and at is not None:
        sent, delivered = utc(message.sent_at), utc(at)
        also = f" (sent {sent})" if sent != delivered else ""
        summary = f"Delivered online to {who} at {delivered}{also}."
        return _diagnosis(Verdict.DELIVERED, summary, findings, settled)
    if at_send is not None:
        text = (
            f"{who} had connection {at_send.connection_id} open when the message was sent "
            f"(since {utc(at_send.connected_at)}, {_device(at_send)})."
        )
        findings.append(Finding(FindingCode.RECIPIENT_CONNECTED_AT_SEND, message.sent_at, text))
    else:
        text = f"{who} had no connection open when the message was sent ({utc(message.sent_at)})."
        findings.append(Finding(FindingCode.RECIPIENT_DISCONNECTED_AT_SEND, message.sent_at, text))
    if following is not None:
        findings.append(_next(following, who))
    login = (
        f"the next login, at {utc(following.connected_at)} ({following.platform.value})"
        if following
        else "the next login (none recorded yet)"
    )
    if status is Status.NOT_DELIVERED and at is not None:
        summary = (
            f"{who} was notified at {utc(at)} but disconnected before fetching the message; "
            f"it is fetched at {login}. Nothing to fix unless the app fails to sync on login."
        )
        return _diagnosis(Verdict.NOT_FETCHED, summary, findings, settled)
    if status is Status.OFFLINE and at is not None:
        head = f"{who} was offline at {utc(at)}"
        if any(a.success for a in ordered):
            last = [a for a in ordered if a.success][-1]
            summary = (
                f"{head}; {last.provider.value} accepted the push at {utc(last.sent_at)}. "
                "Accepted by the provider is not shown on the device: if the user saw nothing, "
                "check the device's notification settings and the vendor's power saving; the "
                f"message itself is fetched at {login}."
            )
            return _diagnosis(Verdict.PUSH_SENT, summary, findings, settled)
        if ordered:
            last = ordered[-1]
            error = lookup(last.provider, last.error_code or "", last.error_description)
            tried = (
                "its only push attempt failed at"
                if len(ordered) == 1
                else f"all {len(ordered)} push attempts failed, the last at"
            )
            summary = (
                f"{head}; {tried} "
                f"{utc(last.sent_at)}: {last.provider.value} {error.code or '(no code)'}: "
                f"{error.meaning} What to do: {error.advice}"
            )
            return _diagnosis(Verdict.PUSH_FAILED, summary, findings, settled)
        if receipt.push_skipped is not None:
            why = advice.SKIPS[receipt.push_skipped]
            findings.append(
                Finding(FindingCode.PUSH_NOT_SENT, at, f"No push: {receipt.push_skipped.value}.")
            )
            summary = f"{head} and got no push ({receipt.push_skipped.value}): {why}."
            return _diagnosis(Verdict.PUSH_SKIPPED, summary, findings, settled)
        findings.append(
            Finding(
                FindingCode.NO_PUSH_REPORTED,
                None,
                "Neither a push attempt nor a skip reason was reported.",
            )
        )
        summary = (
            f"{head}; neither a push attempt nor a reason to skip one was reported: check that "
            "push is configured for the app and that the IM server reports push events."
        )
        return _diagnosis(Verdict.NO_PUSH_RECORD, summary, findings, settled)
    if not settled:
        summary = (
            f"No status for {who} yet (sent {utc(message.sent_at)}); it settles at "
            f"{utc(message.sent_at + SETTLE_MS)}."
        )
        return _diagnosis(Verdict.PENDING, summary, findings, settled)
    findings.append(
        Finding(
            FindingCode.NO_STATUS_EVENT,
            message.sent_at + SETTLE_MS,
            f"No status event for {who} arrived within 5 minutes of sending.",
        )
    )
    summary = (
        f"No status event ever arrived for {who} (sent {utc(message.sent_at)}): a gap in the "
        "tracking data, not a delivery outcome; check that the IM server reports receipt events."
    )
    return _diagnosis(Verdict.NO_STATUS, summary, findings, settled)
