"""The scripted part of the demo: one user's last hours, touching every outcome.

A person opening GraphiQL on ``serve --demo`` sees, on the first page of
``alice``'s connections, every platform and close reason, a rejected attempt,
each channel type and source, every send result and mute scope, every message
type, every receipt status, each push-skip reason and real provider errors, and
so every verdict of the diagnosis (SPEC §7) on its messages and their receipts.
"""

from collections.abc import Iterator
from dataclasses import dataclass
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
DIRECT, GROUP, OPEN = ChannelType.DIRECT, ChannelType.GROUP, ChannelType.OPEN
HIKE = "group-weekend-hike"
HIKERS = ["bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory"]


@dataclass(frozen=True, slots=True)
class Delivered:
    """Received online."""


@dataclass(frozen=True, slots=True)
class NotFetched:
    """Notified but not fetched; fetched ``after_ms`` after sending when given."""

    after_ms: int | None = None


@dataclass(frozen=True, slots=True)
class OfflineUnreported:
    """Stored offline, and no push attempt or skip reason reported at all."""


@dataclass(frozen=True, slots=True)
class PushSkipped:
    """Stored offline, no push sent on purpose."""

    reason: Skip


@dataclass(frozen=True, slots=True)
class Pushed:
    """Stored offline, then pushed: failed with ``error_code`` (None: accepted),
    and retried successfully half a minute later when ``retried``."""

    provider: PushProvider
    error_code: str | None = None
    retried: bool = False


Fate = Delivered | NotFetched | OfflineUnreported | PushSkipped | Pushed
"""What happens to a message for one recipient."""
D = Delivered()


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


Events = Iterator[dict[str, Any]]


def _hikers(**fates: Fate) -> dict[str, Fate]:
    """Every member of the hike group delivered online, but for ``fates``."""
    everyone: dict[str, Fate] = {r: D for r in HIKERS}
    everyone.update(fates)
    return everyone


