"""Demo traffic for ``serve --demo``, the benchmarks and the tests.

``traffic`` generates a week of realistic wire-format events, ``showcase``
scripts the showcase user's recent hours, ``reference`` holds the reference
data (devices, SDK versions, provider errors) both draw from.
"""

from server.demo.traffic import (
    DEMO_APP,
    SHOWCASE_USER,
    create_demo_keys,
    generate_events,
    has_demo_data,
    load_demo,
)

__all__ = [
    "DEMO_APP",
    "SHOWCASE_USER",
    "create_demo_keys",
    "generate_events",
    "has_demo_data",
    "load_demo",
]
