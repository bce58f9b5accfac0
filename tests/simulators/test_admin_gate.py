"""The simulators' admin API (`/__admin/...`) is served only when it is asked for (`SimConfig.admin`).

Every simulator of the registry, built as `hub sim` builds it: without the admin API every admin
path answers 404 (the shared ones and the system's own: key rotation, file drops, the DSN), health
still answers; with it the same paths answer.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from simulators.base import SimConfig, admin_from_env
from simulators.registry import SIMULATORS
from tests.support.servers import serve

SHARED = [("GET", "/__admin/calls"), ("GET", "/__admin/knobs"), ("PUT", "/__admin/knobs"), ("POST", "/__admin/reset")]
OWN = {
    "identity": [("POST", "/__admin/rotate-key")],
    "certificates": [("GET", "/__admin/files")],
    "licence": [("GET", "/__admin/dsn")],
}
RECEIVERS = {"data_centre", "credit_publicity"}


@pytest.fixture(scope="module")
def seed(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeded data: the simulators write into their data directory (keys, drops, database)."""
    copy = tmp_path_factory.mktemp("admin-gate") / "seed"
    shutil.copytree(small_seed, copy)
    return copy


@contextlib.contextmanager
def _client(name: str, seed: Path, tmp_path: Path, *, admin: bool) -> Iterator[httpx.Client]:
    data = tmp_path if name in RECEIVERS else seed
    app = SIMULATORS[name].factory()(SimConfig(data_dir=data, admin=admin, credentials={"ephemeral_keys": "1"}))
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_admin_paths_answer_404_unless_asked_for(name: str, seed: Path, tmp_path: Path) -> None:
    paths = SHARED + OWN.get(name, [])
    with _client(name, seed, tmp_path, admin=False) as client:
        assert client.get("/health").status_code != 404  # the licensing system says 503 until its database is built
        for method, path in [*paths, ("GET", "/__admin"), ("GET", "//__admin/calls"), ("GET", "/__ADMIN/calls")]:
            response = client.request(method, path, json={} if method != "GET" else None)
            assert response.status_code == 404, (name, method, path, response.text)
    with _client(name, seed, tmp_path, admin=True) as client:
        for method, path in paths:
            response = client.request(method, path, json={} if method != "GET" else None)
            assert response.status_code != 404, (name, method, path, response.text)
        assert client.get("/__admin/calls").json()["total"] >= 0


def test_the_environment_turns_the_admin_api_on() -> None:
    assert admin_from_env({}) is False
    assert admin_from_env({"SIM_ADMIN": "0"}) is False
    assert admin_from_env({"SIM_ADMIN": ""}) is False
    for value in ("1", "true", "YES", "on"):
        assert admin_from_env({"SIM_ADMIN": value}) is True
    assert SimConfig(data_dir=Path(".")).admin is False
