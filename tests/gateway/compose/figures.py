"""Lines the differential tests want shown in the test summary (filled while tests run)."""

from __future__ import annotations

FIGURES: list[str] = []
