"""Enterprises of one seeded data directory: offsets by code, names in memory for search."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.national_credit.records import to_record
from simulators.population.linefile import LineFile, LineFileError

ENTITIES_FILE = "entities.jsonl"


class StoreError(ValueError):
    """The seeded entities cannot be loaded."""


@dataclass(frozen=True)
class Page:
    total: int
    records: list[dict[str, Any]]


class EntityStore:
    """Every seeded entity, in or out of the city. `load()` is idempotent and runs on first use."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / ENTITIES_FILE
        self._file = LineFile(self._path)
        self._loaded = False
        self._by_code: dict[str, int] = {}
        self._names: list[str] = []
        self._offsets: list[int] = []

    def load(self) -> None:
        if self._loaded:
            return
        if not self._path.is_file():
            raise StoreError(f"no {ENTITIES_FILE} in the data directory {self._path.parent.name!r}")
        try:
            self._file.open()
            for offset, entity in self._file.entries():
                code = entity.get("uscc")
                if not isinstance(code, str) or not code:
                    raise StoreError(f"{ENTITIES_FILE}: a record at byte {offset} has no uscc")
                if code in self._by_code:
                    continue
                self._by_code[code] = offset
                name = entity.get("name")
                self._names.append(name if isinstance(name, str) else "")
                self._offsets.append(offset)
        except LineFileError as exc:
            raise StoreError(str(exc)) from exc
        self._loaded = True

    def close(self) -> None:
        self._file.close()

    def __len__(self) -> int:
        self.load()
        return len(self._offsets)

    def get(self, code: str) -> dict[str, Any] | None:
        self.load()
        offset = self._by_code.get(code)
        return None if offset is None else to_record(self._file.read(offset))

    def search(self, *, name: str, page: int, page_size: int) -> Page:
        """Entities whose name contains `name`, in file order."""
        self.load()
        hits = [offset for candidate, offset in zip(self._names, self._offsets, strict=True) if name in candidate]
        start = (page - 1) * page_size
        chosen = hits[start : start + page_size]
        return Page(total=len(hits), records=[to_record(self._file.read(offset)) for offset in chosen])
