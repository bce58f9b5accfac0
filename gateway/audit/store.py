"""Where the access log lives: the store protocol and the JSON-lines file store used in dev.

A store keeps chained entries (`domain.hashchain.ChainEntry` plus the time written) and signed
anchors. ``CHECKPOINT`` anchors mark a pruning point: entries up to its ``head_seq`` were removed
on purpose, and verification starts from its hash. The SQL store is `gateway.audit.sql_store`.

File layout (dev): ``<path>`` holds one entry per line
``{"seq", "ts", "prevHash", "hash", "body"}`` in append order; ``<path>.anchors`` holds one anchor
per line ``{"kind", "chain", "seq", "hash", "signedAt", "keyId", "signature"}``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

try:
    import fcntl
except ImportError:  # not POSIX: one writing process only
    fcntl = None  # type: ignore[assignment]

from domain.hashchain import ChainAnchor, ChainEntry, JsonValue, canonical_json, make_entry

__all__ = ["CHAIN_ID", "AccessLogStore", "AnchorKind", "FileAccessLog", "StoredAnchor", "StoredEntry"]

CHAIN_ID = "gateway-access-log"


class AnchorKind(StrEnum):
    ANCHOR = "ANCHOR"  # a periodic signature over the head
    CHECKPOINT = "CHECKPOINT"  # the pruning point: entries up to head_seq were removed by retention


@dataclass(frozen=True, slots=True)
class StoredEntry:
    entry: ChainEntry
    ts_ms: int


@dataclass(frozen=True, slots=True)
class StoredAnchor:
    kind: AnchorKind
    anchor: ChainAnchor


def previous_link(head: StoredEntry | None, checkpoint: StoredAnchor | None) -> ChainEntry | None:
    """What a new entry links to: the head, else the pruning checkpoint, else nothing (genesis)."""
    if head is not None:
        return head.entry
    if checkpoint is not None:
        return ChainEntry(checkpoint.anchor.head_seq, "", {}, checkpoint.anchor.head_hash)
    return None


class AccessLogStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(self, body: Mapping[str, JsonValue], ts_ms: int) -> ChainEntry: ...

    async def read(self, *, after_seq: int = 0, limit: int | None = None) -> list[StoredEntry]: ...

    async def head(self) -> StoredEntry | None: ...

    async def last_before(self, ts_ms: int) -> StoredEntry | None: ...

    async def add_anchor(self, anchor: StoredAnchor) -> None: ...

    async def anchors(self) -> list[StoredAnchor]: ...

    async def prune_through(self, checkpoint: StoredAnchor) -> int: ...


def entry_to_json(stored: StoredEntry) -> dict[str, Any]:
    e = stored.entry
    return {"seq": e.seq, "ts": stored.ts_ms, "prevHash": e.prev_hash, "hash": e.hash, "body": e.body}


def entry_from_json(row: Mapping[str, Any]) -> StoredEntry:
    return StoredEntry(ChainEntry(row["seq"], row["prevHash"], row["body"], row["hash"]), int(row.get("ts", 0)))


def anchor_to_json(stored: StoredAnchor) -> dict[str, Any]:
    a = stored.anchor
    return {"kind": stored.kind.value, "chain": a.chain_id, "seq": a.head_seq, "hash": a.head_hash,
            "signedAt": a.signed_at, "keyId": a.key_id, "signature": a.signature}


def anchor_from_json(row: Mapping[str, Any]) -> StoredAnchor:
    return StoredAnchor(AnchorKind(row["kind"]), ChainAnchor(row["chain"], int(row["seq"]), row["hash"],
                                                             row["signedAt"], row["keyId"], row["signature"]))


def latest_checkpoint(anchors: list[StoredAnchor]) -> StoredAnchor | None:
    checkpoints = [a for a in anchors if a.kind is AnchorKind.CHECKPOINT]
    return max(checkpoints, key=lambda a: a.anchor.head_seq) if checkpoints else None


def _lock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileAccessLog:
    """JSON lines on local disk, for dev and the embedded runner.

    Several processes may share the file (a gateway restarted while the old one drains, a second
    gateway started on the same data directory): each append holds an exclusive advisory lock on
    the file and, when the file grew since this process last wrote, links to the record another
    process appended last, so the chain stays one chain. Production uses the SQL store."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.anchor_path = Path(f"{self.path}.anchors")
        self._lock = asyncio.Lock()
        self._head: StoredEntry | None = None
        self._size = 0  # the file size after this process's last read or write
        self._loaded = False

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries = self._read_entries()
        self._head = entries[-1] if entries else None
        self._size = self.path.stat().st_size if self.path.is_file() else 0
        self._loaded = True

    async def close(self) -> None:
        self._loaded = False

    def _read_entries(self) -> list[StoredEntry]:
        if not self.path.is_file():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [entry_from_json(json.loads(line)) for line in handle if line.strip()]

    def _read_anchors(self) -> list[StoredAnchor]:
        if not self.anchor_path.is_file():
            return []
        with self.anchor_path.open(encoding="utf-8") as handle:
            return [anchor_from_json(json.loads(line)) for line in handle if line.strip()]

    @staticmethod
    def _line(document: Mapping[str, Any]) -> str:
        return canonical_json(document).decode("utf-8") + "\n"

    @staticmethod
    def _entry_line(stored: StoredEntry) -> str:
        # the text `_line` gives, without checking the body again: `make_entry` just checked it
        return json.dumps(entry_to_json(stored), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False) + "\n"

    async def append(self, body: Mapping[str, JsonValue], ts_ms: int) -> ChainEntry:
        async with self._lock:
            if not self._loaded:
                await self.open()
            with self.path.open("a", encoding="utf-8") as handle:
                _lock_file(handle.fileno())
                try:
                    if os.fstat(handle.fileno()).st_size != self._size:  # another process appended
                        entries = self._read_entries()
                        self._head = entries[-1] if entries else None
                    # the pruning checkpoint matters only for the first entry after a full prune
                    checkpoint = latest_checkpoint(self._read_anchors()) if self._head is None else None
                    entry = make_entry(previous_link(self._head, checkpoint), body)
                    stored = StoredEntry(entry, ts_ms)
                    handle.write(self._entry_line(stored))
                    handle.flush()
                    self._size = os.fstat(handle.fileno()).st_size
                finally:
                    _unlock_file(handle.fileno())
            self._head = stored
            return entry

    async def read(self, *, after_seq: int = 0, limit: int | None = None) -> list[StoredEntry]:
        rows = [e for e in self._read_entries() if e.entry.seq > after_seq]
        return rows if limit is None else rows[:limit]

    async def head(self) -> StoredEntry | None:
        # the entry this process wrote last, unless the file changed since (another process, a prune)
        if self._loaded and self.path.is_file() and self.path.stat().st_size == self._size:
            return self._head
        entries = self._read_entries()
        return entries[-1] if entries else None

    async def last_before(self, ts_ms: int) -> StoredEntry | None:
        older = [e for e in self._read_entries() if e.ts_ms < ts_ms]
        return older[-1] if older else None

    async def add_anchor(self, anchor: StoredAnchor) -> None:
        async with self._lock:
            with self.anchor_path.open("a", encoding="utf-8") as handle:
                handle.write(self._line(anchor_to_json(anchor)))

    async def anchors(self) -> list[StoredAnchor]:
        return self._read_anchors()

    async def prune_through(self, checkpoint: StoredAnchor) -> int:
        async with self._lock:
            with self.anchor_path.open("a", encoding="utf-8") as handle:
                handle.write(self._line(anchor_to_json(checkpoint)))
            entries = self._read_entries()
            kept = [e for e in entries if e.entry.seq > checkpoint.anchor.head_seq]
            temporary = self.path.with_suffix(self.path.suffix + ".tmp")
            with temporary.open("w", encoding="utf-8") as handle:
                handle.writelines(self._line(entry_to_json(e)) for e in kept)
            os.replace(temporary, self.path)
            return len(entries) - len(kept)
