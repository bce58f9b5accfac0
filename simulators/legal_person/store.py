"""The registry's data: an index over `entities.jsonl` (in-city records only) plus `corrupt.jsonl` overrides.

The seed can hold 200,000 entities, so the file is streamed once and only byte offsets and names are kept
in memory; a record is re-read from the file (one `pread`) when a caller asks for it. Lines of the
optional `corrupt.jsonl` are laid over the seeded record with the same uscc (or added, if none has it)
and are held in memory — they exist to feed deliberately malformed records to the hub's adapter.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from simulators.legal_person.records import EntRecord

ENTITIES_FILE = "entities.jsonl"
CORRUPT_FILE = "corrupt.jsonl"


class StoreError(Exception):
    """The seeded data cannot be read (missing file, a line that is not a JSON object)."""


@dataclass(frozen=True)
class SearchPage:
    total: int
    records: list[EntRecord]


def _json_lines(path: Path) -> Iterator[tuple[int, int, dict[str, object]]]:
    """Yield (offset, length, object) for each non-blank line of a JSON-lines file."""
    offset = 0
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            length = len(line)
            if line.strip():
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise StoreError(f"{path.name} line {lineno}: not JSON ({exc})") from exc
                if not isinstance(obj, dict):
                    raise StoreError(f"{path.name} line {lineno}: not a JSON object")
                yield offset, length, obj
            offset += length


class EntityStore:
    """Look-ups by uscc and by name substring over the in-city records. Safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / ENTITIES_FILE
        if not self._path.is_file():
            raise StoreError(f"missing {ENTITIES_FILE} in the data directory")
        corrupt_path = data_dir / CORRUPT_FILE
        overrides: dict[str, dict[str, object]] = {}
        if corrupt_path.is_file():
            for _, _, obj in _json_lines(corrupt_path):
                uscc = obj.get("uscc")
                if not isinstance(uscc, str) or not uscc:
                    raise StoreError(f"{CORRUPT_FILE}: a record without a uscc")
                overrides[uscc] = obj

        self._offsets: dict[str, tuple[int, int]] = {}
        self._overridden: dict[str, EntRecord] = {}
        names: list[tuple[str, str]] = []  # (name, uscc) in file order
        for offset, length, obj in _json_lines(self._path):
            uscc = obj.get("uscc")
            if not isinstance(uscc, str) or not uscc:
                raise StoreError(f"{ENTITIES_FILE}: a record without a uscc at byte {offset}")
            override = overrides.pop(uscc, None)
            if override is not None:
                record = EntRecord.from_json(obj).merged(override)
                if record.in_city:
                    self._overridden[uscc] = record
                    names.append((record.name or "", uscc))
                continue
            if obj.get("in_city") is True:
                self._offsets[uscc] = (offset, length)
                name = obj.get("name")
                names.append((name if isinstance(name, str) else "", uscc))
        for uscc, override in overrides.items():  # corrupt records with no seeded counterpart
            record = EntRecord.from_json(override)
            if record.in_city:
                self._overridden[uscc] = record
                names.append((record.name or "", uscc))
        self._names = names
        self._fd = os.open(self._path, os.O_RDONLY)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __len__(self) -> int:
        return len(self._names)

    def get(self, uscc: str) -> EntRecord | None:
        record = self._overridden.get(uscc)
        if record is not None:
            return record
        where = self._offsets.get(uscc)
        if where is None:
            return None
        offset, length = where
        obj = orjson.loads(os.pread(self._fd, length, offset))
        return EntRecord.from_json(obj)

    def search(self, fragment: str, *, page: int, page_size: int) -> SearchPage:
        """Records whose name contains `fragment`, in registry order; `page` counts from 1."""
        hits = [uscc for name, uscc in self._names if fragment in name]
        start = (page - 1) * page_size
        records = [r for r in (self.get(u) for u in hits[start:start + page_size]) if r is not None]
        return SearchPage(total=len(hits), records=records)
