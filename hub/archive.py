"""The electronic case file (电子卷宗): `export_case` writes one zip; `verify_archive` checks it offline.

Members of the archive:

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

`verify_archive` needs nothing but the file (and optionally the public keys to trust): it checks
the manifest signature, every member's SM3, that no member was added or removed, the event chain
(`domain.hashchain`) up to the head hash in the manifest, and each document's seal. Every
problem names the member (and event or document) at fault.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from domain.hashchain import GENESIS_HASH, verify_chain
from domain.sm import sm2_sign, sm2_verify, sm3_hex
from subgraphs.cases import queries
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.chain import EventFields, StoredEvent, snapshot_sm3
from subgraphs.cases.codec import encode
from subgraphs.cases.documents import public_key_of
from subgraphs.cases.errors import BlobError
from subgraphs.cases.seal import Seal, SealKey, load_or_create, verify_seal
from subgraphs.common.db import create_engine

FORMAT = "enforcement-hub-case-archive/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


class ArchiveError(Exception):
    """The case cannot be exported (unknown case, missing file)."""


@dataclass(frozen=True)
class ArchiveReport:
    ok: bool
    members: int
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.ok:
            return f"archive intact: {self.members} members verified"
        return "archive damaged:\n  " + "\n  ".join(self.problems)


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)


def _default_key() -> SealKey:
    from hub.settings import load_settings

    return load_or_create(Path(load_settings().data_dir) / "keys" / "case-seal.json")


def _default_blobs() -> BlobStore:
    from hub.settings import load_settings

    return BlobStore(Path(load_settings().data_dir) / "case-files")


async def export_case(url: str, case_id: str, out_path: Path, *, blob_dir: Path | None = None,
                      signing_key: SealKey | None = None) -> Path:
    """Write the electronic case file of `case_id` to `out_path` (a zip); returns the path."""
    engine = create_engine(url)
    try:
        record = (await queries.cases_by_id(engine, [case_id])).get(case_id)
        if record is None:
            raise ArchiveError(f"no case {case_id} in the store (case ids look like C0007-0000003: "
                               "`{ penaltyCases { items { id } } }` lists them)")
        # the seal key and the file store are the hub's: touched only once the case is known
        blobs = BlobStore(blob_dir) if blob_dir is not None else _default_blobs()
        key = signing_key or _default_key()
        events = (await queries.events_of(engine, [case_id])).get(case_id, [])
        deadlines = (await queries.deadlines_of(engine, [case_id])).get(case_id, [])
        documents = (await queries.documents_of(engine, [case_id])).get(case_id, [])
        evidence = (await queries.evidence_of(engine, [case_id])).get(case_id, [])
        licences = (await queries.licences_of(engine, [case_id])).get(case_id, [])
        seal_keys = {}
        for key_id in sorted({d.seal_key_id for d in documents if d.seal_key_id}):
            public = await public_key_of(engine, key_id)
            if public is not None:
                seal_keys[key_id] = public
    finally:
        await engine.dispose()
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
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in sorted(members.items()):
            zf.writestr(path, data)
        zf.writestr(MANIFEST, manifest)
        zf.writestr(SIGNATURE, sm2_sign(key.private_key, manifest))
    tmp.replace(out_path)
    return out_path


def _blob(blobs: BlobStore, digest: str) -> bytes:
    try:
        return blobs.get(digest)
    except BlobError as exc:
        raise ArchiveError(f"file {digest} of the case cannot be read: {exc}") from exc


def _event(e: queries.EventView) -> dict[str, Any]:
    return {"caseId": e.case_id, "seq": e.seq, "globalSeq": e.global_seq, "kind": e.kind,
            "transition": e.transition, "actorId": e.actor_id, "at": e.at, "fromState": e.from_state,
            "toState": e.to_state, "summary": e.summary, "payload": e.payload,
            "snapshotSm3": e.snapshot_sm3, "prevHash": e.prev_hash, "hash": e.hash}


def verify_archive(path: Path, *, trusted_public_keys: Iterable[str] | None = None) -> ArchiveReport:
    """Check an exported case file offline; every problem names the member at fault."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return ArchiveReport(False, 0, [f"{path.name}: not a readable zip ({exc})"])
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            return ArchiveReport(False, 0, [f"{MANIFEST} or {SIGNATURE} is missing"])
        manifest_bytes = zf.read(MANIFEST)
        try:
            manifest = orjson.loads(manifest_bytes)
            public_key = str(manifest["publicKey"])
            listed = {str(m["path"]): m for m in manifest["members"]}
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            return ArchiveReport(False, 0, [f"{MANIFEST}: malformed ({exc})"])
        signature = zf.read(SIGNATURE).decode("ascii", "replace").strip()
        if not sm2_verify(public_key, manifest_bytes, signature):
            problems.append(f"{MANIFEST}: the SM2 signature in {SIGNATURE} does not verify (manifest or signature altered)")
        if trusted_public_keys is not None and public_key not in set(trusted_public_keys):
            problems.append(f"{MANIFEST}: signed with an untrusted key {manifest.get('keyId')}")
        data: dict[str, bytes] = {}
        for name in sorted(listed):
            if name not in names:
                problems.append(f"{name}: listed in the manifest but missing")
                continue
            body = zf.read(name)
            data[name] = body
            if sm3_hex(body) != listed[name].get("sm3") or len(body) != listed[name].get("size"):
                problems.append(f"{name}: SM3 differs from the manifest (member altered)")
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            problems.append(f"{name}: not listed in the manifest (member added)")
        problems.extend(_check_events(data, str(manifest.get("headHash", ""))))
        problems.extend(_check_seals(data))
    return ArchiveReport(not problems, len(listed), problems)


