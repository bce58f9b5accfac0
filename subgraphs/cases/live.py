"""`Subscription.caseChanged(filter)`: every change of a case's state, pushed as it is committed.

`CaseChangeTail` follows the store's case events (`case_event.global_seq`) from the moment the app
starts, every `interval_s`: an event whose state differs from the one before it (a case registered,
filed, decided, closed …) is a `CaseChange` and goes on the app's `Feed` (`subgraphs.common.live`:
bounded per-subscriber queues, a slow subscriber dropped with SLOW_SUBSCRIBER, the tail never
waits). Reading the store rather than hooking the service makes every change count, whichever
process or replica wrote it. On PostgreSQL a transaction that drew a lower number may commit after
one with a higher number: the numbers passed and not yet seen are asked again for `GAP_WAIT_S`, so
such a change arrives late rather than never. The changes of one case always arrive in their order
(a case's writes are serialised by its version); across cases, in commit order.

Access is that of the `penaltyCase` query: the gateway checks the field's scopes (``cases:read``);
this subgraph keeps a caller to the cases of the bodies its role covers (`CaseScope`, the body
placed by the body register, else by the case's region), judged per event, and refuses a caller
whose role covers no body (FORBIDDEN) before the stream opens. `CaseChange` carries no personal
data; its `case` is the same `PenaltyCase` as the query's (read when the event is sent, with the
caller's scope; the gateway masks its fields as it masks the query's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final

import strawberry
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from subgraphs.cases.access import CaseAccess, body_region_of
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain.enums import CaseState
from subgraphs.cases.rows import CaseEventRow, CaseRow
from subgraphs.cases.types import PenaltyCase
from subgraphs.common.errors import graphql_error
from subgraphs.common.live import Feed
from subgraphs.common.security import region_prefix

__all__ = ["CaseChangeFeed", "CaseChangeTail", "ChangedCase", "Subscription", "case_change_feed"]

log = logging.getLogger(__name__)

GAP_WAIT_S: Final = 30.0
MAX_GAPS: Final = 1_000
BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class ChangedCase:
    """One state change as read from the store."""

    seq: int
    case_id: str
    case_no: str | None
    body_id: str
    #: the body's region in the body register, else the case's (as the row scope judges it)
    body_region: str | None
    region_code: str | None
    kind: str
    transition: str
    from_state: str | None
    to_state: str
    at: datetime


CaseChangeFeed = Feed[ChangedCase]


def case_change_feed(*, queue_size: int = 256, max_subscribers: int = 10_000) -> CaseChangeFeed:
    return Feed("caseChanged", queue_size=queue_size, max_subscribers=max_subscribers)


class CaseChangeTail:
    """Reads the case events after the last one read and publishes the state changes (module docstring)."""

    def __init__(self, engine: AsyncEngine, feed: CaseChangeFeed, *, batch: int = BATCH,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.feed = feed
        self.batch = batch
        self.clock = clock
        self.cursor: int | None = None
        self.gaps: dict[int, float] = {}  # number passed and not seen -> when first passed

    async def start(self) -> None:
        """From now on: the changes already stored are not pushed."""
        async with self.engine.connect() as conn:
            self.cursor = int((await conn.execute(select(func.max(CaseEventRow.global_seq)))).scalar() or 0)

    async def step(self) -> int:
        """One read; the number of changes published."""
        if self.cursor is None:
            await self.start()
        assert self.cursor is not None
        e, c = CaseEventRow, CaseRow
        body: Any = c.body_uscc
        query = (select(e.global_seq, e.case_id, e.kind, e.transition, e.from_state, e.to_state, e.at,
                        c.case_no, c.body_uscc, c.region_code,
                        func.coalesce(body_region_of(body), c.region_code).label("body_region"))
                 .join(c, c.id == e.case_id))
        wanted = e.global_seq > self.cursor
        if self.gaps:
            wanted = or_(wanted, e.global_seq.in_(sorted(self.gaps)))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.where(wanted).order_by(e.global_seq).limit(self.batch))).all()
        now = self.clock()
        seen = {int(r.global_seq) for r in rows}
        top = max(seen, default=self.cursor)
        self.gaps = {n: at for n, at in self.gaps.items() if n not in seen and now - at < GAP_WAIT_S}
        self.gaps.update((n, now) for n in range(self.cursor + 1, top) if n not in seen)
        if len(self.gaps) > MAX_GAPS:
            self.gaps = dict(sorted(self.gaps.items())[-MAX_GAPS:])
        self.cursor = max(self.cursor, top)
        published = 0
        for r in rows:
            if r.from_state == r.to_state:
                continue  # a record event (a document attached …), no change of state
            self.feed.publish(ChangedCase(int(r.global_seq), r.case_id, r.case_no, r.body_uscc, r.body_region,
                                          r.region_code, r.kind, r.transition, r.from_state, r.to_state,
                                          datetime.fromisoformat(r.at)))
            published += 1
        return published

    async def run(self, stop: asyncio.Event, *, interval_s: float) -> None:
        """Follow until `stop` is set; a failed read (the store restarting) is logged and retried."""
        while not stop.is_set():
            backlog = False
            try:
                backlog = await self.step() >= self.batch
            except Exception:
                log.exception("caseChanged: reading the case events failed; retrying in %.1f s", interval_s)
            if backlog:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


@contextlib.asynccontextmanager
async def tailing(engine: AsyncEngine, feed: CaseChangeFeed | None, interval_s: float) -> AsyncIterator[None]:
    """Run the tail for the app's lifetime (when there is a feed); close the feed at the end."""
    if feed is None:
        yield
        return
    stop = asyncio.Event()
    tail = CaseChangeTail(engine, feed)
    try:
        await tail.start()  # from now on; a store not reachable yet: the first step starts it
    except Exception:
        log.warning("caseChanged: the case events cannot be read yet; the live feed starts when they can")
    task = asyncio.create_task(tail.run(stop, interval_s=interval_s), name="case-change-tail")
    try:
        yield
    finally:
        stop.set()
        feed.close()
        await task


