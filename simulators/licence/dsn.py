"""Read-only connection strings for the legacy database, for sqlite3 and for SQLAlchemy.

SQLAlchemy percent-decodes the database part of its URL once and then hands it to SQLite, which decodes
URI filenames again; so the path is quoted twice in the SQLAlchemy form and once in the sqlite3 form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class ReadOnlyDsn:
    sqlite_uri: str   # for sqlite3.connect(..., uri=True)
    url: str          # SQLAlchemy, pysqlite driver
    async_url: str    # SQLAlchemy, aiosqlite driver


def read_only_dsn(db: Path) -> ReadOnlyDsn:
    path = db.resolve().as_posix()
    sqlite_uri = f"file:{quote(path, safe='/')}"
    in_url = quote(sqlite_uri, safe="/:")
    return ReadOnlyDsn(
        sqlite_uri=f"{sqlite_uri}?mode=ro",
        url=f"sqlite:///{in_url}?mode=ro&uri=true",
        async_url=f"sqlite+aiosqlite:///{in_url}?mode=ro&uri=true",
    )
