"""The supervision engine's documents are registered trusted documents and fit production's limits.

A production gateway runs only the documents of `schema/trusted-documents.json` and refuses an
operation over its limits (`OperationLimits.production()`); the engine sends nothing else than
`SERVICE_DOCUMENTS`, each of which must pass both, else the sweep would stop in production.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse

from gateway.compose.check import api_schema
from gateway.security.limits import OperationLimits, check_operation_limits
from gateway.security.trusted import TrustedDocuments, TrustMode
from hub.trusted_documents import MANIFEST
from subgraphs.supervision.gateway_client import ALIASES_PER_REQUEST, SERVICE_DOCUMENTS

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"


@pytest.mark.parametrize("document", SERVICE_DOCUMENTS, ids=range(len(SERVICE_DOCUMENTS)))
def test_each_document_fits_the_production_limits(document: str) -> None:
    schema = api_schema(SUPERGRAPH.read_text(encoding="utf-8"))
    assert check_operation_limits(parse(document), OperationLimits.production(), schema=schema) == []


def test_every_document_is_in_the_committed_manifest() -> None:
    trusted = TrustedDocuments.load(MANIFEST, TrustMode.ENFORCE)
    for document in SERVICE_DOCUMENTS:
        assert trusted.resolve(document, None) == document
    assert len(SERVICE_DOCUMENTS) == 2 + 2 * ALIASES_PER_REQUEST
    assert len(set(SERVICE_DOCUMENTS)) == len(SERVICE_DOCUMENTS)
    assert set(SERVICE_DOCUMENTS) <= set(json.loads(MANIFEST.read_text(encoding="utf-8")).values())
