"""The supervision engine's documents are registered trusted documents and fit the engine's own limits.

A production gateway runs only the documents of `schema/trusted-documents.json` and refuses an
operation over the caller's limits: a person's are `OperationLimits.production()`, the engine's are
its own (`security.client_limits`, chosen by its verified token's client id). The engine sends nothing
else than `SERVICE_DOCUMENTS`, each of which must pass both, else the sweep would stop in production.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import parse

from gateway.compose.check import api_schema
from gateway.security.jwt_auth import Principal
from gateway.security.limits import LimitCode, OperationLimits, check_operation_limits
from gateway.security.trusted import TrustedDocuments, TrustMode
from hub.audit import gateway_security
from hub.settings import Settings
from hub.trusted_documents import MANIFEST
from subgraphs.supervision.gateway_client import ALIASES_PER_REQUEST, SERVICE_DOCUMENTS

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"


def _principal(*, service: bool, client_id: str | None) -> Principal:
    return Principal(subject=client_id or "supervisor1", roles=frozenset({"SUPERVISOR"}), body_uscc=None,
                     region_code="445100", scopes=frozenset(), client_id=client_id, is_service=service,
                     token_id=None, expires_at=datetime(2030, 1, 1, tzinfo=UTC))


def _production_limits() -> tuple[OperationLimits, OperationLimits]:
    """(a person's limits, the engine's) as a gateway with production's limits builds them from the settings."""
    config, _ = gateway_security(Settings(security={"limits_profile": "production"}))
    engine = config.limits_for(_principal(service=True, client_id=Settings().supervision.client_id))
    person = config.limits_for(_principal(service=False, client_id=None))
    assert engine is not None
    assert person == OperationLimits.production()
    return person, engine


@pytest.mark.parametrize("document", SERVICE_DOCUMENTS, ids=range(len(SERVICE_DOCUMENTS)))
def test_each_document_fits_the_engines_production_limits(document: str) -> None:
    schema = api_schema(SUPERGRAPH.read_text(encoding="utf-8"))
    _, engine = _production_limits()
    assert check_operation_limits(parse(document), engine, schema=schema) == []


def test_the_largest_batches_exceed_what_a_person_may_send() -> None:
    """The engine's own limits are what lets its batches through: a person's identical query is refused."""
    schema = api_schema(SUPERGRAPH.read_text(encoding="utf-8"))
    person, engine = _production_limits()
    assert engine != person
    for document in (SERVICE_DOCUMENTS[1 + ALIASES_PER_REQUEST], SERVICE_DOCUMENTS[-1]):
        codes = {v.code for v in check_operation_limits(parse(document), person, schema=schema)}
        assert {LimitCode.MAX_FIELDS_EXCEEDED, LimitCode.MAX_ROOT_FIELDS_EXCEEDED} <= codes


def test_another_service_client_or_a_person_claiming_the_engines_id_gets_the_profiles_limits() -> None:
    config, _ = gateway_security(Settings(security={"limits_profile": "production"}))
    assert config.limits_for(_principal(service=True, client_id="dept-system")) == OperationLimits.production()
    assert config.limits_for(_principal(service=False, client_id="supervision-engine")) == OperationLimits.production()
    assert config.limits_for(None) == OperationLimits.production()


def test_every_document_is_in_the_committed_manifest() -> None:
    trusted = TrustedDocuments.load(MANIFEST, TrustMode.ENFORCE)
    for document in SERVICE_DOCUMENTS:
        assert trusted.resolve(document, None) == document
    assert len(SERVICE_DOCUMENTS) == 2 + 2 * ALIASES_PER_REQUEST
    assert len(set(SERVICE_DOCUMENTS)) == len(SERVICE_DOCUMENTS)
    assert set(SERVICE_DOCUMENTS) <= set(json.loads(MANIFEST.read_text(encoding="utf-8")).values())
