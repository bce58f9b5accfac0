"""Fault knobs for a database that other processes read directly (they cannot pass through our code).

What each knob does to the SQL system:

- `down`: the database file is renamed to `licence_legacy.db.down`, so new connections fail with
  "unable to open database file" (read-only connections never create a file); the simulator also holds
  an EXCLUSIVE lock on the renamed file, so connections opened before (a pool) fail with
  "database is locked" once their busy timeout runs out. Clearing `down` renames the file back.
- `hang_rate` > 0 (any value; SQL has no per-call coin to toss): the simulator holds a write transaction
  (`BEGIN EXCLUSIVE`) on the database, so every read blocks for the reader's busy timeout and then fails
  with "database is locked". Setting it back to 0 ends the transaction.
- `latency_ms` and `error_rate` have no effect: reads never reach the simulator. Inject those on the
  reading side (the adapter's SQLAlchemy events) if a test needs them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("simulators.licence")

#: How long taking the lock may wait for readers that are mid-statement.
LOCK_WAIT_SECONDS = 5.0


def aside_path(db: Path) -> Path:
    return db.with_name(db.name + ".down")


def recover_aside(db: Path) -> None:
    """After a crash while down, put the database file back where readers look for it."""
    aside = aside_path(db)
    if aside.exists() and not db.exists():
        os.replace(aside, db)


class DatabaseFaults:
    """The current fault state of one database file. `apply` blocks; call it from a worker thread."""

    def __init__(self, db: Path) -> None:
        self._db = db
        self._aside = aside_path(db)
        self._lock_conn: sqlite3.Connection | None = None
        self._mutex = threading.Lock()
        self.down = False

    @property
    def locked(self) -> bool:
        return self._lock_conn is not None

    def apply(self, *, down: bool, hang: bool) -> None:
        with self._mutex:
            want_lock = down or hang
            if want_lock and self._lock_conn is None:
                self._acquire()
            if down and not self.down:
                os.replace(self._db, self._aside)
                self.down = True
                log.info("licence database moved aside (down)")
            elif not down and self.down:
                os.replace(self._aside, self._db)
                self.down = False
                log.info("licence database restored")
            if not want_lock and self._lock_conn is not None:
                self._release()

    def _acquire(self) -> None:
        path = self._aside if self.down else self._db
        conn = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.Error:
            conn.close()
            raise
        self._lock_conn = conn
        log.info("licence database locked (EXCLUSIVE)")

    def _release(self) -> None:
        conn, self._lock_conn = self._lock_conn, None
        if conn is not None:
            try:
                conn.execute("ROLLBACK")
            finally:
                conn.close()
            log.info("licence database unlocked")
