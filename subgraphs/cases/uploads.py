"""Resumable uploads (断点续传): large evidence files (body-camera video) in parts over a bad network.

A phone declares the file first — its SM3, taken on the device at capture, its size and media type —
and gets a session; it then sends the bytes in parts, each with the offset it starts at, and asks
the session how much arrived (`received`) after any failure, so a broken connection costs at most
one part. When every byte is there, `finish` hashes the whole file again and moves it into the
content-addressed `BlobStore`; a file whose SM3 differs from the one declared is refused and nothing
is stored.

* A part that starts before `received` is a replay: only its bytes beyond `received` (if any) are
  appended, so a retried request changes nothing. A part that starts after `received` would leave a
  hole and is refused (`UploadGap`, naming `received`).
* A session belongs to the subject who started it; another subject gets `UploadForbidden`.
* Declaring an SM3 that is already stored answers a complete session at once (no bytes resent).
* Sessions live on disk under `<blob root>/.sessions/<id>/` (`meta.json`, `data`), so a restart of
  the subgraph loses nothing; a session untouched for `max_age_s` is discarded at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from domain.sm import sm3_new
from subgraphs.cases.blobs import BlobStore, StoredBlob, check_sm3
from subgraphs.cases.errors import BadInput, BlobError, Forbidden

__all__ = ["MAX_PART_BYTES", "UploadForbidden", "UploadGap", "UploadSessions", "UploadState"]

log = logging.getLogger("subgraphs.cases.uploads")

#: the largest part (1 MiB; its base64 text stays well under the gateway's request limit)
MAX_PART_BYTES = 1024 * 1024
#: at most so many stale sessions are looked at per start (a bounded sweep)
_SWEEP_LIMIT = 1000
_ID = re.compile(r"^[0-9a-f]{32}$")
_MEDIA = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}$")
_READ_CHUNK = 1024 * 1024


class UploadForbidden(Forbidden):
    """The session is another subject's."""


class UploadGap(BadInput):
    """A part that starts after the bytes received so far."""

    def __init__(self, offset: int, received: int) -> None:
        super().__init__(f"offset {offset} is past the {received} bytes received; send from offset {received}")
        self.received = received


@dataclass(frozen=True, slots=True)
class UploadState:
    id: str
    sm3: str
    size: int
    received: int
    media_type: str
    complete: bool


@dataclass(frozen=True, slots=True)
class _Meta:
    owner: str
    sm3: str
    size: int
    media_type: str
    created: float


