"""The electronic case file (电子卷宗): `export_case` writes one zip; `verify_archive` checks it offline.

The zip is built by `subgraphs.cases.archive_file` (its docstring lists the members), the same code
the graph's `caseArchive` field uses, so a file downloaded from the console and one written by
`hub archive export` are the same kind of archive and verify the same way.

`verify_archive` needs nothing but the file (and optionally the public keys to trust): it checks
the manifest signature, every member's SM3, that no member was added or removed, the event chain
(`domain.hashchain`) up to the head hash in the manifest, and each document's seal. Every
problem names the member (and event or document) at fault.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from domain.hashchain import GENESIS_HASH, verify_chain
from domain.sm import sm2_verify, sm3_hex
from subgraphs.cases import queries
from subgraphs.cases.archive_file import FORMAT, MANIFEST, SIGNATURE, ArchiveError, build_case_archive
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.chain import EventFields, StoredEvent, snapshot_sm3
from subgraphs.cases.seal import Seal, SealKey, load_or_create, verify_seal
from subgraphs.common.db import create_engine

__all__ = ["FORMAT", "ArchiveError", "ArchiveReport", "export_case", "verify_archive"]


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
        if case_id not in await queries.cases_by_id(engine, [case_id]):
            raise ArchiveError(f"no case {case_id} in the store (case ids look like C0007-0000003: "
                               "`{ penaltyCases { items { id } } }` lists them)")
        # the seal key and the file store are the hub's: touched only once the case is known
        blobs = BlobStore(blob_dir) if blob_dir is not None else _default_blobs()
        archive = await build_case_archive(engine, case_id, blobs=blobs, key=signing_key or _default_key())
    finally:
        await engine.dispose()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    tmp.write_bytes(archive.data)
    tmp.replace(out_path)
    return out_path


@dataclass(frozen=True)
class ArchiveReport:
    ok: bool
    members: int
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.ok:
            return f"archive intact: {self.members} members verified"
        return "archive damaged:\n  " + "\n  ".join(self.problems)


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

