"""Record every read that crosses a department boundary, and serve the log to auditors only.

A request is recorded when it called a subgraph that belongs to another department (every subgraph
not listed in `local_subgraphs`, i.e. the departmental registries), read a sensitive field in clear,
or had selections denied. The record is written before the response leaves: if it cannot be
written the response is withheld (503 AUDIT_UNAVAILABLE), since an unrecorded cross-department
read of personal data must not happen.

Endpoints (AUDITOR role only; a bearer token like any other request)::

    GET /audit/access-log?afterSeq=0&limit=100   -> {"records": [{seq, ts, prevHash, hash, body}], "nextAfterSeq"}
    GET /audit/access-log/verify                 -> the `AccessLogReport` as JSON

Each audit read is itself recorded (action AUDIT_READ).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.audit.log import AccessLog
from gateway.audit.record import FieldIndex, build_record
from gateway.audit.store import entry_to_json
from gateway.extensions import GatewayExtension, RequestContext
from gateway.security.errors import AuditUnavailable, AuthenticationError, Forbidden, SecurityError
from gateway.security.jwt_auth import Principal, Role
from gateway.security.state import RequestSecurity, SubgraphCall, ViewCache, security_state

__all__ = ["AccessLogExtension"]

log = logging.getLogger("gateway.audit")
Authenticate = Callable[[Request], Awaitable[Principal | None]]
_MAX_PAGE = 1000
#: set in a request's context once its access record is written
_RECORDED = "audit_recorded"
#: the fields a request read per subgraph, as its access record lists them
_READ = "audit_read"


class AccessLogExtension(GatewayExtension):
    def __init__(self, access_log: AccessLog, views: ViewCache, *, authenticate: Authenticate,
                 local_subgraphs: Iterable[str] = ()) -> None:
        self.access_log = access_log
        self.views = views
        self.authenticate = authenticate
        self.local_subgraphs = frozenset(local_subgraphs)
        self.fields = FieldIndex()
        self._tasks: list[asyncio.Task[None]] = []

    async def startup(self, client: httpx.AsyncClient) -> None:
        await self.access_log.open()
        if self.access_log.anchor_key is not None:
            self._tasks.append(asyncio.create_task(self.access_log.run_anchoring()))

    async def shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.access_log.close()

    def on_subgraph_response(self, service: str, body: bytes, payload: dict[str, Any] | None,
                             context: RequestContext) -> None:
        state = security_state(context)
        if state is None:
            return
        state.calls.setdefault(service, []).append(SubgraphCall(body.decode("utf-8", "replace"), payload is not None))
        context.values.setdefault("audit_bodies", []).append((service, body))

    def _crosses(self, state: RequestSecurity) -> bool:
        departmental = any(service not in self.local_subgraphs for service in state.calls)
        denied = state.prune is not None and state.prune.changed
        return departmental or bool(state.masks.clear) or denied

    async def complete_response(self, response: dict[str, Any], operation: Any,
                                context: RequestContext) -> dict[str, Any]:
        state = security_state(context)
        if state is None or state.document is None or context.runtime is None or not self._crosses(state):
            return response
        read = context.values.get(_READ)
        if read is None:  # what the request read per subgraph (a de-duplicated follower has its leader's)
            read = context.values[_READ] = self._read(context, state)
        record = build_record(
            state, ts_ms=int(time.time() * 1000),
            subgraphs=read,
            errors=list(response.get("errors") or []))
        try:
            await self.access_log.append(record)
        except Exception as exc:
            log.error("access log write failed (%s); response withheld", type(exc).__name__)
            raise AuditUnavailable("The access could not be recorded; try again later.") from exc
        context.values[_RECORDED] = True
        return response

    def _read(self, context: RequestContext, state: RequestSecurity) -> dict[str, tuple[tuple[str, ...], bool]]:
        assert context.runtime is not None
        view = self.views.get(context.runtime)
        subgraphs: dict[str, tuple[set[str], bool]] = {}
        for service, body in context.values.get("audit_bodies", []):
            fields, ok = subgraphs.setdefault(service, (set(), True))
            fields.update(self.fields.fields(view, body))
            ok_now = all(c.ok for c in state.calls.get(service, []))
            subgraphs[service] = (fields, ok and ok_now)
        return {s: (tuple(sorted(f)), ok) for s, (f, ok) in subgraphs.items()}

    def dedupe_key(self, context: RequestContext) -> Hashable:
        return ()  # recording does not change the answer

    async def share_response(self, response: dict[str, Any], operation: Any, leader: RequestContext,
                             context: RequestContext) -> None:
        """Every caller of a shared answer gets its own record (its subject, request id, client address),
        with what the leader read; when the leader's needed none (or was withheld), neither does this one."""
        if not leader.values.get(_RECORDED):
            return
        context.values[_READ] = leader.values.get(_READ)
        context.runtime = leader.runtime
        await self.complete_response(response, operation, context)

    # --- the auditors' endpoint ------------------------------------------------------------------

    def routes(self) -> Sequence[BaseRoute]:
        return (Route("/audit/access-log", self._list, methods=["GET"]),
                Route("/audit/access-log/verify", self._verify, methods=["GET"]))

    async def _auditor(self, request: Request) -> Principal:
        principal = await self.authenticate(request)
        if principal is None:
            raise AuthenticationError("authentication required", reason="TOKEN_MISSING")
        if Role.AUDITOR not in principal.roles:
            raise Forbidden("Only the AUDITOR role may read the access log.")
        return principal

    async def _record_audit_read(self, principal: Principal, request: Request, what: str) -> None:
        state = RequestSecurity(principal=principal, purpose_code=None, end_user=principal.subject,
                                client_ip=request.client.host if request.client else None,
                                request_id=request.headers.get("x-request-id", "")[:64] or "-",
                                operation_name=what, operation_kind="query")
        await self.access_log.append(build_record(state, ts_ms=int(time.time() * 1000), subgraphs={},
                                                  errors=[], action="AUDIT_READ"))

    async def _list(self, request: Request) -> Response:
        try:
            principal = await self._auditor(request)
            after = int(request.query_params.get("afterSeq", "0"))
            limit = min(max(int(request.query_params.get("limit", "100")), 1), _MAX_PAGE)
        except SecurityError as exc:
            return _error(exc)
        except ValueError:
            return JSONResponse({"errors": [{"message": "afterSeq and limit must be integers",
                                             "extensions": {"code": "BAD_USER_INPUT"}}]}, status_code=400)
        records = await self.access_log.store.read(after_seq=after, limit=limit)
        await self._record_audit_read(principal, request, "accessLog")
        return JSONResponse({"records": [entry_to_json(r) for r in records],
                             "nextAfterSeq": records[-1].entry.seq if records else after})

    async def _verify(self, request: Request) -> Response:
        try:
            principal = await self._auditor(request)
        except SecurityError as exc:
            return _error(exc)
        report = await self.access_log.verify()
        await self._record_audit_read(principal, request, "accessLogVerify")
        return JSONResponse({"ok": report.ok, "checked": report.checked, "firstSeq": report.first_seq,
                             "headSeq": report.head_seq, "badSeq": report.bad_seq,
                             "fault": report.fault.value if report.fault else None, "reason": report.reason,
                             "anchorsVerified": report.anchors_verified,
                             "anchorsUnverified": report.anchors_unverified, "summary": str(report)})


def _error(exc: SecurityError) -> Response:
    headers = {"www-authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse({"errors": exc.to_graphql_list()}, status_code=exc.http_status, headers=headers)
