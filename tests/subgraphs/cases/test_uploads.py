"""Resumable uploads on disk (`subgraphs.cases.uploads`): parts, replays, gaps, owners, the final hash."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.sm import sm3_hex
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.errors import BadInput, BlobError, Forbidden
from subgraphs.cases.uploads import MAX_PART_BYTES, UploadGap, UploadSessions


def _sessions(tmp: Path, max_bytes: int = 10 * MAX_PART_BYTES) -> UploadSessions:
    return UploadSessions(BlobStore(tmp / "blobs"), max_bytes=max_bytes)


def test_parts_in_order_with_a_replay_and_a_gap(tmp_path: Path) -> None:
    data = os.urandom(250_000)
    up = _sessions(tmp_path)
    s = up.start("OFF-1", sm3=sm3_hex(data), size=len(data), media_type="video/mp4")
    assert (s.received, s.complete) == (0, False)

    async def run() -> None:
        first = await up.append("OFF-1", s.id, offset=0, data=data[:100_000])
        assert first.received == 100_000
        with pytest.raises(UploadGap) as gap:
            await up.append("OFF-1", s.id, offset=150_000, data=data[150_000:200_000])
        assert gap.value.received == 100_000
        replay = await up.append("OFF-1", s.id, offset=0, data=data[:100_000])
        assert replay.received == 100_000  # a replayed part changes nothing
        overlap = await up.append("OFF-1", s.id, offset=50_000, data=data[50_000:180_000])
        assert overlap.received == 180_000  # only the bytes past `received` were added
        await up.append("OFF-1", s.id, offset=180_000, data=data[180_000:])
        stored = await up.finish("OFF-1", s.id)
        assert stored.sm3 == sm3_hex(data)
        assert up.blobs.get(stored.sm3) == data
        again = await up.finish("OFF-1", s.id)
        assert again.sm3 == stored.sm3

    asyncio.run(run())
    assert up.get("OFF-1", s.id).complete


def test_wrong_content_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    data = os.urandom(4096)
    declared = sm3_hex(data)
    up = _sessions(tmp_path)
    s = up.start("OFF-1", sm3=declared, size=len(data), media_type="image/jpeg")
    tampered = bytes([data[0] ^ 1]) + data[1:]

    async def run() -> None:
        await up.append("OFF-1", s.id, offset=0, data=tampered)
        with pytest.raises(BlobError, match="differs"):
            await up.finish("OFF-1", s.id)

    asyncio.run(run())
    assert not up.blobs.exists(declared)
    assert not up.blobs.exists(sm3_hex(tampered))
    assert not up.get("OFF-1", s.id).complete


def test_another_subject_cannot_touch_the_session(tmp_path: Path) -> None:
    up = _sessions(tmp_path)
    s = up.start("OFF-1", sm3=sm3_hex(b"abc"), size=3, media_type="text/plain")
    with pytest.raises(Forbidden):
        up.get("OFF-2", s.id)
    with pytest.raises(Forbidden):
        asyncio.run(up.append("OFF-2", s.id, offset=0, data=b"abc"))
    assert up.get("OFF-1", s.id).received == 0


def test_bad_declarations_and_parts(tmp_path: Path) -> None:
    up = _sessions(tmp_path, max_bytes=1000)
    with pytest.raises(BadInput):
        up.start("OFF-1", sm3="xyz", size=3, media_type="text/plain")
    with pytest.raises(BadInput):
        up.start("OFF-1", sm3=sm3_hex(b"a"), size=1001, media_type="text/plain")
    with pytest.raises(BadInput):
        up.start("OFF-1", sm3=sm3_hex(b"a"), size=1, media_type="not a type")
    s = up.start("OFF-1", sm3=sm3_hex(b"abc"), size=3, media_type="text/plain")
    with pytest.raises(BadInput, match="declared size"):
        asyncio.run(up.append("OFF-1", s.id, offset=0, data=b"abcd"))
    with pytest.raises(BadInput, match="only 0 of 3"):
        asyncio.run(up.finish("OFF-1", s.id))
    with pytest.raises(BadInput):
        up.get("OFF-1", "../../etc")
    assert up.get("OFF-1", s.id).received == 0


def test_an_already_stored_file_is_complete_at_once(tmp_path: Path) -> None:
    up = _sessions(tmp_path)
    data = b"the same clip"
    up.blobs.put(data)
    s = up.start("OFF-1", sm3=sm3_hex(data), size=len(data), media_type="video/mp4")
    assert (s.complete, s.received) == (True, len(data))
    assert asyncio.run(up.finish("OFF-1", s.id)).sm3 == sm3_hex(data)


def test_stale_sessions_are_swept(tmp_path: Path) -> None:
    up = _sessions(tmp_path)
    old = up.start("OFF-1", sm3=sm3_hex(b"x"), size=1, media_type="text/plain")
    fresh = up.start("OFF-1", sm3=sm3_hex(b"y"), size=1, media_type="text/plain")
    assert up.sweep(now=time.time() + 2 * up.max_age_s) == 2
    assert not (up.root / old.id).exists()
    assert not (up.root / fresh.id).exists()
    kept = up.start("OFF-1", sm3=sm3_hex(b"z"), size=1, media_type="text/plain")
    assert up.sweep() == 0
    assert (up.root / kept.id).exists()


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=0, max_size=3000), cuts=st.lists(st.integers(0, 3000), max_size=8),
       replays=st.lists(st.integers(0, 20), max_size=6))
def test_any_split_with_replays_arrives_whole(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                              cuts: list[int], replays: list[int]) -> None:
    up = _sessions(tmp_path_factory.mktemp("split"))
    bounds = sorted({0, len(data), *(c for c in cuts if c <= len(data))})
    parts = list(itertools.pairwise(bounds))
    s = up.start("OFF-1", sm3=sm3_hex(data), size=len(data), media_type="application/octet-stream")

    async def run() -> None:
        for n, (start, end) in enumerate(parts):
            await up.append("OFF-1", s.id, offset=start, data=data[start:end])
            for r in replays:  # a retry storm: earlier parts sent again
                if r < n:
                    a, b = parts[r]
                    await up.append("OFF-1", s.id, offset=a, data=data[a:b])
        stored = await up.finish("OFF-1", s.id)
        assert up.blobs.get(stored.sm3) == data

    asyncio.run(run())
