"""The @defer fixtures (``d_*`` in the differential folder) served over loopback HTTP, with the hub gateway
(in a thread) and, for the differential test, @graphql-hive/gateway (a Node.js process)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from tests.gateway.differential.fixtures import FIXTURES_DIR, load_fixture
from tests.gateway.differential.gateways import _stop, _wait_ready_lines
from tests.gateway.differential.harness import RunningFixture, running_fixtures
from tests.gateway.differential.reference import (
    ReferenceUnavailable,
    ensure_installed,
    node_binary,
    skip_or_fail,
)
from tests.support.servers import serve

DEFER_FIXTURES = ("d_across", "d_nested")


@dataclass(frozen=True)
class DeferCase:
    fixture: str
    name: str
    query: str
    variables: dict[str, Any] | None
    #: the correct error paths (worked out from the fixture data), when the reference gets them wrong
    error_paths: list[list[Any]] | None = None
    hive_error_paths_wrong: str = ""
    #: why the reference's answer is wrong altogether; then `expect_first`/`expect_entries` say what is right
    hive_wrong: str = ""
    expect_first: dict[str, Any] | None = None
    expect_entries: list[dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.fixture}/{self.name}"

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            out["variables"] = self.variables
        return out


def defer_cases() -> list[DeferCase]:
    out = []
    for name in DEFER_FIXTURES:
        raw = json.loads((FIXTURES_DIR / name / "defer_cases.json").read_text(encoding="utf-8"))
        out += [DeferCase(name, c["name"], c["query"], c.get("variables"), c.get("error_paths"),
                          c.get("hive_error_paths_wrong", ""), c.get("hive_wrong", ""), c.get("expect_first"),
                          c.get("expect_entries")) for c in raw]
    return out


@pytest.fixture(scope="session")
def defer_fixtures() -> Iterator[dict[str, RunningFixture]]:
    fixtures = tuple(load_fixture(FIXTURES_DIR / name) for name in DEFER_FIXTURES)
    with tempfile.TemporaryDirectory(prefix="defer-") as tmp, running_fixtures(fixtures, Path(tmp)) as running:
        yield running


@pytest.fixture(scope="session")
def hub_urls(defer_fixtures: dict[str, RunningFixture]) -> Iterator[dict[str, str]]:
    """The hub gateway for each d_ fixture, each on its own loopback port."""
    with ExitStack() as stack:
        urls = {}
        for name, running in defer_fixtures.items():
            app = create_app(str(running.supergraph), poll_interval_s=None, metrics=True)
            urls[name] = stack.enter_context(serve(app)) + "/graphql"
        yield urls


@pytest.fixture(scope="session")
def hive_urls(defer_fixtures: dict[str, RunningFixture]) -> Iterator[dict[str, str]]:
    """@graphql-hive/gateway (deferStream on) for each d_ fixture, all in one Node.js process."""
    try:
        folder = ensure_installed()
    except ReferenceUnavailable as exc:
        skip_or_fail(str(exc))
    names = list(defer_fixtures)
    argv = [node_binary(), str(folder / "hive.mjs")]
    for name in names:
        argv += ["--supergraph", str(defer_fixtures[name].supergraph)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, cwd=folder)
        try:
            ports = _wait_ready_lines(process, log, len(names))
            yield {name: f"http://127.0.0.1:{port}/graphql" for name, port in zip(names, ports, strict=True)}
        finally:
            _stop(process)
