"""A day of alice's traffic that yields every verdict of SPEC §7, as wire events.

Times are minutes before now (``ago``). alice sends from connection c2; each
DIRECT message goes to a recipient whose events make one receipt verdict.
"""

from typing import Any

from tests.events import DAY, HOUR, MINUTE, closed, opened, push, receipt, rejected, sent

SENT_AGO = 50 * MINUTE
CAROL_BACK_AGO = 30 * MINUTE
"""carol's next login after she left without fetching."""


def events(app: str) -> list[dict[str, Any]]:
    def ev(build: Any, *args: Any, **kw: Any) -> dict[str, Any]:
        event_id = kw.pop("eventId")
        event: dict[str, Any] = build(*args, app=app, **kw)
        event["eventId"] = event_id
        return event

    t = SENT_AGO
    found: list[dict[str, Any]] = [
        # alice: c1 3h..2h ago (network error), c2 from 1h ago, still online
        ev(opened, "alice", "c1", 3 * HOUR, eventId="c1-open"),
        ev(closed, "alice", "c1", 2 * HOUR, reason="NETWORK_ERROR", eventId="c1-close"),
        ev(opened, "alice", "c2", HOUR, platform="IOS", eventId="c2-open"),
        # dave: refused twice, never connected
        ev(rejected, "dave", 40 * MINUTE, eventId="dave-r1"),
        ev(rejected, "dave", 38 * MINUTE, code="APP_BLOCKED", eventId="dave-r2"),
        # carol: online when notified, left, back 30 min ago
        ev(opened, "carol", "k1", 2 * HOUR, eventId="k1-open"),
        ev(closed, "carol", "k1", t - 2000, reason="HEARTBEAT_TIMEOUT", eventId="k1-close"),
        ev(opened, "carol", "k2", CAROL_BACK_AGO, eventId="k2-open"),
        # messages
        ev(sent, "alice", "bob", t, "M-DEL", connectionId="c2", source="IOS", eventId="s-del"),
        ev(receipt, "delivered", "M-DEL", "bob", t - 300, eventId="r-del"),
        ev(sent, "alice", "carol", t, "M-NF", connectionId="c2", source="IOS", eventId="s-nf"),
        ev(receipt, "not_delivered", "M-NF", "carol", t - 1000, eventId="r-nf"),
        ev(sent, "alice", "erin", t, "M-PS", eventId="s-ps", source="SERVER_API"),
        ev(receipt, "offline", "M-PS", "erin", t - 100, eventId="r-ps"),
        ev(push, "M-PS", "erin", t - 200, provider="FCM", success=True, eventId="p-ps"),
        ev(sent, "alice", "frank", t, "M-PF", connectionId="c2", source="IOS", eventId="s-pf"),
        ev(receipt, "offline", "M-PF", "frank", t - 100, eventId="r-pf"),
        ev(
            push,
            "M-PF",
            "frank",
            t - 200,
            provider="APNS",
            success=False,
            errorCode="TooManyRequests",
            eventId="p-pf1",
        ),
        ev(
            push,
            "M-PF",
            "frank",
            t - 90_000,
            provider="APNS",
            success=False,
            errorCode="BadDeviceToken",
            eventId="p-pf2",
        ),
        ev(sent, "alice", "gina", t, "M-SK", connectionId="c2", source="IOS", eventId="s-sk"),
        ev(
            receipt, "offline", "M-SK", "gina", t - 100, pushSkipped="NO_PUSH_TOKEN", eventId="r-sk"
        ),
        ev(sent, "alice", "hank", t, "M-NP", connectionId="c2", source="IOS", eventId="s-np"),
        ev(receipt, "offline", "M-NP", "hank", t - 100, eventId="r-np"),
        ev(sent, "alice", "ivan", t, "M-NS", connectionId="c2", source="IOS", eventId="s-ns"),
        ev(
            sent,
            "alice",
            "judy",
            MINUTE,
            "M-PEND",
            connectionId="c2",
            source="IOS",
            eventId="s-pend",
        ),
        # a late delivery: offline first, delivered at the next login
        ev(sent, "alice", "kim", t, "M-LATE", connectionId="c2", source="IOS", eventId="s-late"),
        ev(receipt, "offline", "M-LATE", "kim", t - 100, eventId="r-late1"),
        ev(receipt, "delivered", "M-LATE", "kim", 20 * MINUTE, eventId="r-late2"),
        ev(
            sent,
            "alice",
            "g1",
            t,
            "M-GRP",
            channel="GROUP",
            connectionId="c2",
            source="IOS",
            eventId="s-grp",
        ),
        ev(receipt, "delivered", "M-GRP", "bob", t - 300, eventId="r-grp1"),
        ev(receipt, "offline", "M-GRP", "frank", t - 300, eventId="r-grp2"),
        ev(
            push,
            "M-GRP",
            "frank",
            t - 400,
            provider="HUAWEI",
            success=False,
            errorCode="80300007",
            eventId="p-grp",
        ),
        ev(
            sent,
            "alice",
            "bob",
            t,
            None,
            result="BLOCKED_BY_BLOCKLIST",
            connectionId="c2",
            source="IOS",
            eventId="s-blk",
        ),
        ev(
            sent,
            "alice",
            "lobby",
            t,
            "M-OPEN",
            channel="OPEN",
            connectionId="c2",
            source="IOS",
            eventId="s-open",
        ),
    ]
    return found


ALICE = """query ($since: DateTime!, $at1: DateTime!, $at2: DateTime!, $at3: DateTime!) {
  alice: user(id: "alice") {
    connected: sendDiagnosis(at: $at1) { ...d }
    between: sendDiagnosis(at: $at2) { ...d }
  }
  dave: user(id: "dave") { sendDiagnosis(at: $at3) { ...d } }
  nobody: user(id: "nobody") { sendDiagnosis(at: $at3) { ...d } }
  direct: sentMessages(filter: {senderId: "alice", since: $since}, first: 50) { ...m }
  group: sentMessages(filter: {senderId: "alice", since: $since, channelType: GROUP}) { ...m }
  open: sentMessages(filter: {senderId: "alice", since: $since, channelType: OPEN}) { ...m }
}
fragment d on Diagnosis { verdict summary settled findings { code at text } }
fragment m on SentMessageConnection {
  nodes {
    msgUid result sender { id } connection { connectionId }
    diagnosis { ...d }
    receipts { nodes { recipientId recipient { id } diagnosis { ...d } } }
  }
}"""

LONG_AGO = 8 * DAY
