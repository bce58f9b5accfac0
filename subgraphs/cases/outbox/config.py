"""How the cases subgraph delivers its outbox: the receivers, the pace and the retry limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.outbox.credit import PublicityPolicy
from subgraphs.cases.outbox.messages import CREDIT, DATA_CENTRE
from subgraphs.cases.outbox.relay import Destination, OutboxRelay
from subgraphs.common.metrics import OutboxMetrics


@dataclass(frozen=True)
class OutboxConfig:
    destinations: tuple[Destination, ...] = ()
    #: deliver every this many seconds (0: the app does not deliver; `hub outbox deliver` still does)
    interval_s: float = 2.0
    batch: int = 100
    backoff_s: float = 2.0
    backoff_cap_s: float = 600.0
    timeout_s: float = 10.0
    #: how long a penalty stays on the credit website (CF_GSJZQ)
    publicity: PublicityPolicy = field(default_factory=PublicityPolicy)

    @property
    def enabled(self) -> bool:
        return self.interval_s > 0 and bool(self.destinations)

    def relay(self, engine: AsyncEngine, client: httpx.AsyncClient, *,
              metrics: OutboxMetrics | None = None) -> OutboxRelay:
        """The relay delivering to these destinations at this pace (the client carries `timeout_s`)."""
        return OutboxRelay(engine, self.destinations, client, batch=self.batch, backoff_s=self.backoff_s,
                           backoff_cap_s=self.backoff_cap_s, metrics=metrics)

    @classmethod
    def from_settings(cls, settings: Any) -> OutboxConfig:
        """From the `outbox` section of `hub.settings.Settings` (typed loosely: subgraphs do not import hub).
        A topic whose URL is empty is not delivered: its messages wait in the outbox."""
        section = getattr(settings, "outbox", None)
        if section is None:
            return cls(interval_s=0)
        wanted = ((DATA_CENTRE, section.data_centre_url, section.data_centre_app_key, section.data_centre_app_secret),
                  (CREDIT, section.credit_url, section.credit_app_key, section.credit_app_secret))
        return cls(destinations=tuple(Destination(topic, url, key, secret) for topic, url, key, secret in wanted if url),
                   interval_s=section.interval_s, batch=section.batch,
                   backoff_s=section.backoff_s, backoff_cap_s=section.backoff_cap_s, timeout_s=section.timeout_s,
                   publicity=PublicityPolicy(general_days=section.publicity_general_days,
                                             serious_days=section.publicity_serious_days))
