"""Fixtures of the case-domain tests: one guard context per test (cheap, immutable)."""

from __future__ import annotations

import pytest

from subgraphs.cases.domain.config import DeadlineConfig, load_config
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar

from .world import make_context


@pytest.fixture
def ctx() -> GuardContext:
    return make_context()


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar.from_directory(calendar_dir())


@pytest.fixture
def cfg() -> DeadlineConfig:
    return load_config(deadlines_file())
