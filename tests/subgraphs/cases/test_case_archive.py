"""Electronic case file: export, offline verification, and tamper detection naming the member."""

from __future__ import annotations

import base64
import zipfile
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from domain.sm import sm3_hex
from hub.archive import export_case, verify_archive
from subgraphs.cases.archive_file import ArchiveError, ArchiveTooLarge, build_case_archive
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.documents import CaseFiles, register_seal_key
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.enums import EvidenceKind
from subgraphs.cases.queries import documents_of
from subgraphs.cases.seal import SealKey
from subgraphs.common.db import create_engine

from .store_support import ORDINARY, open_store

PHOTO = b"\x89PNG evidence photo taken on site"
DECISION = "行政处罚决定书 潮市监罚〔2024〕12号".encode()


async def _case_with_files(database_url: str, tmp_path: Path) -> tuple[str, BlobStore, SealKey]:
    key = SealKey.generate("seal-test", "潮州市市场监督管理局")
    blobs = BlobStore(tmp_path / "blobs")
    async with open_store(database_url) as store:
        await register_seal_key(store.engine, key, now=datetime.now(CHINA_TZ))
        files = CaseFiles(store.service, blobs, key)
        case_id = (await store.run(ORDINARY[:5])).case.case_id
        photo = blobs.put(PHOTO, expected_sm3=sm3_hex(PHOTO))
        await files.attach_evidence(case_id, kind=EvidenceKind.AUDIOVISUAL, title="现场照片", media_type="image/png",
                                    sm3=photo.sm3, captured_at=datetime(2024, 3, 5, 9, 30, tzinfo=CHINA_TZ),
                                    collected_by=("O1", "O2"), actor_id="O1", device_id="CAM-7",
                                    at=datetime(2024, 3, 5, 11, 0, tzinfo=CHINA_TZ))
        for cmd in ORDINARY[5:12]:
            await store.service.execute(cmd, case_id=case_id)
        doc = blobs.put(DECISION)
        result = await files.attach_document(case_id, doc_type="DECISION", title="行政处罚决定书", sm3=doc.sm3,
                                             media_type="text/plain", doc_no="潮市监罚〔2024〕12号", seal=True,
                                             actor_id="HEAD", at=datetime(2024, 5, 27, 15, 0, tzinfo=CHINA_TZ))
        (document,) = (await documents_of(store.engine, [result.case.case_id]))[case_id]
        check = await files.verify_document(document.id)
        assert check.ok, check.reason
    return case_id, blobs, key


async def test_round_trip_verifies(database_url: str, tmp_path: Path) -> None:
    case_id, blobs, key = await _case_with_files(database_url, tmp_path)
    out = await export_case(database_url, case_id, tmp_path / "case.zip", blob_dir=blobs.root, signing_key=key)
    report = verify_archive(out, trusted_public_keys=[key.public_key])
    assert report.ok, str(report)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"case.json", "events.jsonl", "manifest.json", "manifest.sig", "documents.json"} <= names
        assert any(n.startswith("evidence/") for n in names)
        assert zf.read(next(n for n in names if n.startswith("documents/"))) == DECISION
        assert len(zf.read("events.jsonl").splitlines()) == 14  # 12 commands, evidence, document


def _rewrite(src: Path, dst: Path, member: str, change: bytes | None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                if change is None:
                    continue
                data = change
            zout.writestr(item.filename, data)


@pytest.mark.parametrize("member", ["case.json", "events.jsonl", "deadlines.json", "documents.json",
                                    "evidence.json", "documents/*", "evidence/*", "manifest.json", "manifest.sig"])
async def test_tampering_with_any_member_fails_and_names_it(database_url: str, tmp_path: Path, member: str) -> None:
    case_id, blobs, key = await _case_with_files(database_url, tmp_path)
    out = await export_case(database_url, case_id, tmp_path / "case.zip", blob_dir=blobs.root, signing_key=key)
    with zipfile.ZipFile(out) as zf:
        name = next(n for n in zf.namelist() if n == member or (member.endswith("*") and n.startswith(member[:-1])))
        original = zf.read(name)
    tampered = tmp_path / "tampered.zip"
    changed = original.replace(b"2024", b"2025", 1) if b"2024" in original else original + b" "
    if name == "manifest.sig":
        changed = (("0" if original[:1] != b"0" else "1").encode() + original[1:])
    _rewrite(out, tampered, name, changed)
    report = verify_archive(tampered)
    assert not report.ok
    expected = "manifest.json" if name == "manifest.sig" else name
    assert any(p.startswith(expected) for p in report.problems), report.problems


async def test_removed_and_added_members_are_named(database_url: str, tmp_path: Path) -> None:
    case_id, blobs, key = await _case_with_files(database_url, tmp_path)
    out = await export_case(database_url, case_id, tmp_path / "case.zip", blob_dir=blobs.root, signing_key=key)
    removed = tmp_path / "removed.zip"
    _rewrite(out, removed, "deadlines.json", None)
    assert any(p.startswith("deadlines.json: listed") for p in verify_archive(removed).problems)
    added = tmp_path / "added.zip"
    _rewrite(out, added, "__none__", None)
    with zipfile.ZipFile(added, "a") as zf:
        zf.writestr("extra.txt", base64.b64encode(b"planted"))
    assert any(p.startswith("extra.txt: not listed") for p in verify_archive(added).problems)
    assert not verify_archive(out, trusted_public_keys=["00" * 64]).ok


async def test_the_graphs_builder_makes_the_same_archive_and_keeps_to_its_size_limit(database_url: str,
                                                                                   tmp_path: Path) -> None:
    """`build_case_archive` (what the `caseArchive` field sends) writes an archive that verifies; over
    `max_bytes` of files it refuses before reading them, naming the size and the limit."""
    case_id, blobs, key = await _case_with_files(database_url, tmp_path)
    engine = create_engine(database_url)
    try:
        built = await build_case_archive(engine, case_id, blobs=blobs, key=key, max_bytes=1024 * 1024)
        files = len(PHOTO) + len(DECISION)
        with pytest.raises(ArchiveTooLarge) as refused:
            await build_case_archive(engine, case_id, blobs=blobs, key=key, max_bytes=files - 1)
        with pytest.raises(ArchiveError):
            await build_case_archive(engine, "C0000-0000000", blobs=blobs, key=key)
    finally:
        await engine.dispose()
    assert (refused.value.size, refused.value.limit) == (files, files - 1)
    out = tmp_path / built.file_name
    out.write_bytes(built.data)
    assert verify_archive(out, trusted_public_keys=[key.public_key]).ok
    with zipfile.ZipFile(out) as zf:
        assert orjson.loads(zf.read("manifest.json"))["headHash"] == built.head_hash
