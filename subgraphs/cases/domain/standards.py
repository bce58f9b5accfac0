"""Where the shipped standards data (calendars, deadline configuration) live in a checkout."""

from __future__ import annotations

from pathlib import Path


def standards_dir() -> Path:
    """`schema/standards` of the source tree this package was imported from.

    Callers that run from an installed package pass their own paths to the loaders instead.
    """
    return Path(__file__).resolve().parents[3] / "schema" / "standards"


def calendar_dir() -> Path:
    return standards_dir() / "calendar"


def deadlines_file() -> Path:
    return standards_dir() / "deadlines.toml"
