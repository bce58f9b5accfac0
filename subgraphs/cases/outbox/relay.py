"""Deliver the outbox: in id order per destination, signed, retried with backoff, never lost.

One `step` per topic:

1. skip a topic with nothing pending; else take the topic's lease (`outbox_lease`: one deliverer per topic among the replicas; a lease runs
   out after `lease_s` — longer than a request can take — so a crashed holder blocks nobody for long);
2. read the first `batch` PENDING messages of the topic in id order; if the first is waiting for a
   retry, the topic waits (a later message never overtakes an earlier one of the same destination);
3. POST them as one signed batch (`X-App-Key`, `X-Timestamp`, `X-Signature` = hex HMAC-SHA256 of key +
   timestamp + body), each record carrying its message key as `recordId`;
4. if the relay still holds the lease, mark what the receiver accepted or already had (`duplicates`)
   DELIVERED and what it rejected DEAD with its reason (only rows still PENDING: a relay that lost its
   lease meanwhile changes nothing, its batch counts as a resend). On a transport error, a timeout, an
   HTTP error status or an answer that leaves a record out, count an attempt and wait
   `backoff_s · 2^(attempts-1)` (at most `backoff_cap_s`, with jitter): the destination stalls until
   its receiver is back — a message never dies of an outage, only of a rejection.

Ids follow the order the changes were written; on PostgreSQL a transaction that commits late can have
its message sent after later ones. Messages of one case are never reordered (its changes are serial),
and the data centre keeps the highest version of each record.
A crash between 3 and 4 resends the batch: the receivers answer `duplicates`, nothing is doubled.
DEAD messages stay with their last error until `retry_dead` puts them back (`hub outbox retry`).
Logs name topics, keys and counts; never the content of a record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.rest.national_credit import signature  # the provincial exchanges' signing scheme
from subgraphs.cases.outbox.rows import OutboxLeaseRow, OutboxRow, OutboxStatus
from subgraphs.common.metrics import OutboxMetrics
from subgraphs.common.orm import utcnow

log = logging.getLogger("subgraphs.cases.outbox")

MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a topic goes: the receiving endpoint and the app key/secret that sign its requests."""

    topic: str
    url: str
    app_key: str
    app_secret: str = field(repr=False)


