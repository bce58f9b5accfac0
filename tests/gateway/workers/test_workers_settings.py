"""`gateway.workers` and `hub gateway --workers`: the count is checked before anything is served; a supervisor
whose workers all fail at start gives up."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.workers import WorkerOptions, run_workers
from hub.cli import app
from hub.settings import SettingsError, load_settings
from tests.gateway.workers.broken_app import broken_app


def test_the_setting_defaults_to_one_process_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUB_GATEWAY__WORKERS", raising=False)
    assert load_settings().gateway.workers == 1
    monkeypatch.setenv("HUB_GATEWAY__WORKERS", "3")
    assert load_settings().gateway.workers == 3
    monkeypatch.setenv("HUB_GATEWAY__WORKERS", "0")
    with pytest.raises(SettingsError, match=r"gateway\.workers"):
        load_settings()


def test_an_impossible_worker_count_is_refused_before_serving(tmp_path: Path) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text("not read: the count is refused first", encoding="utf-8")
    result = CliRunner().invoke(app, ["gateway", "--supergraph", str(supergraph), "--workers", "65"])
    assert result.exit_code != 0
    assert "--workers must be between 1 and 64" in result.output


def test_the_supervisor_gives_up_when_no_worker_comes_up() -> None:
    started = time.monotonic()
    status = run_workers(WorkerOptions(broken_app, stop_timeout_s=5.0), workers=2, host="127.0.0.1", port=0)
    assert status == 1
    assert time.monotonic() - started < 60
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ  # the run's directory is gone with it
