"""The scripted part of the demo: one user's last hours, touching every outcome.

A person opening GraphiQL on ``serve --demo`` sees, on the first page of
``alice``'s connections, every platform and close reason, a rejected attempt,
each channel type and source, every send result and mute scope, every message
type, every receipt status, each push-skip reason and real provider errors, and
so every verdict of the diagnosis (SPEC §7) on its messages and their receipts.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from server.demo.reference import CUSTOM_TYPES, PUSH_ERRORS
from store.catalogue import BUILTIN_OBJECT_NAMES
from store.limits import HOUR_MS
from store.model import ChannelType, DisconnectReason, Platform, PushProvider, SendResult
from store.model import PushSkipReason as Skip

if TYPE_CHECKING:
    from server.demo.traffic import Device, Traffic

MIN = 60_000
APNS, FCM, HUAWEI = PushProvider.APNS, PushProvider.FCM, PushProvider.HUAWEI
HIKE = "group-weekend-hike"
HIKERS = ["bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory"]

# A recipient's fate: D delivered, N not delivered (then delivered after ms), S offline
# with a push skipped for a reason, P offline then pushed (provider, error code, retried).
Fate = tuple[Any, ...]
D: Fate = ("D",)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def showcase(t: "Traffic", user: str) -> Iterator[dict[str, Any]]:
    now = t.now
    errors = {code: (code, text) for items in PUSH_ERRORS.values() for code, text, _ in items}

    def session(
        device: "Device",
        conn: str,
        start: int,
        minutes: int | None,
        reason: DisconnectReason | None,
        close_first: bool = False,
    ) -> list[dict[str, Any]]:
        opened = t.opened(user, device, _iso(start), conn)
        if minutes is None or reason is None:
            return [opened]
        closed = t.event(
            "connection.closed",
            _iso(start + minutes * MIN),
            userId=user,
            connectionId=conn,
            reason=reason.value,
        )
        return [closed, opened] if close_first else [opened, closed]

    def send(
        at: int,
        target: str,
        channel: ChannelType,
        type_name: str,
        source: str,
        conn: str | None,
        fates: dict[str, Fate] | None = None,
        result: SendResult = SendResult.SENT,
        scope: str | None = None,
        sender: str = user,
    ) -> Iterator[dict[str, Any]]:
        event = t.sent(sender, target, channel, type_name, source, at, conn, result, scope)
        yield event
        for recipient, fate in (fates or {}).items():
            yield from outcome(event["msgUid"], recipient, at, fate)

    def outcome(uid: str, recipient: str, at: int, fate: Fate) -> Iterator[dict[str, Any]]:
        kind = fate[0]
        if kind == "D":
            yield t.receipt("delivered", at + 180, uid, recipient)
        elif kind == "N":
            yield t.receipt("not_delivered", at + 300, uid, recipient)
            if len(fate) > 1:
                yield t.receipt("delivered", at + fate[1], uid, recipient)
        elif kind == "O":  # offline, and no push reported at all
            yield t.receipt("offline", at + 250, uid, recipient)
        elif kind == "S":
            yield t.receipt("offline", at + 250, uid, recipient, pushSkipped=fate[1].value)
        else:
            _, provider, code, *retried = fate
            yield t.receipt("offline", at + 250, uid, recipient)
            yield t.push(at + 900, uid, recipient, provider, errors[code] if code else None)
            if retried:
                yield t.push(at + 31_000, uid, recipient, provider)

    # A refused connect, then an Android session: every outcome of a direct message.
    android = t.device(Platform.ANDROID, 0)
    base = now - 10 * HOUR_MS
    yield t.rejected(
        user, android, base, "TOKEN_INVALID", "The token is invalid or was issued for another app."
    )
    conn = "conn-alice-android-1"
    yield from session(android, conn, base + 20_000, 45, DisconnectReason.LOGOUT)
    direct = ChannelType.DIRECT
    for i, (target, type_name, fate, result) in enumerate(
        [
            ("bob", "NX:TxtMsg", D, SendResult.SENT),
            ("carol", "NX:ImgMsg", ("N", 2 * HOUR_MS), SendResult.SENT),
            ("dave", "NX:TxtMsg", None, SendResult.BLOCKED_BY_BLOCKLIST),
            ("erin", "NX:TxtMsg", None, SendResult.BLOCKED_BY_ALLOWLIST),
            ("bob", "NX:TxtMsg", D, SendResult.SENT_PROFANITY_REPLACED),
            ("bob", "NX:TxtMsg", None, SendResult.PROFANITY_BLOCKED),
            ("frank", "NX:HQVCMsg", ("P", APNS, "BadDeviceToken"), SendResult.SENT),
            ("grace", "NX:FileMsg", ("P", FCM, "UNREGISTERED"), SendResult.SENT),
            ("heidi", "NX:SightMsg", ("P", FCM, "QUOTA_EXCEEDED", True), SendResult.SENT),
            ("ivan", "NX:GIFMsg", ("N",), SendResult.SENT),
            ("judy", "NX:TxtMsg", ("O",), SendResult.SENT),
            ("mallory", "NX:TxtMsg", None, SendResult.SENT),  # no status ever: a tracking gap
        ]
    ):
        fates = {target: fate} if fate else None
        yield from send(
            base + (i + 1) * 3 * MIN, target, direct, type_name, "ANDROID", conn, fates, result
        )

    # ivan left without fetching (above) and logs in again: "fetched at the next login".
    yield t.opened("ivan", t.device(Platform.ANDROID, 2), _iso(base + 50 * MIN), "conn-ivan-back")

    # iOS: group fan-out with every push outcome, and the group filters.
    ios = t.device(Platform.IOS, 1)
    base, conn = now - 8 * HOUR_MS, "conn-alice-ios-1"
    yield from session(ios, conn, base, 50, DisconnectReason.NETWORK_ERROR)
    fanout = {r: D for r in HIKERS} | {
        "dave": ("P", HUAWEI, "80300007"),
        "erin": ("P", HUAWEI, "80100003"),
        "frank": ("P", APNS, "Unregistered"),
        "grace": ("S", Skip.NO_PUSH_TOKEN),
        "heidi": ("S", Skip.PUSH_DISABLED),
        "ivan": ("S", Skip.DO_NOT_DISTURB),
        "judy": ("P", PushProvider.XIAOMI, None),
        "mallory": ("P", PushProvider.OPPO, None),
    }
    group = ChannelType.GROUP
    yield from send(base + 2 * MIN, HIKE, group, "NX:TxtMsg", "IOS", conn, fanout)
    vendors = {r: D for r in HIKERS} | {
        "bob": ("P", PushProvider.VIVO, None),
        "carol": ("P", PushProvider.HONOR, None),
        "judy": ("P", APNS, None),
        "mallory": ("P", HUAWEI, None),
    }
    yield from send(base + 5 * MIN, HIKE, group, "NX:LBSMsg", "IOS", conn, vendors)
    command = {r: D for r in HIKERS} | {"bob": ("S", Skip.NOT_PUSHABLE_TYPE)}
    yield from send(base + 6 * MIN, HIKE, group, "NX:CmdMsg", "IOS", conn, command)
    yield from send(
        base + 9 * MIN,
        HIKE,
        group,
        "NX:TxtMsg",
        "IOS",
        conn,
        result=SendResult.MUTED,
        scope="GROUP_MEMBER_MUTED",
    )
    yield from send(
        base + 12 * MIN,
        "group-frozen",
        group,
        "NX:TxtMsg",
        "IOS",
        conn,
        result=SendResult.MUTED,
        scope="GROUP_FROZEN",
    )

    # HarmonyOS: open channels (no receipts), one participant mute.
    harmony = t.device(Platform.HARMONYOS, 0)
    base, conn = now - 6 * HOUR_MS, "conn-alice-harmony-1"
    yield from session(harmony, conn, base, 30, DisconnectReason.KICKED_BY_OTHER_DEVICE)
    open_ = ChannelType.OPEN
    yield from send(base + 2 * MIN, "chatroom-lobby", open_, "NX:TxtMsg", "HARMONYOS", conn)
    yield from send(
        base + 4 * MIN,
        "chatroom-live-match",
        open_,
        "NX:TxtMsg",
        "HARMONYOS",
        conn,
        result=SendResult.MUTED,
        scope="OPEN_CHANNEL_PARTICIPANT_MUTED",
    )
    yield from send(base + 6 * MIN, "chatroom-lobby", open_, "NX:GIFMsg", "HARMONYOS", conn)

    # Web: every built-in and custom message type.
    web = t.device(Platform.WEB, 0)
    base, conn = now - 5 * HOUR_MS, "conn-alice-web-1"
    yield from session(web, conn, base, 40, DisconnectReason.TOKEN_EXPIRED)
    for i, type_name in enumerate([*BUILTIN_OBJECT_NAMES, *CUSTOM_TYPES]):
        yield from send(base + MIN + i * 30_000, "bob", direct, type_name, "WEB", conn, {"bob": D})

    # Desktop, with messages the app server sent for alice meanwhile (SERVER_API, SYSTEM).
    desktop = t.device(Platform.DESKTOP, 0)
    base, conn = now - 4 * HOUR_MS, "conn-alice-desktop-1"
    yield from session(desktop, conn, base, 60, DisconnectReason.HEARTBEAT_TIMEOUT)
    yield from send(base + 3 * MIN, "carol", direct, "NX:FileMsg", "DESKTOP", conn, {"carol": D})
    yield from send(
        base + 8 * MIN, HIKE, group, "NX:ImgMsg", "DESKTOP", conn, {r: D for r in HIKERS}
    )
    yield from send(base + 20 * MIN, "bob", direct, "App:OrderCard", "SERVER_API", None, {"bob": D})
    yield from send(
        base + 25 * MIN, HIKE, group, "NX:InfoNtf", "SERVER_API", None, {r: D for r in HIKERS}
    )
    yield from send(
        base + 30 * MIN,
        user,
        ChannelType.SYSTEM,
        "NX:InfoNtf",
        "SERVER_API",
        None,
        sender="system-notice",
    )

    # Short Android and iOS sessions; the close of the first arrives before its open.
    xiaomi = t.device(Platform.ANDROID, 6)
    base = now - 3 * HOUR_MS
    yield from (
        session(
            xiaomi,
            "conn-alice-android-2",
            base,
            10,
            DisconnectReason.SERVER_CLOSED,
            close_first=True,
        )
    )
    yield from send(
        base + 4 * MIN, "bob", direct, "NX:TxtMsg", "ANDROID", "conn-alice-android-2", {"bob": D}
    )
    base = now - 2 * HOUR_MS
    yield from session(ios, "conn-alice-ios-2", base, 15, DisconnectReason.UNKNOWN)
    yield t.rejected(
        user,
        ios,
        now - 90 * MIN,
        "TOKEN_EXPIRED",
        "The token has expired; request a new one from the app server.",
    )

    # Online now: a settled message, one still settling, one with no receipt yet (PENDING).
    conn = "conn-alice-ios-3"
    yield from session(ios, conn, now - 25 * MIN, None, None)
    yield from send(now - 10 * MIN, "bob", direct, "NX:TxtMsg", "IOS", conn, {"bob": D})
    yield from send(now - 2 * MIN, "carol", direct, "NX:TxtMsg", "IOS", conn, {"carol": D})
    yield from send(now - 20_000, "dave", direct, "NX:ImgMsg", "IOS", conn)
