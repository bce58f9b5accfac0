"""The access log: chained records in a file or a database, SM2 anchors, retention, and tamper detection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.hashchain import ChainEntry, ChainFault, HashChain
from domain.sm import sm2_generate_keypair
from gateway.audit.log import AccessLog, AnchorKey
from gateway.audit.sql_store import SqlAccessLog
from gateway.audit.store import AccessLogStore, FileAccessLog, StoredEntry
from gateway.audit.verify import verify_records
from hub.audit import verify_access_log_async

KEYS = sm2_generate_keypair()
ANCHOR = AnchorKey("audit-test", KEYS.private_key)
PUBLIC = {"audit-test": KEYS.public_key}
DAY = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def body(n: int) -> dict[str, object]:
    return {"v": 1, "action": "READ", "requester": {"subject": f"officer-{n}"}, "subgraphs": {"people": {"fields": [
        "Person.name"], "ok": True}}, "result": "SUCCESS"}


@pytest.fixture(params=["file", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[AccessLogStore, str]]:
    if request.param == "file":
        path = tmp_path / "access_log.jsonl"
        yield FileAccessLog(path), str(path)
    else:
        url = f"sqlite:///{tmp_path / 'hub.db'}"
        yield SqlAccessLog(url, create_tables=True), url


async def filled(store: AccessLogStore, clock: Clock, n: int, *, anchor_every: int = 1000) -> AccessLog:
    log = AccessLog(store, anchor_key=ANCHOR, anchor_every=anchor_every, clock=clock)
    await log.open()
    for i in range(n):
        await log.append(body(i))
        clock.now += 60
    return log


def edit_record(url: str, seq: int) -> None:
    """What an insider with database or file access might do: change one record's body in place."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            (text,) = db.execute("SELECT body FROM gateway_access_log WHERE seq = ?", (seq,)).fetchone()
            edited = json.loads(text)
            edited["result"] = "DENIED"
            db.execute("UPDATE gateway_access_log SET body = ? WHERE seq = ?", (json.dumps(edited), seq))
        return
    lines = Path(url).read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[seq - 1])
    row["body"]["result"] = "DENIED"
    lines[seq - 1] = json.dumps(row, ensure_ascii=False)
    Path(url).write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_untouched_log_verifies_with_its_anchors(store: tuple[AccessLogStore, str]) -> None:
    log = await filled(store[0], Clock(), 7, anchor_every=3)
    report = await log.verify()
    await log.close()
    assert report.ok, str(report)
    assert report.checked == 7
    assert report.anchors_verified >= 2
    assert (await verify_access_log_async(store[1], public_keys=PUBLIC)).ok


@pytest.mark.parametrize("seq", [1, 4, 7])
async def test_editing_one_record_names_it(store: tuple[AccessLogStore, str], seq: int) -> None:
    log = await filled(store[0], Clock(), 7)
    await log.close()
    edit_record(store[1], seq)
    report = await verify_access_log_async(store[1], public_keys=PUBLIC)
    assert not report.ok
    assert report.bad_seq == seq
    assert report.fault is ChainFault.EDITED
    assert f"seq {seq}" in str(report)


