"""deadlines.toml: the shipped defaults and validation errors that name the key."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

import pytest

from subgraphs.cases.domain.config import DeadlineConfig, load_config, parse_config
from subgraphs.cases.domain.errors import ConfigError
from subgraphs.cases.domain.standards import deadlines_file


def test_shipped_defaults(cfg: DeadlineConfig) -> None:
    assert cfg.decision.calendar_days == 90
    assert cfg.decision.roll_forward is False
    assert cfg.service.working_days == 7
    assert (cfg.payment.calendar_days, cfg.payment.roll_forward) == (15, True)
    assert cfg.statement.working_days == 5
    assert (cfg.hearing.request_window_working_days, cfg.hearing.notice_lead_working_days) == (5, 7)
    assert cfg.preservation.working_days == 7
    assert (cfg.seal_seize.term_calendar_days, cfg.seal_seize.max_extension_calendar_days) == (30, 30)
    assert cfg.seal_seize.max_extensions == 1
    assert (cfg.freeze.term_calendar_days, cfg.freeze.decision_service_working_days) == (30, 3)
    assert cfg.emergency_measure.report_hours == 24
    assert (cfg.limitation.general_years, cfg.limitation.extended_years) == (2, 5)
    assert (cfg.legal_review.working_days, cfg.legal_review.extension_working_days) == (5, 5)
    assert (cfg.publicity.working_days, cfg.publicity.withdraw_working_days) == (7, 3)
    assert cfg.closure.working_days == 10
    assert cfg.archive.calendar_days == 30
    assert cfg.simple_procedure.natural_person_max_fen == 20_000
    assert cfg.simple_procedure.organisation_max_fen == 300_000
    assert cfg.simple_procedure.on_spot_collection_max_fen == 10_000
    assert (cfg.execution.night_start, cfg.execution.night_end) == (time(22, 0), time(6, 0))
    assert cfg.execution.own_power_min_surcharge_days == 30
    assert (cfg.remedy.review_days, cfg.remedy.litigation_months) == (60, 6)


@pytest.mark.parametrize(("clock", "night"), [("21:59", False), ("22:00", True), ("03:00", True), ("06:00", False)])
def test_night_wraps_past_midnight(cfg: DeadlineConfig, clock: str, night: bool) -> None:
    assert cfg.execution.is_night(time.fromisoformat(clock)) is night


def raw() -> dict[str, dict[str, object]]:
    return tomllib.loads(deadlines_file().read_text(encoding="utf-8"))


@pytest.mark.parametrize(("mutate", "key", "message"), [
    (lambda r: r["payment"].pop("roll_forward"), "payment.roll_forward", "missing"),
    (lambda r: r["service"].update(days=7), "service.days", "unknown key"),
    (lambda r: r["decision"].update(calendar_days="90"), "decision.calendar_days", "expected an integer"),
    (lambda r: r["statement"].update(working_days=0), "statement.working_days", "must be positive"),
    (lambda r: r["payment"].update(roll_forward=1), "payment.roll_forward", "expected true or false"),
    (lambda r: r["execution"].update(night_start="10pm"), "execution.night_start", "HH:MM"),
    (lambda r: r.pop("archive"), "archive", "missing section"),
    (lambda r: r.update(extra={}), "extra", "unknown section"),
    (lambda r: r["limitation"].update(extended_years=1), "limitation.extended_years", "shorter"),
])
def test_errors_name_the_key(mutate: object, key: str, message: str) -> None:
    doc = raw()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        parse_config(doc)
    assert caught.value.key == key
    assert f"'{key}'" in str(caught.value)
    assert message in str(caught.value)


def test_unreadable_or_invalid_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "deadlines.toml"
    bad.write_text("[decision\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
