"""Fuzzing POST /v1/events with generated and mutated events (Hypothesis).

Each batch mixes valid events of every type with events broken by one known
mutation (a required field dropped, a wrong type, a value out of its enum or
length, an ``at`` out of the window, a cross-field rule broken, not an object).
Properties: never a 5xx; every broken event rejected with "<its field>: <reason>";
every valid one stored exactly once (a second post of the batch is all
duplicates and adds no row); a batch of only broken events changes no row.
"""

from collections.abc import Callable

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.interface import Store
from store.records import message_key
from tests.fuzzing import fuzz_settings
from tests.server.event_strategies import broken_events, valid_events
from tests.server.http_helpers import Keys, bearer

# On SQLite only: this module counts rows in the SQLite file itself.
pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])


async def post(client: httpx.AsyncClient, key: str, batch: list[object], ndjson: bool) -> dict:
    if ndjson:
        body = b"\n".join(orjson.dumps(e) for e in batch)
        headers = {"Content-Type": "application/x-ndjson"}
    else:
        body, headers = orjson.dumps(batch), {"Content-Type": "application/json"}
    response = await client.post("/v1/events", content=body, headers={**headers, **bearer(key)})
    assert response.status_code == 200, response.text
    return response.json()


def _batches(app: str) -> st.SearchStrategy[list[tuple[object, str | None]]]:
    """Events paired with the field their rejection must name (None: valid)."""
    valid = valid_events(app).map(lambda e: (e, None))
    return st.lists(st.one_of(valid, broken_events(app)), min_size=1, max_size=25)


@fuzz_settings(examples=150)
@given(
    batch=_batches("app-a"), repeats=st.lists(st.integers(0, 24), max_size=3), ndjson=st.booleans()
)
async def test_valid_events_are_stored_once_and_broken_ones_rejected_with_their_field(
    empty_fuzz_client: httpx.AsyncClient,
    keys: Keys,
    store: Store,
    row_counts: Callable[[], dict[str, int]],
    batch: list[tuple[object, str | None]],
    repeats: list[int],
    ndjson: bool,
) -> None:
    # the same valid event twice in one batch is a duplicate
    valid_indexes = [i for i, (_, field) in enumerate(batch) if field is None]
    copies = [batch[valid_indexes[r % len(valid_indexes)]] for r in repeats if valid_indexes]
    batch = batch + copies
    events = [event for event, _ in batch]
    expected = {i: field for i, (_, field) in enumerate(batch) if field is not None}
    valid = len(valid_indexes)

    before = row_counts()
    first = await post(empty_fuzz_client, keys.ingest_a, events, ndjson)
    assert {r["index"]: r["error"].split(":", 1)[0] for r in first["rejected"]} == expected
    for rejection in first["rejected"]:
        _, _, reason = rejection["error"].partition(": ")
        assert reason.strip(), rejection
    assert (first["accepted"], first["duplicates"]) == (valid, len(copies))
    after_first = row_counts()
    assert valid == 0 or after_first != before

    again = await post(empty_fuzz_client, keys.ingest_a, events, not ndjson)
    assert again["rejected"] == first["rejected"]
    assert (again["accepted"], again["duplicates"]) == (0, valid + len(copies))
    assert row_counts() == after_first

    sent = [e for e, f in batch if f is None and e["type"] == "message.sent"]  # type: ignore[index]
    keys_ = [message_key(e.get("msgUid"), e["eventId"]) for e in sent]  # type: ignore[union-attr]
    found = await store.messages_by_key("app-a", keys_)
    assert all(m is not None for m in found)


@fuzz_settings(examples=100)
@given(batch=st.lists(broken_events("app-a"), min_size=1, max_size=30), ndjson=st.booleans())
async def test_a_batch_of_broken_events_changes_nothing(
    empty_fuzz_client: httpx.AsyncClient,
    keys: Keys,
    row_counts: Callable[[], dict[str, int]],
    batch: list[tuple[object, str]],
    ndjson: bool,
) -> None:
    before = row_counts()
    body = await post(empty_fuzz_client, keys.ingest_a, [e for e, _ in batch], ndjson)
    assert body["accepted"] == body["duplicates"] == 0
    assert [r["error"].split(":", 1)[0] for r in body["rejected"]] == [f for _, f in batch]
    assert row_counts() == before


@fuzz_settings(examples=40)
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
async def test_arbitrary_bodies_never_fail_the_server(
    empty_fuzz_client: httpx.AsyncClient,
    keys: Keys,
    row_counts: Callable[[], dict[str, int]],
    body: bytes,
) -> None:
    before = row_counts()
    for content_type in ("application/json", "application/x-ndjson", "text/plain"):
        response = await empty_fuzz_client.post(
            "/v1/events",
            content=body,
            headers={"Content-Type": content_type, **bearer(keys.ingest_a)},
        )
        assert response.status_code in (200, 400, 413, 415), response.text
        if response.status_code == 200:
            assert response.json()["accepted"] == 0
    assert row_counts() == before
