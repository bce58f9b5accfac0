"""Load the supergraph fixtures (subgraph SDLs, datasets, resolvers, composed supergraph) and their cases.

Layout of one fixture, `fixtures/<name>/`:

    subgraphs/<sub>.graphql   the subgraph SDLs (the file name is the subgraph name)
    data/<sub>.json           one dataset per subgraph (or a single data.json: {"<sub>": {...}})
    resolvers.py              optional: RESOLVERS = {"<sub>": {"Type.field": fn(parent, args, store)}}
    supergraph.graphql        composed by the reference composer from the subgraphs (committed)
    cases.json                the query cases (see `Case`)
    reference_refuses.txt     optional: why the reference gateway cannot load this supergraph (then every
                              case carries the spec's answer in `expect`, written by hand)

Subgraph URLs in the committed supergraph are placeholders (`http://<sub>.subgraph.invalid/graphql`);
`supergraph_with_urls` rewrites them to the loopback ports the servers got.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from .subgraph_server import FAULT_MODES, Resolver, SubgraphSpec

FIXTURES_DIR = Path(__file__).parent / "fixtures"


class FixtureError(Exception):
    """A fixture folder or case is malformed (code FIXTURE_INVALID)."""

    code = "FIXTURE_INVALID"


def placeholder_url(subgraph: str) -> str:
    """The URL a subgraph carries in a committed supergraph file."""
    return f"http://{subgraph}.subgraph.invalid/graphql"


@dataclass(frozen=True)
class Case:
    """One request sent to both gateways.

    `expect_errors`: the answer must carry `errors` (for the reference sanity check).
    `error_paths`: when given, the exact set of error paths expected.
    `allow_nulls`: nulls in `data` are intended (otherwise the sanity check rejects any null).
    `checks`: JSON pointer -> value, written by hand from the dataset.
    `faults`: subgraph -> fault mode during this case.
    `expect`: the spec's answer where the reference gateway is known to differ (with `comment`).
    `reference_wrong_data`: with `expect`, the reference's `data` (not only its errors) is wrong by the spec;
    the sanity check then holds `checks` against `expect` and asserts that the reference still differs.
    """

    fixture: str
    name: str
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    expect_errors: bool = False
    error_paths: tuple[tuple[str | int, ...], ...] | None = None
    allow_nulls: bool = False
    checks: dict[str, Any] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    expect: dict[str, Any] | None = None
    features: tuple[str, ...] = ()
    comment: str = ""
    reference_wrong_data: bool = False
    #: the reference gateway refuses this fixture's supergraph (the reason, from the fixture's
    #: `reference_refuses.txt`): every case then carries the spec's answer in `expect`
    reference_refuses: str = ""

    @property
    def id(self) -> str:
        return f"{self.fixture}/{self.name}"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body


@dataclass(frozen=True)
class Fixture:
    """One supergraph fixture folder."""

    name: str
    path: Path
    subgraphs: tuple[SubgraphSpec, ...]
    cases: tuple[Case, ...]

    @property
    def supergraph_path(self) -> Path:
        return self.path / "supergraph.graphql"

    def composition_input(self) -> list[tuple[str, str, str]]:
        return [(s.name, placeholder_url(s.name), s.sdl) for s in self.subgraphs]


def _load_resolvers(path: Path, fixture: str) -> dict[str, dict[str, Resolver]]:
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"differential_fixture_{fixture}", path)
    if spec is None or spec.loader is None:
        raise FixtureError(f"{path}: cannot load")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    resolvers = getattr(module, "RESOLVERS", None)
    if not isinstance(resolvers, dict):
        raise FixtureError(f"{path}: RESOLVERS must be a dict of subgraph -> {{'Type.field': fn}}")
    return resolvers


def _load_data(folder: Path, subgraph: str) -> dict[str, Any]:
    per_subgraph = folder / "data" / f"{subgraph}.json"
    if per_subgraph.exists():
        data: dict[str, Any] = json.loads(per_subgraph.read_text(encoding="utf-8"))
        return data
    combined = folder / "data.json"
    if combined.exists():
        everything = json.loads(combined.read_text(encoding="utf-8"))
        return dict(everything.get(subgraph, {}))
    return {}


def _case(fixture: str, raw: dict[str, Any]) -> Case:
    known = {"name", "query", "variables", "operationName", "expect_errors", "error_paths", "allow_nulls",
             "checks", "faults", "expect", "features", "comment", "reference_wrong_data"}
    unknown = set(raw) - known
    if unknown:
        raise FixtureError(f"{fixture}: case {raw.get('name')!r} has unknown keys {sorted(unknown)}")
    faults = dict(raw.get("faults", {}))
    for mode in faults.values():
        if mode not in FAULT_MODES:
            raise FixtureError(f"{fixture}/{raw['name']}: unknown fault mode {mode!r}")
    paths = raw.get("error_paths")
    return Case(
        fixture=fixture,
        name=str(raw["name"]),
        query=str(raw["query"]),
        variables=raw.get("variables"),
        operation_name=raw.get("operationName"),
        expect_errors=bool(raw.get("expect_errors", False)) or bool(paths),
        error_paths=tuple(tuple(p) for p in paths) if paths is not None else None,
        allow_nulls=bool(raw.get("allow_nulls", False)),
        checks=dict(raw.get("checks", {})),
        faults=faults,
        expect=raw.get("expect"),
        features=tuple(raw.get("features", ())),
        comment=str(raw.get("comment", "")),
        reference_wrong_data=bool(raw.get("reference_wrong_data", False)),
    )


def load_fixture(path: Path) -> Fixture:
    """Read one fixture folder."""
    name = path.name
    sdl_files = sorted((path / "subgraphs").glob("*.graphql"))
    if not sdl_files:
        raise FixtureError(f"{path}: no subgraphs/*.graphql")
    resolvers = _load_resolvers(path / "resolvers.py", name)
    subgraphs = tuple(
        SubgraphSpec(
            name=f.stem,
            sdl=f.read_text(encoding="utf-8"),
            data=_load_data(path, f.stem),
            resolvers=resolvers.get(f.stem, {}),
        )
        for f in sdl_files
    )
    unknown = set(resolvers) - {s.name for s in subgraphs}
    if unknown:
        raise FixtureError(f"{path}: resolvers for unknown subgraphs {sorted(unknown)}")
    cases_file = path / "cases.json"
    raw_cases = json.loads(cases_file.read_text(encoding="utf-8")) if cases_file.exists() else []
    cases = tuple(_case(name, raw) for raw in raw_cases)
    refuses_file = path / "reference_refuses.txt"
    if refuses_file.exists():
        reason = refuses_file.read_text(encoding="utf-8").strip()
        without = [c.name for c in cases if c.expect is None]
        if without:
            raise FixtureError(f"{path}: the reference refuses the supergraph, so every case needs `expect`: "
                               f"{without}")
        cases = tuple(replace(c, reference_refuses=reason) for c in cases)
    names = [c.name for c in cases]
    if len(names) != len(set(names)):
        raise FixtureError(f"{path}: duplicate case names")
    return Fixture(name=name, path=path, subgraphs=subgraphs, cases=cases)


@cache
def all_fixtures() -> tuple[Fixture, ...]:
    """Every fixture folder, sorted by name."""
    return tuple(load_fixture(p) for p in sorted(FIXTURES_DIR.iterdir()) if (p / "subgraphs").is_dir())


def all_cases() -> list[Case]:
    return [case for fixture in all_fixtures() for case in fixture.cases]


_GRAPH_URL = re.compile(r'(@join__graph\(name:\s*"(?P<name>[^"]+)",\s*url:\s*")(?P<url>[^"]*)(")')


def supergraph_with_urls(supergraph_sdl: str, urls: dict[str, str]) -> str:
    """Rewrite the `@join__graph(url:)` of each subgraph to its running URL."""
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in urls:
            return match.group(0)
        seen.add(name)
        return match.group(1) + urls[name] + match.group(4)

    rewritten = _GRAPH_URL.sub(replace, supergraph_sdl)
    missing = set(urls) - seen
    if missing:
        raise FixtureError(f"supergraph has no @join__graph for {sorted(missing)}")
    return rewritten
