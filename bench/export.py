"""``python -m bench.export``: the export's rate over HTTP (SPEC §10: at least
50,000 rows/s) and the server's peak memory during a whole-window export, against
a server that exported only the last day.

The store is the query benchmarks' cached demo store (``bench.corpus``); the
server runs in a child process (``bench.server``), and the client reads the
stream with httpx, counting rows (NDJSON: messages; CSV: rows of (message,
recipient)) as they arrive. NDJSON carries the same (message, recipient) rows as
the CSV (nested, with each receipt's history on top): its rate in those rows is
printed too, from the CSV's count.
"""

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import corpus
from bench.server import Server, make_keys
from server.demo import DEMO_APP
from store.limits import DEFAULT_RETENTION_DAYS, horizon_ms, now_ms

DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"


def _stream(base_url: str, key: str, fmt: str, since: str) -> tuple[int, float, int]:
    """(rows, seconds, bytes) of one whole-window export."""
    rows = size = 0
    started = time.perf_counter()
    params = {"format": fmt, "since": since}
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.stream(
        "GET", f"{base_url}/v1/export/sent-messages", params=params, headers=headers, timeout=600
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes(256 * 1024):
            rows += chunk.count(b"\n")
            size += len(chunk)
    seconds = time.perf_counter() - started
    return rows - (1 if fmt == "csv" else 0), seconds, size


@dataclass(frozen=True, slots=True)
class ExportFigures:
    """One whole-window export in each format, one after the other on one server."""

    ndjson_lines: int
    ndjson_s: float
    csv_rows: int
    csv_s: float
    bytes_per_s: dict[str, float]
    rss_peak_mb: float
    rss_peak_day_mb: float
    """The peak of another server that exported the last day only (NDJSON): memory
    bounded by the export's chunks is about the same for a day as for the window."""

    @property
    def ndjson_pairs_per_s(self) -> float:
        """NDJSON's rate in the CSV's rows: (message, recipient) pairs a second."""
        return self.csv_rows / self.ndjson_s


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def measure(store_url: str) -> ExportFigures:
    read, _ = make_keys(store_url, DEMO_APP)
    since = _iso(horizon_ms(DEFAULT_RETENTION_DAYS, now_ms()))
    with Server(store_url, quiet=True) as server:
        _stream(server.base_url, read, "ndjson", _iso(horizon_ms(1, now_ms())))
        _, day_peak = server.memory_mb()
    with Server(store_url, quiet=True) as server:
        timed: dict[str, tuple[int, float]] = {}
        rates: dict[str, float] = {}
        for fmt in ("ndjson", "csv"):
            rows, seconds, size = _stream(server.base_url, read, fmt, since)
            timed[fmt] = rows, seconds
            rates[fmt] = size / seconds
        _, peak = server.memory_mb()
    return ExportFigures(*timed["ndjson"], *timed["csv"], rates, peak, day_peak)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    store = corpus.ensure("sqlite", args.cache, args.events)
    print(f"store: {store.events:,} events; the whole retention window")
    found = measure(store.store_url)
    for fmt, rows, seconds in (
        ("ndjson", found.ndjson_lines, found.ndjson_s),
        ("csv", found.csv_rows, found.csv_s),
    ):
        print(
            f"{fmt:6}  {rows:>10,} rows  {seconds:6.1f} s  {rows / seconds:>9,.0f} rows/s"
            f"  {found.bytes_per_s[fmt] / 2**20:6.1f} MiB/s"
        )
    print(
        f"ndjson carries the csv's {found.csv_rows:,} (message, recipient) rows:"
        f" {found.ndjson_pairs_per_s:,.0f} a second; server peak RSS {found.rss_peak_mb:.0f} MiB"
        f" (a server that exported the last day only: {found.rss_peak_day_mb:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
