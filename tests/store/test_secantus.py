"""Bugs of SecantusDB, the MongoDB wire-protocol server ``./tasks test`` runs the
real-server tests on, reproduced with PyMongo alone (no project code).

Each test asserts what MongoDB does and is a strict expected failure on
SecantusDB: the day a release fixes the bug, it passes and the run fails, a
reminder to drop the workaround or the expected failure that names it.

Each runs on ``secantus_collection`` (``tests/store/conftest.py``): three documents
of ``a`` "x" at 1, 2 and 3.
"""

from typing import Any

import pytest

from tests.store.mongo_stores import SECANTUS_VERSION

pytestmark = [
    pytest.mark.skipif(SECANTUS_VERSION is None, reason="the server is not SecantusDB"),
    pytest.mark.xfail(
        strict=True, raises=AssertionError, reason=f"a bug of SecantusDB {SECANTUS_VERSION}"
    ),
]


def test_gte_on_a_descending_index_key_keeps_its_boundary(secantus_collection: Any) -> None:
    """``$gte`` on a descending key followed by another key of the index, after an
    equality prefix, drops the boundary document (SecantusDB returns [3]). The
    store's page ranges write ``$gt: since - 1`` instead (store.mongo.reader.at_least)."""
    secantus_collection.create_index([("a", 1), ("at", -1), ("k", -1)])
    found = [d["at"] for d in secantus_collection.find({"a": "x", "at": {"$gte": 2, "$lt": 9}})]
    assert sorted(found) == [2, 3]


def test_explain_names_the_index_used_with_a_filter_beyond_it(secantus_collection: Any) -> None:
    """A filter on a field outside the index (here ``end``) makes explain() report
    a collection scan where MongoDB scans the index and filters the fetched
    documents (SecantusDB: COLLSCAN); test_every_read_is_served_by_its_index
    fails on SecantusDB for this."""
    secantus_collection.create_index([("a", 1), ("at", -1), ("k", -1)], name="a_at_k")
    query = {"a": "x", "at": {"$gte": 1}, "end": None}
    plan = secantus_collection.find(query).sort([("at", -1), ("k", -1)]).explain()
    assert "a_at_k" in str(plan["queryPlanner"]["winningPlan"])
