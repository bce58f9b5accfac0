"""Every `hub` command, found in the Typer app itself, meets its expected failures with one clear
paragraph, a non-zero exit status, no traceback, and nothing created in the working directory.

A new command without its cases here fails `test_every_command_has_failure_cases`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main

from hub.cli import app
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def leaf_commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of a (Typer's own) click group, down to the leaves."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = sorted(leaf_commands(typer.main.get_command(app)))


@dataclass(frozen=True)
class Case:
    """`hub <command> <args>` in an empty working directory; `expect`: words of the message it must print.
    In args and env values, {out} is a directory outside the working directory (holding `a-file`,
    `empty.db`: a SQLite file with no tables, `seeded.db`: a store with cases, `bad.graphql`,
    `not-a-zip.zip`, `demo-data/`: a data directory `make run` seeded) and {port} a closed port."""

    args: tuple[str, ...]
    expect: str
    env: dict[str, str] = field(default_factory=dict)


NO_STORE = "no store at data/hub.db"
NOT_MIGRATED = "is not migrated (no hub tables): run `hub db upgrade`"
BAD_SETTINGS = Case((), "log_level (env HUB_LOG_LEVEL)", {"HUB_LOG_LEVEL": "LOUD"})

CASES: dict[tuple[str, ...], list[Case]] = {
    ("seed",): [Case(("--size", "huge"), "--size must be one of small, medium, large"),
                Case(("--cases", "-1"), "--cases must be 0 or more"), BAD_SETTINGS,
                Case(("--out", "{out}/seed", "--store", "postgresql://hub@127.0.0.1:{port}/hub"),
                     "cannot open the store at postgresql://hub@127.0.0.1:")],
    ("sim",): [Case(("nosuch",), "unknown simulator 'nosuch'"),
               Case(("population",), "no seeded data in data/seed: run `hub seed"),
               Case(("population", "--data", "{out}", "--error-rate", "2"), "error_rate must be between 0 and 1")],
    ("up",): [Case(("--size", "huge"), "--size must be one of"), Case(("--data", "nosuch"), "--data must be one of"),
              Case((), "gateway.port (env HUB_GATEWAY__PORT)", {"HUB_GATEWAY__PORT": "abc"}),
              Case((), "Not a directory", {"HUB_DATA_DIR": "{out}/a-file/data"}),
              Case(("--data", "ground-truth"), "holds the demo data of an earlier run: remove it",
                   {"HUB_DATA_DIR": "{out}/demo-data"})],
    ("subgraph",): [Case(("nosuch",), "unknown subgraph 'nosuch'"),
                    Case(("cases",), "log_level (env HUB_LOG_LEVEL)", {"HUB_LOG_LEVEL": "LOUD"})],
    ("gateway",): [Case((), "supergraph file schema/supergraph.graphql does not exist"),
                   Case(("--supergraph", "{out}/bad.graphql"), "cannot serve"), BAD_SETTINGS],
    ("web",): [Case(("--port", "70000"), "--port must be between 1 and 65535"),
               Case(("--gateway-url", "ftp://x"), "--gateway-url must be an http(s) URL"),
               Case((), "web.port (env HUB_WEB__PORT)", {"HUB_WEB__PORT": "abc"})],
    ("plan",): [Case(("query.graphql",), "schema/supergraph.graphql does not exist"),
                Case(("query.graphql", "--supergraph", str(ROOT / "schema" / "supergraph.graphql")),
                     "query.graphql does not exist")],
    ("compose",): [Case((), "schema/compose.toml does not exist"),
                   Case(("--config", str(ROOT / "schema" / "compose.toml"), "--check", "--against", "nosuch.graphql"),
                        "nosuch.graphql does not exist")],
    ("access-model",): [Case(("extra",), "unexpected extra argument")],
    ("trusted-documents",): [Case(("extra",), "unexpected extra argument")],
    ("token",): [Case(("officer1", "--url", "http://127.0.0.1:{port}/oauth/token"), "does not answer"),
                 Case(("officer1",), "does not answer", {"HUB_SIMULATORS__BASE_PORT": "{port_minus_5}"}),
                 Case(("officer1",), "--password is needed in the production profile",
                      {"HUB_PROFILE": "production", "HUB_ID_HASH_SECRET": "x" * 40,
                       "HUB_DATABASE_URL": "postgresql://hub@127.0.0.1:{port}/hub"})],
    ("audit", "verify"): [Case((), NO_STORE), Case((), NOT_MIGRATED, {"HUB_DATABASE_URL": "sqlite:///{out}/empty.db"}),
                          Case(("--database", "postgresql://hub@127.0.0.1:{port}/hub"), "cannot open the store"),
                          Case(("--database", "mysql://hub@127.0.0.1/hub"), "unsupported database")],
    ("audit", "prune"): [Case((), "no access log at data/access_log.jsonl"), BAD_SETTINGS],
    ("archive", "export"): [Case(("C0007-0000003",), NO_STORE),
                            Case(("C0007-0000003",), NOT_MIGRATED, {"HUB_DATABASE_URL": "sqlite:///{out}/empty.db"})],
    ("archive", "verify"): [Case(("case.zip",), "case.zip does not exist"),
                            Case(("{out}/not-a-zip.zip",), "not a readable zip")],
    ("supervise", "sweep"): [Case((), NO_STORE), Case(("--as-of", "yesterday"), "--as-of"),
                             Case((), "check that the hub is up (`hub up`)",
                                  {"HUB_DATABASE_URL": "sqlite:///{out}/seeded.db", "HUB_GATEWAY__PORT": "{port}"}),
                             Case(("--as-of", "2026-10-30T10:00:00"), "--as-of needs an offset")],
    ("sync", "population"): [Case((), NO_STORE), Case(("--page-size", "0"), "--page-size must be between 1 and 1000"),
                             Case(("--max-pages", "0"), "--max-pages must be positive")],
    ("outbox", "status"): [Case((), NO_STORE), Case((), NOT_MIGRATED, {"HUB_DATABASE_URL": "sqlite:///{out}/empty.db"})],
    ("outbox", "deliver"): [Case((), NO_STORE), Case(("--max-steps", "0"), "--max-steps must be positive")],
    ("outbox", "retry"): [Case((), NO_STORE), Case(("--topic", "nosuch"), "unknown topic 'nosuch'")],
    ("secrets", "init"): [Case(("--format", "xml"), "--format must be toml or env, not 'xml'"),
                          Case(("--out", "{out}/a-file"), "exists: pass --force to replace it")],
    ("secrets", "check"): [Case((), "production needs 9 more setting(s)"), BAD_SETTINGS],
    ("logs",): [Case(("nosuch",), "unknown part 'nosuch': one of gateway"),
                Case(("gateway", "--no-follow"), "no log for gateway yet in data/logs"),
                Case(("gateway", "--lines", "-1"), "--lines")],
    ("trial-sim",): [Case(("population",), "trial-sim runs only inside `hub up --profile production`")],
    ("db", "import"): [Case(("nosuch.jsonl",), "nosuch.jsonl does not exist or is not a file"),
                       Case(("{out}/a-file", "--batch", "0"), "--batch must be between 1 and 100000"),
                       Case(("{out}/a-file", "--progress-every", "0"), "--progress-every must be positive"),
                       Case(("{out}/a-file",), NO_STORE),
                       Case(("{out}/a-file",), NOT_MIGRATED, {"HUB_DATABASE_URL": "sqlite:///{out}/empty.db"}),
                       Case(("{out}/a-file", "--database", "postgresql://hub@127.0.0.1:{port}/hub"),
                            "cannot open the store"),
                       Case(("{out}/a-file",), "refused line 1: not JSON",
                            {"HUB_DATABASE_URL": "sqlite:///{out}/seeded.db"})],
    ("db", "upgrade"): [Case(("nosuch",), "cannot migrate to 'nosuch'"),
                        Case((), "unsupported database", {"HUB_DATABASE_URL": "mysql://hub@127.0.0.1/hub"}),
                        Case((), "cannot open the store", {"HUB_DATABASE_URL": "postgresql://hub@127.0.0.1:{port}/hub"}),
                        Case((), "Not a directory", {"HUB_DATA_DIR": "{out}/a-file/data"}), BAD_SETTINGS],
}


def test_every_command_has_failure_cases() -> None:
    assert len(COMMANDS) >= 20
    missing = sorted(set(COMMANDS) - set(CASES))
    assert not missing, f"commands without failure cases in {__file__}: {missing}"
    assert not sorted(set(CASES) - set(COMMANDS)), "cases for commands that no longer exist"


def _params() -> list[object]:
    params: list[object] = []
    for command in COMMANDS:
        # every command: an option it does not have is a usage error
        params.append(pytest.param(command, Case(("--no-such-option",), "No such option"),
                                   id="-".join(command) + "-bad-option"))
        for n, case in enumerate(CASES.get(command, [])):
            params.append(pytest.param(command, case, id=f"{'-'.join(command)}-{n}"))
    return params


def _env(**extra: str) -> dict[str, str]:
    """The test's environment without any HUB_* setting of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return {**env, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **extra}


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outside")
    (out / "a-file").write_text("not a directory\n", encoding="utf-8")
    sqlite3.connect(out / "empty.db").close()
    (out / "bad.graphql").write_text("this is not a supergraph {", encoding="utf-8")
    (out / "not-a-zip.zip").write_bytes(b"PK but not a zip")
    seeded = subprocess.run([sys.executable, "-m", "hub", "seed", "--out", str(out / "seed"), "--cases", "20",
                             "--store", f"sqlite:///{out / 'seeded.db'}", "--no-progress"], capture_output=True,
                            text=True, cwd=out, env=_env(), timeout=300, check=False)
    assert seeded.returncode == 0, seeded.stderr
    (out / "demo-data" / "seed").mkdir(parents=True)  # what `make run` left: the files, no ground truth
    (out / "demo-data" / "seed" / "manifest.json").write_text("{}", encoding="utf-8")
    return out


