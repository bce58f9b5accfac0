"""One receiver's SQLite file: the delivery log every system keeps plus the system's own tables.

The file is `<data_dir>/outbound/<system>.db`, so a restarted simulator still knows what it received.
One connection serves the process; a lock makes every use exclusive (batches are written in worker
threads), and a batch is one `BEGIN IMMEDIATE` transaction, so a failure mid-batch leaves nothing behind.
Each record runs inside its own savepoint: a record rejected half-way rolls back only its own writes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from simulators.receiving.envelope import Delivery

OUTBOUND_DIR = "outbound"

_DELIVERIES = """
CREATE TABLE IF NOT EXISTS deliveries (
    record_id    TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    batch_no     TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
"""


def ledger_path(data_dir: Path, system: str) -> Path:
    return data_dir / OUTBOUND_DIR / f"{system}.db"


class Ledger:
    """The SQLite file of one receiving system. `open()` is idempotent and runs on first use."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._schema = schema
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        with self._lock:
            self._open_locked()

    def _open_locked(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_DELIVERIES + self._schema)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Exclusive use of the connection inside one write transaction, committed only on success."""
        with self._lock:
            conn = self._open_locked()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Exclusive use of the connection for reads."""
        with self._lock:
            yield self._open_locked()


@contextlib.contextmanager
def savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """Writes inside are undone if the block raises; the surrounding transaction goes on."""
    conn.execute("SAVEPOINT record")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO record")
        conn.execute("RELEASE record")
        raise
    conn.execute("RELEASE record")


def seen_hash(conn: sqlite3.Connection, record_id: str) -> str | None:
    """The content hash stored for `record_id`, or None if it was never accepted."""
    row = conn.execute("SELECT content_hash FROM deliveries WHERE record_id = ?", (record_id,)).fetchone()
    return None if row is None else str(row[0])


def remember(conn: sqlite3.Connection, delivery: Delivery, *, batch_no: str, received_at: str) -> None:
    conn.execute(
        "INSERT INTO deliveries (record_id, content_hash, batch_no, received_at) VALUES (?, ?, ?, ?)",
        (delivery.record_id, delivery.content_hash, batch_no, received_at),
    )