async def test_deleted_and_reordered_records_are_named(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = await filled(FileAccessLog(path), Clock(), 6)
    await log.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    (tmp_path / "deleted.jsonl").write_text("\n".join(lines[:2] + lines[3:]) + "\n", encoding="utf-8")
    report = await verify_access_log_async(str(tmp_path / "deleted.jsonl"))
    assert (report.ok, report.fault, report.bad_seq) == (False, ChainFault.DELETED, 4)
    swapped = [*lines[:3], lines[4], lines[3], *lines[5:]]
    (tmp_path / "swapped.jsonl").write_text("\n".join(swapped) + "\n", encoding="utf-8")
    report = await verify_access_log_async(str(tmp_path / "swapped.jsonl"))
    assert (report.ok, report.fault, report.bad_seq) == (False, ChainFault.REORDERED, 5)


async def test_rewritten_and_rehashed_tail_is_caught_by_the_anchor(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = await filled(FileAccessLog(path), Clock(), 4)
    await log.anchor()
    await log.close()
    forged = FileAccessLog(tmp_path / "forged.jsonl")
    forger = AccessLog(forged, anchor_key=None)
    for i in range(4):
        await forger.append(body(100 + i))  # a whole new, internally consistent chain
    (tmp_path / "forged.jsonl.anchors").write_text((tmp_path / "log.jsonl.anchors").read_text())
    report = await verify_access_log_async(str(tmp_path / "forged.jsonl"), public_keys=PUBLIC)
    assert (report.ok, report.fault, report.bad_seq) == (False, ChainFault.ANCHOR_MISMATCH, 4)


async def test_pruning_keeps_the_rest_verifiable_from_a_signed_checkpoint(store: tuple[AccessLogStore, str]) -> None:
    clock = Clock()
    log = await filled(store[0], clock, 5, anchor_every=2)
    clock.now += 200 * DAY
    await log.append(body(99))
    assert log.retention_days == 184
    removed = await log.prune()
    assert removed == 5
    report = await log.verify()
    assert report.ok, str(report)
    assert (report.first_seq, report.head_seq, report.checked) == (6, 6, 1)
    await log.append(body(100))
    await log.close()
    assert (await verify_access_log_async(store[1], public_keys=PUBLIC)).ok
    edit_record(store[1], 7) if store[1].startswith("sqlite") else _edit_kept_line(store[1], 7)
    assert (await verify_access_log_async(store[1], public_keys=PUBLIC)).bad_seq == 7


def _edit_kept_line(path: str, seq: int) -> None:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows:
        if row["seq"] == seq:
            row["body"]["result"] = "DENIED"
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


async def test_deleting_records_after_the_checkpoint_is_detected(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "log.jsonl"
    log = await filled(FileAccessLog(path), clock, 3)
    clock.now += 200 * DAY
    for i in range(3):
        await log.append(body(10 + i))
    await log.prune()
    await log.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # remove seq 4, the first kept record
    report = await verify_access_log_async(str(path), public_keys=PUBLIC)
    assert (report.ok, report.fault, report.bad_seq) == (False, ChainFault.DELETED, 5)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=12), st.data())
def test_any_single_edit_is_named(count: int, data: st.DataObject) -> None:
    chain = HashChain()
    entries = [StoredEntry(chain.append(body(i)), i) for i in range(count)]
    target = data.draw(st.integers(min_value=0, max_value=count - 1))
    original = entries[target].entry
    edited = {**original.body, "result": data.draw(st.sampled_from(["DENIED", "ERROR", ""]))}
    entries[target] = StoredEntry(ChainEntry(original.seq, original.prev_hash, edited, original.hash), target)
    report = verify_records(entries, [], {})
    assert not report.ok
    assert (report.bad_seq, report.fault) == (target + 1, ChainFault.EDITED)


_WRITER = """
import asyncio, sys
from gateway.audit.store import FileAccessLog

async def main(path: str, name: str, n: int) -> None:
    store = FileAccessLog(path)
    await store.open()  # both processes open the file before either writes
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()
    for i in range(n):
        await store.append({"v": 1, "writer": name, "i": i}, 1_700_000_000_000 + i)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def test_two_processes_appending_to_one_file_keep_one_chain(tmp_path: Path) -> None:
    """A second gateway on the same data directory (or a restart overlapping the old process) must
    not start a second chain in the dev log: every append links to the last record on disk."""
    import asyncio
    import subprocess
    import sys

    path = tmp_path / "access_log.jsonl"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, "150"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for name in ("a", "b")]
    for w in writers:
        assert w.stdout is not None
        assert w.stdout.readline().strip() == "ready"
    for w in writers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    for w in writers:
        assert w.wait(timeout=120) == 0
    report = asyncio.run(verify_access_log_async(str(path), public_keys=PUBLIC))
    assert report.ok, str(report)
    assert report.checked == 300
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, 301))
    assert {r["body"]["writer"] for r in rows} == {"a", "b"}
