"""Demo-like traffic of one app for the browser tests, as wire events (SPEC §4)."""

from typing import Any

from tests.events import DAY, HOUR, MINUTE, closed, opened, push, receipt, rejected, sent

APP = "shop"
GROUP_RECIPIENTS = 60  # more than one page of receipts (50)
PAGED_MESSAGES = 25  # more than one page of messages (20)


def events() -> list[dict[str, Any]]:
    a = {"app": APP}
    out = [
        # alice: a closed iOS session, a rejected attempt, an open Android session.
        opened(
            "alice",
            "c-ios",
            3 * HOUR,
            platform="IOS",
            deviceModel="iPhone15,2",
            osVersion="17.4",
            ip="2001:db8::7",
            sdkVersion="5.10.3",
            **a,
        ),
        closed("alice", "c-ios", 2 * HOUR, reason="KICKED_BY_OTHER_DEVICE", **a),
        rejected("alice", 90 * MINUTE, code="TOKEN_INVALID", app=APP),
        opened("alice", "c-android", 1 * HOUR, **a),
        # During the iOS session: a group image; one recipient's APNs push failed.
        sent(
            "alice",
            "group-1",
            150 * MINUTE,
            "msg-g1",
            channel="GROUP",
            message_type="NX:ImgMsg",
            source="IOS",
            connectionId="c-ios",
            **a,
        ),
        receipt("delivered", "msg-g1", "bob", 149 * MINUTE, **a),
        receipt("offline", "msg-g1", "carol", 149 * MINUTE, **a),
        push(
            "msg-g1",
            "carol",
            148 * MINUTE,
            provider="APNS",
            success=False,
            errorCode="BadDeviceToken",
            errorDescription="The specified device token is invalid.",
            **a,
        ),
        receipt("not_delivered", "msg-g1", "dave", 149 * MINUTE, **a),
        receipt("offline", "msg-g1", "erin", 149 * MINUTE, pushSkipped="NO_PUSH_TOKEN", **a),
        # During the Android session: direct messages of each kind.
        sent("alice", "bob", 50 * MINUTE, "msg-d1", connectionId="c-android", **a),
        receipt("delivered", "msg-d1", "bob", 50 * MINUTE - 500, **a),
        sent(
            "alice",
            "carol",
            40 * MINUTE,
            "msg-d2",
            message_type="Shop:Order",
            source="SERVER_API",
            **a,
        ),
        receipt("offline", "msg-d2", "carol", 40 * MINUTE - 500, **a),
        push(
            "msg-d2",
            "carol",
            40 * MINUTE - 400,
            provider="FCM",
            success=False,
            errorCode="UNREGISTERED",
            errorDescription="Requested entity was not found.",
            **a,
        ),
        sent(
            "alice",
            "mallory",
            30 * MINUTE,
            result="BLOCKED_BY_BLOCKLIST",
            connectionId="c-android",
            eventId="blocked-1",
            **a,
        ),
        # Yesterday: outside the default window of "midnight today → now".
        sent("alice", "bob", DAY + 6 * HOUR, "msg-old", source="WEB", **a),
        # A big group message, for receipt paging.
        sent(
            "alice",
            "group-big",
            20 * MINUTE,
            "msg-g2",
            channel="GROUP",
            connectionId="c-android",
            **a,
        ),
    ]
    out += [
        receipt("delivered", "msg-g2", f"member-{i:03d}", 19 * MINUTE, **a)
        for i in range(GROUP_RECIPIENTS)
    ]
    out += [
        sent("paula", "bob", (i + 1) * MINUTE, f"msg-p{i:02d}", **a) for i in range(PAGED_MESSAGES)
    ]
    return out
