"""Trusted documents: a manifest of the operations the hub's own clients may send.

The manifest is JSON, either a plain object ``{"<sha256 hex>": "<document text>", ...}`` or the
persisted-query manifest form ``{"operations": [{"id": "<sha256 hex>", "body": "..."}]}``. Each id
must be the SHA-256 of its document's UTF-8 text (checked at load, so a wrong manifest fails at
start-up, not at request time).

A request names a trusted document by ``documentId`` (or ``extensions.persistedQuery.sha256Hash``),
or sends its full text. Modes:

* ``off``     -- the manifest is not used;
* ``allow``   -- ids are resolved; any other document is still accepted;
* ``enforce`` -- only manifest documents run: an id must be known, a full text must hash to an id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Final

from gateway.security.errors import DocumentNotTrusted, PersistedQueryNotFound

__all__ = ["TrustMode", "TrustedDocuments", "document_id"]

_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")


class TrustMode(StrEnum):
    OFF = "off"
    ALLOW = "allow"
    ENFORCE = "enforce"


def document_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entries(raw: object) -> dict[str, str]:
    if isinstance(raw, dict) and isinstance(raw.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in raw["operations"] if isinstance(op, dict)]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise ValueError("trusted documents manifest must be a JSON object")
    out: dict[str, str] = {}
    for key, text in pairs:
        if not isinstance(key, str) or not isinstance(text, str):
            raise ValueError("trusted documents manifest: every id and document must be a string")
        normalised = key.removeprefix("sha256:").lower()
        if not _HEX64.match(normalised) or document_id(text) != normalised:
            raise ValueError(f"trusted documents manifest: id {key[:16]}... is not the SHA-256 of its document")
        out[normalised] = text
    return out


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str], mode: TrustMode = TrustMode.ENFORCE) -> None:
        self.documents = dict(documents)
        self.mode = mode

    @classmethod
    def load(cls, path: Path | str, mode: TrustMode = TrustMode.ENFORCE) -> TrustedDocuments:
        """Read and check a manifest file; `ValueError` names what is wrong."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"trusted documents manifest {path}: {exc}") from exc
        return cls(_entries(raw), mode)

    def resolve(self, query: str | None, doc_id: str | None) -> str | None:
        """The document text to run (None: no document given), or raise when not allowed."""
        if self.mode is TrustMode.OFF:
            return query
        if doc_id is not None:
            normalised = doc_id.removeprefix("sha256:").lower()
            text = self.documents.get(normalised)
            if text is None:
                raise PersistedQueryNotFound("Unknown trusted document id.")
            if query is not None and query != text:
                raise DocumentNotTrusted("The query text does not match the trusted document id.")
            return text
        if query is not None and self.mode is TrustMode.ENFORCE and document_id(query) not in self.documents:
            raise DocumentNotTrusted("Only trusted documents may be run here; send a known documentId.")
        return query
