"""The demo traffic generator covers every value the product knows, deterministically."""

import ipaddress
import itertools
from collections import Counter, defaultdict

from server.demo import SHOWCASE_USER, generate_events, has_demo_data, load_demo
from server.events import parse_event
from store.catalogue import BUILTIN_OBJECT_NAMES
from store.interface import Store
from store.limits import DAY_MS
from store.model import (
    ChannelType,
    DisconnectReason,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    SendResult,
)
from store.push_errors import lookup
from tests.server.conftest import DEMO_NOW as NOW
from tests.server.http_helpers import sqlite_only


def values(events: list[dict], kind: str, field: str) -> set:
    return {e.get(field) for e in events if e["type"] == kind} - {None}


def names(enum) -> set[str]:
    return {m.value for m in enum}


def test_every_event_is_valid_and_in_the_window(demo_events):
    for raw in demo_events:
        event = parse_event(raw, now=NOW, retention_days=7)
        assert NOW - 7 * DAY_MS < event.at <= NOW
    assert len({e["eventId"] for e in demo_events}) == len(demo_events)
    assert {e["appKey"] for e in demo_events} == {"demo"}


def test_connections_cover_every_platform_and_reason(demo_events):
    assert values(demo_events, "connection.opened", "platform") == names(Platform)
    assert values(demo_events, "connection.rejected", "platform") >= {"ANDROID", "IOS"}
    assert values(demo_events, "connection.closed", "reason") == names(DisconnectReason)
    assert "TOKEN_INVALID" in values(demo_events, "connection.rejected", "code")
    ips = [ipaddress.ip_address(ip) for ip in values(demo_events, "connection.opened", "ip")]
    assert {ip.version for ip in ips} == {4, 6}
    assert len(values(demo_events, "connection.opened", "sdkVersion")) >= 5
    assert len(values(demo_events, "connection.opened", "deviceModel")) >= 10
    assert {"34", "33"} <= values(demo_events, "connection.opened", "osVersion")


def test_several_users_over_the_whole_week(demo_events):
    users = values(demo_events, "connection.opened", "userId")
    assert len(users) >= 10
    days = {(NOW - e["at"]) // DAY_MS for e in demo_events if isinstance(e["at"], int)}
    assert days == set(range(7))


def test_messages_cover_every_channel_source_type_and_result(demo_events):
    sent = [e for e in demo_events if e["type"] == "message.sent"]
    assert {e["channelType"] for e in sent} == names(ChannelType)
    assert {e["source"] for e in sent} == names(MessageSource)
    assert {e["result"] for e in sent} == names(SendResult)
    assert {e["muteScope"] for e in sent} - {None} == names(MuteScope)
    types = {e["messageType"] for e in sent}
    assert set(BUILTIN_OBJECT_NAMES) <= types
    assert types - set(BUILTIN_OBJECT_NAMES)  # custom types too
    assert all(e["connectionId"] is None for e in sent if e["source"] == "SERVER_API")


def test_group_fan_out_and_receipts(demo_events):
    recipients: dict[str, set[str]] = defaultdict(set)
    for e in demo_events:
        if e["type"].startswith("message.") and e["type"] != "message.sent":
            recipients[e["msgUid"]].add(e["recipientId"])
    assert max(len(r) for r in recipients.values()) >= 50
    kinds = Counter(e["type"] for e in demo_events)
    assert (
        kinds["message.delivered"] > kinds["message.offline"] > kinds["message.not_delivered"] > 0
    )
    assert values(demo_events, "message.offline", "pushSkipped") == names(PushSkipReason)


def test_pushes_cover_every_provider_with_real_errors(demo_events):
    pushes = [e for e in demo_events if e["type"] == "push.attempted"]
    assert {e["provider"] for e in pushes if e["success"]} == names(PushProvider)
    failures = {(e["provider"], e["errorCode"]) for e in pushes if not e["success"]}
    assert {p for p, _ in failures} == names(PushProvider)
    for expected in [
        ("APNS", "BadDeviceToken"),
        ("APNS", "Unregistered"),
        ("FCM", "UNREGISTERED"),
        ("FCM", "QUOTA_EXCEEDED"),
        ("HUAWEI", "80100003"),
        ("HUAWEI", "80300007"),
    ]:
        assert expected in failures
    assert all(e["errorDescription"] for e in pushes if not e["success"])


def test_push_failures_are_a_spread_of_catalogue_codes_per_provider(demo_events):
    failures = [e for e in demo_events if e["type"] == "push.attempted" and not e["success"]]
    by_provider: dict[str, Counter[str]] = {}
    for e in failures:
        info = lookup(PushProvider(e["provider"]), e["errorCode"])
        assert info.known, (e["provider"], e["errorCode"])
        by_provider.setdefault(e["provider"], Counter())[info.code] += 1
    assert set(by_provider) == names(PushProvider)
    for provider, codes in by_provider.items():
        assert len(codes) >= 3, (provider, codes)
        [(top, _)] = codes.most_common(1)
        assert codes[top] < sum(codes.values()), provider  # not one code only
    actions = {lookup(PushProvider(e["provider"]), e["errorCode"]).action for e in failures}
    assert {"REMOVE_TOKEN", "THROTTLED", "FIX_CONFIGURATION", "FIX_PAYLOAD", "RETRY_LATER"} <= {
        a.value for a in actions
    }


def test_showcase_user_is_online_now(demo_events):
    mine = [e for e in demo_events if e.get("userId") == SHOWCASE_USER]
    opened = {e["connectionId"] for e in mine if e["type"] == "connection.opened"}
    closed = {e["connectionId"] for e in mine if e["type"] == "connection.closed"}
    assert opened - closed


def test_deterministic_by_seed():
    first = list(itertools.islice(generate_events("demo", now=NOW, seed=1), 3000))
    again = list(itertools.islice(generate_events("demo", now=NOW, seed=1), 3000))
    other = list(itertools.islice(generate_events("demo", now=NOW, seed=2), 3000))
    assert first == again
    assert first != other


def test_lazy_and_scalable():
    stream = generate_events("bench", now=NOW, users=5_000)
    head = list(itertools.islice(stream, 5000))
    assert len(head) == 5000
    many = sum(1 for _ in generate_events("bench", now=NOW, users=60, seed=3))
    assert many > 4 * sum(1 for _ in generate_events("bench", now=NOW, users=12, seed=3))


@sqlite_only  # volume test: mongomock scans every document, the backend is not under test
async def test_load_demo_goes_through_ingest_once(store: Store):
    assert not await has_demo_data(store)
    accepted, rejected = await load_demo(store, users=4)
    assert accepted > 0 and rejected == 0
    assert await has_demo_data(store)
    assert not await has_demo_data(store, "other")
