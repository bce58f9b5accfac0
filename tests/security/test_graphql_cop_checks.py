"""graphql-cop's checks, replayed by hand against the production hub over HTTP (one test per check).

Each check sends what the scanner sends and asserts the hardened answer: no introspection, no field
suggestions, no batching, no alias, directive or field-duplication overload, no mutation or query
over a simple GET, no form-encoded POST, no trace extensions, no stack traces in errors, no IDE page.
Each is paired with a control that the same endpoint answers an ordinary request, so a check cannot
pass because the gateway is down.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.security.stack import Hub

pytestmark = pytest.mark.slow

ORDINARY = "{ enforcementItems(first: 1) { items { code } } }"


def _bearer(hub: Hub) -> dict[str, str]:
    return {"authorization": f"Bearer {hub.token('officer1')}"}


def _post(hub: Hub, payload: Any, **headers: str) -> httpx.Response:
    return httpx.post(f"{hub.gateway}/graphql", json=payload, timeout=20,
                      headers={"content-type": "application/json", "accept": "application/graphql-response+json",
                               **_bearer(hub), **headers})


def _codes(response: httpx.Response) -> list[str]:
    body = response.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str((e.get("extensions") or {}).get("code")) for e in errors or []]


def test_control_an_ordinary_query_is_answered(hub: Hub) -> None:
    response = _post(hub, {"query": ORDINARY})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


def test_introspection_is_refused(hub: Hub) -> None:
    response = _post(hub, {"query": "query cop { __schema { queryType { name } types { name } } }"})
    assert "INTROSPECTION_DISABLED" in _codes(response)
    assert "types" not in response.text


def test_circular_introspection_is_refused(hub: Hub) -> None:
    deep = "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }"
    response = _post(hub, {"query": deep})
    assert set(_codes(response)) & {"INTROSPECTION_DISABLED", "MAX_DEPTH_EXCEEDED", "COST_LIMIT_EXCEEDED"}
    assert not response.json().get("data")


def test_no_field_suggestions(hub: Hub) -> None:
    response = _post(hub, {"query": "{ enforcementItemz(first: 1) { items { code } } }"})
    assert response.status_code in (200, 400)
    assert "Did you mean" not in response.text
    assert _codes(response)


def test_array_batching_is_refused(hub: Hub) -> None:
    response = _post(hub, [{"query": ORDINARY}, {"query": ORDINARY}])
    assert response.status_code == 400
    assert _codes(response) == ["BATCHING_DISABLED"]


def test_alias_overloading_is_refused(hub: Hub) -> None:
    aliases = " ".join(f"a{i}: enforcementItems(first: 1) {{ total }}" for i in range(101))
    response = _post(hub, {"query": f"{{ {aliases} }}"})
    assert set(_codes(response)) & {"MAX_ALIASES_EXCEEDED", "MAX_ROOT_FIELDS_EXCEEDED", "MAX_FIELDS_EXCEEDED"}
    assert not response.json().get("data")


def test_directive_overloading_is_refused(hub: Hub) -> None:
    directives = "@include(if: true)" * 60
    response = _post(hub, {"query": f"{{ enforcementItems(first: 1) {{ total {directives} }} }}"})
    assert set(_codes(response)) & {"MAX_DIRECTIVES_EXCEEDED", "GRAPHQL_VALIDATION_FAILED"}
    assert not response.json().get("data")


def test_field_duplication_is_refused(hub: Hub) -> None:
    fields = " ".join(["code"] * 600)
    response = _post(hub, {"query": f"{{ enforcementItems(first: 1) {{ items {{ {fields} }} }} }}"})
    assert set(_codes(response)) & {"MAX_FIELDS_EXCEEDED", "MAX_TOKENS_EXCEEDED", "OPERATION_LIMIT_EXCEEDED"}
    assert not response.json().get("data")


def test_mutation_over_get_is_refused(hub: Hub) -> None:
    mutation = 'mutation { dismissAlert(id: "x", reason: "cop") { id } }'
    response = httpx.get(f"{hub.gateway}/graphql", params={"query": mutation}, timeout=10,
                         headers={**_bearer(hub), "apollo-require-preflight": "true"})
    assert response.status_code == 405
    assert _codes(response) == ["METHOD_NOT_ALLOWED"]


def test_get_query_without_a_preflight_is_refused(hub: Hub) -> None:
    response = httpx.get(f"{hub.gateway}/graphql", params={"query": ORDINARY}, headers=_bearer(hub), timeout=10)
    assert response.status_code == 400
    assert _codes(response) == ["CSRF_PREVENTED"]


def test_form_encoded_post_is_refused(hub: Hub) -> None:
    response = httpx.post(f"{hub.gateway}/graphql", data={"query": ORDINARY}, headers=_bearer(hub), timeout=10)
    assert response.status_code == 400
    assert _codes(response) == ["CSRF_PREVENTED"]


def test_no_trace_or_debug_extensions(hub: Hub) -> None:
    response = _post(hub, {"query": ORDINARY, "extensions": {"tracing": True}}, **{"apollo-federation-include-trace": "ftv1"})
    body = response.json()
    assert "extensions" not in body or not {"tracing", "ftv1"} & set(body["extensions"])


def test_errors_carry_no_internals(hub: Hub) -> None:
    for payload in ({"query": "{"}, {"query": ORDINARY, "variables": "not-an-object"}, {"nothing": 1}):
        response = _post(hub, payload)
        assert response.status_code == 400, response.text
        assert _codes(response)
        for marker in ("Traceback", 'File "', "/site-packages/", "stacktrace"):
            assert marker not in response.text


def test_no_ide_page_in_production(hub: Hub) -> None:
    for path in ("/console", "/graphiql", "/playground", "/altair", "/graphql/console"):
        response = httpx.get(f"{hub.gateway}{path}", headers={"accept": "text/html"}, timeout=10)
        assert response.status_code in (404, 405, 400), (path, response.status_code)
        if path == "/console":  # no query page at all (the dev IDE is the web console's /explorer)
            assert response.status_code == 404
        assert "<textarea" not in response.text
