"""``/metrics`` with several uvicorn worker processes (the Docker image's way):
whichever worker serves the scrape, it counts every worker's requests."""

import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from store.interface import Store
from store.model import KeyRole
from tests.e2e.conftest import make_key, start_server
from tests.server.http_helpers import bearer, every_type, ndjson

REQUESTS = 40


def _total(text: str, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def _writers(shared: Path) -> set[str]:
    """The processes with series in the multiprocess directory (``counter_<pid>.db``…)."""
    return {path.stem.rsplit("_", 1)[-1] for path in shared.glob("*.db")}


async def test_a_scrape_sums_every_worker(store: Store, store_url: str, tmp_path: Path) -> None:
    ingest = await make_key(store, "app-a", KeyRole.INGEST)
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    server = start_server(store_url, tmp_path / "server.log", env, workers=2)
    try:
        deadline = time.monotonic() + 20
        while len(_writers(shared)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the second worker may still be starting
        for _ in range(REQUESTS):  # a new connection each: the kernel spreads them
            assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        events = ndjson(every_type())
        answer = httpx.post(f"{server.url}/v1/events", content=events, headers=bearer(ingest))
        assert answer.json()["accepted"] == len(every_type()), answer.text
        assert len(_writers(shared)) == 2, f"both workers keep their series in {shared}"
        for _ in range(3):  # three scrapes, likely from both workers: each sees all
            text = httpx.get(f"{server.url}/metrics", timeout=10).text
            requests = "tracking_http_requests_total"
            assert _total(text, requests, route="/healthz", status="200") == REQUESTS
            accepted = _total(text, "tracking_ingest_events_total", result="accepted")
            assert accepted == len(every_type())
            assert _total(text, "tracking_store_size_bytes") > 0
    finally:
        server.stop()
