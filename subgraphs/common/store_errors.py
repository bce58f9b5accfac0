"""Whether an exception says the hub's own store is away (not that the request or the code is wrong).

While PostgreSQL restarts, a query fails with a refused connection, "the database system is starting
up", "shutting down" or a connection closed mid-operation. Such a failure is the store's, passing: the
subgraph answers it as `STORE_UNAVAILABLE` (the client may send the same request again — with the same
idempotency key for a mutation) rather than as an INTERNAL_SERVER_ERROR with a traceback.
"""

from __future__ import annotations

import asyncpg.exceptions as pg  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError

STORE_UNAVAILABLE = "STORE_UNAVAILABLE"

#: asyncpg's: connection-class errors (SQLSTATE 08…, a connection closed mid-operation) and operator
#: intervention (57…: admin or crash shutdown, cannot connect now — the server is starting up)
_STORE_ERRORS = (pg.PostgresConnectionError, pg.OperatorInterventionError)
#: the operating system's, when raised on the way to the store (asyncpg's connect lets them through)
_SOCKET_ERRORS = (ConnectionError, TimeoutError)
_STORE_MODULES = ("sqlalchemy", "asyncpg")


def store_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) is the store being unreachable, restarting or shutting down.
    A socket error counts only when raised in the store's driver: a department's HTTP call refused is
    the department's failure, not the store's."""
    seen = 0
    while exc is not None and seen < 10:  # bounded walk down the cause chain
        if isinstance(exc, _STORE_ERRORS):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(exc, _SOCKET_ERRORS) and _raised_in_store_driver(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _raised_in_store_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    for _ in range(200):  # bounded walk down the traceback
        if tb is None:
            return False
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_STORE_MODULES):
            return True
        tb = tb.tb_next
    return False
