"""Hypothesis strategies of wire events: valid events of every type, and events
broken by exactly one known mutation (with the field their rejection must name).
Shared by the ingest fuzz tests and the typed fast path's tests."""

import itertools
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from store.limits import DAY_MS, now_ms

Event = dict[str, Any]
_serial = itertools.count()

_ids = st.text(min_size=1, max_size=12)
_window_at = st.integers(-6 * DAY_MS, 3 * 60_000)
"""Offsets from now: well inside the retention window and the 5-minute future allowance."""
_ips = st.one_of(
    st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str), st.just("203.0.113.9")
)
_platforms = st.sampled_from(["ANDROID", "IOS", "HARMONYOS", "WEB", "DESKTOP"])
_client = {
    "sdkVersion": st.text(min_size=1, max_size=10),
    "platform": _platforms,
    "ip": _ips,
}
_client_optional = {"deviceModel": _ids, "osVersion": st.sampled_from(["34", "17.4", "x"])}
_object_names = st.one_of(
    st.sampled_from(["NX:TxtMsg", "NX:ImgMsg", "NX:RcCmd", "NX:TypSts"]),
    st.from_regex(r"\A[A-Za-z0-9_]{1,16}:[A-Za-z0-9_.\-]{1,32}\Z").filter(
        lambda n: not n.startswith("NX:")
    ),
)


def _at(offset: int) -> int | str:
    return now_ms() + offset


@st.composite
def _timestamps(draw: st.DrawFn) -> int | str:
    at = now_ms() + draw(_window_at)
    if draw(st.booleans()):
        return at
    text = datetime.fromtimestamp(at / 1000, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", draw(st.sampled_from(["Z", "+00:00"])))


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_serial)}"


@st.composite
def _message_sent(draw: st.DrawFn) -> Event:
    result = draw(
        st.sampled_from(
            [
                "SENT",
                "SENT_PROFANITY_REPLACED",
                "BLOCKED_BY_BLOCKLIST",
                "MUTED",
                "PROFANITY_BLOCKED",
            ]
        )
    )
    event = {
        "senderId": draw(_ids),
        "targetId": draw(_ids),
        "channelType": draw(st.sampled_from(["DIRECT", "GROUP", "OPEN", "SYSTEM"])),
        "messageType": draw(_object_names),
        "source": draw(st.sampled_from(["ANDROID", "IOS", "WEB", "SERVER_API"])),
        "result": result,
    }
    if result.startswith("SENT"):
        event["msgUid"] = _unique("M")
    if result == "MUTED":
        event["muteScope"] = draw(
            st.sampled_from(
                ["GROUP_FROZEN", "GROUP_MEMBER_MUTED", "OPEN_CHANNEL_PARTICIPANT_MUTED"]
            )
        )
    if draw(st.booleans()):
        event["connectionId"] = draw(_ids)
    return event


def _receipt(extra: dict[str, st.SearchStrategy]) -> st.SearchStrategy[Event]:
    return st.fixed_dictionaries(
        {"msgUid": st.builds(_unique, st.just("M")), "recipientId": _ids}, optional=extra
    )


@st.composite
def _push(draw: st.DrawFn) -> Event:
    event = draw(_receipt({}))
    event["provider"] = draw(st.sampled_from(["APNS", "FCM", "HUAWEI", "XIAOMI", "VIVO"]))
    event["success"] = draw(st.booleans())
    if not event["success"]:
        event["errorCode"] = draw(st.sampled_from(["BadDeviceToken", "UNREGISTERED"]))
        if draw(st.booleans()):
            event["errorDescription"] = draw(st.text(min_size=1, max_size=40))
    return event


