"""Options of the whole suite, and its fixtures beyond one folder."""

from collections.abc import Iterator

import pytest

from store.limits import now_ms
from tests import events, fuzzing


@pytest.fixture(autouse=True)
def one_now_per_test() -> Iterator[None]:
    """Every event a test builds with tests.events is timed from the test's start:
    events meant to tie do tie, whenever the millisecond clock ticks."""
    events.anchor(now_ms())
    yield
    events.anchor(None)


@pytest.fixture(params=["fast", "plain"])
def execution_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs the test on both GraphQL execution paths (see ``resolvers.fastpath.execution``):
    with the fast path on and off. A module asks for it with
    ``pytestmark = pytest.mark.usefixtures("execution_path")``; every resolver test
    has it (``tests/resolvers/conftest.py``)."""
    monkeypatch.setenv("TRACKING_GRAPHQL_FAST_PATH", "1" if request.param == "fast" else "0")
    return str(request.param)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        help=f"run the property-based fuzz tests with {fuzzing.LONG_FACTOR}x more examples",
    )


def pytest_configure(config: pytest.Config) -> None:
    fuzzing.long_run = bool(config.getoption("--fuzz-long"))
