"""Assemble a receiving system as a Starlette app: admin routes and one path (POST a batch, GET the listing)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from simulators.base import SimConfig, SimulatorRuntime, gate_admin
from simulators.receiving.auth import Authenticator
from simulators.receiving.errors import ReceiverError
from simulators.receiving.ledger import Ledger, ledger_path
from simulators.receiving.receiver import Lister, Receiver, RecordHandler
from simulators.receiving.responses import http_error, refused


@dataclass(frozen=True)
class ReceiverSpec:
    """What makes one receiving system different from the other."""

    system: str
    path: str
    default_app_key: str
    default_app_secret: str
    schema: str
    handler: RecordHandler
    lister: Lister


def build_app(config: SimConfig, spec: ReceiverSpec) -> Starlette:
    """The system's app; its SQLite file is `config.data_dir/outbound/<system>.db`, opened in the lifespan."""
    runtime = SimulatorRuntime(spec.system, config.knobs, config.random_seed)
    ledger = Ledger(ledger_path(config.data_dir, spec.system), spec.schema)
    auth = Authenticator.from_config(
        config, default_key=spec.default_app_key, default_secret=spec.default_app_secret
    )
    receiver = Receiver(runtime=runtime, auth=auth, ledger=ledger, handler=spec.handler)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        ledger.open()
        try:
            yield
        finally:
            ledger.close()

    app = Starlette(
        routes=[
            *runtime.admin_routes(),
            Route(spec.path, receiver.receive, methods=["POST"]),
            Route(spec.path, receiver.listing(spec.lister), methods=["GET"]),
        ],
        lifespan=lifespan,
        exception_handlers={ReceiverError: refused, HTTPException: http_error},
    )
    app.state.runtime = runtime
    app.state.ledger = ledger
    app.state.receiver = receiver
    return gate_admin(app, config)
