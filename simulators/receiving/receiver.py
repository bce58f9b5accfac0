"""The receiving pipeline shared by both systems, from the signed request to the per-record answer.

    POST  count "receive" -> injected faults (503; a caller gone after latency or a hang also stores
          nothing) -> signature (401) -> envelope (400)
          -> one transaction: per record, in batch order
               privacy tripwire       -> rejected "personal ID number in record"
               record id seen before  -> duplicates (same content) | rejected (id reused)
               system's RecordHandler -> accepted | rejected (reason names the field)
    GET   count "list" -> injected faults (503) -> the system's listing, read under the ledger lock

Answer of a POST: `{"code": 0, "batchNo", "accepted": [...], "duplicates": [...], "rejected": [...]}`
with every record id of the batch in exactly one list. Only accepted records are remembered, so a
rejected record may be sent again (corrected) under the same id.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from simulators.base import Fault, SimulatorRuntime
from simulators.receiving.auth import Authenticator
from simulators.receiving.envelope import Batch, Delivery, parse_batch
from simulators.receiving.errors import BadRequest, RecordRejected, Unavailable
from simulators.receiving.ledger import Ledger, remember, savepoint, seen_hash
from simulators.receiving.privacy import PERSONAL_ID_REASON, contains_resident_id, redact
from simulators.receiving.responses import answer

REUSED_ID_REASON = "recordId reused: it was already used for a record with other content"

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class RecordHandler(Protocol):
    """A system's own part: validate one new record and apply it to the system's tables."""

    def accept(self, conn: sqlite3.Connection, delivery: Delivery, *, received_at: str) -> None:
        """Apply `delivery` or raise RecordRejected; writes made before raising are rolled back."""
        ...


Lister = Callable[[sqlite3.Connection, QueryParams], dict[str, Any]]
"""A system's listing: reads its tables for the query and returns the JSON answer."""


@dataclass
class BatchOutcome:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    personal_ids: int = 0

    def reject(self, record_id: str, reason: str) -> None:
        self.rejected.append({"recordId": record_id, "reason": reason})


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int | None) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit():
        raise BadRequest(f"{name} must be a non-negative integer")
    number = int(value)
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"{name} must be {bound}")
    return number


def paging(params: QueryParams) -> Paging:
    """`limit` (1..1000, default 100) and `offset` (default 0) of a listing."""
    return Paging(
        limit=_int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_int_param(params, "offset", 0, 0, None),
    )


def listing_page(conn: sqlite3.Connection, params: QueryParams, *, table: str, columns: Sequence[str],
                 where: Sequence[str], args: Sequence[Any], order_by: str,
                 item: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page (`paging`) of a receiver's public listing: `{"code": 0, "total", "data": [item(row), ...]}`."""
    page = paging(params)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT COUNT(*) FROM {table} {clause}", list(args)).fetchone()[0]
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} {clause} ORDER BY {order_by} LIMIT ? OFFSET ?",
                        [*args, page.limit, page.offset]).fetchall()
    return {"code": 0, "total": int(total), "data": [item(row) for row in rows]}


class Receiver:
    """One receiving system: its knobs and counters, signature check, ledger and record handler."""

    def __init__(
        self,
        *,
        runtime: SimulatorRuntime,
        auth: Authenticator,
        ledger: Ledger,
        handler: RecordHandler,
        clock: Callable[[], str] = utc_now_iso,
    ) -> None:
        self.runtime = runtime
        self.auth = auth
        self.ledger = ledger
        self.handler = handler
        self._clock = clock
        self._log = logging.getLogger(f"simulators.{runtime.system}")

    async def _enter(self, operation: str) -> None:
        self.runtime.count(operation)
        try:
            await self.runtime.apply_faults()
        except Fault as exc:
            raise Unavailable(f"service unavailable: {exc}") from exc

    async def receive(self, request: Request) -> Response:
        raw = await request.body()
        await self._enter("receive")
        if await request.is_disconnected():
            # the caller gave up during injected latency or a hang: it saw a failure, so store nothing
            raise Unavailable("the caller went away before the batch was stored")
        self.auth.check(request.headers, raw)
        batch = parse_batch(raw)
        outcome = await run_in_threadpool(self.process, batch)
        return answer({
            "code": 0,
            "batchNo": batch.batch_no,
            "accepted": outcome.accepted,
            "duplicates": outcome.duplicates,
            "rejected": outcome.rejected,
        })

    def process(self, batch: Batch) -> BatchOutcome:
        """Apply a parsed batch in one transaction; blocking, so the app runs it in a worker thread."""
        outcome = BatchOutcome()
        received_at = self._clock()
        with self.ledger.transaction() as conn:
            for delivery in batch.deliveries:
                self._one(conn, delivery, batch_no=batch.batch_no, received_at=received_at, outcome=outcome)
        self._log.info(
            "batch %s: %d accepted, %d duplicates, %d rejected (%d for a personal ID number)",
            redact(batch.batch_no), len(outcome.accepted), len(outcome.duplicates), len(outcome.rejected),
            outcome.personal_ids,
        )
        return outcome

    def _one(
        self, conn: sqlite3.Connection, delivery: Delivery, *, batch_no: str, received_at: str,
        outcome: BatchOutcome,
    ) -> None:
        record_id = delivery.record_id
        if contains_resident_id(delivery.fields):
            outcome.personal_ids += 1
            outcome.reject(record_id, PERSONAL_ID_REASON)
            return
        known = seen_hash(conn, record_id)
        if known is not None:
            if known == delivery.content_hash:
                outcome.duplicates.append(record_id)
            else:
                outcome.reject(record_id, REUSED_ID_REASON)
            return
        try:
            with savepoint(conn):
                self.handler.accept(conn, delivery, received_at=received_at)
                remember(conn, delivery, batch_no=batch_no, received_at=received_at)
        except RecordRejected as exc:
            self._log.debug("record %s rejected: %s", redact(record_id), exc.reason)
            outcome.reject(record_id, exc.reason)
        else:
            outcome.accepted.append(record_id)

    def listing(self, lister: Lister) -> Callable[[Request], Any]:
        """The GET endpoint serving `lister`."""

        async def endpoint(request: Request) -> Response:
            await self._enter("list")
            params = request.query_params

            def read() -> dict[str, Any]:
                with self.ledger.reading() as conn:
                    return lister(conn, params)

            return answer(await run_in_threadpool(read))

        return endpoint
