"""The exported SDL of the cases subgraph matches the code (regenerate: python -m subgraphs.cases.sdl)."""

from __future__ import annotations

from graphql import parse, print_ast
from graphql.language import Visitor, visit

from subgraphs.cases.sdl import render
from subgraphs.sdl import SCHEMA_DIR


class _WithoutDescriptions(Visitor):
    def enter(self, node: object, *_: object) -> None:
        if getattr(node, "description", None) is not None:
            object.__setattr__(node, "description", None)


def _shape(sdl: str) -> str:
    """The SDL without its descriptions, one definition and one field per line."""
    document = parse(sdl)
    visit(document, _WithoutDescriptions())
    return print_ast(document)


def test_exported_sdl_is_current() -> None:
    path = SCHEMA_DIR / "cases.graphql"
    assert path.is_file(), "schema/subgraphs/cases.graphql is missing: run python -m subgraphs.cases.sdl"
    assert path.read_text(encoding="utf-8") == render(), "stale SDL: run python -m subgraphs.cases.sdl"


def test_sdl_declares_the_entities_and_the_error_free_contract() -> None:
    sdl = _shape(render())
    for needle in ('type PenaltyCase @key(fields: "id")', 'type Person @key(fields: "idType idNumberHash")',
                   'type LegalEntity @key(fields: "uscc")', 'type Officer @key(fields: "id")',
                   'type EnforcementBody @key(fields: "uscc")',
                   'type Licence @key(fields: "id", resolvable: false)', "federation/v2.6",
                   "registerClue(input: RegisterClueInput!", "fileCase(caseId: ID!", "scalar Int64"):
        assert needle in sdl
    # the raw ID number is accepted only as input (hashed at once), never served
    assert sdl.count("  idNumber: String") == 1
    assert "idNumber: String" in sdl.split("input PartyInput {")[1].split("}")[0]
