"""Realistic demo traffic for ``serve --demo`` and the benchmarks.

:func:`generate_events` yields wire-format events (SPEC §4), lazily and
deterministically for a seed: a scripted showcase for ``alice`` in the last
hours (every platform, close reason, channel type, source, send result, mute
scope, message type, receipt status, push-skip reason and provider error),
then a week of random traffic per user. Ask for many users to get millions of
events; nothing is held in memory but the users and their groups.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from server.auth import create_key
from server.demo.reference import (
    BUILTIN_WEIGHTS,
    CUSTOM_TYPES,
    CUSTOM_WEIGHT,
    DEVICES,
    NAMED_USERS,
    NOT_PUSHABLE,
    OPEN_CHANNELS,
    PLATFORM_WEIGHTS,
    PUSH_ERRORS,
    REJECT_CODES,
    SDK_VERSIONS,
    SYSTEM_SENDERS,
)
from server.demo.showcase import showcase
from server.ingest import ingest_batch
from store.catalogue import OBJECT_NAME_OF
from store.interface import Store
from store.limits import DAY_MS, HOUR_MS, horizon_ms, now_ms
from store.model import (
    ChannelType,
    DisconnectReason,
    KeyRole,
    Platform,
    PushProvider,
    PushSkipReason,
    SendResult,
)
from store.push_errors import lookup
from store.records import ConnectionQuery

DEMO_APP = "demo"
SHOWCASE_USER = "alice"
DEFAULT_USERS = 12
DEFAULT_SEED = 20_250_101
BATCH_SIZE = 1_000
MINUTE_MS = 60_000
_START_MARGIN_MS = 30 * MINUTE_MS
"""The oldest event is this much younger than the window, so slow loads stay in retention."""
_CLOSE_WEIGHTS = {
    DisconnectReason.LOGOUT: 25,
    DisconnectReason.NETWORK_ERROR: 30,
    DisconnectReason.KICKED_BY_OTHER_DEVICE: 8,
    DisconnectReason.TOKEN_EXPIRED: 4,
    DisconnectReason.HEARTBEAT_TIMEOUT: 20,
    DisconnectReason.SERVER_CLOSED: 3,
    DisconnectReason.UNKNOWN: 2,
}
_RESULTS: dict[ChannelType, list[tuple[SendResult, str | None, float]]] = {
    ChannelType.DIRECT: [
        (SendResult.SENT, None, 90),
        (SendResult.SENT_PROFANITY_REPLACED, None, 3),
        (SendResult.BLOCKED_BY_BLOCKLIST, None, 3),
        (SendResult.BLOCKED_BY_ALLOWLIST, None, 2),
        (SendResult.PROFANITY_BLOCKED, None, 2),
    ],
    ChannelType.GROUP: [
        (SendResult.SENT, None, 89),
        (SendResult.SENT_PROFANITY_REPLACED, None, 3),
        (SendResult.MUTED, "GROUP_MEMBER_MUTED", 4),
        (SendResult.MUTED, "GROUP_FROZEN", 2),
        (SendResult.PROFANITY_BLOCKED, None, 2),
    ],
    ChannelType.OPEN: [
        (SendResult.SENT, None, 90),
        (SendResult.SENT_PROFANITY_REPLACED, None, 3),
        (SendResult.MUTED, "OPEN_CHANNEL_PARTICIPANT_MUTED", 5),
        (SendResult.PROFANITY_BLOCKED, None, 2),
    ],
    ChannelType.SYSTEM: [(SendResult.SENT, None, 1)],
}
_TYPE_NAMES = [OBJECT_NAME_OF[t] for t in BUILTIN_WEIGHTS] + CUSTOM_TYPES
_TYPE_WEIGHTS = list(BUILTIN_WEIGHTS.values()) + [CUSTOM_WEIGHT / len(CUSTOM_TYPES)] * len(
    CUSTOM_TYPES
)
_NOT_PUSHABLE_NAMES = frozenset(OBJECT_NAME_OF[t] for t in NOT_PUSHABLE)


@dataclass(slots=True, frozen=True)
class Device:
    platform: Platform
    sdk_version: str
    model: str | None
    os_version: str | None
    provider: PushProvider | None


@dataclass(slots=True)
class Person:
    user_id: str
    devices: list[Device]
    provider: PushProvider | None
    """The push provider of the user's phone; None without one (web and desktop only)."""
    push_disabled: bool = False
    groups: list[str] = field(default_factory=list)


