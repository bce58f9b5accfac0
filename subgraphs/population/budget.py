"""Per-caller budgets for the two ways into the register from a known identity (DOMAIN.md §10.1: PIPL Art. 34).

The gateway already refuses `personByIdNumber` and `searchPersons` without a purpose bound to a
case (``@policy(purpose:bound)``); the subgraph adds what needs the caller: each gateway-verified
caller may make at most `lookups` look-ups by ID number and `searches` name searches a day (UTC
date of the subgraph's clock), and a name prefix must have at least `min_prefix` characters, so a
caller with one real case cannot walk the register or confirm guesses in bulk. A call over budget is
a RATE_LIMITED error and nothing is read from the population system. Counts are per process (each
replica keeps its own; the gateway's rate limit bounds the total).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

__all__ = ["MIN_PREFIX", "LookupBudget"]

MIN_PREFIX: Final = 2
MAX_CALLERS: Final = 100_000


@dataclass(slots=True)
class LookupBudget:
    lookups: int = 200
    searches: int = 50
    min_prefix: int = MIN_PREFIX
    _day: date | None = None
    _used: dict[tuple[str, str], int] = field(default_factory=dict)

    def take(self, kind: str, caller: str, today: date) -> bool:
        """Count one `kind` ("lookup" / "search") for `caller`; False when the day's budget is spent."""
        if today != self._day:
            self._day, self._used = today, {}
        limit = self.lookups if kind == "lookup" else self.searches
        key = (kind, caller)
        used = self._used.get(key, 0)
        if used >= limit:
            return False
        if len(self._used) >= MAX_CALLERS and key not in self._used:
            return False  # bounded memory: an unknown caller past the table's size waits for tomorrow
        self._used[key] = used + 1
        return True
