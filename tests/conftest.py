"""Options of the whole suite."""

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        help=f"run the property-based fuzz tests with {fuzzing.LONG_FACTOR}x more examples",
    )


def pytest_configure(config: pytest.Config) -> None:
    fuzzing.long_run = bool(config.getoption("--fuzz-long"))
