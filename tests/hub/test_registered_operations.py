"""The registered front-end operations (schema/operations/*.graphql) are valid against the composed
graph, fit production's operation limits and are in the committed trusted-document manifest — a
production gateway runs them as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from gateway.compose.check import api_schema
from gateway.security.limits import OperationLimits, check_operation_limits
from gateway.security.trusted import TrustedDocuments, TrustMode
from hub.trusted_documents import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = sorted((ROOT / "schema" / "operations").glob("*.graphql"))


@pytest.fixture(scope="module")
def schema() -> object:
    return api_schema((ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8"))


def test_the_five_supervisor_questions_are_registered() -> None:
    assert len([p for p in OPERATIONS if p.name.startswith("supervisor-")]) == 5


@pytest.mark.parametrize("path", OPERATIONS, ids=[p.stem for p in OPERATIONS])
def test_an_operation_is_valid_fits_production_and_is_trusted(path: Path, schema: object) -> None:
    document = path.read_text(encoding="utf-8").strip()  # registered as stripped (hub trusted-documents)
    parsed = parse(document)
    assert validate(schema, parsed) == []  # type: ignore[arg-type]
    assert check_operation_limits(parsed, OperationLimits.production(), schema=schema) == []  # type: ignore[arg-type]
    assert TrustedDocuments.load(MANIFEST, TrustMode.ENFORCE).resolve(document, None) == document
