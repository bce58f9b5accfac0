"""A snapshot of how many rows the cases store holds, to show that a refused mutation wrote nothing."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.common.db import create_engine

#: every table a case command, a measure, an inspection, a file or the catalogue writes to
TABLES = ("penalty_case", "case_event", "case_deadline", "case_party", "case_officer", "case_document",
          "case_evidence", "case_licence", "idempotency_key", "coercive_measure", "inspection",
          "aggregate_event", "aggregate_deadline", "outbox_message", "person_index", "catalogue_item",
          "case_no_counter")
_COUNT = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {name}) AS {name}" for name in TABLES))


class StoreCounter:
    """Counts rows over one engine on an event loop of its own (usable from sync and async tests alike)."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="store-counter", daemon=True)
        self._thread.start()
        self._engine: AsyncEngine = create_engine(url)  # bound to no loop until it first connects

    async def _counts(self) -> dict[str, int]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_COUNT)).one()
        return {name: int(value) for name, value in zip(TABLES, row, strict=True)}

    def counts(self) -> dict[str, int]:
        """The row count of every table in `TABLES`."""
        return asyncio.run_coroutine_threadsafe(self._counts(), self._loop).result(timeout=60)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> StoreCounter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
