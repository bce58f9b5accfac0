"""Configurable [P]/[M] figures of the supervision rules, with documented defaults.

Statutory periods come from the case domain's `DeadlineConfig` (schema/standards/deadlines.toml);
this file holds only what the supervision rules add. `load_supervision_config(path)` reads a TOML
file with the same keys (all optional); an unknown key or a bad value fails with `ConfigError`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from subgraphs.supervision.errors import ConfigError


@dataclass(frozen=True, slots=True)
class SupervisionConfig:
    #: [P] a yellow pre-warning fires once this share of a period has elapsed (DOMAIN.md §8)
    yellow_ratio_percent: int = 80
    #: [P] S18: this many cases against one party ...
    frequent_party_cases: int = 3
    #: [P] ... within this many calendar days
    frequent_party_days: int = 365
    #: [P] S29: confiscated gains/property at or above this (分) suggests a crime to check by hand
    criminal_amount_fen: int = 5_000_000
    #: [M]/[P] S33: at most this many inspections of one object by one body ...
    inspection_max: int = 2
    #: [M]/[P] ... within this many calendar days (国办发〔2024〕54号 frequency caps)
    inspection_window_days: int = 365
    #: [P] S31: a held hearing needs an audiovisual record (全过程记录 list not verified)
    hearing_needs_audiovisual: bool = True
    #: [P] rectification period given with a new alert, in calendar days
    rectification_days: int = 15
    #: [M] 零执法: officers with no case activity within this many days
    inactivity_days: int = 365
    #: sweep: worker processes evaluating cases in parallel (default: one per core)
    sweep_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: sweep: below this many cases the sweep runs in its own process (starting workers costs more)
    sweep_parallel_min_cases: int = 20_000

    def __post_init__(self) -> None:
        if not 1 <= self.yellow_ratio_percent <= 99:
            raise ConfigError("yellow_ratio_percent", "must be between 1 and 99")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
                raise ConfigError(f.name, f"must be positive, got {value}")


def parse_supervision_config(raw: dict[str, Any]) -> SupervisionConfig:
    known = {f.name: f for f in fields(SupervisionConfig)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(key, "unknown key")
        default = getattr(SupervisionConfig(), key)
        if type(value) is not type(default):
            raise ConfigError(key, f"expected {type(default).__name__}, got {value!r}")
        values[key] = value
    return replace(SupervisionConfig(), **values)


def load_supervision_config(path: Path) -> SupervisionConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("<file>", f"{path.name} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("<file>", f"{path.name} is not valid TOML: {exc}") from exc
    return parse_supervision_config(raw)
