"""Canonical JSON lines: sorted keys, UTF-8, compact separators, "\\n" endings, atomic rename."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any


class JsonLinesWriter:
    """Writes one `.jsonl` file through a temporary name; the final name appears only when complete."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._tmp = path.with_name(path.name + ".tmp")
        self._encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self._fh = self._tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def write(self, row: dict[str, Any]) -> None:
        self._fh.write(self._encoder.encode(row))
        self._fh.write("\n")
        self.count += 1

    def __enter__(self) -> JsonLinesWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._fh.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


def write_json(path: Path, value: dict[str, Any]) -> None:
    """A small JSON document (the manifest), canonical and newline-terminated."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)