BODIES: dict[str, st.SearchStrategy[Event]] = {
    "connection.opened": st.fixed_dictionaries(
        {"userId": _ids, "connectionId": _ids, **_client}, optional=_client_optional
    ),
    "connection.closed": st.fixed_dictionaries(
        {
            "userId": _ids,
            "connectionId": _ids,
            "reason": st.sampled_from(["LOGOUT", "NETWORK_ERROR", "KICKED_BY_OTHER_DEVICE"]),
        }
    ),
    "connection.rejected": st.fixed_dictionaries(
        {"userId": _ids, **_client, "code": st.sampled_from(["TOKEN_INVALID", "APP_BLOCKED"])},
        optional={**_client_optional, "description": st.text(min_size=1, max_size=40)},
    ),
    "message.sent": _message_sent(),
    "message.delivered": _receipt({}),
    "message.not_delivered": _receipt({}),
    "message.offline": _receipt(
        {"pushSkipped": st.sampled_from(["NO_PUSH_TOKEN", "DO_NOT_DISTURB"])}
    ),
    "push.attempted": _push(),
}
REQUIRED: dict[str, list[str]] = {
    "connection.opened": ["userId", "connectionId", "sdkVersion", "platform", "ip"],
    "connection.closed": ["userId", "connectionId", "reason"],
    "connection.rejected": ["userId", "sdkVersion", "platform", "ip", "code"],
    "message.sent": ["senderId", "targetId", "channelType", "messageType", "source", "result"],
    "message.delivered": ["msgUid", "recipientId"],
    "message.not_delivered": ["msgUid", "recipientId"],
    "message.offline": ["msgUid", "recipientId"],
    "push.attempted": ["msgUid", "recipientId", "provider", "success"],
}
ENUMS = {"platform", "reason", "channelType", "source", "result", "provider", "muteScope"}
STRINGS = {"userId", "connectionId", "sdkVersion", "code", "senderId", "targetId", "recipientId"}


@st.composite
def valid_events(draw: st.DrawFn, app: str) -> Event:
    kind = draw(st.sampled_from(sorted(BODIES)))
    head = {"eventId": _unique("ev-"), "type": kind, "appKey": app, "at": draw(_timestamps())}
    return {**head, **draw(BODIES[kind])}


@st.composite
def broken_events(draw: st.DrawFn, app: str) -> tuple[object, str]:
    """An event with exactly one defect, and the field its rejection must name."""
    event = draw(valid_events(app))
    kind = event["type"]
    choices = ["drop", "wrong_type", "event_id", "app_key", "at", "type", "not_object"]
    choices += ["enum"] if ENUMS & set(REQUIRED[kind]) else []
    choices += ["empty", "too_long"] if STRINGS & set(REQUIRED[kind]) else []
    choices += ["ip"] if "ip" in event else []
    choices += ["cross"] if kind in ("message.sent", "push.attempted") else []
    how = draw(st.sampled_from(choices))
    if how == "drop":
        field = draw(st.sampled_from(REQUIRED[kind]))
        if draw(st.booleans()):
            del event[field]
        else:
            event[field] = None
    elif how == "wrong_type":
        field = draw(st.sampled_from([*REQUIRED[kind], "appKey", "eventId"]))
        bad = draw(st.sampled_from([7, 1.5, [], {}, True] if field != "success" else [1, "yes"]))
        event[field] = bad
    elif how == "enum":
        field = draw(st.sampled_from(sorted(ENUMS & set(REQUIRED[kind]))))
        event[field] = draw(st.sampled_from(["", "nope", event[field].lower() + "x"]))
    elif how in ("empty", "too_long"):
        field = draw(st.sampled_from(sorted(STRINGS & set(REQUIRED[kind]))))
        event[field] = "" if how == "empty" else "x" * draw(st.integers(129, 300))
    elif how == "event_id":
        field = "eventId"
        event[field] = draw(st.sampled_from(["", "e" * 129]))
    elif how == "app_key":
        field = "appKey"
        event[field] = draw(st.sampled_from(["", "a" * 65]))
    elif how == "at":
        field = "at"
        event[field] = draw(
            st.one_of(
                st.integers(8 * DAY_MS, 400 * DAY_MS).map(lambda ago: now_ms() - ago),
                st.integers(10 * 60_000, 10 * DAY_MS).map(lambda ahead: now_ms() + ahead),
                st.sampled_from(["yesterday", "2026-01-01T00:00:00", "", "12:00"]),
            )
        )
    elif how == "type":
        field = "type"
        event[field] = draw(st.sampled_from(["message.read", "", "MESSAGE.SENT", 3]))
    elif how == "ip":
        field = "ip"
        event[field] = draw(st.sampled_from(["999.1.1.1", "localhost", "", "1.2.3"]))
    elif how == "cross" and kind == "message.sent":
        field = "msgUid" if "muteScope" not in event else "muteScope"
        if field == "muteScope":
            event["result"] = "PROFANITY_BLOCKED"  # muteScope only with MUTED
        elif "msgUid" in event:
            del event["msgUid"]  # a SENT message needs its msgUid
        else:
            event["msgUid"] = "M-blocked"  # a blocked message has none
    elif how == "cross":
        field = "errorCode"
        event["success"] = False
        event.pop("errorCode", None)
    else:  # not_object
        return draw(st.sampled_from([None, 3, "event", [event]])), "event"
    return event, field
