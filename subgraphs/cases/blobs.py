"""Content-addressed file store for case documents and evidence, keyed by SM3.

A file lives at `<root>/<h[0:2]>/<h[2:4]>/<h>` where `h` is the SM3 of its bytes (GB/T 32905),
so storing the same content twice is a no-op and a stored file can always be re-checked against
its name. Writes go to a temporary file in the same directory and are renamed into place, so a
reader never sees a partial file. The root belongs to the app (under the data directory).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from domain.sm import sm3_hex, sm3_new
from subgraphs.cases.errors import BlobError

_SM3 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sm3: str
    size: int

    @property
    def file_ref(self) -> str:
        return f"sm3:{self.sm3}"


def check_sm3(value: str) -> str:
    text = value.strip().lower()
    if not _SM3.match(text):
        raise BlobError("an SM3 hash is 64 hexadecimal digits")
    return text


class BlobStore:
    """Files by SM3 under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        h = check_sm3(digest)
        return self.root / h[:2] / h[2:4] / h

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).is_file()

    def put(self, data: bytes, *, expected_sm3: str | None = None) -> StoredBlob:
        """Store `data`; with `expected_sm3` (the hash taken at capture) a mismatch is refused."""
        digest = sm3_hex(data)
        if expected_sm3 is not None and check_sm3(expected_sm3) != digest:
            raise BlobError(f"content hash {digest} differs from the hash recorded at capture {expected_sm3}")
        target = self.path_of(digest)
        if not target.is_file():
            self._write(target, [data])
        return StoredBlob(digest, len(data))

    async def put_stream(self, chunks: AsyncIterator[bytes], *, max_bytes: int,
                         expected_sm3: str | None = None) -> StoredBlob:
        """Store a streamed upload without holding it in memory; refuses more than `max_bytes`."""
        self.root.mkdir(parents=True, exist_ok=True)
        hasher = sm3_new()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobError(f"upload larger than {max_bytes} bytes")
                    hasher.update(chunk)
                    fh.write(chunk)
            digest = hasher.hexdigest()
            if expected_sm3 is not None and check_sm3(expected_sm3) != digest:
                raise BlobError(f"content hash {digest} differs from the hash recorded at capture {expected_sm3}")
            return self.adopt(Path(tmp_name), digest, size)
        finally:
            _discard(tmp_name)

    def adopt(self, path: Path, digest: str, size: int) -> StoredBlob:
        """Move a file already hashed to `digest` (on the same file system) to its place in the store."""
        target = self.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return StoredBlob(digest, size)

    def get(self, digest: str) -> bytes:
        """The file's bytes, re-checked against its hash (a damaged file is an error, not data)."""
        path = self.path_of(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise BlobError(f"no stored file with SM3 {digest}") from exc
        if sm3_hex(data) != path.name:
            raise BlobError(f"stored file {digest} is damaged (its content no longer hashes to its name)")
        return data

    def _write(self, target: Path, parts: list[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for part in parts:
                    fh.write(part)
            os.replace(tmp_name, target)
        finally:
            _discard(tmp_name)


def _discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
