"""Import files for tests and benchmarks: departments' historical cases as `hub db import` reads them.

`as_imported` turns a case as the ground truth builds it (a `CaseHistory` from the state machine, or
already an `ImportedCase`) into the record a department's own system would hand over: its final
snapshot; `write_import_file` writes such records one a line; `renumbered` copies snapshots under
new case ids, for as many distinct cases as a test needs without building each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.import_file import line_of
from subgraphs.cases.service import CaseHistory, ImportedCase

SOURCE = "某区执法办案系统"
IMPORTED_AT = datetime(2026, 10, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def as_imported(entry: CaseHistory | ImportedCase, *, source: str = SOURCE,
                at: datetime = IMPORTED_AT) -> ImportedCase:
    if isinstance(entry, ImportedCase):
        return entry
    snapshot = entry.steps[-1].after
    return ImportedCase(snapshot, source, f"EXT-{snapshot.case_id}", at)


def renumbered(snapshots: Sequence[CaseSnapshot], count: int, *, prefix: str = "IMP") -> Iterator[ImportedCase]:
    """`count` imported cases cycling through `snapshots`, each under an id of its own."""
    for n in range(count):
        snapshot = replace(snapshots[n % len(snapshots)], case_id=f"{prefix}-{n:07d}")
        yield ImportedCase(snapshot, SOURCE, f"EXT-{prefix}-{n}", IMPORTED_AT)


def write_import_file(path: Path, cases: Iterable[ImportedCase]) -> int:
    """Write `cases` one a line; returns the number of lines."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(line_of(case) + "\n")
            n += 1
    return n