def _check_events(data: dict[str, bytes], head_hash: str) -> list[str]:
    raw = data.get("events.jsonl")
    if raw is None:
        return []
    try:
        events = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
        stored = [StoredEvent(int(e["globalSeq"]), int(e["seq"]), str(e["prevHash"]), str(e["hash"]), EventFields(
            str(e["caseId"]), str(e["kind"]), str(e["transition"]), str(e["actorId"]), str(e["at"]), e["fromState"],
            str(e["toState"]), str(e["summary"]), e["payload"], str(e["snapshotSm3"]))) for e in events]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        return [f"events.jsonl: malformed ({exc})"]
    report = verify_chain([s.entry() for s in stored], start_hash=GENESIS_HASH)
    if not report.ok:
        return [f"events.jsonl: event seq {report.bad_seq}: {report.fault}: {report.reason}"]
    if stored and stored[-1].hash != head_hash:
        return ["events.jsonl: the last event's hash differs from the manifest's head hash"]
    case = data.get("case.json")
    if case is not None and stored:
        snapshot = orjson.loads(case).get("snapshot")
        if snapshot_sm3(snapshot) != stored[-1].fields.snapshot_sm3:
            return ["case.json: the snapshot differs from the one recorded by the last event"]
    return []


def _check_seals(data: dict[str, bytes]) -> list[str]:
    raw_docs = data.get("documents.json")
    if raw_docs is None:
        return []
    keys = orjson.loads(data.get("seal_keys.json", b"{}"))
    problems = []
    for doc in orjson.loads(raw_docs):
        if doc.get("sealSignature") is None:
            continue
        public = keys.get(doc.get("sealKeyId"))
        case = orjson.loads(data.get("case.json", b"{}"))
        seal = Seal(str(doc["sealKeyId"]), str(doc["signedAt"]), str(doc["sealSignature"]))
        if public is None or not verify_seal(public, seal, case_id=str(case.get("caseId")), doc_no=doc.get("docNo"),
                                             doc_type=str(doc["docType"]), sm3=str(doc["sm3"])):
            problems.append(f"{doc.get('path')}: the electronic seal does not verify")
        file = data.get(str(doc.get("path")))
        if file is not None and sm3_hex(file) != doc.get("sm3"):
            problems.append(f"{doc.get('path')}: file SM3 differs from the sealed hash")
    return problems

