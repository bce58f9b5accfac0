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
_PASSING = (pg.PostgresConnectionError, pg.OperatorInterventionError, ConnectionError, TimeoutError)


def store_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) is the store being unreachable, restarting or shutting down."""
    seen = 0
    while exc is not None and seen < 10:  # bounded walk down the cause chain
        if isinstance(exc, _PASSING):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
