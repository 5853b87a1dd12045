"""Settings, read once from the environment and the command line."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict, Unpack, cast

from store.limits import DEFAULT_RETENTION_DAYS

DEFAULT_STORE = "sqlite:///./data/tracking.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_PURGE_INTERVAL_S = 3600.0
DEFAULT_RATE_LIMIT_PER_S = 200.0
DEFAULT_RATE_LIMIT_BURST = 1000
DEFAULT_AUTH_FAILURES_PER_S = 1.0
DEFAULT_AUTH_FAILURE_BURST = 30
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1"
DEFAULT_LIMIT_CONCURRENCY = 1000
DEFAULT_KEEP_ALIVE_S = 5
DEFAULT_BODY_TIMEOUT_S = 30.0


class ConfigError(ValueError):
    """A setting with a value the server cannot use."""


class SettingsOverrides(TypedDict, total=False):
    """What ``Settings.with_overrides`` takes: any setting, or None to keep it."""

    store_url: str | None
    retention_days: int | None
    host: str | None
    port: int | None
    workers: int | None
    purge_interval_s: float | None
    rate_limit_per_s: float | None
    rate_limit_burst: int | None
    auth_failures_per_s: float | None
    auth_failure_burst: int | None
    forwarded_allow_ips: str | None
    limit_concurrency: int | None
    keep_alive_s: int | None
    body_timeout_s: float | None
    cors_origins: tuple[str, ...] | None
    graphiql: bool | None
    introspection: bool | None


@dataclass(frozen=True, slots=True)
class Settings:
    store_url: str = DEFAULT_STORE
    """``TRACKING_STORE``: ``sqlite:///path.db`` or a ``mongodb://`` / ``mongodb+srv://`` URI."""
    retention_days: int = DEFAULT_RETENTION_DAYS
    """``TRACKING_RETENTION_DAYS``."""
    host: str = DEFAULT_HOST
    """``TRACKING_HOST``."""
    port: int = DEFAULT_PORT
    """``TRACKING_PORT``."""
    purge_interval_s: float = DEFAULT_PURGE_INTERVAL_S
    """``TRACKING_PURGE_INTERVAL``: seconds between two purges of expired data."""
    rate_limit_per_s: float = DEFAULT_RATE_LIMIT_PER_S
    """``TRACKING_RATE_LIMIT_PER_S``: requests a second each API key may sustain
    (a token bucket per key, in this process); 0 turns rate limiting off."""
    rate_limit_burst: int = DEFAULT_RATE_LIMIT_BURST
    """``TRACKING_RATE_LIMIT_BURST``: requests a key may make at once after a pause."""
    auth_failures_per_s: float = DEFAULT_AUTH_FAILURES_PER_S
    """``TRACKING_AUTH_FAILURES_PER_S``: failed authentications a second one client
    address may sustain before it gets 429 (0: no throttle)."""
    auth_failure_burst: int = DEFAULT_AUTH_FAILURE_BURST
    """``TRACKING_AUTH_FAILURE_BURST``: failed authentications an address may make at once."""
    forwarded_allow_ips: str = DEFAULT_FORWARDED_ALLOW_IPS
    """``TRACKING_FORWARDED_ALLOW_IPS``: comma-separated proxy addresses whose
    ``X-Forwarded-For`` is believed (uvicorn's ``forwarded_allow_ips``)."""
    limit_concurrency: int = DEFAULT_LIMIT_CONCURRENCY
    """``TRACKING_LIMIT_CONCURRENCY``: connections and requests served at once; beyond, 503."""
    keep_alive_s: int = DEFAULT_KEEP_ALIVE_S
    """``TRACKING_KEEP_ALIVE_S``: an idle keep-alive connection is closed after this."""
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    """``TRACKING_BODY_TIMEOUT_S``: a request body not received within this gets 408."""
    cors_origins: tuple[str, ...] = ()
    """``TRACKING_CORS_ORIGINS``: comma-separated origins allowed to call the API from a
    browser (e.g. ``https://console.example.com``); empty: CORS off."""
    graphiql: bool = True
    """``TRACKING_GRAPHIQL``: serve GraphiQL on ``GET /graphql``."""
    introspection: bool = True
    """``TRACKING_INTROSPECTION``: answer ``__schema`` and ``__type`` queries."""
    workers: int = 1
    """``TRACKING_WORKERS``: worker processes ``serve`` runs, each with its own store
    connections (``/metrics`` then sums them all; see ``server.metrics``)."""
    metrics_token: str | None = None
    """``TRACKING_METRICS_TOKEN``: when set, ``GET /metrics`` answers only
    ``Authorization: Bearer <this token>``; unset, it is open (bind it to a private network)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        # TRACKING_PRODUCTION=1 turns GraphiQL and introspection off unless set on explicitly.
        development = not _bool(env, "TRACKING_PRODUCTION", False)
        return cls(
            store_url=env.get("TRACKING_STORE") or DEFAULT_STORE,
            retention_days=_int(env, "TRACKING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1),
            host=env.get("TRACKING_HOST") or DEFAULT_HOST,
            port=_int(env, "TRACKING_PORT", DEFAULT_PORT, 0),
            purge_interval_s=_float(env, "TRACKING_PURGE_INTERVAL", DEFAULT_PURGE_INTERVAL_S),
            rate_limit_per_s=_float(
                env, "TRACKING_RATE_LIMIT_PER_S", DEFAULT_RATE_LIMIT_PER_S, allow_zero=True
            ),
            rate_limit_burst=_int(env, "TRACKING_RATE_LIMIT_BURST", DEFAULT_RATE_LIMIT_BURST, 1),
            auth_failures_per_s=_float(
                env, "TRACKING_AUTH_FAILURES_PER_S", DEFAULT_AUTH_FAILURES_PER_S, allow_zero=True
            ),
            auth_failure_burst=_int(
                env, "TRACKING_AUTH_FAILURE_BURST", DEFAULT_AUTH_FAILURE_BURST, 1
            ),
            forwarded_allow_ips=env.get("TRACKING_FORWARDED_ALLOW_IPS")
            or DEFAULT_FORWARDED_ALLOW_IPS,
            limit_concurrency=_int(env, "TRACKING_LIMIT_CONCURRENCY", DEFAULT_LIMIT_CONCURRENCY, 1),
            keep_alive_s=_int(env, "TRACKING_KEEP_ALIVE_S", DEFAULT_KEEP_ALIVE_S, 1),
            body_timeout_s=_float(env, "TRACKING_BODY_TIMEOUT_S", DEFAULT_BODY_TIMEOUT_S),
            cors_origins=_origins(env.get("TRACKING_CORS_ORIGINS", "")),
            graphiql=_bool(env, "TRACKING_GRAPHIQL", development),
            introspection=_bool(env, "TRACKING_INTROSPECTION", development),
            workers=_int(env, "TRACKING_WORKERS", 1, 1),
            metrics_token=env.get("TRACKING_METRICS_TOKEN") or None,
        )

    def with_overrides(self, **overrides: Unpack[SettingsOverrides]) -> "Settings":
        """A copy with every override that is not None applied (command-line options)."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        # each value has its field's type (SettingsOverrides), which mypy loses in the filter
        return replace(self, **cast(dict[str, Any], changes))


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a number, got {raw!r}") from None
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise ConfigError(f"{name}: must be positive, got {value}")
    return value


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name}: must be 1 or 0 (true/false, yes/no, on/off), got {raw!r}")


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and "://" not in origin:
            raise ConfigError(
                f"TRACKING_CORS_ORIGINS: {origin!r} is not an origin (scheme://host[:port])"
            )
    return origins
