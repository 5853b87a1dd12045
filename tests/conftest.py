"""Options of the whole suite."""

import pytest

from tests import fuzzing


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        help=f"run the property-based fuzz tests with {fuzzing.LONG_FACTOR}x more examples",
    )


def pytest_configure(config: pytest.Config) -> None:
    fuzzing.long_run = bool(config.getoption("--fuzz-long"))
