"""Idempotency keys of the supervision mutations (alerts, review campaigns), in the store's table of keys.

A retry with the same key and request acts no more: it is answered with the alert, campaign or file
the first request acted on, as it is now (a retried score does not add its deductions twice; a
retried campaign is not created twice). The same key with another request is IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.errors import CaseServiceError
from subgraphs.cases.replay import Act, Target, once
from subgraphs.cases.service import Idempotency, request_hash
from subgraphs.common.errors import graphql_error

KEY_DESCRIPTION = ("幂等键 — a retry with the same key returns the first result; the same key with another "
                   "request is IDEMPOTENCY_KEY_REUSED")


def idempotency(key: str | None, op: str, **request: Any) -> Idempotency | None:
    """The key bound to this request (BAD_USER_INPUT for a key that is empty or over 128 characters)."""
    if key is None:
        return None
    try:
        return Idempotency(key, request_hash({"op": op, **request}))
    except CaseServiceError as exc:
        raise graphql_error(exc.code, str(exc), field="idempotencyKey") from exc


async def run_once(engine: AsyncEngine, idem: Idempotency | None, record: str, act: Act) -> Target:
    """`replay.once`, with a reused key answered as IDEMPOTENCY_KEY_REUSED."""
    try:
        return await once(engine, idem, record, act)
    except CaseServiceError as exc:
        raise _graph(exc) from exc


def _graph(exc: CaseServiceError) -> GraphQLError:
    return graphql_error(exc.code, str(exc))
