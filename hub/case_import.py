"""`hub db import FILE.jsonl`: departments' historical cases into the store (`subgraphs.cases.import_file`).

The facts that name bodies and items in the outbound messages come from the store (as the cases
subgraph reads them), the publicity period from the settings. Progress goes to standard error, a
line every `progress_every` lines read and one at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hub.settings import Settings
from subgraphs.cases.bulk import BulkWriter
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.facts import StoreFacts
from subgraphs.cases.import_file import ImportSummary, import_file
from subgraphs.common.db import create_engine


async def run_import(url: str, path: Path, settings: Settings, *, batch: int, progress_every: int,
                     note: Callable[[str], None]) -> ImportSummary:
    config = CasesConfig.from_settings(settings)
    engine = create_engine(url)
    shown = 0

    def progress(summary: ImportSummary) -> None:
        nonlocal shown
        if summary.lines - shown >= progress_every:
            shown = summary.lines
            note(f"  {summary}")

    try:
        facts = StoreFacts(engine, WorkingCalendar.from_directory(config.calendar_dir),
                           load_config(config.deadlines_file))
        writer = BulkWriter(engine, await facts.guard_context(), publicity=config.outbox.publicity)
        return await import_file(writer, path, batch=batch, progress=progress)
    finally:
        await engine.dispose()
