"""Service clients have their own operation limits, chosen by the verified token's client id (real HTTP).

The gateway is built from the settings as `hub gateway` builds it, with production's operation limits
and the registered trusted documents enforced; tokens come from the simulated identity provider; the
personnel subgraph answers from the seeded officers. The supervision engine's largest batched query
(50 officers by id, one of its registered documents) passes for the engine's own token, and the very
same query is refused for a supervisor's token with MAX_FIELDS_EXCEEDED; a token that only claims the
engine's client id without the identity provider's signature is refused before any limit is chosen.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from hub.audit import gateway_security
from hub.runner import SIMULATED_ENGINE_SECRET
from hub.settings import Settings
from simulators.base import SimConfig
from simulators.certificates.app import create_app as create_certificate_system
from simulators.identity.app import create_app as create_identity_provider
from subgraphs.common.config import SubgraphConfig
from subgraphs.personnel.app import create_app as create_personnel_subgraph
from subgraphs.supervision.gateway_client import ALIASES_PER_REQUEST, OFFICERS_QUERIES
from tests.subgraphs.supervision.stack import SUPERGRAPH, with_urls
from tests.support.servers import serve

pytestmark = pytest.mark.slow

HEADERS = {"content-type": "application/json", "accept": "application/graphql-response+json", "x-hub-preflight": "1"}


@contextlib.contextmanager
def _stack(seed: Path, work: Path) -> Iterator[tuple[str, str]]:
    """(gateway URL, identity provider URL)."""
    drop = work / "cert_drop"
    with serve(create_certificate_system(SimConfig(data_dir=seed), drop_dir=drop)), \
            serve(create_identity_provider(SimConfig(data_dir=seed, credentials={"ephemeral_keys": "1"}))) as idp:
        config = SubgraphConfig(database_url=f"sqlite:///{work / 'hub.db'}", id_hash_secret=b"limits-test-secret",
                                certificate_drop_dir=drop, seed_dir=seed, migrate_on_start=True)
        with serve(create_personnel_subgraph(config=config), startup_timeout=60) as personnel:
            supergraph = work / "supergraph.graphql"
            supergraph.write_text(with_urls(SUPERGRAPH.read_text(encoding="utf-8"),
                                            {"personnel": f"{personnel}/graphql"}), encoding="utf-8")
            settings = Settings.model_validate({
                "data_dir": str(work),
                "security": {"jwks_url": f"{idp}/jwks.json", "issuer": idp, "limits_profile": "production",
                             "allow_anonymous": False, "trusted_documents_mode": "enforce",
                             "trusted_documents": str(SUPERGRAPH.parent / "trusted-documents.json")}})
            from gateway.secure import create_secure_app

            security, access_log = gateway_security(settings)
            app = create_secure_app(str(supergraph), security, access_log=access_log, subgraph_timeout_s=20.0)
            with serve(app) as gateway:
                yield gateway, idp


@pytest.fixture(scope="module")
def stack(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with _stack(small_seed, tmp_path_factory.mktemp("client-limits")) as running:
        yield running


def _token(idp: str, form: dict[str, str]) -> str:
    answer = httpx.post(f"{idp}/oauth/token", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _officer_ids(seed: Path, n: int) -> list[str]:
    rows = [json.loads(x) for x in (seed / "officers.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= n
    return [str(r["id"]) for r in rows[:n]]


def _send(gateway: str, token: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{gateway}/graphql", json={"query": query, "variables": variables},
                      headers={**HEADERS, "authorization": f"Bearer {token}"}, timeout=60)


def _codes(response: httpx.Response) -> set[str]:
    return {str((e.get("extensions") or {}).get("code")) for e in response.json().get("errors") or []}


def test_the_engines_batch_passes_for_its_token_and_is_limited_for_a_person(
        stack: tuple[str, str], small_seed: Path) -> None:
    gateway, idp = stack
    query = OFFICERS_QUERIES[ALIASES_PER_REQUEST - 1]
    ids = _officer_ids(small_seed, ALIASES_PER_REQUEST)
    variables = {f"o{i}": officer for i, officer in enumerate(ids)}
    engine = _token(idp, {"grant_type": "client_credentials", "client_id": "supervision-engine",
                          "client_secret": SIMULATED_ENGINE_SECRET})
    person = _token(idp, {"grant_type": "password", "username": "supervisor1", "password": "supervisor1-pass"})

    passed = _send(gateway, engine, query, variables)
    assert passed.status_code == 200, passed.text
    body = passed.json()
    assert "errors" not in body, body
    assert [body["data"][f"o{i}"]["id"] for i in range(len(ids))] == ids

    refused = _send(gateway, person, query, variables)
    assert refused.status_code == 400, refused.text
    assert "MAX_FIELDS_EXCEEDED" in _codes(refused)
    assert refused.json().get("data") is None

    # in the other order too: a document that passed for the engine is not let through from a cache
    again = _send(gateway, person, query, variables)
    assert "MAX_FIELDS_EXCEEDED" in _codes(again)
    assert _send(gateway, engine, query, variables).status_code == 200


def test_a_small_batch_passes_for_both(stack: tuple[str, str], small_seed: Path) -> None:
    gateway, idp = stack
    ids = _officer_ids(small_seed, 3)
    person = _token(idp, {"grant_type": "password", "username": "supervisor1", "password": "supervisor1-pass"})
    answer = _send(gateway, person, OFFICERS_QUERIES[2], {f"o{i}": o for i, o in enumerate(ids)})
    assert answer.status_code == 200, answer.text
    assert [answer.json()["data"][f"o{i}"]["id"] for i in range(3)] == ids


def test_a_token_claiming_the_engines_client_id_without_a_valid_signature_is_refused(
        stack: tuple[str, str], small_seed: Path) -> None:
    gateway, idp = stack
    genuine = _token(idp, {"grant_type": "client_credentials", "client_id": "supervision-engine",
                           "client_secret": SIMULATED_ENGINE_SECRET})
    claims = jwt.decode(genuine, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-identity-providers-key-0123456789abcdef", algorithm="HS256",
                        headers={"kid": jwt.get_unverified_header(genuine)["kid"]})
    ids = _officer_ids(small_seed, ALIASES_PER_REQUEST)
    answer = _send(gateway, forged, OFFICERS_QUERIES[-1], {f"o{i}": o for i, o in enumerate(ids)})
    assert answer.status_code == 401
    assert _codes(answer) == {"UNAUTHENTICATED"}
