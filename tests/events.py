"""Builders of wire-format tracking events (SPEC §4) for tests, times relative to now."""

import itertools
from typing import Any

from store.limits import now_ms

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_ids = itertools.count(1)
_now: int | None = None


def now() -> int:
    """The one "now" of the running test (see :func:`anchor`), so that events built
    with the same offset are tied however long building them takes."""
    return now_ms() if _now is None else _now


def anchor(at: int | None) -> None:
    """Fix "now" for the events built from here on (``None``: the clock again)."""
    global _now
    _now = at


def event(
    type_: str,
    *,
    app: str = "app-a",
    ago: int = 0,
    at: int | None = None,
    event_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """One wire event (SPEC §4): the envelope (a fresh ``eventId`` unless given; ``at``
    as given, else ``ago`` ms before :func:`now`) and ``fields`` under their wire
    names; a field given as ``None`` is left out. Every builder below uses it."""
    built: dict[str, Any] = {
        "eventId": event_id or f"ev-{next(_ids)}",
        "type": type_,
        "appKey": app,
        "at": now() - ago if at is None else at,
    }
    built.update({k: v for k, v in fields.items() if v is not None})
    return built


def _event(type_: str, app: str, ago: int, **fields: Any) -> dict[str, Any]:
    return event(type_, app=app, ago=ago, event_id=fields.pop("eventId", None), **fields)


def opened(user: str, conn: str, ago: int, app: str = "app-a", **kw: Any) -> dict[str, Any]:
    kw = {
        "sdkVersion": "5.12.0",
        "platform": "ANDROID",
        "deviceModel": "Pixel 8",
        "osVersion": "34",
        "ip": "203.0.113.7",
    } | kw
    return _event("connection.opened", app, ago, userId=user, connectionId=conn, **kw)


def closed(
    user: str, conn: str, ago: int, reason: str = "LOGOUT", app: str = "app-a", **kw: Any
) -> dict[str, Any]:
    return _event(
        "connection.closed", app, ago, userId=user, connectionId=conn, reason=reason, **kw
    )


def rejected(
    user: str, ago: int, code: str = "TOKEN_INVALID", app: str = "app-a"
) -> dict[str, Any]:
    return _event(
        "connection.rejected",
        app,
        ago,
        userId=user,
        sdkVersion="5.12.0",
        platform="IOS",
        osVersion="17.4",
        ip="2001:db8::1",
        code=code,
        description="token expired or invalid",
    )


def sent(
    sender: str,
    target: str,
    ago: int,
    msg_uid: str | None = None,
    *,
    app: str = "app-a",
    channel: str = "DIRECT",
    message_type: str = "NX:TxtMsg",
    source: str = "ANDROID",
    result: str = "SENT",
    **kw: Any,
) -> dict[str, Any]:
    return _event(
        "message.sent",
        app,
        ago,
        senderId=sender,
        targetId=target,
        channelType=channel,
        messageType=message_type,
        source=source,
        result=result,
        msgUid=msg_uid,
        **kw,
    )


def receipt(
    kind: str, msg_uid: str, recipient: str, ago: int, app: str = "app-a", **kw: Any
) -> dict[str, Any]:
    """``kind`` is delivered, not_delivered or offline."""
    return _event(f"message.{kind}", app, ago, msgUid=msg_uid, recipientId=recipient, **kw)


def push(
    msg_uid: str,
    recipient: str,
    ago: int,
    provider: str = "FCM",
    success: bool = True,
    app: str = "app-a",
    **kw: Any,
) -> dict[str, Any]:
    return _event(
        "push.attempted",
        app,
        ago,
        msgUid=msg_uid,
        recipientId=recipient,
        provider=provider,
        success=success,
        **kw,
    )
