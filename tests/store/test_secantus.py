"""Bugs of SecantusDB, the MongoDB wire-protocol server ``./tasks test`` runs the
real-server tests on, reproduced with PyMongo alone (no project code).

Each test asserts what MongoDB does and is a strict expected failure on
SecantusDB: the day a release fixes the bug, it passes and the run fails, a
reminder to drop the workaround or the expected failure that names it.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from tests.store.mongo_stores import MONGODB_URI, SECANTUS_VERSION

pytestmark = [
    pytest.mark.skipif(SECANTUS_VERSION is None, reason="the server is not SecantusDB"),
    pytest.mark.xfail(
        strict=True, raises=AssertionError, reason=f"a bug of SecantusDB {SECANTUS_VERSION}"
    ),
]

ROWS = [{"a": "x", "at": at, "k": k} for at, k in ((1, "p"), (2, "q"), (3, "r"))]


@pytest.fixture
def collection() -> Iterator[Any]:
    with MongoClient(MONGODB_URI) as client:
        client.drop_database("secantus_repro")
        c = client["secantus_repro"]["t"]
        c.insert_many([dict(row) for row in ROWS])
        yield c
        client.drop_database("secantus_repro")


def test_gte_on_a_descending_index_key_keeps_its_boundary(collection: Any) -> None:
    """``$gte`` on a descending key followed by another key of the index, after an
    equality prefix, drops the boundary document (SecantusDB returns [3]). The
    store's page ranges write ``$gt: since - 1`` instead (store.mongo.reader.at_least)."""
    collection.create_index([("a", 1), ("at", -1), ("k", -1)])
    found = [d["at"] for d in collection.find({"a": "x", "at": {"$gte": 2, "$lt": 9}})]
    assert sorted(found) == [2, 3]


def test_explain_names_the_index_used_with_a_filter_beyond_it(collection: Any) -> None:
    """A filter on a field outside the index (here ``end``) makes explain() report
    a collection scan where MongoDB scans the index and filters the fetched
    documents (SecantusDB: COLLSCAN); test_every_read_is_served_by_its_index
    fails on SecantusDB for this."""
    collection.create_index([("a", 1), ("at", -1), ("k", -1)], name="a_at_k")
    query = {"a": "x", "at": {"$gte": 1}, "end": None}
    plan = collection.find(query).sort([("at", -1), ("k", -1)]).explain()
    assert "a_at_k" in str(plan["queryPlanner"]["winningPlan"])
