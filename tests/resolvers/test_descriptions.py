"""The schema is the partners' contract (SPEC §5): every type, field, argument,
input field and enum value says what it means."""

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from resolvers.limits import MAX_FIRST
from resolvers.schema import schema

GRAPHQL_SCHEMA: GraphQLSchema = schema._schema
MIN_WORDS = 2
"""A single word ("Required.", "Oldest.") explains nothing to a partner."""


def _elements(s: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(coordinate, description) of every described element of the schema's own types
    (introspection types and GraphQL's built-in scalars are described by graphql-core)."""
    for name, t in s.type_map.items():
        if name.startswith("__"):
            continue
        yield name, t.description
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in t.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(t, GraphQLInputObjectType):
            for field_name, input_field in t.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(t, GraphQLEnumType):
            for value_name, value in t.values.items():
                yield f"{name}.{value_name}", value.description
    for directive in s.directives:
        yield f"@{directive.name}", directive.description
        for arg_name, arg in directive.args.items():
            yield f"@{directive.name}({arg_name}:)", arg.description


def test_every_schema_element_has_a_description() -> None:
    elements = list(_elements(GRAPHQL_SCHEMA))
    missing = [c for c, d in elements if not d or len(d.split()) < MIN_WORDS]
    assert not missing, f"elements without a description: {', '.join(missing)}"
    assert len(elements) > 200  # the walk reaches the whole schema


def test_the_walk_finds_an_undescribed_element() -> None:
    """The check above can fail: a schema with one bare enum value is caught."""
    bare = GraphQLSchema(
        query=GraphQLObjectType(
            "Q", {"x": GRAPHQL_SCHEMA.query_type.fields["user"]}, description="Root query."
        ),
        types=[GraphQLEnumType("E", {"A": 1}, description="An enum.")],
    )
    missing = [c for c, d in _elements(bare) if not d]
    assert "E.A" in missing


def test_page_size_arguments_state_the_cap_from_the_limits() -> None:
    for t in GRAPHQL_SCHEMA.type_map.values():
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__"):
            for name, field in t.fields.items():
                if "first" in field.args:
                    assert str(MAX_FIRST) in (field.args["first"].description or ""), name


def test_datetime_names_its_specification() -> None:
    scalar = GRAPHQL_SCHEMA.get_type("DateTime")
    assert isinstance(scalar, GraphQLScalarType)
    assert scalar.specified_by_url and scalar.specified_by_url.startswith("https://")
    assert "@specifiedBy(url:" in schema.as_str()


def test_receipt_statuses_are_told_apart() -> None:
    status = GRAPHQL_SCHEMA.get_type("ReceiptStatus")
    assert isinstance(status, GraphQLEnumType)
    not_delivered = status.values["NOT_DELIVERED"].description or ""
    offline = status.values["OFFLINE"].description or ""
    assert "online" in not_delivered and "next login" in not_delivered
    assert "offline" in offline and "push" in offline
    target = GRAPHQL_SCHEMA.get_type("SentMessage").fields["targetId"].description  # type: ignore[union-attr]
    assert "group id for GROUP" in (target or "")
