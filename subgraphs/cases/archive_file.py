"""The electronic case file (电子卷宗) of one case, built as zip bytes: ONE implementation for the
`hub archive export` command and the graph's `caseArchive` field.

Members (checked offline by `hub archive verify`):

    case.json              the case row (number, version, head hash) and its snapshot
    events.jsonl           the full-process record, one event per line, with prev_hash / hash
    deadlines.json         every deadline with basis, unit, amount and due date
    documents.json         document metadata incl. SM2 seals; files under documents/<id>-<sm3>
    evidence.json          evidence metadata incl. capture data; files under evidence/<id>-<sm3>
    licences.json          licences the case suspends, revokes or refers to
    seal_keys.json         public keys of the seals used on the documents
    manifest.json          {format, caseId, caseNo, headHash, createdAt, keyId, publicKey,
                            members: [{path, sm3, size}]}: the SM3 of every other member
    manifest.sig           SM2 signature (hex) of manifest.json's bytes

`build_case_archive` reads the case as the store holds it; the caller decides who may ask (the
graph field checks the caller's scope first). `max_bytes` caps the files gathered before zipping,
so a case with very large evidence is refused with `ArchiveTooLarge` instead of filling memory.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.sm import sm2_sign, sm3_hex
from subgraphs.cases import queries
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.codec import encode
from subgraphs.cases.documents import public_key_of
from subgraphs.cases.errors import BlobError
from subgraphs.cases.seal import SealKey

__all__ = ["FORMAT", "MANIFEST", "SIGNATURE", "ArchiveError", "ArchiveTooLarge", "CaseArchive", "build_case_archive"]

FORMAT = "enforcement-hub-case-archive/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


class ArchiveError(Exception):
    """The case cannot be exported (unknown case, a file of it unreadable)."""


class ArchiveTooLarge(ArchiveError):
    """The case's members exceed the size the caller allows."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the case file holds {size} bytes of members, over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class CaseArchive:
    case_id: str
    case_no: str
    head_hash: str
    data: bytes

    @property
    def file_name(self) -> str:
        return f"{self.case_id}.zip"


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)


def _event(e: queries.EventView) -> dict[str, Any]:
    return {"caseId": e.case_id, "seq": e.seq, "globalSeq": e.global_seq, "kind": e.kind,
            "transition": e.transition, "actorId": e.actor_id, "at": e.at, "fromState": e.from_state,
            "toState": e.to_state, "summary": e.summary, "payload": e.payload,
            "snapshotSm3": e.snapshot_sm3, "prevHash": e.prev_hash, "hash": e.hash}


def _blob(blobs: BlobStore, digest: str) -> bytes:
    try:
        return blobs.get(digest)
    except BlobError as exc:
        raise ArchiveError(f"file {digest} of the case cannot be read: {exc}") from exc


async def build_case_archive(engine: AsyncEngine, case_id: str, *, blobs: BlobStore, key: SealKey,
                             max_bytes: int | None = None) -> CaseArchive:
    """The signed zip of `case_id`; ArchiveError when there is no such case or a file is unreadable."""
    record = (await queries.cases_by_id(engine, [case_id])).get(case_id)
    if record is None:
        raise ArchiveError(f"no case {case_id} in the store (case ids look like C0007-0000003: "
                           "`{ penaltyCases { items { id } } }` lists them)")
    events = (await queries.events_of(engine, [case_id])).get(case_id, [])
    deadlines = (await queries.deadlines_of(engine, [case_id])).get(case_id, [])
    documents = (await queries.documents_of(engine, [case_id])).get(case_id, [])
    evidence = (await queries.evidence_of(engine, [case_id])).get(case_id, [])
    licences = (await queries.licences_of(engine, [case_id])).get(case_id, [])
    if max_bytes is not None:  # before reading any file: the sizes are on record
        size = sum(d.size for d in documents) + sum(v.size or 0 for v in evidence)
        if size > max_bytes:
            raise ArchiveTooLarge(size, max_bytes)
    seal_keys = {}
    for key_id in sorted({d.seal_key_id for d in documents if d.seal_key_id}):
        public = await public_key_of(engine, key_id)
        if public is not None:
            seal_keys[key_id] = public
    members: dict[str, bytes] = {
        "case.json": _json({"caseId": record.case_id, "caseNo": record.case_no, "version": record.version,
                            "headHash": record.head_hash, "snapshot": encode(record.snapshot)}),
        "events.jsonl": b"".join(orjson.dumps(_event(e), option=orjson.OPT_SORT_KEYS) + b"\n" for e in events),
        "deadlines.json": _json([{"kind": d.kind, "basis": d.basis, "unit": d.unit, "amount": d.amount,
                                  "start": d.start.isoformat(), "due": d.due.isoformat(), "rolled": d.rolled,
                                  "provisional": d.provisional, "eventSeq": d.event_seq} for d in deadlines]),
        "documents.json": _json([{"id": d.id, "docType": d.doc_type, "docNo": d.doc_no, "title": d.title,
                                  "mediaType": d.media_type, "sm3": d.sm3, "size": d.size,
                                  "sealKeyId": d.seal_key_id, "sealSignature": d.seal_signature,
                                  "signedAt": d.signed_at, "path": f"documents/{d.id}-{d.sm3}"} for d in documents]),
        "evidence.json": _json([{"id": v.id, "kind": v.kind, "title": v.title, "mediaType": v.media_type,
                                 "sm3": v.sm3, "size": v.size, "capturedAt": v.captured_at, "deviceId": v.device_id,
                                 "method": v.method, "collectedBy": v.collected_by,
                                 "path": f"evidence/{v.id}-{v.sm3}"} for v in evidence]),
        "licences.json": _json([{"licenceId": lid, "action": action} for lid, action in licences]),
        "seal_keys.json": _json(seal_keys),
    }
    for d in documents:
        members[f"documents/{d.id}-{d.sm3}"] = _blob(blobs, d.sm3)
    for v in evidence:
        members[f"evidence/{v.id}-{v.sm3}"] = _blob(blobs, v.sm3)
    manifest = _json({
        "format": FORMAT, "caseId": record.case_id, "caseNo": record.case_no, "headHash": record.head_hash,
        "createdAt": datetime.now(UTC).isoformat(), "keyId": key.key_id, "publicKey": key.public_key,
        "members": [{"path": p, "sm3": sm3_hex(b), "size": len(b)} for p, b in sorted(members.items())],
    })
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in sorted(members.items()):
            zf.writestr(path, data)
        zf.writestr(MANIFEST, manifest)
        zf.writestr(SIGNATURE, sm2_sign(key.private_key, manifest))
    return CaseArchive(record.case_id, record.case_no, record.head_hash, out.getvalue())
