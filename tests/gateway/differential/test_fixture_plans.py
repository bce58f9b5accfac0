"""`hub plan` for the fixtures' queries: each `fixtures/<name>/plans/<case>.txt` is the plan text the spec
calls for, read and checked by hand when it was written (which subgraph serves each field, which aliases
the subgraph needs, no fetch to a subgraph that cannot serve what is asked).

The texts are compared with what `gateway.cli.plan_text` (the function behind `hub plan`) prints, and one
file per fixture is also checked through the real command, so the CLI and the tests tell the same story.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import plan_text

from .fixtures import Case, Fixture, all_fixtures


def _planned() -> list[tuple[Fixture, Case, Path]]:
    out: list[tuple[Fixture, Case, Path]] = []
    for fixture in all_fixtures():
        folder = fixture.path / "plans"
        if not folder.is_dir():
            continue
        by_name = {c.name: c for c in fixture.cases}
        for path in sorted(folder.glob("*.txt")):
            case = by_name.get(path.stem)
            assert case is not None, f"{path}: no case named {path.stem!r} in {fixture.name}/cases.json"
            out.append((fixture, case, path))
    return out


PLANNED = _planned()


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.mark.parametrize(("fixture", "case", "path"), PLANNED, ids=[c.id for _, c, _ in PLANNED])
def test_plan_text_is_the_reviewed_one(fixture: Fixture, case: Case, path: Path, tmp_path: Path) -> None:
    query = tmp_path / "query.graphql"
    query.write_text(case.query, encoding="utf-8")
    actual = _normalise(plan_text(fixture.supergraph_path, query, case.operation_name))
    expected = _normalise(path.read_text(encoding="utf-8"))
    assert actual == expected, f"{case.id}: plan differs\n--- actual ---\n{actual}\n--- reviewed ---\n{expected}"


def test_every_new_fixture_case_has_a_reviewed_plan() -> None:
    # a fixture that keeps plans keeps one for each case whose query plans (client errors have no plan)
    for fixture in all_fixtures():
        folder = fixture.path / "plans"
        if not folder.is_dir():
            continue
        missing = [c.name for c in fixture.cases
                   if not c.expect_errors and not (folder / f"{c.name}.txt").exists()]
        assert not missing, f"{fixture.name}: cases without plans/<case>.txt: {missing}"


FIRST_PER_FIXTURE = list({f.name: (f, c, p) for f, c, p in reversed(PLANNED)}.values())


@pytest.mark.parametrize(("fixture", "case", "path"), FIRST_PER_FIXTURE,
                         ids=[c.id for _, c, _ in FIRST_PER_FIXTURE])
def test_hub_plan_command_prints_it(fixture: Fixture, case: Case, path: Path, tmp_path: Path) -> None:
    query = tmp_path / "query.graphql"
    query.write_text(case.query, encoding="utf-8")
    args = [sys.executable, "-m", "hub", "plan", "--supergraph", str(fixture.supergraph_path), str(query)]
    if case.operation_name:
        args += ["--operation-name", case.operation_name]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert _normalise(done.stdout) == _normalise(path.read_text(encoding="utf-8"))