@dataclass
class StepReport:
    """What one step did, per topic: delivered, rejected (dead), failed attempts, and why it waited."""

    delivered: dict[str, int] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    leased_elsewhere: set[str] = field(default_factory=set)  # topics another relay was delivering

    @property
    def moved(self) -> int:
        return sum(self.delivered.values()) + sum(self.dead.values())


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, destinations: Sequence[Destination], client: httpx.AsyncClient, *,
                 batch: int = 100, backoff_s: float = 2.0, backoff_cap_s: float = 600.0,
                 lease_s: float | None = None, holder: str | None = None, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None, metrics: OutboxMetrics | None = None) -> None:
        """`lease_s` defaults to 30 s plus four times the client's timeout (connect, write, read, pool): a
        step's request ends before its lease does."""
        if not 1 <= batch <= 100:
            raise ValueError("an outbox batch holds 1 to 100 messages (the receivers' limit)")
        self.engine = engine
        self.destinations = {d.topic: d for d in destinations}
        self.client = client
        self.batch = batch
        if lease_s is None:
            timeouts = [t for t in (client.timeout.connect, client.timeout.read, client.timeout.write,
                                    client.timeout.pool) if t is not None]
            lease_s = 30.0 + sum(timeouts) if len(timeouts) == 4 else 300.0
        self.backoff_s = backoff_s
        self.backoff_cap_s = backoff_cap_s
        self.lease_s = lease_s
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:80]
        self.clock = clock
        self.rng = rng or random.Random()
        self.metrics = metrics

    # -- one step ------------------------------------------------------------------------------

    async def step(self) -> StepReport:
        """One batch per configured topic (topics do not wait for each other's receivers)."""
        report = StepReport()
        for topic in self.destinations:
            await self._step_topic(topic, report)
        return report

    async def _step_topic(self, topic: str, report: StepReport) -> None:
        now = self.clock()
        async with self.engine.connect() as conn:
            oldest = (await conn.execute(select(func.min(OutboxRow.created_at)).where(
                OutboxRow.topic == topic, OutboxRow.status == OutboxStatus.PENDING.value))).scalar()
        if self.metrics is not None:  # every replica reports the queue's age, with the lease or without
            self.metrics.oldest_pending(topic, (now - _aware(oldest)).total_seconds() if oldest else 0.0)
        if oldest is None:
            return  # nothing pending: no lease to take, nothing to read
        if not await self._lease(topic, now):
            report.leased_elsewhere.add(topic)
            return
        async with self.engine.connect() as conn:
            rows = (await conn.execute(
                select(OutboxRow.id, OutboxRow.key, OutboxRow.payload, OutboxRow.attempts, OutboxRow.next_attempt_at)
                .where(OutboxRow.topic == topic, OutboxRow.status == OutboxStatus.PENDING.value)
                .order_by(OutboxRow.id).limit(self.batch))).all()
        if not rows or _aware(rows[0].next_attempt_at) > now:
            return
        destination = self.destinations[topic]
        records = [{**row.payload, "recordId": row.key, "sentAt": now.isoformat()} for row in rows]
        body = orjson.dumps({"batchNo": f"{topic}:{rows[0].id}-{rows[-1].id}", "records": records})
        outcome = await self._post(destination, body)
        if isinstance(outcome, str):
            await self._failed(rows, outcome, now, report, topic)
            return
        accepted = set(outcome.get("accepted") or ()) | set(outcome.get("duplicates") or ())
        rejected = {str(r.get("recordId")): str(r.get("reason") or "rejected")
                    for r in outcome.get("rejected") or () if isinstance(r, Mapping)}
        done = [r for r in rows if r.key in accepted]
        dead = [r for r in rows if r.key in rejected and r.key not in accepted]
        missing = [r for r in rows if r.key not in accepted and r.key not in rejected]
        pending = OutboxRow.status == OutboxStatus.PENDING.value
        async with self.engine.begin() as conn:
            if not await self._still_holds(conn, topic):
                report.leased_elsewhere.add(topic)
                return  # another relay took over meanwhile: it marks what it sends (ours was a resend)
            if done:
                await conn.execute(update(OutboxRow).where(OutboxRow.id.in_([r.id for r in done]), pending)
                                   .values(status=OutboxStatus.DELIVERED.value, delivered_at=now,
                                           attempts=OutboxRow.attempts + 1, last_error=None))
            for r in dead:
                await conn.execute(update(OutboxRow).where(OutboxRow.id == r.id, pending).values(
                    status=OutboxStatus.DEAD.value, attempts=OutboxRow.attempts + 1,
                    last_error=f"rejected by the receiver: {rejected[r.key]}"[:MAX_ERROR_CHARS]))
        if self.metrics is not None:
            self.metrics.count(topic, "delivered", len(done))
            self.metrics.count(topic, "dead", len(dead))
        if done:
            report.delivered[topic] = report.delivered.get(topic, 0) + len(done)
        if dead:
            report.dead[topic] = report.dead.get(topic, 0) + len(dead)
            log.warning("outbox %s: %d record(s) rejected by the receiver, first %s: %s", topic, len(dead),
                        dead[0].key, rejected[dead[0].key][:200])
        if missing:
            await self._failed(missing, "the receiver's answer left these records out", now, report, topic)

    async def _post(self, destination: Destination, body: bytes) -> dict[str, Any] | str:
        """The receiver's answer, or why there is none worth trusting (a string)."""
        timestamp = str(int(time.time() * 1000))
        headers = {"content-type": "application/json", "X-App-Key": destination.app_key, "X-Timestamp": timestamp,
                   "X-Signature": signature(app_key=destination.app_key, app_secret=destination.app_secret,
                                            timestamp=timestamp, body=body)}
        try:
            response = await self.client.post(destination.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        try:
            answer = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return "HTTP 200 with a body that is not JSON"
        if not isinstance(answer, dict) or answer.get("code") != 0:
            return f"HTTP 200 refusing the batch: {str(answer)[:200]}"
        return answer

    async def _failed(self, rows: Sequence[Any], error: str, now: datetime, report: StepReport, topic: str) -> None:
        attempts = rows[0].attempts + 1
        wait = self.backoff(attempts)
        async with self.engine.begin() as conn:
            if not await self._still_holds(conn, topic):
                report.leased_elsewhere.add(topic)
                return
            for r in rows:
                await conn.execute(update(OutboxRow).where(
                    OutboxRow.id == r.id, OutboxRow.status == OutboxStatus.PENDING.value).values(
                    attempts=r.attempts + 1, last_error=error[:MAX_ERROR_CHARS],
                    next_attempt_at=now + timedelta(seconds=wait)))
        report.failed[topic] = report.failed.get(topic, 0) + len(rows)
        report.errors[topic] = error
        if self.metrics is not None:
            self.metrics.count(topic, "failed", len(rows))
        log.warning("outbox %s: delivery of %d message(s) failed (attempt %d, next in %.1f s): %s", topic,
                    len(rows), attempts, wait, error[:200])

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed attempts: doubling, capped, with up to 50 % jitter off."""
        full = min(self.backoff_cap_s, self.backoff_s * 2.0 ** max(0, attempts - 1))
        return float(full * (0.5 + 0.5 * self.rng.random()))

    async def _still_holds(self, conn: Any, topic: str) -> bool:
        """Whether this relay holds the topic's lease now (read in the transaction that marks the batch)."""
        until = (await conn.execute(select(OutboxLeaseRow.until).where(
            OutboxLeaseRow.topic == topic, OutboxLeaseRow.holder == self.holder))).scalar()
        return until is not None and _aware(until) >= self.clock()

    async def _lease(self, topic: str, now: datetime) -> bool:
        """Hold the topic's lease for `lease_s` more seconds, if nobody else holds it now."""
        until = now + timedelta(seconds=self.lease_s)
        async with self.engine.begin() as conn:
            taken = await conn.execute(update(OutboxLeaseRow).where(
                OutboxLeaseRow.topic == topic,
                or_(OutboxLeaseRow.holder == self.holder, OutboxLeaseRow.until < now)).values(
                holder=self.holder, until=until))
            if taken.rowcount == 1:
                return True
        try:
            async with self.engine.begin() as conn:
                exists = (await conn.execute(select(func.count()).select_from(OutboxLeaseRow)
                                             .where(OutboxLeaseRow.topic == topic))).scalar_one()
                if exists:
                    return False
                await conn.execute(insert(OutboxLeaseRow).values(topic=topic, holder=self.holder, until=until))
        except IntegrityError:
            return False  # another relay created it first
        return True

    async def release(self) -> None:
        """Give up the leases this relay holds (at shutdown, so another replica takes over at once)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(OutboxLeaseRow).where(OutboxLeaseRow.holder == self.holder)
                               .values(until=datetime(1970, 1, 1, tzinfo=UTC)))

    # -- loops ---------------------------------------------------------------------------------

    async def drain(self, *, max_steps: int = 10_000,
                    progress: Callable[[StepReport], None] | None = None) -> StepReport:
        """Step until a step moves nothing (all delivered, or everything left waits for a retry)."""
        total = StepReport()
        for _ in range(max_steps):  # bounded
            report = await self.step()
            for name in ("delivered", "dead", "failed"):
                into: dict[str, int] = getattr(total, name)
                for topic, n in getattr(report, name).items():
                    into[topic] = into.get(topic, 0) + n
            total.errors.update(report.errors)
            total.leased_elsewhere |= report.leased_elsewhere
            if progress is not None:
                progress(report)
            if report.moved == 0:
                break
        return total

    async def run(self, stop: asyncio.Event, *, interval_s: float) -> None:
        """Deliver until `stop` is set: at once while messages move, else every `interval_s`."""
        try:
            while not stop.is_set():
                try:
                    report = await self.step()
                except Exception:  # the store or the network hiccuped: log and keep going
                    log.exception("outbox step failed")
                    report = StepReport()
                if report.moved:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval_s)
        finally:
            with contextlib.suppress(Exception):
                await self.release()


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def retry_dead(engine: AsyncEngine, *, topic: str | None = None, now: datetime | None = None) -> int:
    """Put DEAD messages back in the queue (attempts from zero); returns how many."""
    when = now or utcnow()
    condition = OutboxRow.status == OutboxStatus.DEAD.value
    if topic is not None:
        condition = and_(condition, OutboxRow.topic == topic)
    async with engine.begin() as conn:
        result = await conn.execute(update(OutboxRow).where(condition).values(
            status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=when))
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class TopicStatus:
    topic: str
    pending: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    last_error: str | None


async def outbox_status(engine: AsyncEngine) -> list[TopicStatus]:
    """Per topic: messages by status (a grouped query), the oldest pending one and the latest error."""
    async with engine.connect() as conn:
        counts = (await conn.execute(select(OutboxRow.topic, OutboxRow.status, func.count(),
                                            func.min(OutboxRow.created_at))
                                     .group_by(OutboxRow.topic, OutboxRow.status))).all()
        errors = (await conn.execute(
            select(OutboxRow.topic, OutboxRow.last_error).where(OutboxRow.last_error.is_not(None))
            .order_by(OutboxRow.id.desc()).limit(200))).all()
    by_topic: dict[str, dict[str, Any]] = {}
    for topic, status, n, oldest in counts:
        entry = by_topic.setdefault(topic, {"PENDING": 0, "DELIVERED": 0, "DEAD": 0, "oldest": None})
        entry[status] = int(n)
        if status == OutboxStatus.PENDING.value and oldest is not None:
            entry["oldest"] = _aware(oldest)
    last_error: dict[str, str] = {}
    for topic, error in errors:
        if error is not None:
            last_error.setdefault(topic, error)
    return [TopicStatus(topic, e["PENDING"], e["DELIVERED"], e["DEAD"], e["oldest"], last_error.get(topic))
            for topic, e in sorted(by_topic.items())]
