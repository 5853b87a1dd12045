"""``GET /metrics`` (SPEC §10): the series after real requests, bounded labels, the token."""

import os
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.metrics import MULTIPROCESS_ENV, OTHER, Metrics, OperationLabels, prepare_metrics_dir
from store.interface import Store
from tests.server.conftest import ClientOf
from tests.server.http_helpers import Keys, bearer, every_type, ndjson, wire

TOKEN = "metrics-s3cret"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _requests(samples: Samples, route: str, status: str, operation: str = "") -> float:
    labels = {"route": route, "status": status, "operation": operation}
    return sum(
        value
        for (name, got), value in samples.items()
        if name == "tracking_http_requests_total" and set(labels.items()) <= got
    )


async def test_ingest_counts_are_the_answers_counts(client: httpx.AsyncClient, keys: Keys) -> None:
    batch = [*every_type(), wire(9, "connection.opened", userId="u1")]  # no connectionId
    before = await _scrape(client)
    first = await client.post("/v1/events", content=ndjson(batch), headers=bearer(keys.ingest_a))
    again = await client.post("/v1/events", content=ndjson(batch), headers=bearer(keys.ingest_a))
    after = await _scrape(client)
    answers = [first.json(), again.json()]
    expected = {
        "accepted": sum(a["accepted"] for a in answers),
        "duplicate": sum(a["duplicates"] for a in answers),
        "rejected": sum(len(a["rejected"]) for a in answers),
    }
    assert expected == {"accepted": 8, "duplicate": 8, "rejected": 2}
    for result, count in expected.items():
        name = "tracking_ingest_events_total"
        delta = _value(after, name, result=result) - _value(before, name, result=result)
        assert delta == count, result
    assert _requests(after, "/v1/events", "200") - _requests(before, "/v1/events", "200") == 2


async def test_requests_are_labelled_by_route_template_status_and_operation(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    query = {"query": "query Console { viewer { app } }", "operationName": "Console"}
    await client.post("/graphql", json=query, headers=bearer(keys.read_a))
    await client.post("/graphql", json={"query": "{ viewer { app } }"}, headers=bearer(keys.read_a))
    await client.post("/graphql", json={"query": "{ viewer { app } }"})  # no key: 401
    await client.get("/no/such/path/u-4711")
    samples = await _scrape(client)
    assert _requests(samples, "/graphql", "200", "Console") == 1
    assert _requests(samples, "/graphql", "200", "anonymous") == 1
    assert _requests(samples, "/graphql", "401") == 1, "refused before any operation ran"
    assert _requests(samples, "unmatched", "404") == 1
    latency = "tracking_http_request_duration_seconds_count"
    assert _value(samples, latency, route="/graphql", operation="Console") == 1
    assert not any("u-4711" in str(labels) for _, labels in samples), "a raw path became a label"


async def test_a_made_up_method_is_no_label_of_its_own(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await client.request(f"BREW{n}", "/healthz")
    samples = await _scrape(client)
    methods = {
        dict(labels)["method"] for name, labels in samples if name == "tracking_http_requests_total"
    }
    assert methods <= {"GET", "other"}, methods
    assert _requests(samples, "/healthz", "405") == 5


async def test_store_calls_are_timed_by_the_interface_method(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    await client.post("/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a))
    query = '{ user(id: "u1") { connections(first: 5) { nodes { connectionId } } } }'
    await client.post("/graphql", json={"query": query}, headers=bearer(keys.read_a))
    samples = await _scrape(client)
    name = "tracking_store_call_duration_seconds_count"
    assert _value(samples, name, call="write") == 1
    assert _value(samples, name, call="connection_pages") == 1
    assert _value(samples, name, call="key_by_hash") == 2
    assert not any("u1" in dict(labels).values() for _, labels in samples), "a user id as label"


async def test_the_store_size_is_read_at_each_scrape(
    client: httpx.AsyncClient, store: Store
) -> None:
    size = await store.size_bytes()
    samples = await _scrape(client)
    if size is None:  # mongomock has no dbStats
        assert ("tracking_store_size_bytes", frozenset()) not in samples
    else:
        assert _value(samples, "tracking_store_size_bytes") >= size > 0


def test_operation_names_beyond_the_cap_count_as_other() -> None:
    labels = OperationLabels(limit=3)
    assert [labels.label(n) for n in ("A", "B", "A", "C", "D", "B")] == [
        "A",
        "B",
        "A",
        "C",
        OTHER,
        "B",
    ]
    assert labels.label(None) == "anonymous"
    assert OperationLabels().label("not a name {") == OTHER
    assert OperationLabels().label("Foo\n") == OTHER
    assert OperationLabels().label("x" * 65) == OTHER


async def test_unknown_operation_names_sent_by_a_client_are_capped(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    for n in range(120):
        body = {"query": f"query Op{n} {{ viewer {{ app }} }}", "operationName": f"Op{n}"}
        await client.post("/graphql", json=body, headers=bearer(keys.read_a))
    samples = await _scrape(client)
    operations = {
        dict(labels).get("operation")
        for name, labels in samples
        if name == "tracking_http_requests_total"
    }
    assert len(operations - {"", OTHER}) <= 100
    assert OTHER in operations


@pytest.mark.parametrize("header", [None, "Bearer wrong", TOKEN, "Basic bWV0cmljcw=="])
async def test_with_a_token_set_only_that_token_reads_the_metrics(
    client_of: ClientOf, header: str | None
) -> None:
    guarded = await client_of(metrics_token=TOKEN)
    headers = {"Authorization": header} if header else {}
    response = await guarded.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert "TRACKING_METRICS_TOKEN" in response.json()["error"]["message"]
    assert "tracking_" not in response.text


async def test_a_read_key_is_not_the_metrics_token(client_of: ClientOf, keys: Keys) -> None:
    guarded = await client_of(metrics_token=TOKEN)
    assert (await guarded.get("/metrics", headers=bearer(keys.read_a))).status_code == 401
    samples = await _scrape(guarded, authorization=f"Bearer {TOKEN}")
    assert _requests(samples, "/metrics", "401") == 1


def test_the_multiprocess_folder_is_made_or_emptied_before_workers_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROCESS_ENV, "")  # recorded, so that the test's own setting
    monkeypatch.delenv(MULTIPROCESS_ENV)  # is undone after it, like this one
    made = prepare_metrics_dir()
    assert made.is_dir() and os.environ[MULTIPROCESS_ENV] == str(made)
    made.rmdir()
    given = tmp_path / "series"
    given.mkdir()
    (given / "counter_4711.db").write_bytes(b"an earlier run's")
    (given / "README").write_text("kept")
    monkeypatch.setenv(MULTIPROCESS_ENV, str(given))
    assert prepare_metrics_dir() == given
    assert sorted(p.name for p in given.iterdir()) == ["README"]


def test_a_worker_makes_the_multiprocess_folder_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "not" / "yet"
    monkeypatch.setenv(MULTIPROCESS_ENV, str(missing))
    assert Metrics().multiprocess and missing.is_dir()


async def test_a_name_the_document_does_not_have_takes_no_label(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    body = {"query": "query A { viewer { app } }", "operationName": "Squatter"}
    await client.post("/graphql", json=body, headers=bearer(keys.read_a))
    samples = await _scrape(client)
    assert not any("Squatter" in str(labels) for _, labels in samples)
