"""Starlette app of the legal-person registry: WSDL on GET, SOAP 1.1 on POST, plus the admin routes.

    GET  /ws/EntRegService?wsdl   the WSDL (not counted)
    POST /ws/EntRegService        SOAP 1.1; counted per operation name, "malformed" when none is known

Injected faults (`simulators.base`): `down`, `error_rate` and `hang_rate` apply to every counted POST and
come back as `soap:Server` faults (hang sleeps first). Credentials: `config.credentials["username"]` and
`["password"]`; with no password configured every call fails authentication.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.legal_person.service import OPERATIONS, check_credentials, dispatch
from simulators.legal_person.soap import (
    CONTENT_TYPE,
    TNS,
    SoapFault,
    client_fault,
    fault_envelope,
    parse_request,
    response_envelope,
)
from simulators.legal_person.store import EntityStore
from simulators.legal_person.wsdl import SERVICE_PATH, load_wsdl, render_wsdl

SYSTEM = "legal_person"
log = logging.getLogger("simulators.legal_person")


def _fault_response(fault: SoapFault) -> Response:
    return Response(fault_envelope(fault), status_code=500, media_type=CONTENT_TYPE)


def _check_soap_action(header: str | None, operation: str) -> None:
    """SOAP 1.1 clients send SOAPAction; an empty value is allowed, a different operation is not."""
    if header is None:
        return
    action = header.strip().strip('"')
    if action and action not in (operation, f"{TNS}/{operation}"):
        raise client_fault(f"malformed request: SOAPAction {action!r} does not match {operation}")


def create_app(config: SimConfig) -> Starlette:
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    username = config.credentials.get("username", "")
    password = config.credentials.get("password", "")
    wsdl_template = load_wsdl()
    holder: dict[str, EntityStore] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        store = await asyncio.to_thread(EntityStore, config.data_dir)
        holder["store"] = store
        log.info("legal_person registry ready: %d in-city records", len(store))
        try:
            yield
        finally:
            holder.pop("store").close()

    async def wsdl(request: Request) -> Response:
        if not any(k.lower() == "wsdl" for k in request.query_params):
            return PlainTextResponse("EntRegService: append ?wsdl for the service description", 400)
        base = f"{request.url.scheme}://{request.url.netloc}"
        return Response(render_wsdl(wsdl_template, base), media_type=CONTENT_TYPE)

    async def soap(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        operation = "malformed"
        try:
            if content_type != "text/xml":
                raise client_fault(f"malformed request: content type must be text/xml, got {content_type!r}")
            parsed = parse_request(body)
            if parsed.operation not in OPERATIONS:
                raise client_fault(f"malformed request: unknown operation {parsed.operation}")
            operation = parsed.operation
        except SoapFault as fault:
            runtime.count(operation)
            try:
                await runtime.apply_faults()
            except Fault as injected:
                return _fault_response(SoapFault("Server", str(injected)))
            return _fault_response(fault)

        runtime.count(operation)
        try:
            await runtime.apply_faults()
            check_credentials(parsed.credentials, username=username, password=password)
            _check_soap_action(request.headers.get("soapaction"), operation)
            answer = await asyncio.to_thread(dispatch, operation, parsed.payload, holder["store"])
        except Fault as injected:
            return _fault_response(SoapFault("Server", str(injected)))
        except SoapFault as fault:
            log.info("legal_person %s refused: %s", operation, fault.code)
            return _fault_response(fault)
        return Response(response_envelope(answer), media_type=CONTENT_TYPE)

    routes = [
        Route(SERVICE_PATH, wsdl, methods=["GET"]),
        Route(SERVICE_PATH, soap, methods=["POST"]),
        *runtime.admin_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.runtime = runtime
    return gate_admin(app, config)
