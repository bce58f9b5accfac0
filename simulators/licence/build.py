"""Build `licence_legacy.db` from `licences.jsonl`: streamed, into a temporary file, then renamed atomically.

The database is rebuilt when it is absent, older than the JSON-lines file, or of another schema version
(`PRAGMA user_version`). Journal mode stays DELETE (rollback journal), so a writer's EXCLUSIVE lock really
keeps readers out — the hang fault depends on that.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import orjson

from simulators.licence.schema import (
    COLUMNS,
    DDL,
    ID_TYPE_TABLE,
    INDEXES,
    MAIN_TABLE,
    SCHEMA_VERSION,
    CategoryTable,
    to_row,
)

SOURCE_FILE = "licences.jsonl"
DB_FILE = "licence_legacy.db"
BATCH = 5_000


class BuildError(Exception):
    """The seed cannot be turned into the legacy database (missing file, bad line)."""


@dataclass(frozen=True)
class Database:
    path: Path
    rows: int
    rebuilt: bool


def _schema_version(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def needs_rebuild(db: Path, source: Path) -> bool:
    if not db.is_file():
        return True
    if db.stat().st_mtime < source.stat().st_mtime:
        return True
    return _schema_version(db) != SCHEMA_VERSION


def count_rows(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {MAIN_TABLE}").fetchone()[0])
    finally:
        conn.close()


def _load(conn: sqlite3.Connection, source: Path) -> int:
    categories = CategoryTable()
    insert = f"INSERT INTO {MAIN_TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    batch: list[tuple[str | None, ...]] = []
    rows = 0
    with source.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
                batch.append(to_row(obj, categories))
            except (orjson.JSONDecodeError, ValueError) as exc:
                raise BuildError(f"{SOURCE_FILE} line {lineno}: {exc}") from exc
            if len(batch) >= BATCH:
                conn.executemany(insert, batch)
                rows += len(batch)
                batch.clear()
    conn.executemany(insert, batch)
    rows += len(batch)
    conn.executemany("INSERT INTO T_DM_XKLB (DM, MC) VALUES (?, ?)",
                     sorted((code, name) for name, code in categories.codes.items()))
    conn.executemany("INSERT INTO T_DM_ZJLX (DM, MC) VALUES (?, ?)",
                     [(code, label) for code, label, _ in ID_TYPE_TABLE])
    return rows


def build(data_dir: Path, *, force: bool = False) -> Database:
    """Make sure `data_dir/licence_legacy.db` is current; return where it is and how many licences it holds."""
    source = data_dir / SOURCE_FILE
    db = data_dir / DB_FILE
    if not source.is_file():
        raise BuildError(f"missing {SOURCE_FILE} in the data directory")
    if not force and not needs_rebuild(db, source):
        return Database(path=db, rows=count_rows(db), rebuilt=False)
    tmp = data_dir / f".{DB_FILE}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=OFF")  # a crash only loses the temporary file
            for statement in DDL:
                conn.execute(statement)
            try:
                rows = _load(conn, source)
            except sqlite3.IntegrityError as exc:
                raise BuildError(f"{SOURCE_FILE}: {exc}") from exc
            for statement in INDEXES:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, db)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return Database(path=db, rows=rows, rebuilt=True)
