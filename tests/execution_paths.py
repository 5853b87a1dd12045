"""Run GraphQL tests on both execution paths (see ``resolvers.fastpath.execution``).

A test module (or conftest) imports :func:`execution_path`; being autouse and
parametrised, it runs each of its tests with the fast path on and off.
"""

import pytest


@pytest.fixture(autouse=True, params=["fast", "plain"])
def execution_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRACKING_GRAPHQL_FAST_PATH", "1" if request.param == "fast" else "0")
    return str(request.param)