@strawberry.input(name="CaseChangeFilter", description=(
    "案件变更订阅筛选 — which case changes a subscription receives (every condition given must hold)"))
class CaseChangeFilter:
    case_id: strawberry.ID | None = strawberry.field(default=None, description="案件标识 — only this case's changes")
    body_id: str | None = strawberry.field(default=None, description="执法主体 — only cases of the body with this USCC")
    region_code: str | None = strawberry.field(default=None, description=(
        "区域 — only cases of bodies in this region and everything under it (445100 the whole city): the body's "
        "registered region, else the case's"))
    to_states: list[CaseState] | None = strawberry.field(default=None, description=(
        "新状态 — only changes into one of these states (default: any)"))


async def _changed_case(root: CaseChange, info: Info[CasesContext, None]) -> PenaltyCase | None:
    return await PenaltyCase.resolve_reference(info, root.case_id)


@strawberry.type(description="案件状态变更 — one change of a case's state, as recorded in its event chain; no personal data")
class CaseChange:
    seq: strawberry.ID = strawberry.field(description=(
        "事件序号 — the store-wide number of the event (increasing; a late commit may arrive after a higher one)"))
    case_id: strawberry.ID = strawberry.field(description="案件标识 — the case that changed")
    case_no: str | None = strawberry.field(description="案件编号 — its number")
    body_id: str = strawberry.field(description="执法主体 — USCC of the handling body")
    region_code: str | None = strawberry.field(description="区划 — where the violation took place")
    kind: str = strawberry.field(description="事件类型 — the kind of event, e.g. CaseFiled")
    transition: str = strawberry.field(description="迁移 — the state machine's transition, e.g. T3")
    from_state: CaseState | None = strawberry.field(description="原状态 — the state before (null: a new case)")
    to_state: CaseState = strawberry.field(description="新状态 — the state after")
    at: datetime = strawberry.field(description="发生时间 — when it happened, as recorded")
    case: PenaltyCase | None = strawberry.field(
        resolver=_changed_case, description="案件 — the case as it is now (null outside the caller's scope)")

    @classmethod
    def of(cls, c: ChangedCase) -> CaseChange:
        return cls(seq=strawberry.ID(str(c.seq)), case_id=strawberry.ID(c.case_id), case_no=c.case_no,
                   body_id=c.body_id, region_code=c.region_code, kind=c.kind, transition=c.transition,
                   from_state=CaseState(c.from_state) if c.from_state else None, to_state=CaseState(c.to_state),
                   at=c.at)


def matcher(flt: CaseChangeFilter | None, access: CaseAccess) -> Callable[[ChangedCase], bool]:
    """The test each change passes for this subscriber: its filter and the caller's row scope."""
    prefix = None
    if flt is not None and flt.region_code is not None:
        code = flt.region_code
        if not (code.isdigit() and len(code) in (6, 9, 12)):
            raise graphql_error("BAD_USER_INPUT", "filter.regionCode (区域): a region code is 6 digits (GB/T 2260), "
                                "or 9 or 12 for a town", field="filter.regionCode")
        prefix = region_prefix(code)
    states = frozenset(s.value for s in flt.to_states) if flt is not None and flt.to_states else None

    def accepts(change: ChangedCase) -> bool:
        if not access.sees(change.body_id, change.body_region):
            return False
        if flt is None:
            return True
        return ((flt.case_id is None or change.case_id == str(flt.case_id))
                and (flt.body_id is None or change.body_id == flt.body_id)
                and (prefix is None or (change.body_region or "").startswith(prefix))
                and (states is None or change.to_state in states))

    return accepts


async def case_changed(
    info: Info[CasesContext, None],
    filter_: Annotated[CaseChangeFilter | None, strawberry.argument(
        name="filter", description="筛选 — which changes (default: every case the caller may read)")] = None,
) -> AsyncGenerator[CaseChange, None]:
    ctx = info.context
    feed = ctx.res.changes
    if feed is None:
        raise graphql_error("SERVICE_UNAVAILABLE", "this cases service does not push case changes")
    if ctx.access.scope is not None and ctx.access.scope.empty:
        raise graphql_error("FORBIDDEN", "the caller's role covers no enforcement body's cases")
    subscriber = feed.subscribe(matcher(filter_, ctx.access))
    return _stream(ctx, subscriber.events())


async def _stream(ctx: CasesContext, events: AsyncIterator[ChangedCase]) -> AsyncGenerator[CaseChange, None]:
    async for change in events:
        ctx.refresh()  # one connection, many events: each event reads the case as it is now
        yield CaseChange.of(change)


@strawberry.type(description="案件订阅 — live case feeds")
class Subscription:
    case_changed: CaseChange = strawberry.subscription(  # type: ignore[assignment]
        resolver=case_changed, description=(
            "案件状态变更推送 — each change of a case's state (registered, filed, decided, closed …) as it is "
            "committed, of the cases the caller may read; a subscriber that reads too slowly is ended with "
            "SLOW_SUBSCRIBER."))
