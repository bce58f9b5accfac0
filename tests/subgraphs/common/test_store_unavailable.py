"""A subgraph whose store is away answers STORE_UNAVAILABLE (passing: retry), not INTERNAL_SERVER_ERROR.

Found by the faults-under-load run: while PostgreSQL restarted, every query and mutation that reached
the store failed as INTERNAL_SERVER_ERROR with a traceback in the log. Over real HTTP, the supervision
subgraph on a PostgreSQL URL where nothing listens (as while the server is down) gives the typed code;
a store that answers but lacks a table is still the server's own error.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from subgraphs.common.store_errors import store_unavailable
from subgraphs.supervision.app import create_app
from tests.support.servers import free_port, serve

QUERY = "{ supervisionAlerts(first: 1) { total } }"


def _errors(base: str) -> list[dict[str, object]]:
    response = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=30)
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert isinstance(errors, list)
    return errors


def test_store_away_is_store_unavailable() -> None:
    dead = f"postgresql://hub@127.0.0.1:{free_port()}/hub"  # nothing listens there: the server is down
    with serve(create_app(database_url=dead, migrate=False)) as base:
        errors = _errors(base)
    assert [e["extensions"]["code"] for e in errors] == ["STORE_UNAVAILABLE"]  # type: ignore[index]
    assert "Errno" not in str(errors[0]["message"])


def test_store_without_its_tables_is_still_an_internal_error(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"  # reachable, but never migrated: the server's fault
    with serve(create_app(database_url=empty, migrate=False)) as base:
        errors = _errors(base)
    assert [e["extensions"]["code"] for e in errors] == ["INTERNAL_SERVER_ERROR"]  # type: ignore[index]


def test_a_refused_department_call_is_not_the_store() -> None:
    try:
        httpx.get(f"http://127.0.0.1:{free_port()}/", timeout=5)  # a department's system that is down
    except httpx.ConnectError as exc:
        refused: BaseException = exc
    assert isinstance(refused.__context__ or refused.__cause__, BaseException)  # an OSError lies below
    assert not store_unavailable(refused)
    assert not store_unavailable(ConnectionRefusedError(111, "Connection refused"))  # raised outside the driver
    assert not store_unavailable(ValueError("no"))
    assert not store_unavailable(None)
