"""The diagnosis rules (``store.diagnosis``) on records, one verdict at a time."""

import itertools
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import advice
from store import diagnosis as rules
from store.limits import SETTLE_MS
from store.model import (
    ChannelType,
    ConnectionStatus,
    DisconnectReason,
    FindingCode,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    ReceiptStatus,
    SendResult,
    Verdict,
)
from store.push_errors import lookup
from store.records import (
    ConnectionLog,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    SentMessage,
    StatusChange,
)

T0 = 1_796_000_000_000  # 2026-11-30 00:53:20 UTC
MIN = 60_000
LATER = T0 + SETTLE_MS + 1
"""A now at which a message sent at T0 is settled."""


def message(**kw: object) -> SentMessage:
    fields: dict = dict(
        key="u:m1",
        msg_uid="m1",
        sender_id="alice",
        target_id="bob",
        channel_type=ChannelType.DIRECT,
        message_type="NX:TxtMsg",
        source=MessageSource.IOS,
        sent_at=T0,
        result=SendResult.SENT,
        connection_id="c1",
    )
    fields.update(kw)
    return SentMessage(**fields)


def log(cid: str, opened: int, closed: int | None = None, **kw: object) -> ConnectionLog:
    status = ConnectionStatus.ONLINE if closed is None else ConnectionStatus.CLOSED
    fields: dict = dict(
        key=f"c:{cid}",
        user_id="bob",
        connection_id=cid,
        status=status,
        connected_at=opened,
        sdk_version="5.12.0",
        platform=Platform.ANDROID,
        ip="203.0.113.7",
        disconnected_at=closed,
        disconnect_reason=DisconnectReason.NETWORK_ERROR if closed else None,
    )
    fields.update(kw)
    return ConnectionLog(**fields)


def refused(at: int, code: str) -> ConnectionLog:
    return log(
        f"r{at}",
        at,
        None,
        key=f"e:r{at}",
        connection_id=None,
        status=ConnectionStatus.REJECTED,
        reject_code=code,
    )


def receipt(*changes: tuple[ReceiptStatus, int], skipped: PushSkipReason | None = None) -> Receipt:
    history = tuple(StatusChange(s, at) for s, at in changes)
    last = history[-1] if history else None
    return Receipt(
        "m1",
        "bob",
        last.status if last else ReceiptStatus.PENDING,
        last.at if last else None,
        history,
        skipped,
    )


def attempt(at: int, ok: bool, code: str | None = None, p=PushProvider.APNS) -> PushAttempt:
    return PushAttempt("bob", p, at, ok, code)


def diagnose(r: Receipt, attempts=(), *, at_send=None, following=None, now=LATER):
    return rules.receipt_diagnosis(
        message(), r, list(attempts), at_send=at_send, following=following, now=now
    )


def test_delivered() -> None:
    d = diagnose(receipt((ReceiptStatus.DELIVERED, T0 + 300)))
    assert d.verdict is Verdict.DELIVERED and d.settled
    assert "at 2026-11-30 00:53:20 UTC" in d.summary
    assert [f.code for f in d.findings] == [FindingCode.DELIVERED_ONLINE]


def test_not_fetched_names_the_next_login_when_known() -> None:
    r = receipt((ReceiptStatus.NOT_DELIVERED, T0 + 1000))
    unknown = diagnose(r, at_send=log("k1", T0 - MIN, T0 + 2000))
    assert unknown.verdict is Verdict.NOT_FETCHED
    assert "fetched at the next login (none recorded yet)" in unknown.summary
    known = diagnose(r, at_send=log("k1", T0 - MIN, T0 + 2000), following=log("k2", T0 + 9 * MIN))
    assert f"fetched at the next login, at {rules.utc(T0 + 9 * MIN)}" in known.summary
    assert [f.code for f in known.findings] == [
        FindingCode.RECIPIENT_CONNECTED_AT_SEND,
        FindingCode.NOTIFIED_NOT_FETCHED,
        FindingCode.NEXT_CONNECTION,
    ]
    assert rules.next_connection_after(message(), r) == T0 + 1000


