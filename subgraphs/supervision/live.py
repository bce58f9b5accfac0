"""`Subscription.alertRaised(filter)`: the alerts the case-event follower raises, pushed as they are raised.

The follower (`follower.CaseEventFollower`) hands the ids of the alerts each step raised — new
ones, ones reopened after rectification, ones found again after they had gone — to
`AlertPublisher.publish`, which reads them with their region and puts them on the app's `Feed`
(`subgraphs.common.live`: bounded per-subscriber queues, a slow subscriber dropped with
SLOW_SUBSCRIBER, the follower never waits). Alerts raised by a full sweep in another process
(`hub supervise sweep`) are not pushed; they are listed by `supervisionAlerts`.

Access is that of `supervisionAlerts`: the gateway checks the field's scopes; this subgraph keeps a
caller to the alerts of the bodies its role covers (`CaseScope`, the body placed by the body
register, else by the alert's case), judged per event; a verified caller whose role covers no body
is refused (FORBIDDEN) before the stream opens. Alerts carry no personal data (DOMAIN.md §10).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from subgraphs.common.errors import graphql_error
from subgraphs.common.live import Feed
from subgraphs.common.security import CaseScope, region_prefix
from subgraphs.supervision.alerts import Alert, _alert, alert_region
from subgraphs.supervision.context import SupervisionContext
from subgraphs.supervision.model import Severity
from subgraphs.supervision.rows import AlertRow
from subgraphs.supervision.stats_filter import region_code_problem
from subgraphs.supervision.types import SupervisionAlertType

__all__ = ["AlertFeed", "AlertPublisher", "AlertRaisedFilter", "RaisedAlert", "Subscription", "alert_feed"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    alert: Alert
    #: the alert's region: its body's in the body register, else its case's (as the row scope judges it)
    region: str | None


AlertFeed = Feed[RaisedAlert]


def alert_feed(*, queue_size: int = 256, max_subscribers: int = 10_000) -> AlertFeed:
    return Feed("alertRaised", queue_size=queue_size, max_subscribers=max_subscribers)


class AlertPublisher:
    """Reads raised alerts by id and publishes them, in the order given."""

    def __init__(self, engine: AsyncEngine, feed: AlertFeed) -> None:
        self.engine = engine
        self.feed = feed

    async def publish(self, ids: Sequence[str]) -> None:
        if not ids or not len(self.feed):
            return  # nobody listening: no read
        try:
            async with self.engine.connect() as conn:
                rows = (await conn.execute(select(AlertRow, alert_region().label("alert_region"))
                                           .where(AlertRow.id.in_(list(ids))))).all()
        except Exception:  # the alerts are stored; only their push is lost (they are listed as usual)
            log.exception("alertRaised: could not read %d raised alerts; not pushed", len(ids))
            return
        by_id = {row.id: RaisedAlert(_alert(row), row.alert_region) for row in rows}
        for alert_id in ids:
            raised = by_id.get(alert_id)
            if raised is not None:
                self.feed.publish(raised)


@strawberry.input(name="AlertFilter", description=(
    "预警订阅筛选 — which raised alerts a subscription receives (every condition given must hold)"))
class AlertRaisedFilter:
    rule_id: str | None = strawberry.field(default=None, description="规则编号 — only alerts of this rule, e.g. S02")
    body_id: str | None = strawberry.field(
        default=None, description="执法主体 — only alerts of the body with this USCC")
    case_id: str | None = strawberry.field(default=None, description="案件标识 — only alerts concerning this case")
    severity: Severity | None = strawberry.field(default=None, description="预警等级 — only alerts of this severity")
    min_severity: Severity | None = strawberry.field(default=None, description=(
        "最低等级 — only alerts of this severity or above (INFO < YELLOW < RED)"))
    region_code: str | None = strawberry.field(default=None, description=(
        "区域 — only alerts of this region and everything under it (445100 the whole city): the body's "
        "registered region, else the alert's case's"))


_RANK = {Severity.INFO: 0, Severity.YELLOW: 1, Severity.RED: 2}


def matcher(flt: AlertRaisedFilter | None, scope: CaseScope | None) -> Callable[[RaisedAlert], bool]:
    """The test each raised alert passes for this subscriber: its filter and its row scope (None: all).
    BAD_USER_INPUT for a region code that is none."""
    prefix = None
    if flt is not None and flt.region_code is not None:
        reason = region_code_problem(flt.region_code)
        if reason is not None:
            raise graphql_error("BAD_USER_INPUT", f"filter.regionCode (区域): {reason}", field="filter.regionCode")
        prefix = region_prefix(flt.region_code)

    def accepts(event: RaisedAlert) -> bool:
        a = event.alert
        if scope is not None and not scope.allows(a.body_id, event.region):
            return False
        if flt is None:
            return True
        return ((flt.rule_id is None or a.rule_id == flt.rule_id)
                and (flt.body_id is None or a.body_id == flt.body_id)
                and (flt.case_id is None or a.case_id == flt.case_id)
                and (flt.severity is None or a.severity is flt.severity)
                and (flt.min_severity is None or _RANK[a.severity] >= _RANK[flt.min_severity])
                and (prefix is None or (event.region or "").startswith(prefix)))

    return accepts


async def alert_raised(
    info: Info[SupervisionContext, None],
    filter_: Annotated[AlertRaisedFilter | None, strawberry.argument(
        name="filter", description="筛选 — which alerts (default: every alert the caller may read)")] = None,
) -> AsyncGenerator[SupervisionAlertType, None]:
    ctx = info.context
    feed = ctx.alert_feed
    if feed is None:
        raise graphql_error("SERVICE_UNAVAILABLE", "this supervision service does not follow the case events, "
                            "so it raises no alerts to push")
    scope = ctx.row_scope
    if scope is not None and scope.empty:
        raise graphql_error("FORBIDDEN", "the caller's role covers no enforcement body's alerts")
    subscriber = feed.subscribe(matcher(filter_, scope))  # queued from here on: nothing raised meanwhile is lost
    return _stream(ctx, subscriber.events())


async def _stream(ctx: SupervisionContext, events: AsyncIterator[RaisedAlert]
                  ) -> AsyncGenerator[SupervisionAlertType, None]:
    async for event in events:
        ctx.refresh()  # one connection, many events: each event's nested alert lists are read anew
        yield SupervisionAlertType.of(event.alert)


@strawberry.type(description="执法监督订阅 — live supervision feeds")
class Subscription:
    alert_raised: SupervisionAlertType = strawberry.subscription(  # type: ignore[assignment]
        resolver=alert_raised, description=(
            "新预警推送 — each alert the case-event follower raises (new, reopened after rectification, or found "
            "again), as it is raised, of the bodies the caller may read; a subscriber that reads too slowly is "
            "ended with SLOW_SUBSCRIBER."))
