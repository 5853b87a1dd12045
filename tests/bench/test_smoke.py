"""The benchmark command runs end to end on a tiny store and prints its table.

Only that it runs: performance is measured by ``python -m bench``, never asserted here.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_bench_prints_its_table(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "bench",
        "--sizes",
        "2000,3000",
        "--runs",
        "1",
        "--ingest-events",
        "2000",
        "--requests",
        "3",
        "--receipts",
        "2x30",
        "--cache",
        str(tmp_path / "cache"),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout
    for figure in (
        "ingest ratio HTTP / raw",
        "console query, 3k events: p50 / p95 over HTTP",
        "store queries, pages 20/20/50 vs 5/5/10",
        "GraphQL vs direct fetch + orjson, 3k events",
        "server RSS, 3k events",
        "console + diagnoses, 3k events: p50 / p95 over HTTP",
        "console + diagnoses, 3k events: store queries",
        "console + diagnoses, 3k events: GraphQL vs direct fetch + orjson, wall",
        "growth 2k -> 3k: console p50 / p95",
        "receipts(first: 50) on 2 GROUP messages x 30 recipients, over HTTP",
        "the same page from 2 x 50 recipients",
        "receive-status page (page + summary) on 2 GROUP messages x 30 recipients: p50 / p95",
        "server peak RSS, 2 GROUP messages x 30 recipients",
        "the page from 2 x 3 recipients",
        "console query of the sender of 2 GROUP messages x 30 recipients: p50 / p95 over HTTP",
        "mixed load, 2k events: console p50 / p95 while ingesting",
        "mixed load, 2k events: ingest rate while 4 users query",
        "console query, 3k events: whole document, p50 / p95",
        "its persisted hash by GET (APQ hit)",
        "export, CSV, whole window of 2k events",
        "export, NDJSON, the same",
        "in message lines",
    ):
        assert figure in table, table
    assert "built 3,000 events" in done.stderr
