"""API keys: ``ptk_<keyid>_<secret>``, stored as the SHA-256 of the whole key.

Keys are 256-bit random secrets, so a plain hash is enough (no salt or slow KDF
is needed against guessing). Every request looks its key up in the store, so a
running server sees new and revoked keys at once.
"""

import hashlib
import secrets
import time
from collections.abc import Callable

from starlette.requests import Request

from server.errors import HttpError, retry_after
from server.ratelimit import RateLimiter
from store.interface import KeyStore
from store.limits import now_ms
from store.model import KeyRole
from store.records import ApiKey

KEY_PREFIX = "ptk_"
ALL_APPS = "*"
"""The app of an ingest key that may write every app."""
_MAX_KEY_LENGTH = 200
_HTTP_WHITESPACE = " \t"


class AuthError(HttpError):
    """A request that may not go on: 401, 403, or 429 for a throttled address."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        headers = {"WWW-Authenticate": 'Bearer realm="nexconn-tracking"', **(headers or {})}
        super().__init__(status, code, message, headers=headers)


class FailedAuthThrottle:
    """Failed authentications per client address: ``burst`` at once, refilled at
    ``rate`` a second; past that, the address gets 429 before its key is even looked
    up, so a key-guessing flood costs the store nothing and other clients little.

    The address is the connection's peer, or the ``X-Forwarded-For`` client when
    the peer is a trusted proxy (uvicorn's ``forwarded_allow_ips``). ``rate`` 0: off.
    """

    _MAX_BLOCKED = 100_000

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._failures = RateLimiter(rate, burst, clock)
        self._clock = clock
        self._blocked: dict[str, float] = {}

    def wait(self, address: str) -> float:
        """Seconds ``address`` must wait before it may try a key again (0: it may)."""
        until = self._blocked.get(address)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._blocked[address]
            return 0.0
        return left

    def failed(self, address: str) -> None:
        if wait := self._failures.acquire(address):
            if len(self._blocked) >= self._MAX_BLOCKED:
                now = self._clock()
                self._blocked = {a: u for a, u in self._blocked.items() if u > now}
            self._blocked[address] = self._clock() + wait


_NO_THROTTLE = FailedAuthThrottle(0, 1)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(app: str, role: KeyRole, *, now: int | None = None) -> tuple[ApiKey, str]:
    """A fresh key: its stored record (hashed) and the clear key, to show once."""
    if not app or (app == ALL_APPS and role is not KeyRole.INGEST):
        raise ValueError(f"a {role.value} key needs one app ('{ALL_APPS}' is for ingest keys)")
    key_id = secrets.token_hex(6)
    clear = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    created = now_ms() if now is None else now
    return ApiKey(key_id, app, role, hash_key(clear), created), clear


async def create_key(store: KeyStore, app: str, role: KeyRole) -> tuple[ApiKey, str]:
    record, clear = new_key(app, role)
    await store.create_key(record)
    return record, clear


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    # ASCII whitespace only: a key with, say, a non-breaking space before it is not the key
    return token.strip(_HTTP_WHITESPACE) or None


async def authenticate(
    store: KeyStore,
    request: Request,
    role: KeyRole,
    throttle: FailedAuthThrottle = _NO_THROTTLE,
) -> ApiKey:
    """The request's active key, which must have ``role``; raises :class:`AuthError`
    (429 while the client's address has failed too often)."""
    address = client_address(request)
    if wait := throttle.wait(address):
        raise AuthError(
            429,
            "RATE_LIMITED",
            "too many failed authentications from this address; retry later",
            headers=retry_after(wait),
        )
    try:
        return await _authenticate(store, request, role)
    except AuthError:
        throttle.failed(address)
        raise


async def _authenticate(store: KeyStore, request: Request, role: KeyRole) -> ApiKey:
    token = bearer_token(request)
    if token is None:
        raise AuthError(
            401, "UNAUTHENTICATED", "missing API key: send 'Authorization: Bearer <key>'"
        )
    key = None
    if token.startswith(KEY_PREFIX) and len(token) <= _MAX_KEY_LENGTH:
        key = await store.key_by_hash(hash_key(token))
    if key is None:
        raise AuthError(401, "UNAUTHENTICATED", "unknown or revoked API key")
    if key.role is not role:
        raise AuthError(403, "FORBIDDEN", f"this is a {key.role.value} key; use a {role.value} key")
    return key
