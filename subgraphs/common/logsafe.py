"""Log hygiene: no raw ID number in any log line a subgraph writes (PIPL; DOMAIN.md §10.3).

Subgraph code logs masked values to begin with; `scrub` is the safety net for text that did not come
from our own code (GraphQL error messages that echo a query, a department's fault string). Any run
that looks like a 15- or 18-character resident ID number is replaced by its masked form. The log
formatters of every part (`telemetry.logs`) apply the same mask to every line once more.
"""

from __future__ import annotations

from telemetry.logs import scrub

__all__ = ["scrub"]