class _Showcase:
    """``user``'s scripted hours, scenario by scenario (the order of the calls is
    the order of the events and of the generator's random draws)."""

    def __init__(self, t: "Traffic", user: str) -> None:
        self.t = t
        self.user = user
        self.now = t.now
        self.errors = {
            code: (code, text) for items in PUSH_ERRORS.values() for code, text, _ in items
        }
        self._ios: Device | None = None

    @property
    def ios(self) -> "Device":
        """alice's iPhone, made at its first use (the iOS scenario) and kept for the later ones."""
        if self._ios is None:
            self._ios = self.t.device(Platform.IOS, 1)
        return self._ios

    def session(
        self,
        device: "Device",
        conn: str,
        start: int,
        minutes: int | None,
        reason: DisconnectReason | None,
        close_first: bool = False,
    ) -> list[dict[str, Any]]:
        t = self.t
        opened = t.opened(self.user, device, _iso(start), conn)
        if minutes is None or reason is None:
            return [opened]
        closed = t.event(
            "connection.closed",
            _iso(start + minutes * MIN),
            userId=self.user,
            connectionId=conn,
            reason=reason.value,
        )
        return [closed, opened] if close_first else [opened, closed]

    def send(
        self,
        at: int,
        target: str,
        channel: ChannelType,
        type_name: str,
        source: str,
        conn: str | None,
        fates: dict[str, Fate] | None = None,
        result: SendResult = SendResult.SENT,
        scope: str | None = None,
        sender: str | None = None,
    ) -> Events:
        event = self.t.sent(
            sender or self.user, target, channel, type_name, source, at, conn, result, scope
        )
        yield event
        for recipient, fate in (fates or {}).items():
            yield from self.outcome(event["msgUid"], recipient, at, fate)

    def outcome(self, uid: str, recipient: str, at: int, fate: Fate) -> Events:
        t = self.t
        match fate:
            case Delivered():
                yield t.receipt("delivered", at + 180, uid, recipient)
            case NotFetched(after_ms):
                yield t.receipt("not_delivered", at + 300, uid, recipient)
                if after_ms is not None:
                    yield t.receipt("delivered", at + after_ms, uid, recipient)
            case OfflineUnreported():
                yield t.receipt("offline", at + 250, uid, recipient)
            case PushSkipped(reason):
                yield t.receipt("offline", at + 250, uid, recipient, pushSkipped=reason.value)
            case Pushed(provider, code, retried):
                yield t.receipt("offline", at + 250, uid, recipient)
                yield t.push(
                    at + 900, uid, recipient, provider, self.errors[code] if code else None
                )
                if retried:
                    yield t.push(at + 31_000, uid, recipient, provider)

    def android_direct(self) -> Events:
        """A refused connect, then an Android session: every outcome of a direct message."""
        t, user = self.t, self.user
        android = t.device(Platform.ANDROID, 0)
        base = self.now - 10 * HOUR_MS
        yield t.rejected(
            user,
            android,
            base,
            "TOKEN_INVALID",
            "The token is invalid or was issued for another app.",
        )
        conn = "conn-alice-android-1"
        yield from self.session(android, conn, base + 20_000, 45, DisconnectReason.LOGOUT)
        plan: list[tuple[str, str, Fate | None, SendResult]] = [
            ("bob", "NX:TxtMsg", D, SendResult.SENT),
            ("carol", "NX:ImgMsg", NotFetched(2 * HOUR_MS), SendResult.SENT),
            ("dave", "NX:TxtMsg", None, SendResult.BLOCKED_BY_BLOCKLIST),
            ("erin", "NX:TxtMsg", None, SendResult.BLOCKED_BY_ALLOWLIST),
            ("bob", "NX:TxtMsg", D, SendResult.SENT_PROFANITY_REPLACED),
            ("bob", "NX:TxtMsg", None, SendResult.PROFANITY_BLOCKED),
            ("frank", "NX:HQVCMsg", Pushed(APNS, "BadDeviceToken"), SendResult.SENT),
            ("grace", "NX:FileMsg", Pushed(FCM, "UNREGISTERED"), SendResult.SENT),
            ("heidi", "NX:SightMsg", Pushed(FCM, "QUOTA_EXCEEDED", retried=True), SendResult.SENT),
            ("ivan", "NX:GIFMsg", NotFetched(), SendResult.SENT),
            ("judy", "NX:TxtMsg", OfflineUnreported(), SendResult.SENT),
            ("mallory", "NX:TxtMsg", None, SendResult.SENT),  # no status ever: a tracking gap
        ]
        for i, (target, type_name, fate, result) in enumerate(plan):
            fates = {target: fate} if fate else None
            at = base + (i + 1) * 3 * MIN
            yield from self.send(at, target, DIRECT, type_name, "ANDROID", conn, fates, result)
        # ivan left without fetching (above) and logs in again: "fetched at the next login".
        ivan = t.device(Platform.ANDROID, 2)
        yield t.opened("ivan", ivan, _iso(base + 50 * MIN), "conn-ivan-back")

    def ios_group(self) -> Events:
        """iOS: group fan-out with every push outcome, and the group filters."""
        ios = self.ios
        base, conn = self.now - 8 * HOUR_MS, "conn-alice-ios-1"
        yield from self.session(ios, conn, base, 50, DisconnectReason.NETWORK_ERROR)
        fanout = _hikers(
            dave=Pushed(HUAWEI, "80300007"),
            erin=Pushed(HUAWEI, "80100003"),
            frank=Pushed(APNS, "Unregistered"),
            grace=PushSkipped(Skip.NO_PUSH_TOKEN),
            heidi=PushSkipped(Skip.PUSH_DISABLED),
            ivan=PushSkipped(Skip.DO_NOT_DISTURB),
            judy=Pushed(PushProvider.XIAOMI),
            mallory=Pushed(PushProvider.OPPO),
        )
        yield from self.send(base + 2 * MIN, HIKE, GROUP, "NX:TxtMsg", "IOS", conn, fanout)
        vendors = _hikers(
            bob=Pushed(PushProvider.VIVO),
            carol=Pushed(PushProvider.HONOR),
            judy=Pushed(APNS),
            mallory=Pushed(HUAWEI),
        )
        yield from self.send(base + 5 * MIN, HIKE, GROUP, "NX:LBSMsg", "IOS", conn, vendors)
        command = _hikers(bob=PushSkipped(Skip.NOT_PUSHABLE_TYPE))
        yield from self.send(base + 6 * MIN, HIKE, GROUP, "NX:CmdMsg", "IOS", conn, command)
        muted = SendResult.MUTED
        yield from self.send(
            base + 9 * MIN, HIKE, GROUP, "NX:TxtMsg", "IOS", conn, None, muted, "GROUP_MEMBER_MUTED"
        )
        yield from self.send(
            base + 12 * MIN,
            "group-frozen",
            GROUP,
            "NX:TxtMsg",
            "IOS",
            conn,
            None,
            muted,
            "GROUP_FROZEN",
        )

    def harmony_open(self) -> Events:
        """HarmonyOS: open channels (no receipts), one participant mute."""
        harmony = self.t.device(Platform.HARMONYOS, 0)
        base, conn = self.now - 6 * HOUR_MS, "conn-alice-harmony-1"
        yield from self.session(harmony, conn, base, 30, DisconnectReason.KICKED_BY_OTHER_DEVICE)
        source = "HARMONYOS"
        yield from self.send(base + 2 * MIN, "chatroom-lobby", OPEN, "NX:TxtMsg", source, conn)
        yield from self.send(
            base + 4 * MIN,
            "chatroom-live-match",
            OPEN,
            "NX:TxtMsg",
            source,
            conn,
            result=SendResult.MUTED,
            scope="OPEN_CHANNEL_PARTICIPANT_MUTED",
        )
        yield from self.send(base + 6 * MIN, "chatroom-lobby", OPEN, "NX:GIFMsg", source, conn)

    def web_types(self) -> Events:
        """Web: every built-in and custom message type."""
        web = self.t.device(Platform.WEB, 0)
        base, conn = self.now - 5 * HOUR_MS, "conn-alice-web-1"
        yield from self.session(web, conn, base, 40, DisconnectReason.TOKEN_EXPIRED)
        for i, type_name in enumerate([*BUILTIN_OBJECT_NAMES, *CUSTOM_TYPES]):
            at = base + MIN + i * 30_000
            yield from self.send(at, "bob", DIRECT, type_name, "WEB", conn, {"bob": D})

    def desktop_and_server_api(self) -> Events:
        """Desktop, with messages the app server sent for alice meanwhile (SERVER_API, SYSTEM)."""
        desktop = self.t.device(Platform.DESKTOP, 0)
        base, conn = self.now - 4 * HOUR_MS, "conn-alice-desktop-1"
        everyone = _hikers()
        yield from self.session(desktop, conn, base, 60, DisconnectReason.HEARTBEAT_TIMEOUT)
        yield from self.send(
            base + 3 * MIN, "carol", DIRECT, "NX:FileMsg", "DESKTOP", conn, {"carol": D}
        )
        yield from self.send(base + 8 * MIN, HIKE, GROUP, "NX:ImgMsg", "DESKTOP", conn, everyone)
        api = "SERVER_API"
        yield from self.send(base + 20 * MIN, "bob", DIRECT, "App:OrderCard", api, None, {"bob": D})
        yield from self.send(base + 25 * MIN, HIKE, GROUP, "NX:InfoNtf", api, None, everyone)
        yield from self.send(
            base + 30 * MIN,
            self.user,
            ChannelType.SYSTEM,
            "NX:InfoNtf",
            api,
            None,
            sender="system-notice",
        )

    def short_sessions(self) -> Events:
        """Short Android and iOS sessions; the close of the first arrives before its open."""
        t, now = self.t, self.now
        xiaomi = t.device(Platform.ANDROID, 6)
        base, conn = now - 3 * HOUR_MS, "conn-alice-android-2"
        yield from self.session(
            xiaomi, conn, base, 10, DisconnectReason.SERVER_CLOSED, close_first=True
        )
        yield from self.send(
            base + 4 * MIN, "bob", DIRECT, "NX:TxtMsg", "ANDROID", conn, {"bob": D}
        )
        ios = self.ios
        yield from self.session(
            ios, "conn-alice-ios-2", now - 2 * HOUR_MS, 15, DisconnectReason.UNKNOWN
        )
        yield t.rejected(
            self.user,
            ios,
            now - 90 * MIN,
            "TOKEN_EXPIRED",
            "The token has expired; request a new one from the app server.",
        )

    def online_now(self) -> Events:
        """Online now: a settled message, one still settling, one with no receipt yet (PENDING)."""
        now, conn = self.now, "conn-alice-ios-3"
        yield from self.session(self.ios, conn, now - 25 * MIN, None, None)
        yield from self.send(now - 10 * MIN, "bob", DIRECT, "NX:TxtMsg", "IOS", conn, {"bob": D})
        yield from self.send(now - 2 * MIN, "carol", DIRECT, "NX:TxtMsg", "IOS", conn, {"carol": D})
        yield from self.send(now - 20_000, "dave", DIRECT, "NX:ImgMsg", "IOS", conn)


def showcase(t: "Traffic", user: str) -> Events:
    """Every scenario of ``user``'s last hours, oldest first."""
    script = _Showcase(t, user)
    yield from script.android_direct()
    yield from script.ios_group()
    yield from script.harmony_open()
    yield from script.web_types()
    yield from script.desktop_and_server_api()
    yield from script.short_sessions()
    yield from script.online_now()