class UploadSessions:
    """Upload sessions of the blob store `blobs`, at most `max_bytes` per file."""

    def __init__(self, blobs: BlobStore, *, max_bytes: int, max_age_s: float = 86_400.0) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.root = blobs.root / ".sessions"
        self._locks: dict[str, asyncio.Lock] = {}

    # --- the four operations -------------------------------------------------------------------

    def start(self, owner: str, *, sm3: str, size: int, media_type: str) -> UploadState:
        try:
            digest = check_sm3(sm3)
        except BlobError as exc:
            raise BadInput(f"sm3: {exc}") from exc
        if size < 0 or size > self.max_bytes:
            raise BadInput(f"size must be between 0 and {self.max_bytes} bytes")
        if not _MEDIA.match(media_type):
            raise BadInput("mediaType must be a media type such as video/mp4")
        session_id = uuid.uuid4().hex
        folder = self.root / session_id
        folder.mkdir(parents=True)
        meta = _Meta(owner=owner, sm3=digest, size=size, media_type=media_type, created=time.time())
        _write_json(folder / "meta.json", asdict(meta))
        (folder / "data").touch()
        if self.blobs.exists(digest):  # content-addressed: the bytes are already here
            _write_json(folder / "done.json", {"size": size})
        log.info("upload %s started by %s: %d bytes, %s", session_id, owner, size, media_type)
        return self._state(session_id, meta)

    def get(self, owner: str, session_id: str) -> UploadState:
        return self._state(session_id, self._owned(owner, session_id))

    async def append(self, owner: str, session_id: str, *, offset: int, data: bytes) -> UploadState:
        meta = self._owned(owner, session_id)
        if len(data) > MAX_PART_BYTES:
            raise BadInput(f"a part holds at most {MAX_PART_BYTES} bytes")
        async with self._lock(session_id):
            if self._done(session_id):
                return self._state(session_id, meta)
            path = self.root / session_id / "data"
            received = path.stat().st_size
            if offset < 0:
                raise BadInput("offset must not be negative")
            if offset > received:
                raise UploadGap(offset, received)
            fresh = data[received - offset:]
            if received + len(fresh) > meta.size:
                raise BadInput(f"the part runs past the declared size of {meta.size} bytes")
            if fresh:
                await asyncio.to_thread(_append, path, fresh)
        return self._state(session_id, meta)

    async def finish(self, owner: str, session_id: str) -> StoredBlob:
        meta = self._owned(owner, session_id)
        async with self._lock(session_id):
            if self._done(session_id):
                return StoredBlob(meta.sm3, meta.size)
            path = self.root / session_id / "data"
            received = path.stat().st_size
            if received != meta.size:
                raise BadInput(f"only {received} of {meta.size} bytes have arrived; send the rest first")
            digest = await asyncio.to_thread(_hash_file, path)
            if digest != meta.sm3:
                log.warning("upload %s refused: content hashes to %s, declared %s", session_id, digest, meta.sm3)
                raise BlobError(f"content hash {digest} differs from the hash recorded at capture {meta.sm3}; "
                                "nothing was stored")
            stored = self.blobs.adopt(path, digest, meta.size)
            path.touch()
            _write_json(self.root / session_id / "done.json", {"size": meta.size})
        log.info("upload %s finished: %s, %d bytes", session_id, digest, meta.size)
        return stored

    # --- housekeeping --------------------------------------------------------------------------

    def sweep(self, now: float | None = None) -> int:
        """Discard sessions untouched for `max_age_s` (at most `_SWEEP_LIMIT` looked at); how many went."""
        if not self.root.is_dir():
            return 0
        cutoff = (now if now is not None else time.time()) - self.max_age_s
        gone = 0
        for n, folder in enumerate(self.root.iterdir()):
            if n >= _SWEEP_LIMIT:
                break
            with contextlib.suppress(OSError):
                newest = max(p.stat().st_mtime for p in folder.iterdir()) if any(folder.iterdir()) else 0.0
                if newest < cutoff:
                    shutil.rmtree(folder)
                    gone += 1
        if gone:
            log.info("discarded %d stale upload sessions", gone)
        return gone

    # --- internals -----------------------------------------------------------------------------

    def _owned(self, owner: str, session_id: str) -> _Meta:
        if not _ID.match(session_id):
            raise BadInput("uploadId is not an upload session id")
        try:
            raw = json.loads((self.root / session_id / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise _Missing(session_id) from exc
        meta = _Meta(**raw)
        if meta.owner != owner:
            log.warning("upload %s refused to %s: the session is another subject's", session_id, owner)
            raise UploadForbidden(f"upload session {session_id} was started by another user")
        return meta

    def _done(self, session_id: str) -> bool:
        return (self.root / session_id / "done.json").is_file()

    def _state(self, session_id: str, meta: _Meta) -> UploadState:
        done = self._done(session_id)
        received = meta.size if done else (self.root / session_id / "data").stat().st_size
        return UploadState(session_id, meta.sm3, meta.size, received, meta.media_type, done)

    def _lock(self, session_id: str) -> asyncio.Lock:
        if len(self._locks) > 10_000:  # bounded: forget idle locks
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        return self._locks.setdefault(session_id, asyncio.Lock())


class _Missing(BadInput):
    code = "NOT_FOUND"

    def __init__(self, session_id: str) -> None:
        super().__init__(f"no upload session {session_id}")


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _hash_file(path: Path) -> str:
    hasher = sm3_new()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_READ_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _write_json(path: Path, value: object) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)
