"""The content-addressed file store and the SM2 seal of documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.sm import sm3_hex
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.errors import BlobError
from subgraphs.cases.seal import SealKey, apply_seal, load_or_create, verify_seal


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=4096))
def test_a_file_is_stored_under_its_sm3_and_read_back(tmp_path: Path, data: bytes) -> None:
    store = BlobStore(tmp_path / "blobs")
    stored = store.put(data)
    assert stored.sm3 == sm3_hex(data)
    assert store.get(stored.sm3) == data
    assert store.put(data) == stored  # idempotent


def test_capture_hash_mismatch_and_damage_are_refused(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobError, match="capture"):
        store.put(b"photo", expected_sm3=sm3_hex(b"other photo"))
    stored = store.put(b"photo")
    store.path_of(stored.sm3).write_bytes(b"retouched")
    with pytest.raises(BlobError, match="damaged"):
        store.get(stored.sm3)
    with pytest.raises(BlobError):
        store.get("not-a-hash")


def _leftovers(path: Path) -> list[str]:
    return [p.name for p in path.iterdir() if p.name.startswith(".upload")]


async def test_streamed_uploads_are_bounded(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    async def chunks(n: int):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield b"x" * 1000

    stored = await store.put_stream(chunks(5), max_bytes=10_000)
    assert stored.size == 5000
    with pytest.raises(BlobError, match="larger"):
        await store.put_stream(chunks(20), max_bytes=10_000)
    assert _leftovers(tmp_path) == []


def test_a_seal_verifies_only_for_its_document(tmp_path: Path) -> None:
    key = load_or_create(tmp_path / "keys" / "seal.json")
    assert load_or_create(tmp_path / "keys" / "seal.json") == key
    seal = apply_seal(key, case_id="C1", doc_no="罚〔2024〕1号", doc_type="DECISION", sm3="a" * 64,
                      signed_at="2024-05-27T15:00:00+08:00")
    assert verify_seal(key.public_key, seal, case_id="C1", doc_no="罚〔2024〕1号", doc_type="DECISION", sm3="a" * 64)
    assert not verify_seal(key.public_key, seal, case_id="C1", doc_no="罚〔2024〕1号", doc_type="DECISION",
                           sm3="b" * 64)
    other = SealKey.generate("k2", "other")
    assert not verify_seal(other.public_key, seal, case_id="C1", doc_no="罚〔2024〕1号", doc_type="DECISION",
                           sm3="a" * 64)
