"""Every type, field, argument and enum value the legal-person and licence subgraphs define is described
(the Chinese term and an English explanation), so the composed graph documents itself to its users."""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema

from subgraphs.legal_person.schema import build_schema as legal_person_schema
from subgraphs.licence.schema import build_schema as licence_schema

#: federation machinery and built-ins, not this subgraph's vocabulary
_SKIPPED = {"_Service", "_Entity", "_Any", "Boolean", "String", "Int", "Float", "ID", "link__Import", "link__Purpose"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{3,}")


def _gaps(schema: GraphQLSchema) -> list[str]:
    gaps: list[str] = []

    def check(coordinate: str, description: str | None) -> None:
        if not description or not _HAN.search(description) or not _LATIN.search(description):
            gaps.append(coordinate)

    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in _SKIPPED:
            continue
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType):
            check(name, graphql_type.description)
        if isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                check(f"{name}.{value_name}", value.description)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in graphql_type.fields.items():
                if field_name.startswith("_"):
                    continue
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in getattr(field, "args", {}).items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.description)
    return gaps


@pytest.mark.parametrize("build", [legal_person_schema, licence_schema], ids=["legal_person", "licence"])
def test_every_type_field_and_argument_is_described_in_chinese_and_english(build: object) -> None:
    schema = build()  # type: ignore[operator]
    assert _gaps(schema._schema) == []
