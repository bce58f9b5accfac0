"""Three fixture subgraphs served over real HTTP/WebSocket and a gateway in front of them, for the
subscription tests: ``alerts`` streams `alertRaised` events, each naming a case whose title lives in
``cases`` and whose owner's name lives in ``people``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.app import create_app
from gateway.compose import SubgraphSource, compose
from gateway.extensions import GatewayExtension
from gateway.subscriptions.websocket import WebSocketLimits
from tests.gateway.differential.subgraph_server import SubgraphServer, SubgraphSpec, serve_subgraphs
from tests.support.servers import serve

FIXTURE = Path(__file__).parent / "fixture"
NAMES = ("alerts", "cases", "people")

CASES = {"c1": ("占道经营", "o1"), "c2": ("无证经营", "o2"), "c3": ("噪音扰民", "o1")}
OFFICERS = {"o1": "Ada", "o2": "Grace"}
PHONES = {"o1": "13800000001", "o2": "13800000002"}
#: (alert id, level, case id) of the events, in order
EVENTS = [("a1", "HIGH", "c1"), ("a2", "LOW", "c2"), ("a3", "HIGH", "c3"), ("a4", "LOW", "c1"), ("a5", "HIGH", "c2")]

QUERY = "subscription Alerts { alertRaised { id level seq case { title owner { name } } } }"


def expected_event(i: int) -> dict[str, Any]:
    """The client's payload for event `i`, written from the datasets above (not from the gateway)."""
    alert, level, case = EVENTS[i]
    title, owner = CASES[case]
    return {"data": {"alertRaised": {"id": alert, "level": level, "seq": i + 1,
                                     "case": {"title": title, "owner": {"name": OFFICERS[owner]}}}}}


def specs(events: Sequence[tuple[str, str, str]] = EVENTS) -> dict[str, SubgraphSpec]:
    alerts = [{"id": a, "level": level, "seq": i + 1, "case": {"__typename": "Case", "id": c}}
              for i, (a, level, c) in enumerate(events)]
    data = {
        "alerts": {"Subscription": {"alertRaised": alerts}, "types": {"Alert": alerts}},
        "cases": {"Query": {"case": {"$lookup": "Case"}}, "types": {"Case": [{"id": c, "title": t, "owner": {"__typename": "Officer", "id": o}}
                                     for c, (t, o) in CASES.items()]}},
        "people": {"types": {"Officer": [{"id": o, "name": n, "phone": PHONES[o]} for o, n in OFFICERS.items()]}},
    }
    return {n: SubgraphSpec(n, (FIXTURE / f"{n}.graphql").read_text(), data[n]) for n in NAMES}


def supergraph(urls: dict[str, str]) -> str:
    result = compose([SubgraphSource(n, urls[n], (FIXTURE / f"{n}.graphql").read_text()) for n in NAMES])
    if result.supergraph_sdl is None:
        raise AssertionError(f"fixture does not compose: {result.errors}")
    return result.supergraph_sdl


@dataclass
class Graph:
    servers: dict[str, SubgraphServer]
    urls: dict[str, str]
    gateway: str  # http://127.0.0.1:PORT
    alerts_stop: contextlib.ExitStack

    @property
    def ws(self) -> str:
        return self.gateway.replace("http://", "ws://") + "/graphql"

    def kill_alerts(self) -> None:
        """Stop the alerts subgraph's server: its open subscriptions go away mid-stream."""
        self.alerts_stop.close()


@contextlib.contextmanager
def running_graph(tmp: Path, *, extensions: Sequence[GatewayExtension] = (),
                  limits: WebSocketLimits | None = None,
                  events: Sequence[tuple[str, str, str]] = EVENTS, subgraph_timeout_s: float = 5.0) -> Iterator[Graph]:
    servers = {n: SubgraphServer(s) for n, s in specs(events).items()}
    with contextlib.ExitStack() as stack:
        urls = dict(stack.enter_context(serve_subgraphs({n: servers[n] for n in ("cases", "people")})))
        alerts_stop = contextlib.ExitStack()
        stack.callback(alerts_stop.close)
        base = alerts_stop.enter_context(serve(servers["alerts"].app))
        urls["alerts"] = f"{base}/graphql"
        path = tmp / "supergraph.graphql"
        path.write_text(supergraph(urls), encoding="utf-8")
        app = create_app(str(path), extensions=extensions, poll_interval_s=None, subscriptions=limits,
                         subgraph_timeout_s=subgraph_timeout_s)
        gateway = stack.enter_context(serve(app))
        yield Graph(servers, urls, gateway, alerts_stop)


def sse_events(raw: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of an event-stream body; data is parsed JSON, or None when empty."""
    out: list[tuple[str, Any]] = []
    for block in raw.split("\n\n"):
        kind, data = None, []
        for line in block.splitlines():
            if line.startswith("event:"):
                kind = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].strip())
        if kind is not None:
            text = "\n".join(data)
            out.append((kind, json.loads(text) if text else None))
    return out
