"""The population system's data: persons indexed by ID number, by region and (lazily) by name.

Records stay on disk (`persons.jsonl`); the store keeps only byte offsets. `corrupt.jsonl`
(optional, legacy field names) overrides stored records to simulate data-quality faults:

    {"GMSFHM": "<ID the record is found under>", "CSRQ": "19901345", ...}

Every legacy field in the line replaces the stored value; `"SERVED_GMSFHM"` replaces the ID number
the record is returned with (e.g. one with a wrong check digit), and `"DROP_FIELDS": [...]` removes
fields. A line whose ID is not in `persons.jsonl` adds a record of its own. Overrides do not move a
record between regions or names in the page and search indexes.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.population.linefile import LineFile, LineFileError
from simulators.population.records import LEGACY_FIELDS, LegacyRecord, to_legacy

PERSONS_FILE = "persons.jsonl"
CORRUPT_FILE = "corrupt.jsonl"
SERVED_ID_KEY = "SERVED_GMSFHM"
DROP_KEY = "DROP_FIELDS"

#: sorts after every character a name can hold: the end of a prefix range
_MAX_CHAR = "\U0010ffff"


class StoreError(ValueError):
    """The seeded data cannot be loaded (missing file, a line that is not a JSON object, no ID)."""


@dataclass(frozen=True)
class Page:
    total: int
    records: list[LegacyRecord]


class PersonStore:
    """Persons of one seeded data directory. `load()` is idempotent and also runs on first use.

    A reference to a record is an int: >= 0 is a byte offset into persons.jsonl, < 0 is
    `-(i + 1)` for the i-th record that exists only in corrupt.jsonl.
    """

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / PERSONS_FILE
        self._corrupt_path = data_dir / CORRUPT_FILE
        self._file = LineFile(self._path)
        self._loaded = False
        self._by_id: dict[str, int] = {}
        self._order: array[int] = array("q")
        self._regions: dict[str, array[int]] = {}
        self._overrides: dict[str, dict[str, Any]] = {}
        self._extra: list[str] = []
        self._names: list[str] | None = None
        self._name_refs: array[int] = array("q")

    # -- loading -----------------------------------------------------------------------------

    def load(self) -> None:
        if self._loaded:
            return
        if not self._path.is_file():
            raise StoreError(f"no {PERSONS_FILE} in the data directory {self._path.parent.name!r}")
        by_id, order, regions = self._by_id, self._order, self._regions
        try:
            self._file.open()
            for offset, person in self._file.entries():
                id_number = person.get("id_number")
                if not isinstance(id_number, str) or not id_number:
                    raise StoreError(f"{PERSONS_FILE}: a record at byte {offset} has no id_number")
                if id_number in by_id:
                    continue
                by_id[id_number] = offset
                order.append(offset)
                region = person.get("region_code")
                if isinstance(region, str):
                    refs = regions.get(region)
                    if refs is None:
                        refs = regions[region] = array("q")
                    refs.append(offset)
            self._load_overrides()
        except LineFileError as exc:
            raise StoreError(str(exc)) from exc
        self._loaded = True

    def _add(self, id_number: str, ref: int, region: Any) -> None:
        self._by_id[id_number] = ref
        self._order.append(ref)
        if isinstance(region, str):
            self._regions.setdefault(region, array("q")).append(ref)

    def _load_overrides(self) -> None:
        if not self._corrupt_path.is_file():
            return
        overrides = LineFile(self._corrupt_path)
        try:
            for offset, line in overrides.entries():
                key = line.get("GMSFHM")
                if not isinstance(key, str) or not key:
                    raise StoreError(f"{CORRUPT_FILE}: the line at byte {offset} has no GMSFHM")
                self._overrides[key] = line
                if key not in self._by_id:
                    self._extra.append(key)
                    self._add(key, -len(self._extra), line.get("XZQH"))
        finally:
            overrides.close()

    def close(self) -> None:
        self._file.close()

    def __len__(self) -> int:
        self.load()
        return len(self._order)

    # -- reading -----------------------------------------------------------------------------

    def get(self, id_number: str) -> LegacyRecord | None:
        self.load()
        ref = self._by_id.get(id_number)
        return None if ref is None else self._record(ref)

    def page(self, *, region: str | None, page: int, size: int) -> Page:
        """Records in file order (or, with `region`, grouped by region code), one page of them.

        A region code ending in "00" pairs is a prefix: 445100 selects every 4451xx record.
        """
        self.load()
        if region is None:
            parts: list[Sequence[int]] = [self._order]
        else:
            prefix = _region_prefix(region)
            if prefix == region:
                parts = [self._regions.get(region, array("q"))]
            else:
                parts = [refs for code, refs in sorted(self._regions.items()) if code.startswith(prefix)]
        return self._slice(parts, page, size)

    def search(self, *, name: str, prefix: bool, page: int, size: int) -> Page:
        """Records whose name equals `name` (or starts with it), sorted by name then file order."""
        self.load()
        names = self._name_index()
        low = bisect.bisect_left(names, name)
        high = bisect.bisect_left(names, name + _MAX_CHAR) if prefix else bisect.bisect_right(names, name)
        return self._slice([self._name_refs[low:high]], page, size)

    # -- internals ---------------------------------------------------------------------------

    def _slice(self, parts: list[Sequence[int]], page: int, size: int) -> Page:
        total = sum(len(part) for part in parts)
        start = (page - 1) * size
        wanted: list[int] = []
        for part in parts:
            if len(wanted) >= size:
                break
            if start >= len(part):
                start -= len(part)
                continue
            wanted.extend(part[start : start + size - len(wanted)])
            start = 0
        return Page(total=total, records=[self._record(ref) for ref in wanted])

    def _record(self, ref: int) -> LegacyRecord:
        if ref >= 0:
            base = to_legacy(self._file.read(ref))
            override = self._overrides.get(base["GMSFHM"])
        else:
            key = self._extra[-ref - 1]
            base = dict.fromkeys(LEGACY_FIELDS)
            base["GMSFHM"] = key
            override = self._overrides[key]
        return base if override is None else _apply(base, override)

    def _name_index(self) -> list[str]:
        """Built on the first search only: sorting a million names is not worth a slower start."""
        if self._names is None:
            pairs: list[tuple[str, int]] = []
            for offset, person in self._file.entries():
                id_number = person.get("id_number")
                if not isinstance(id_number, str) or self._by_id.get(id_number) != offset:
                    continue  # a later duplicate of an ID, not served
                override = self._overrides.get(id_number, {})
                name = override.get("XM", person.get("name"))
                if isinstance(name, str):
                    pairs.append((name, offset))
            for index, key in enumerate(self._extra):
                name = self._overrides[key].get("XM")
                if isinstance(name, str):
                    pairs.append((name, -(index + 1)))
            pairs.sort()
            self._names = [name for name, _ in pairs]
            self._name_refs = array("q", (ref for _, ref in pairs))
        return self._names


def _apply(base: LegacyRecord, override: dict[str, Any]) -> LegacyRecord:
    merged = dict(base)
    for name, value in override.items():
        if name not in {"GMSFHM", SERVED_ID_KEY, DROP_KEY}:
            merged[name] = value
    if SERVED_ID_KEY in override:
        merged["GMSFHM"] = override[SERVED_ID_KEY]
    drop = override.get(DROP_KEY)
    if isinstance(drop, list):
        for name in drop:
            merged.pop(str(name), None)
    return merged


def _region_prefix(code: str) -> str:
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix
