"""Every type, field, argument and enum value the cases subgraph defines is described (the Chinese
term and an English explanation), and the description tables name nothing the graph lacks."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLSchema

from subgraphs.cases.command_descriptions import COMMANDS
from subgraphs.cases.descriptions import OVERRIDES, VALUE_INPUTS
from subgraphs.cases.enum_values import VALUES
from subgraphs.cases.schema import build_schema
from tests.subgraphs.test_registry_descriptions import _gaps


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def test_every_type_field_argument_and_enum_value_is_described_in_chinese_and_english(
        schema: GraphQLSchema) -> None:
    assert _gaps(schema) == []


def test_no_mutation_description_is_a_python_signature(schema: GraphQLSchema) -> None:
    """A dataclass without a docstring documents itself as `Name(*, field: 'type', ...)`; none may leak."""
    mutation = schema.mutation_type
    assert mutation is not None
    leaked = [name for name, graphql_type in schema.type_map.items()
              if isinstance(graphql_type, GraphQLInputObjectType) and "(*," in (graphql_type.description or "")]
    leaked += [name for name, field in mutation.fields.items() if "(*," in (field.description or "")]
    assert leaked == []


def test_the_tables_name_only_what_the_graph_has(schema: GraphQLSchema) -> None:
    mutation = schema.mutation_type
    assert mutation is not None
    assert set(COMMANDS) <= set(mutation.fields)
    for enum_name, values in VALUES.items():
        graphql_type = schema.type_map.get(enum_name)
        assert isinstance(graphql_type, GraphQLEnumType), enum_name
        assert set(values) <= set(graphql_type.values), enum_name
    for input_name, field in OVERRIDES:
        graphql_type = schema.type_map.get(input_name)
        assert isinstance(graphql_type, GraphQLInputObjectType), input_name
        assert _camel(field) in graphql_type.fields, (input_name, field)
    assert all(isinstance(schema.type_map.get(name), GraphQLInputObjectType) for name in VALUE_INPUTS)
