"""The console's only way to data: the gateway's /graphql over HTTP, as the signed-in user.

Each page's operations are files under `web/operations/` (one named operation per file), so that
production can run them as trusted documents (`hub trusted-documents` registers them). A call sends
the user's bearer token and the page's purpose code; the gateway's answer is turned into typed
outcomes the pages handle: `SignInRequired` (no or an expired token), `Refused` (the role or scope
does not allow it), `InputRefused` (a field's value was refused, with the field), `GraphUnavailable`
(the gateway or a department did not answer) — never a stack trace on a page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import Any, Final

import httpx
import orjson

__all__ = ["GraphClient", "GraphError", "GraphUnavailable", "InputRefused", "Refused", "Result",
           "SignInRequired", "operation"]

log = logging.getLogger("web.graph")

OPERATIONS: Final = Path(__file__).resolve().parent / "operations"
_AUTH_CODES: Final = frozenset({"UNAUTHENTICATED", "TOKEN_EXPIRED", "INVALID_TOKEN"})
#: the gateway's and subgraphs' codes for "not allowed for this caller"
_REFUSED_CODES: Final = frozenset({"FORBIDDEN", "UNAUTHORIZED_FIELD_OR_TYPE", "RATE_LIMITED"})
#: codes of a value or a step the user chose that the graph refused (shown beside the form)
_INPUT_CODES: Final = frozenset({"BAD_USER_INPUT", "ILLEGAL_TRANSITION", "VERSION_CONFLICT",
                                 "IDEMPOTENCY_KEY_REUSED", "NOT_FOUND", "CATALOGUE_WORKFLOW", "GUARD_FAILED"})


class GraphError(Exception):
    """A call to the graph that did not give the page its data."""

    def __init__(self, message: str, *, code: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class SignInRequired(GraphError):
    """No token, or the gateway no longer accepts it: sign in again, then come back."""


class Refused(GraphError):
    """The user's role or scope does not allow this."""


class InputRefused(GraphError):
    """The graph refused a value the user entered; `field` names it when the graph did.

    A refused step (GUARD_FAILED) also carries the guard's `rule` id and the `article` it rests on
    (e.g. 《行政处罚法》第四十二条), for the page to quote the law beside the form.
    """

    def __init__(self, message: str, *, code: str = "", field: str | None = None, rule: str | None = None,
                 article: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
        self.rule = rule
        self.article = article


class GraphUnavailable(GraphError):
    """The gateway, or the department behind it, did not answer."""


@dataclass
class Result:
    """`data` with the partial errors of fields the graph could not fill (a department down, say)."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [str(e.get("message", "")) for e in self.errors]


@cache
def operation(name: str) -> str:
    """The text of `web/operations/<name>.graphql` (as registered)."""
    path = OPERATIONS / f"{name}.graphql"
    if not path.is_file() or path.parent != OPERATIONS:
        raise KeyError(f"no operation file {name}.graphql")
    return path.read_text(encoding="utf-8").strip()


def _code(error: dict[str, Any]) -> str:
    ext = error.get("extensions")
    return str(ext.get("code", "")) if isinstance(ext, dict) else ""


def _field(error: dict[str, Any]) -> str | None:
    ext = error.get("extensions")
    if isinstance(ext, dict):
        for key in ("field", "argument", "argumentName"):
            if isinstance(ext.get(key), str):
                return str(ext[key])
    return None


def _text(error: dict[str, Any], key: str) -> str | None:
    ext = error.get("extensions")
    value = ext.get(key) if isinstance(ext, dict) else None
    return value if isinstance(value, str) and value else None


class GraphClient:
    def __init__(self, gateway_url: str, *, timeout_s: float = 20.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.gateway_url = gateway_url
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def raw(self, body: bytes, *, token: str, purpose: str | None = None, purpose_ref: str | None = None,
                  client_name: str = "supervision-console-explorer") -> httpx.Response:
        """Forward a GraphQL request body as the user (the explorer's fetcher); the answer as the gateway gave it.

        Raises `httpx.HTTPError` when the gateway does not answer (the caller says so in its own words).
        """
        headers = {"content-type": "application/json", "accept": "application/graphql-response+json",
                   "authorization": f"Bearer {token}", "x-client-name": client_name}
        if purpose:
            headers["x-purpose-code"] = purpose
        if purpose_ref:
            headers["x-purpose-ref"] = purpose_ref
        return await self._client.post(self.gateway_url, content=body, headers=headers)

    async def run(self, name: str, variables: dict[str, Any] | None = None, *, token: str,
                  purpose: str | None = None, purpose_ref: str | None = None, allow_partial: bool = True) -> Result:
        """Run the operation `name` as the user; raise the typed errors above when it gives no data."""
        headers = {"content-type": "application/json", "accept": "application/graphql-response+json",
                   "authorization": f"Bearer {token}", "x-client-name": "supervision-console"}
        if purpose:
            headers["x-purpose-code"] = purpose
        if purpose_ref:
            headers["x-purpose-ref"] = purpose_ref
        body = orjson.dumps({"query": operation(name), "operationName": _operation_name(name),
                             "variables": variables or {}})
        try:
            response = await self._client.post(self.gateway_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("graph call %s failed: %s", name, type(exc).__name__)
            raise GraphUnavailable("统一数据服务暂时无法访问，请稍后再试", code="GATEWAY_UNREACHABLE") from exc
        return self._result(name, response, allow_partial=allow_partial)

    def _result(self, name: str, response: httpx.Response, *, allow_partial: bool) -> Result:
        try:
            payload = response.json()
        except ValueError as exc:
            log.warning("graph call %s: HTTP %s without a GraphQL answer", name, response.status_code)
            raise GraphUnavailable("统一数据服务返回了无法识别的结果", code="BAD_GATEWAY_ANSWER") from exc
        errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
        data = payload.get("data")
        codes = [_code(e) for e in errors]
        if response.status_code == 401 or any(c in _AUTH_CODES for c in codes):
            raise SignInRequired("登录已失效，请重新登录", code="UNAUTHENTICATED")
        if data is None or (not allow_partial and errors):
            first = errors[0] if errors else {}
            code, message = _code(first), str(first.get("message", "请求未能完成"))
            log.info("graph call %s refused: %s %s", name, code, message)
            if response.status_code == 403 or code in _REFUSED_CODES:
                raise Refused(message, code=code)
            if code in _INPUT_CODES:
                raise InputRefused(message, code=code, field=_field(first), rule=_text(first, "rule"),
                                   article=_text(first, "article"))
            raise GraphUnavailable(message, code=code or f"HTTP_{response.status_code}")
        if errors:
            log.info("graph call %s: partial answer, %d errors (%s)", name, len(errors), ",".join(sorted(set(codes))))
        return Result(data=data if isinstance(data, dict) else {}, errors=errors)


def _operation_name(name: str) -> str | None:
    """The operation's own name in its file (`query DashboardTotals(...)` -> DashboardTotals)."""
    text = operation(name)
    for keyword in ("query ", "mutation ", "subscription "):
        index = text.find(keyword)
        if index >= 0:
            rest = text[index + len(keyword):].lstrip()
            ident = "".join(takewhile(lambda ch: ch.isalnum() or ch == "_", rest[:80]))
            return ident or None
    return None