@pytest.mark.parametrize(("command", "case"), _params())
def test_command_fails_clearly(command: tuple[str, ...], case: Case, outside: Path, tmp_path: Path) -> None:
    port = free_port()
    values = {"out": str(outside), "port": str(port), "port_minus_5": str(port - 5)}
    env = _env(**{k: v.format(**values) for k, v in case.env.items()})
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    args = [a.format(**values) for a in case.args]
    result = subprocess.run([sys.executable, "-m", "hub", *command, *args], capture_output=True, text=True,
                            cwd=cwd, env=env, timeout=120, check=False)
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "Traceback" not in said, said
    assert case.expect in " ".join(said.split()), said  # (a usage box may wrap the message)
    if result.returncode == 2:  # could not start: said on standard error (a check's report goes to stdout)
        assert result.stderr.strip(), said
    assert sorted(p.name for p in cwd.iterdir()) == [], f"files created in the working directory: {said}"


def test_an_unexpected_error_is_one_paragraph_and_status_70(capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The last safety net: a bug is named in one paragraph (exit 70); HUB_DEBUG=1 adds the traceback."""
    from hub.cli_common import DEBUG_ENV, INTERNAL, run

    def broken() -> None:
        raise LookupError("the thing that was not there")

    monkeypatch.delenv(DEBUG_ENV, raising=False)
    with pytest.raises(SystemExit) as stopped:
        run(broken)
    assert stopped.value.code == INTERNAL
    err = capsys.readouterr().err
    assert "unexpected error: LookupError: the thing that was not there" in err
    assert f"{DEBUG_ENV}=1" in err
    assert "Traceback" not in err
    monkeypatch.setenv(DEBUG_ENV, "1")
    with pytest.raises(SystemExit):
        run(broken)
    assert "Traceback" in capsys.readouterr().err
