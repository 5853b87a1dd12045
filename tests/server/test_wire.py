"""The typed fast path of ingest (``server.wire``) against the per-field path.

The fast path must take every batch of valid events (else it is not a fast
path) and nothing the per-field path would reject, and build the very same
records; for anything else the per-field path answers, so the responses of
``read_events`` are those of ``decode_events`` + ``validate`` for any body.
"""

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server import wire
from server.ingest import BodyError, decode_events, read_events, validate
from store.limits import now_ms
from tests.fuzzing import fuzz_settings
from tests.server.event_strategies import broken_events, valid_events

NDJSON = "application/x-ndjson"
JSON = "application/json"


def _per_field(body: bytes, content_type: str, **scope: Any) -> object:
    try:
        return validate(decode_events(body, content_type), now=NOW, retention_days=7, **scope)
    except BodyError as e:
        return (e.status, e.message)


def _read(body: bytes, content_type: str, **scope: Any) -> object:
    try:
        return read_events(body, content_type, now=NOW, retention_days=7, **scope)
    except BodyError as e:
        return (e.status, e.message)


NOW = now_ms()


def _bodies(events: list[object]) -> list[tuple[bytes, str]]:
    ndjson = b"\n".join(orjson.dumps(e) for e in events) + b"\n"
    return [(orjson.dumps(events), JSON), (ndjson, NDJSON)]


@fuzz_settings(150)
@given(st.lists(valid_events("app-a"), min_size=1, max_size=30))
def test_the_fast_path_takes_every_valid_batch_and_builds_the_same_records(
    events: list[dict[str, Any]],
) -> None:
    for body, content_type in _bodies(list(events)):
        lines = [line for line in body.split(b"\n") if line.strip()]
        decoded = wire.decode_array(body) if content_type == JSON else wire.decode_lines(lines)
        assert decoded is not None
        records = wire.accept_all(decoded, now=now_ms(), retention_days=7, app_scope=None)
        assert records is not None
        expected, rejected = validate(events, now=now_ms(), retention_days=7)
        assert rejected == []
        assert records == expected


@fuzz_settings(200)
@given(broken_events("app-a"))
def test_the_fast_path_takes_no_event_the_per_field_path_rejects(
    case: tuple[object, str],
) -> None:
    event, _ = case
    decoded = wire.decode_lines([orjson.dumps(event)])
    if decoded is not None:
        assert wire.accept_all(decoded, now=now_ms(), retention_days=7, app_scope=None) is None


@fuzz_settings(150)
@given(
    st.lists(
        st.one_of(valid_events("app-a"), broken_events("app-a").map(lambda c: c[0])),
        min_size=1,
        max_size=20,
    )
)
def test_any_batch_reads_as_the_per_field_path_reads_it(events: list[object]) -> None:
    for body, content_type in _bodies(events):
        assert _read(body, content_type) == _per_field(body, content_type)
        scoped = {"app_scope": "app-b"}
        assert _read(body, content_type, **scoped) == _per_field(body, content_type, **scoped)


def _receipt(**fields: Any) -> dict[str, Any]:
    event = {
        "eventId": "ev-1",
        "type": "message.delivered",
        "appKey": "app-a",
        "at": NOW,
        "msgUid": "m-1",
        "recipientId": "u-2",
    }
    return {**event, **fields}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'{"eventId":"ev-1","type":"message.delivered","appKey":"a\\ud800",'
            b'"at":1,"msgUid":"m","recipientId":"r"}\n',
            id="lone-surrogate",
        ),
        pytest.param(
            orjson.dumps(_receipt()) + b" " + orjson.dumps(_receipt(eventId="ev-2")),
            id="two-objects-on-one-line",
        ),
        pytest.param(
            orjson.dumps(_receipt(at=0)).replace(b'"at":0', b'"at":99999999999999999999'),
            id="at-beyond-64-bits",
        ),
        pytest.param(orjson.dumps(_receipt(at=18446744073709551615)), id="at-uint64-max"),
        pytest.param(orjson.dumps(_receipt())[:-1] + b',"msgUid":"m-2"}', id="duplicate-key"),
        pytest.param(b"\xef\xbb\xbf" + orjson.dumps(_receipt()), id="byte-order-mark"),
        pytest.param(orjson.dumps(_receipt(at=f"{NOW}")), id="at-as-digits"),
        pytest.param(orjson.dumps(_receipt(recipientId="\u00e9" * 128)), id="128-code-points"),
        pytest.param(orjson.dumps(_receipt(recipientId="\u00e9" * 129)), id="129-code-points"),
        pytest.param(orjson.dumps(_receipt(type="message.read")), id="unknown-type"),
        pytest.param(orjson.dumps(_receipt(success=True, extra=[1])), id="unknown-fields"),
    ],
)
@pytest.mark.parametrize("as_array", [False, True])
def test_edge_cases_read_as_the_per_field_path_reads_them(body: bytes, as_array: bool) -> None:
    if as_array:
        body, content_type = b"[" + body.replace(b" ", b",") + b"]", JSON
    else:
        content_type = NDJSON
    assert _read(body, content_type) == _per_field(body, content_type)
