"""Example counts of the property-based tests: small by default, many more with
``pytest --fuzz-long`` (see ``tests/conftest.py``)."""

from hypothesis import HealthCheck, settings

LONG_FACTOR = 25
long_run = False
"""Set by ``--fuzz-long`` before the test modules are imported."""


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for a fuzz test of ``examples`` examples (x25 with --fuzz-long).

    No deadline (HTTP round trips vary), and the function-scoped fixtures (app,
    store, keys) are shared by every example on purpose."""
    return settings(
        max_examples=examples * LONG_FACTOR if long_run else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
