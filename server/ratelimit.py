"""Per-key rate limiting: a token bucket for each API key, in this process.

Each key may make ``burst`` requests at once, refilled at ``rate`` a second.
A refused request learns how long to wait (``Retry-After``). Buckets of keys
idle long enough to be full again are forgotten, so memory stays bounded by the
keys active in the last ``burst / rate`` seconds.

Every answer also tells the bucket's state (SPEC §10): ``X-RateLimit-Limit`` (the
burst), ``X-RateLimit-Remaining`` (whole requests left now) and
``X-RateLimit-Reset`` (epoch seconds, rounded up, when the bucket is full again).
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quota:
    """A key's bucket right after a request took (or failed to take) its token."""

    wait_s: float
    """0 when the request may go on, else the seconds until it may."""
    limit: int
    remaining: int
    reset_epoch_s: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_epoch_s),
        }


RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """``rate`` requests a second sustained, ``burst`` at once; ``rate`` 0: no limit.
        ``clock`` measures the refill; ``wall_clock`` dates the reset (epoch seconds)."""
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._wall_clock = wall_clock
        self._buckets: dict[str, _Bucket] = {}
        self._last_sweep = clock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str) -> float:
        """Take one token of ``key``'s bucket: 0 when the request may go on, else the
        seconds to wait before the next one may."""
        quota = self.take(key)
        return 0.0 if quota is None else quota.wait_s

    def take(self, key: str) -> Quota | None:
        """Take one token of ``key``'s bucket and tell its state; None when limiting is off."""
        if not self.enabled:
            return None
        now = self._clock()
        self._sweep(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        wait = 0.0
        if bucket.tokens >= 1:
            bucket.tokens -= 1
        else:
            wait = (1 - bucket.tokens) / self.rate
        full_in = (self.burst - bucket.tokens) / self.rate
        return Quota(
            wait_s=wait,
            limit=self.burst,
            remaining=math.floor(bucket.tokens),
            reset_epoch_s=math.ceil(self._wall_clock() + full_in),
        )

    def _sweep(self, now: float) -> None:
        full_after = self.burst / self.rate
        if now - self._last_sweep < full_after:
            return
        self._last_sweep = now
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}


def retry_after_header(wait_s: float) -> str:
    """``Retry-After`` in whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
