"""A JSON-lines file read by byte offset: stream once to index it, then fetch single lines on demand.

Large seeded files (a million persons) are not held in memory as objects: an index maps a key to the
byte offset of its line, and `LineFile.read` slices that line out of a read-only memory map.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson


class LineFileError(ValueError):
    """A line of a seeded file is not a JSON object; carries the file and the 1-based line number."""

    def __init__(self, path: Path, line_no: int, reason: str) -> None:
        super().__init__(f"{path.name}: line {line_no}: {reason}")
        self.path = path
        self.line_no = line_no


class LineFile:
    """Read-only view of one JSON-lines file. `open()` before use; `close()` releases the map."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._empty = False

    def open(self) -> None:
        if self._map is not None or self._empty:
            return
        with self.path.open("rb") as handle:
            if self.path.stat().st_size == 0:
                self._empty = True
                return
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        self._empty = False

    def _mapped(self) -> mmap.mmap | None:
        if self._map is None and not self._empty:
            self.open()
        return self._map

    def entries(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every non-blank line as (byte offset, parsed object), in file order (streamed, not mapped)."""
        offset = 0
        with self.path.open("rb") as handle:
            for line_no, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield offset, _parse(raw, self.path, line_no)
                offset += len(raw)

    def read(self, offset: int) -> dict[str, Any]:
        """The object on the line starting at `offset` (an offset given by `entries`)."""
        data = self._mapped()
        if data is None:
            raise LineFileError(self.path, 0, "file is empty")
        end = data.find(b"\n", offset)
        return _parse(data[offset : end if end >= 0 else len(data)], self.path, 0)


def _parse(raw: bytes, path: Path, line_no: int) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LineFileError(path, line_no, f"not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise LineFileError(path, line_no, "not a JSON object")
    return value
