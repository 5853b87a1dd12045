"""``python -m bench.export``: the export's rate over HTTP (SPEC §10: at least
50,000 rows/s) and the server's peak memory during a whole-window export.

The store is the query benchmarks' cached demo store (``bench.corpus``); the
server runs in a child process (``bench.server``), and the client reads the
stream with httpx, counting rows (NDJSON: messages; CSV: rows of (message,
recipient)) as they arrive. NDJSON carries the same (message, recipient) rows as
the CSV (nested, with each receipt's history on top): its rate in those rows is
printed too, from the CSV's count.
"""

import argparse
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    store = corpus.ensure("sqlite", args.cache, args.events)
    read, _ = make_keys(store.store_url, DEMO_APP)
    since = time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(horizon_ms(DEFAULT_RETENTION_DAYS, now_ms()) / 1000)
    )
    with Server(store.store_url, quiet=True) as server:
        print(f"store: {store.events:,} events; whole window since {since}")
        timed: dict[str, tuple[int, float]] = {}
        for fmt in ("ndjson", "csv"):
            rows, seconds, size = _stream(server.base_url, read, fmt, since)
            timed[fmt] = rows, seconds
            rss, peak = server.memory_mb()
            print(
                f"{fmt:6}  {rows:>10,} rows  {seconds:6.1f} s  {rows / seconds:>9,.0f} rows/s"
                f"  {size / seconds / 2**20:6.1f} MiB/s  server RSS {rss:.0f} MiB (peak {peak:.0f})"
            )
        pairs, ndjson_s = timed["csv"][0], timed["ndjson"][1]
        print(
            f"ndjson carries the csv's {pairs:,} (message, recipient) rows:"
            f" {pairs / ndjson_s:,.0f} a second"
        )


if __name__ == "__main__":
    main()
