"""What each served part sets up from the settings: JSON log lines in production, text in dev, and the
`[telemetry]` section's checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.observability import log_format
from hub.settings import SettingsError, load_settings

PRODUCTION = {"profile": "production", "id_hash_secret": "p" * 40,
              "database_url": "postgresql://hub@127.0.0.1:5432/hub"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("HUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_production_logs_json_and_dev_text_unless_the_settings_say() -> None:
    assert log_format(load_settings(**PRODUCTION)) == "json"
    assert log_format(load_settings()) == "text"
    assert log_format(load_settings(telemetry={"log_format": "json"})) == "json"
    assert log_format(load_settings(**PRODUCTION, telemetry={"log_format": "text"})) == "text"


def test_the_otlp_endpoint_must_be_an_http_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_TELEMETRY__OTLP_ENDPOINT", "otel-collector:4318")
    with pytest.raises(SettingsError, match=r"telemetry\.otlp_endpoint \(env HUB_TELEMETRY__OTLP_ENDPOINT\)"):
        load_settings()


def test_a_part_is_named_by_its_own_name_unless_mapped() -> None:
    telemetry = load_settings(telemetry={"service_names": {"gateway": "hub-edge"}}).telemetry
    assert telemetry.service_name("gateway") == "hub-edge"
    assert telemetry.service_name("cases") == "cases"


def test_without_an_endpoint_no_tracer_provider_is_installed(tmp_path: Path) -> None:
    program = (
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from hub.observability import observe\n"
        "from hub.settings import load_settings\n"
        "from telemetry.spans import span\n"
        "config = observe(load_settings(), 'cases')\n"
        "with span('graphql operation') as current:\n"
        "    print(config['filters']['context']['part'], isinstance(trace.get_tracer_provider(), TracerProvider),\n"
        "          current.is_recording(), current.get_span_context().is_valid)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=env,
                          cwd=tmp_path, check=True)
    assert done.stdout.split() == ["cases", "False", "False", "False"]  # no provider, no span


def test_a_production_part_writes_json_lines_with_its_name_and_no_id_number(tmp_path: Path) -> None:
    # the configuration `hub gateway` hands uvicorn, applied in a process of its own
    program = (
        "import logging, logging.config\n"
        "from hub.observability import observe\n"
        "from hub.settings import load_settings\n"
        "logging.config.dictConfig(observe(load_settings(), 'gateway'))\n"
        "logging.getLogger('gateway.security').warning('refused a look-up of 445121197304149230')\n"
    )
    env = {**os.environ, "HUB_PROFILE": "production", "HUB_ID_HASH_SECRET": PRODUCTION["id_hash_secret"],
           "HUB_DATABASE_URL": PRODUCTION["database_url"]}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=env,
                          cwd=tmp_path, check=True)
    (line,) = [json.loads(text) for text in done.stderr.splitlines()]
    assert line["part"] == "gateway"
    assert line["level"] == "WARNING"
    assert line["message"] == "refused a look-up of 4451**********9230"
    assert "445121197304149230" not in done.stderr
