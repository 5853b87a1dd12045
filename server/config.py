"""Settings, read once from the environment and the command line."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from store.limits import DEFAULT_RETENTION_DAYS

DEFAULT_STORE = "sqlite:///./data/tracking.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_PURGE_INTERVAL_S = 3600.0


class ConfigError(ValueError):
    """A setting with a value the server cannot use."""


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            store_url=env.get("TRACKING_STORE") or DEFAULT_STORE,
            retention_days=_int(env, "TRACKING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1),
            host=env.get("TRACKING_HOST") or DEFAULT_HOST,
            port=_int(env, "TRACKING_PORT", DEFAULT_PORT, 0),
            purge_interval_s=_float(env, "TRACKING_PURGE_INTERVAL", DEFAULT_PURGE_INTERVAL_S),
        )

    def with_overrides(self, **overrides: object) -> "Settings":
        """A copy with every override that is not None applied (command-line options)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


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


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name}: must be positive, got {value}")
    return value