class Traffic:
    """Builds events; shared by the random week and the scripted showcase."""

    def __init__(self, app: str, now: int, users: int, days: int, seed: int) -> None:
        self.app, self.now, self.seed = app, now, seed
        self.rng = random.Random(seed)
        self.start = now - days * DAY_MS + _START_MARGIN_MS
        self.count = 0
        ids = NAMED_USERS[:users] + [f"user-{i:06d}" for i in range(len(NAMED_USERS), users)]
        self.people = {uid: self._person(uid) for uid in ids}
        self.user_ids = ids
        self.groups = self._groups(ids)
        self._profiles: dict[str, tuple[PushProvider | None, bool]] = {}

    # --- identities ---------------------------------------------------------------

    def _person(self, user_id: str) -> Person:
        rng = self.rng
        platforms = list(PLATFORM_WEIGHTS)
        first = rng.choices(platforms, weights=list(PLATFORM_WEIGHTS.values()))[0]
        if first in (Platform.WEB, Platform.DESKTOP) and rng.random() < 0.7:
            first = rng.choice([Platform.ANDROID, Platform.IOS])
        chosen = [first, *rng.sample(platforms, rng.choice([0, 0, 1, 1, 2]))]
        devices = [self.device(p) for p in dict.fromkeys(chosen)]
        provider = next((d.provider for d in devices if d.provider), None)
        return Person(user_id, devices, provider, push_disabled=rng.random() < 0.06)

    def device(self, platform: Platform, index: int | None = None) -> Device:
        models = DEVICES[platform]
        model, os_version, provider = (
            models[index] if index is not None else self.rng.choice(models)
        )
        return Device(
            platform, self.rng.choice(SDK_VERSIONS[platform]), model, os_version, provider
        )

    def _groups(self, ids: list[str]) -> dict[str, list[str]]:
        rng, groups = self.rng, {}
        for n in range(max(3, len(ids) // 3)):
            size = min(len(ids), rng.randint(3, 12))
            members = rng.sample(ids, size) + [
                f"member-{rng.randrange(10_000):04d}" for _ in range(rng.randint(0, 6))
            ]
            groups[f"group-{n:04d}"] = members
        groups["group-all-hands"] = ids[:150] + [
            f"member-{i:04d}" for i in range(150 - min(150, len(ids)))
        ]
        for gid, members in groups.items():
            for uid in members:
                if uid in self.people:
                    self.people[uid].groups.append(gid)
        return groups

    def profile(self, user_id: str) -> tuple[PushProvider | None, bool]:
        """(push provider or None, push disabled) of any recipient."""
        person = self.people.get(user_id)
        if person is not None:
            return person.provider, person.push_disabled
        found = self._profiles.get(user_id)
        if found is None:
            platform = self.rng.choices(list(PLATFORM_WEIGHTS), list(PLATFORM_WEIGHTS.values()))[0]
            found = (self.rng.choice(DEVICES[platform])[2], self.rng.random() < 0.06)
            self._profiles[user_id] = found
        return found

    def ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            site, host = rng.randrange(1, 0xFFFF), rng.randrange(1, 0xFFFF)
            return f"2001:db8:{site:x}:{rng.randrange(0xFFFF):x}::{host:x}"
        net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{net}.{rng.randrange(1, 255)}"

    def uid(self) -> str:
        bits = self.rng.getrandbits(80)
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        chars = "".join(alphabet[(bits >> (5 * i)) & 31] for i in range(16))
        return "-".join(chars[i : i + 4] for i in range(0, 16, 4))

    # --- events ---------------------------------------------------------------------

    def event(self, kind: str, at: int | str, **fields: Any) -> dict[str, Any]:
        self.count += 1
        return {
            "eventId": f"ev-{self.seed}-{self.count:09d}",
            "type": kind,
            "appKey": self.app,
            "at": at,
            **fields,
        }

    def opened(self, user: str, device: Device, at: int | str, conn: str) -> dict[str, Any]:
        return self.event(
            "connection.opened",
            at,
            userId=user,
            connectionId=conn,
            sdkVersion=device.sdk_version,
            platform=device.platform.value,
            deviceModel=device.model,
            osVersion=device.os_version,
            ip=self.ip(),
        )

    def rejected(
        self, user: str, device: Device, at: int, code: str, description: str | None
    ) -> dict[str, Any]:
        return self.event(
            "connection.rejected",
            at,
            userId=user,
            sdkVersion=device.sdk_version,
            platform=device.platform.value,
            deviceModel=device.model,
            osVersion=device.os_version,
            ip=self.ip(),
            code=code,
            description=description,
        )

    def sent(
        self,
        sender: str,
        target: str,
        channel: ChannelType,
        type_name: str,
        source: str,
        at: int,
        conn: str | None,
        result: SendResult,
        scope: str | None,
    ) -> dict[str, Any]:
        accepted = result in (SendResult.SENT, SendResult.SENT_PROFANITY_REPLACED)
        return self.event(
            "message.sent",
            at,
            senderId=sender,
            targetId=target,
            channelType=channel.value,
            messageType=type_name,
            source=source,
            connectionId=conn,
            result=result.value,
            muteScope=scope,
            msgUid=self.uid() if accepted else None,
        )

    def receipt(self, kind: str, at: int, uid: str, recipient: str, **extra: Any) -> dict[str, Any]:
        return self.event(f"message.{kind}", at, msgUid=uid, recipientId=recipient, **extra)

    def push(
        self,
        at: int,
        uid: str,
        recipient: str,
        provider: PushProvider,
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        code, description = error if error else (None, None)
        return self.event(
            "push.attempted",
            at,
            msgUid=uid,
            recipientId=recipient,
            provider=provider.value,
            success=error is None,
            errorCode=code,
            errorDescription=description,
        )

    # --- random traffic ------------------------------------------------------------------

    def week(self, person: Person) -> Iterator[dict[str, Any]]:
        rng, now = self.rng, self.now
        t = self.start + rng.randrange(3 * HOUR_MS)
        while t < now - MINUTE_MS:
            device = rng.choice(person.devices)
            if rng.random() < 0.05:
                code, description = rng.choice(REJECT_CODES)
                yield self.rejected(person.user_id, device, t, code, description)
                t += rng.randint(5_000, 120_000)
            bucket = rng.random()
            if bucket < 0.45:
                length = rng.randint(2 * MINUTE_MS, 15 * MINUTE_MS)
            elif bucket < 0.85:
                length = rng.randint(15 * MINUTE_MS, 90 * MINUTE_MS)
            else:
                length = rng.randint(90 * MINUTE_MS, 6 * HOUR_MS)
            yield from self.session(person, device, t, t + length)
            gap = rng.randint(20 * MINUTE_MS, 7 * HOUR_MS)
            if rng.random() < 0.25 and t + length + gap < now:
                yield from self.server_api(person, t + length + rng.randrange(gap))
            t += length + gap

    def session(
        self, person: Person, device: Device, start: int, end: int
    ) -> Iterator[dict[str, Any]]:
        rng, conn = self.rng, f"conn-{self.uid().lower()}"
        yield self.opened(person.user_id, device, start, conn)
        last = min(end, self.now - 1_000)
        count = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8))
        for at in sorted(
            rng.randint(start + 1_000, max(start + 1_000, last)) for _ in range(count)
        ):
            yield from self.message(person, at, device.platform.value, conn)
        if end <= self.now:
            reasons = list(_CLOSE_WEIGHTS)
            reason = rng.choices(reasons, weights=list(_CLOSE_WEIGHTS.values()))[0]
            yield self.event(
                "connection.closed",
                end,
                userId=person.user_id,
                connectionId=conn,
                reason=reason.value,
            )

    def message(
        self,
        person: Person,
        at: int,
        source: str,
        conn: str | None,
        channel: ChannelType | None = None,
    ) -> Iterator[dict[str, Any]]:
        rng = self.rng
        if channel is None:
            channel = rng.choices(
                (ChannelType.DIRECT, ChannelType.GROUP, ChannelType.OPEN), (58, 32, 10)
            )[0]
        if channel is ChannelType.GROUP and person.groups:
            target = rng.choice(person.groups)
            if target == "group-all-hands" and rng.random() < 0.8:
                target = rng.choice(person.groups)
        elif channel is ChannelType.OPEN:
            target = rng.choice(OPEN_CHANNELS)
        else:
            channel = ChannelType.DIRECT
            target = rng.choice(self.user_ids)
            if target == person.user_id:
                target = f"member-{rng.randrange(10_000):04d}"
        type_name = rng.choices(_TYPE_NAMES, _TYPE_WEIGHTS)[0]
        results = _RESULTS[channel]
        result, scope, _ = rng.choices(results, [w for *_, w in results])[0]
        event = self.sent(
            person.user_id, target, channel, type_name, source, at, conn, result, scope
        )
        yield event
        uid = event["msgUid"]
        if uid is None or channel not in (ChannelType.DIRECT, ChannelType.GROUP):
            return
        recipients = [target] if channel is ChannelType.DIRECT else self.groups[target]
        for recipient in recipients:
            if recipient != person.user_id:
                yield from self.fate(uid, recipient, at, type_name)

    def server_api(self, person: Person, at: int) -> Iterator[dict[str, Any]]:
        if self.rng.random() < 0.4:
            sender = self.rng.choice(SYSTEM_SENDERS)
            type_name = self.rng.choice(("NX:InfoNtf", "NX:TxtMsg", "App:OrderCard"))
            yield self.sent(
                sender,
                person.user_id,
                ChannelType.SYSTEM,
                type_name,
                "SERVER_API",
                at,
                None,
                SendResult.SENT,
                None,
            )
        else:
            channel = self.rng.choice((ChannelType.DIRECT, ChannelType.GROUP))
            yield from self.message(person, at, "SERVER_API", None, channel)

    def fate(self, uid: str, recipient: str, at: int, type_name: str) -> Iterator[dict[str, Any]]:
        """What happened to one recipient of a message, as the events that say it."""
        rng, now = self.rng, self.now
        t = at + rng.randint(30, 900)
        if t > now:
            return
        roll = rng.random()
        if roll < 0.62:
            yield self.receipt("delivered", t, uid, recipient)
            return
        if roll < 0.70:
            yield self.receipt("not_delivered", t, uid, recipient)
        else:
            provider, disabled = self.profile(recipient)
            skipped = (
                PushSkipReason.NO_PUSH_TOKEN
                if provider is None
                else PushSkipReason.NOT_PUSHABLE_TYPE
                if type_name in _NOT_PUSHABLE_NAMES
                else PushSkipReason.PUSH_DISABLED
                if disabled
                else PushSkipReason.DO_NOT_DISTURB
                if rng.random() < 0.07
                else None
            )
            extra = {"pushSkipped": skipped.value} if skipped else {}
            yield self.receipt("offline", t, uid, recipient, **extra)
            if skipped is None and provider is not None:
                yield from self.pushes(uid, recipient, provider, t)
        later = t + rng.randint(5 * MINUTE_MS, 8 * HOUR_MS)
        if rng.random() < 0.55 and later <= now:
            yield self.receipt("delivered", later, uid, recipient)

    def pushes(
        self, uid: str, recipient: str, provider: PushProvider, t: int
    ) -> Iterator[dict[str, Any]]:
        rng = self.rng
        at = t + rng.randint(80, 1_500)
        if at > self.now:
            return
        if rng.random() < 0.86:
            yield self.push(at, uid, recipient, provider)
            return
        errors = PUSH_ERRORS[provider]
        code, text, _ = rng.choices(errors, weights=[w for *_, w in errors])[0]
        yield self.push(at, uid, recipient, provider, (code, text))
        retry = at + rng.randint(2_000, 60_000)
        if lookup(provider, code).retryable and rng.random() < 0.7 and retry <= self.now:
            yield self.push(retry, uid, recipient, provider)


def generate_events(
    app: str,
    *,
    now: int,
    users: int = DEFAULT_USERS,
    days: int = 7,
    seed: int = DEFAULT_SEED,
) -> Iterator[dict[str, Any]]:
    """Wire events of ``users`` users over the ``days`` before ``now``; the same for a seed."""
    traffic = Traffic(app, now, max(1, users), days, seed)
    yield from showcase(traffic, SHOWCASE_USER)
    for person in traffic.people.values():
        yield from traffic.week(person)


async def has_demo_data(store: Store, app: str = DEMO_APP, *, now: int | None = None) -> bool:
    now = now_ms() if now is None else now
    query = ConnectionQuery(SHOWCASE_USER, horizon_ms(store.retention_days, now), now + HOUR_MS)
    return (await store.count_connections(app, [query]))[0] > 0


async def load_demo(
    store: Store, *, app: str = DEMO_APP, users: int = DEFAULT_USERS, seed: int = DEFAULT_SEED
) -> tuple[int, int]:
    """Ingest demo traffic through the ingest path, 1,000 events a batch.

    Returns (accepted, rejected); a demo event that ingest rejects is a bug."""
    accepted = rejected = 0
    batch: list[dict[str, Any]] = []
    days = store.retention_days
    for raw in generate_events(app, now=now_ms(), users=users, days=min(days, 7), seed=seed):
        batch.append(raw)
        if len(batch) == BATCH_SIZE:
            a, r = await _ingest(store, batch)
            accepted, rejected, batch = accepted + a, rejected + r, []
    if batch:
        a, r = await _ingest(store, batch)
        accepted, rejected = accepted + a, rejected + r
    return accepted, rejected


async def _ingest(store: Store, batch: list[dict[str, Any]]) -> tuple[int, int]:
    result = await ingest_batch(store, batch, now=now_ms(), retention_days=store.retention_days)
    return result.accepted, len(result.rejected)


async def create_demo_keys(store: Store, app: str = DEMO_APP) -> tuple[str, str]:
    """A fresh (read key, ingest key) pair for the demo app, in clear."""
    _, read = await create_key(store, app, KeyRole.READ)
    _, ingest = await create_key(store, app, KeyRole.INGEST)
    return read, ingest
