"""``schema.graphql`` is the SDL exported from the code (``python -m resolvers.export``)."""

from pathlib import Path

from graphql import DocumentNode, parse

from resolvers.export import sdl

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"


def _definitions(document: DocumentNode) -> list[str]:
    return sorted(repr(d) + str(d.to_dict()) for d in document.definitions)


def test_checked_in_schema_matches_the_code() -> None:
    checked_in = parse(SCHEMA_FILE.read_text(), no_location=True)
    generated = parse(sdl(), no_location=True)
    assert _definitions(checked_in) == _definitions(generated), (
        "schema.graphql is stale: run `python -m resolvers.export`"
    )