def test_push_sent_says_accepted_is_not_shown() -> None:
    r = receipt((ReceiptStatus.OFFLINE, T0 + 100))
    d = diagnose(r, [attempt(T0 + 200, False, "TooManyRequests"), attempt(T0 + 300, True)])
    assert d.verdict is Verdict.PUSH_SENT
    assert "Accepted by the provider is not shown on the device" in d.summary


def test_push_failed_gives_the_last_errors_meaning_and_advice_whatever_the_order() -> None:
    r = receipt((ReceiptStatus.OFFLINE, T0 + 100))
    attempts = [
        attempt(T0 + 200, False, "TooManyRequests"),
        attempt(T0 + 900, False, "410 Unregistered"),
        attempt(T0 + 900, False, "BadDeviceToken"),  # a tie: decided by the code
    ]
    answers = set()
    for order in itertools.permutations(attempts):
        answers.add(diagnose(r, order))
    [d] = answers
    assert d.verdict is Verdict.PUSH_FAILED
    error = lookup(PushProvider.APNS, "BadDeviceToken")
    assert error.advice in d.summary and error.meaning in d.summary
    assert [f.code for f in d.findings].count(FindingCode.PUSH_REFUSED) == 3


def test_push_failed_with_an_unknown_code_quotes_it() -> None:
    r = receipt((ReceiptStatus.OFFLINE, T0 + 100))
    d = diagnose(r, [attempt(T0 + 200, False, "NEVER_SEEN", PushProvider.VIVO)])
    assert d.verdict is Verdict.PUSH_FAILED and "NEVER_SEEN" in d.summary


@pytest.mark.parametrize("reason", list(PushSkipReason))
def test_push_skipped_says_what_to_change(reason: PushSkipReason) -> None:
    d = diagnose(receipt((ReceiptStatus.OFFLINE, T0 + 100), skipped=reason))
    assert d.verdict is Verdict.PUSH_SKIPPED
    assert reason.value in d.summary and advice.SKIPS[reason] in d.summary


def test_no_push_record_pending_and_no_status() -> None:
    offline = diagnose(receipt((ReceiptStatus.OFFLINE, T0 + 100)))
    assert offline.verdict is Verdict.NO_PUSH_RECORD
    assert offline.findings[-1].code is FindingCode.NO_PUSH_REPORTED  # untimed: last
    pending = diagnose(receipt(), now=T0 + MIN)
    assert (pending.verdict, pending.settled) == (Verdict.PENDING, False)
    gap = diagnose(receipt(), at_send=log("b1", T0 - MIN))
    assert (gap.verdict, gap.settled) == (Verdict.NO_STATUS, True)
    assert "gap in the tracking data" in gap.summary


def test_findings_are_oldest_first_whatever_the_input_order() -> None:
    r = receipt((ReceiptStatus.OFFLINE, T0 + 100))
    attempts = [attempt(T0 + 50 * i, False, "BadDeviceToken") for i in range(5)]
    shuffled = attempts[:]
    random.Random(3).shuffle(shuffled)
    d = diagnose(r, shuffled, following=log("b2", T0 + 3 * MIN))
    assert d == diagnose(r, attempts, following=log("b2", T0 + 3 * MIN))
    ats = [f.at for f in d.findings if f.at is not None]
    assert ats == sorted(ats)


# --- the message as a whole ----------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "scope", "words"),
    [
        (SendResult.BLOCKED_BY_BLOCKLIST, None, "blocklist"),
        (SendResult.BLOCKED_BY_ALLOWLIST, None, "allowlist"),
        (SendResult.MUTED, MuteScope.GROUP_FROZEN, "unfreeze the group"),
        (SendResult.MUTED, MuteScope.GROUP_MEMBER_MUTED, "mute in the group"),
        (SendResult.MUTED, MuteScope.OPEN_CHANNEL_PARTICIPANT_MUTED, "open channel"),
        (SendResult.PROFANITY_BLOCKED, None, "sensitive-word list"),
    ],
)
def test_blocked(result: SendResult, scope: MuteScope | None, words: str) -> None:
    m = message(result=result, mute_scope=scope, msg_uid=None, key="e:x")
    d = rules.message_diagnosis(m, ReceiptCounts(), T0)
    assert d.verdict is Verdict.BLOCKED and d.settled
    assert words in d.summary and result.value in d.summary


