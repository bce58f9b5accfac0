"""The registry's data: an index over `entities.jsonl` (in-city records only) plus `corrupt.jsonl` overrides.

The seed can hold 200,000 entities, so the file is streamed once and only byte offsets and the indexed
columns (name, 登记状态, 主体类别, 行政区划) are kept in memory; a record is re-read from the file (one
`pread`) when a caller asks for it. Lines of the optional `corrupt.jsonl` are laid over the seeded
record with the same uscc (or added, if none has it) and are held in memory — they exist to feed
deliberately malformed records to the hub's adapter.

Two queries run on the index: `search` (name contains, registry order, numbered pages) and `select`
(a `Criteria` of status, category, region prefix and name; ordered by uscc, keyset-paged after a uscc),
each with the exact count of matching records.
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
    more: bool = False


@dataclass(frozen=True)
class Criteria:
    """What `select` matches; None means "any". Values are the seed's (Chinese status and category)."""

    statuses: frozenset[str] | None = None
    category: str | None = None
    region_prefix: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True, slots=True)
class _Row:
    uscc: str
    name: str
    status: str
    category: str
    region: str

    @classmethod
    def of(cls, uscc: str, obj: dict[str, object] | None = None, record: EntRecord | None = None) -> _Row:
        if record is not None:
            return cls(uscc, record.name or "", record.status or "", record.entity_category or "",
                       record.region_code or "")
        assert obj is not None
        return cls(uscc, *(_text(obj.get(k)) for k in ("name", "status", "entity_category", "region_code")))

    def matches(self, c: Criteria) -> bool:
        return ((c.statuses is None or self.status in c.statuses)
                and (c.category is None or self.category == c.category)
                and (c.region_prefix is None or self.region.startswith(c.region_prefix))
                and (c.name_contains is None or c.name_contains in self.name))


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


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
        rows: list[_Row] = []  # in file order
        for offset, length, obj in _json_lines(self._path):
            uscc = obj.get("uscc")
            if not isinstance(uscc, str) or not uscc:
                raise StoreError(f"{ENTITIES_FILE}: a record without a uscc at byte {offset}")
            override = overrides.pop(uscc, None)
            if override is not None:
                record = EntRecord.from_json(obj).merged(override)
                if record.in_city:
                    self._overridden[uscc] = record
                    rows.append(_Row.of(uscc, record=record))
                continue
            if obj.get("in_city") is True:
                self._offsets[uscc] = (offset, length)
                rows.append(_Row.of(uscc, obj))
        for uscc, override in overrides.items():  # corrupt records with no seeded counterpart
            record = EntRecord.from_json(override)
            if record.in_city:
                self._overridden[uscc] = record
                rows.append(_Row.of(uscc, record=record))
        self._rows = rows
        self._by_code = sorted(rows, key=lambda r: r.uscc)
        self._fd = os.open(self._path, os.O_RDONLY)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __len__(self) -> int:
        return len(self._rows)

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
        hits = [row.uscc for row in self._rows if fragment in row.name]
        start = (page - 1) * page_size
        records = [r for r in (self.get(u) for u in hits[start:start + page_size]) if r is not None]
        return SearchPage(total=len(hits), records=records, more=start + page_size < len(hits))

    def select(self, criteria: Criteria, *, after: str | None, limit: int) -> SearchPage:
        """Records matching `criteria` in uscc order, the first `limit` after the uscc `after` (exclusive);
        `total` counts every match, `more` says whether matches follow the last one returned."""
        total = 0
        picked: list[str] = []
        more = False
        for row in self._by_code:
            if not row.matches(criteria):
                continue
            total += 1
            if after is not None and row.uscc <= after:
                continue
            if len(picked) < limit:
                picked.append(row.uscc)
            else:
                more = True
        records = [r for r in (self.get(u) for u in picked) if r is not None]
        return SearchPage(total=total, records=records, more=more)
