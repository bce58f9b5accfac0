"""The deadline configuration (`schema/standards/deadlines.toml`), loaded and validated.

Each section is a frozen dataclass; the loader is driven by the dataclass fields, so a missing,
unknown or ill-typed key fails with `ConfigError` naming the dotted key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import time
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class CalendarDaysRule:
    calendar_days: int
    roll_forward: bool


@dataclass(frozen=True, slots=True)
class WorkingDaysRule:
    working_days: int


@dataclass(frozen=True, slots=True)
class CalendarDaysOnly:
    calendar_days: int


@dataclass(frozen=True, slots=True)
class HearingRule:
    request_window_working_days: int
    notice_lead_working_days: int


@dataclass(frozen=True, slots=True)
class SealSeizeRule:
    term_calendar_days: int
    max_extension_calendar_days: int
    max_extensions: int


@dataclass(frozen=True, slots=True)
class FreezeRule:
    term_calendar_days: int
    max_extension_calendar_days: int
    decision_service_working_days: int


@dataclass(frozen=True, slots=True)
class EmergencyRule:
    report_hours: int


@dataclass(frozen=True, slots=True)
class LimitationRule:
    general_years: int
    extended_years: int


@dataclass(frozen=True, slots=True)
class LegalReviewRule:
    working_days: int
    extension_working_days: int


@dataclass(frozen=True, slots=True)
class PublicityRule:
    working_days: int
    withdraw_working_days: int


@dataclass(frozen=True, slots=True)
class SimpleProcedureRule:
    natural_person_max_fen: int
    organisation_max_fen: int
    on_spot_collection_max_fen: int
    record_working_days: int


@dataclass(frozen=True, slots=True)
class ExecutionRule:
    night_start: time
    night_end: time
    own_power_min_surcharge_days: int
    court_reminder_working_days: int
    court_window_months: int

    def is_night(self, at: time) -> bool:
        """True inside [night_start, night_end), which may wrap past midnight."""
        if self.night_start <= self.night_end:
            return self.night_start <= at < self.night_end
        return at >= self.night_start or at < self.night_end


@dataclass(frozen=True, slots=True)
class RemedyRule:
    review_days: int
    litigation_months: int


@dataclass(frozen=True, slots=True)
class DeadlineConfig:
    """All configurable periods; field names equal the TOML section names."""

    decision: CalendarDaysRule
    filing_decision: WorkingDaysRule
    service: WorkingDaysRule
    payment: CalendarDaysRule
    statement: WorkingDaysRule
    hearing: HearingRule
    preservation: WorkingDaysRule
    seal_seize: SealSeizeRule
    freeze: FreezeRule
    emergency_measure: EmergencyRule
    limitation: LimitationRule
    legal_review: LegalReviewRule
    publicity: PublicityRule
    closure: WorkingDaysRule
    archive: CalendarDaysOnly
    simple_procedure: SimpleProcedureRule
    execution: ExecutionRule
    remedy: RemedyRule


_T = TypeVar("_T")


def _value(source: str, key: str, kind: object, raw: object) -> object:
    if kind is bool:
        if not isinstance(raw, bool):
            raise ConfigError(source, key, f"expected true or false, got {raw!r}")
        return raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(source, key, f"expected an integer, got {raw!r}")
        if raw <= 0:
            raise ConfigError(source, key, f"must be positive, got {raw}")
        return raw
    if kind is time:
        if not isinstance(raw, str):
            raise ConfigError(source, key, f"expected a \"HH:MM\" string, got {raw!r}")
        try:
            parsed = time.fromisoformat(raw)
        except ValueError as exc:
            raise ConfigError(source, key, f"{raw!r} is not a HH:MM time") from exc
        if len(raw) != 5:
            raise ConfigError(source, key, f"{raw!r} is not a HH:MM time")
        return parsed
    raise ConfigError(source, key, f"unsupported field type {kind!r}")  # pragma: no cover


def _section(source: str, name: str, cls: type[_T], raw: object) -> _T:
    if not isinstance(raw, dict):
        raise ConfigError(source, name, "expected a table")
    hints = get_type_hints(cls)
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    for key in raw:
        if key not in names:
            raise ConfigError(source, f"{name}.{key}", "unknown key")
    values: dict[str, Any] = {}
    for key in names:
        if key not in raw:
            raise ConfigError(source, f"{name}.{key}", "missing")
        values[key] = _value(source, f"{name}.{key}", hints[key], raw[key])
    return cls(**values)


def parse_config(raw: dict[str, Any], source: str = "deadlines.toml") -> DeadlineConfig:
    """Validate a decoded TOML document into a `DeadlineConfig`."""
    hints = get_type_hints(DeadlineConfig)
    names = [f.name for f in fields(DeadlineConfig)]
    for key in raw:
        if key not in names:
            raise ConfigError(source, key, "unknown section")
    sections: dict[str, Any] = {}
    for name in names:
        if name not in raw:
            raise ConfigError(source, name, "missing section")
        sections[name] = _section(source, name, hints[name], raw[name])
    config = DeadlineConfig(**sections)
    if config.limitation.extended_years < config.limitation.general_years:
        raise ConfigError(source, "limitation.extended_years", "must not be shorter than general_years")
    return config


def load_config(path: Path) -> DeadlineConfig:
    """Read and validate `deadlines.toml`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path.name, "<file>", f"cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path.name, "<file>", f"is not valid TOML: {exc}") from exc
    return parse_config(raw, path.name)