def test_not_tracked_channels() -> None:
    for channel in (ChannelType.OPEN, ChannelType.SYSTEM):
        d = rules.message_diagnosis(message(channel_type=channel), ReceiptCounts(), T0)
        assert d.verdict is Verdict.NOT_TRACKED
        assert FindingCode.CHANNEL_NOT_TRACKED in [f.code for f in d.findings]


def test_profanity_replaced_is_a_finding() -> None:
    m = message(result=SendResult.SENT_PROFANITY_REPLACED)
    d = rules.message_diagnosis(m, ReceiptCounts(total=1, delivered=1), LATER)
    assert d.verdict is Verdict.DELIVERED
    assert FindingCode.PROFANITY_REPLACED in [f.code for f in d.findings]


def test_message_verdicts_from_counts() -> None:
    m = message(channel_type=ChannelType.GROUP)

    def verdict(now: int, **counts: int) -> Verdict:
        return rules.message_diagnosis(m, ReceiptCounts(**counts), now).verdict

    assert verdict(T0 + MIN) is Verdict.IN_PROGRESS  # no status yet
    assert verdict(T0 + MIN, total=2, delivered=1, pending=1) is Verdict.IN_PROGRESS
    assert verdict(T0 + MIN, total=2, delivered=2) is Verdict.DELIVERED
    assert verdict(LATER, total=3, delivered=1, offline=2) is Verdict.PARTIALLY_DELIVERED
    assert verdict(LATER, total=1, pending=1) is Verdict.NOT_DELIVERED
    assert verdict(LATER) is Verdict.NOT_DELIVERED
    d = rules.message_diagnosis(
        m, ReceiptCounts(total=5, not_delivered=1, offline=4, push_failed=3), LATER
    )
    assert "mostly offline, push failed" in d.summary
    assert "1 notified but not fetched" in d.summary


# --- "my message failed to send" --------------------------------------------------------


def send(**kw: object):
    args: dict = dict(open_at=None, previous=None, following=None, nearby=[], has_data=True)
    args.update(kw)
    return rules.send_diagnosis("bob", T0, now=T0 + 20 * MIN, **args)


def test_send_verdicts() -> None:
    c = send(open_at=log("c1", T0 - MIN))
    assert c.verdict is Verdict.CONNECTED and c.settled and "c1" in c.summary
    n = send(previous=log("c0", T0 - 9 * MIN, T0 - 5 * MIN), following=log("c2", T0 + MIN))
    assert n.verdict is Verdict.NOT_CONNECTED
    assert "network error" in n.summary and rules.utc(T0 + MIN) in n.summary
    r = send(nearby=[refused(T0 + MIN, "APP_BLOCKED"), refused(T0 - MIN, "TOKEN_INVALID")])
    assert r.verdict is Verdict.CONNECTION_REJECTED
    assert "(TOKEN_INVALID, APP_BLOCKED)" in r.summary
    assert [f.at for f in r.findings] == [T0 - MIN, T0 + MIN]
    assert send(has_data=False).verdict is Verdict.NO_DATA
    assert send(has_data=True).verdict is Verdict.NOT_CONNECTED
    early = rules.send_diagnosis(
        "bob",
        T0,
        open_at=None,
        previous=None,
        following=None,
        nearby=[],
        has_data=True,
        now=T0 + MIN,
    )
    assert not early.settled


@given(st.integers(min_value=0, max_value=253_402_300_799_999))
def test_utc_writes_the_instant_as_datetime_would(ms: int) -> None:
    expected = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert rules.utc(ms) == expected
