"""The full-process record: editing, deleting or reordering one stored event is caught and named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from hub.case_audit import verify_case_events
from subgraphs.cases.chain import verify_case_chain
from subgraphs.cases.queries import stored_events

from . import harness as h
from .store_support import ORDINARY, Store, open_store


async def _two_cases(store: Store) -> tuple[str, str]:
    first = await store.run(ORDINARY[:8])
    second = await store.run([h.clue("2024-02-26", case_id="CASE-2"), *ORDINARY[1:4]])
    return first.case.case_id, second.case.case_id


async def _sql(store: Store, statement: str, **params: object) -> None:
    async with store.engine.begin() as conn:
        await conn.execute(text(statement), params)


async def test_an_untouched_store_verifies(database_url: str) -> None:
    async with open_store(database_url) as store:
        await _two_cases(store)
        report = await verify_case_events(database_url)
    assert report.ok, str(report)
    assert (report.cases, report.events) == (2, 12)


async def test_an_edited_event_is_named(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id, other = await _two_cases(store)
        await _sql(store, "UPDATE case_event SET actor_id = 'MALLORY' WHERE case_id = :c AND seq = 5", c=case_id)
        report = await verify_case_events(database_url)
    assert not report.ok
    assert len(report.faults) == 1
    fault = report.faults[0]
    assert (fault.case_id, fault.fault, fault.seq) == (case_id, "EDITED", 5)
    assert other not in str(report)


async def test_an_edited_payload_is_named(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id, _ = await _two_cases(store)
        events = await stored_events(store.engine, case_id)
        payload = dict(events[6].fields.payload)
        payload["fields"] = {**payload["fields"], "actor_id": "SOMEONE"}
        await _sql(store, "UPDATE case_event SET payload = :p WHERE case_id = :c AND seq = 7",
                   p=json.dumps(payload, ensure_ascii=False), c=case_id)
        report = await verify_case_events(database_url)
    assert report.first is not None
    assert (report.first.fault, report.first.seq) == ("EDITED", 7)


@pytest.mark.parametrize("seq", [1, 4, 8])
async def test_a_deleted_event_is_named(database_url: str, seq: int) -> None:
    async with open_store(database_url) as store:
        case_id, _ = await _two_cases(store)
        await _sql(store, "DELETE FROM case_event WHERE case_id = :c AND seq = :s", c=case_id, s=seq)
        report = await verify_case_events(database_url)
    assert report.first is not None
    assert (report.first.case_id, report.first.fault, report.first.seq) == (case_id, "DELETED", seq)


async def test_swapped_sequence_numbers_are_named_as_reordered(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id, _ = await _two_cases(store)
        await _sql(store, "UPDATE case_event SET seq = -1 WHERE case_id = :c AND seq = 3", c=case_id)
        await _sql(store, "UPDATE case_event SET seq = 3 WHERE case_id = :c AND seq = 4", c=case_id)
        await _sql(store, "UPDATE case_event SET seq = 4 WHERE case_id = :c AND seq = -1", c=case_id)
        report = await verify_case_events(database_url)
    assert report.first is not None
    assert report.first.fault == "REORDERED"
    assert report.first.seq in (3, 4)


async def test_rows_moved_wholesale_are_named_as_reordered(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id, _ = await _two_cases(store)
        events = await stored_events(store.engine, case_id)
        a, b = events[2], events[3]  # seq 3 and 4: swap everything but their insertion order
        for target, source in ((a, b), (b, a)):
            f = source.fields
            await _sql(store, "UPDATE case_event SET seq = :seq, kind = :kind, transition = :tr, actor_id = :actor, "
                              "at = :at, from_state = :fs, to_state = :ts, summary = :sm, payload = :p, "
                              "prev_hash = :ph, hash = :h WHERE global_seq = :g",
                       seq=source.seq + 100, kind=f.kind, tr=f.transition, actor=f.actor_id, at=f.at,
                       fs=f.from_state, ts=f.to_state, sm=f.summary, p=json.dumps(dict(f.payload), ensure_ascii=False),
                       ph=source.prev_hash, h=source.hash, g=target.global_seq)
        await _sql(store, "UPDATE case_event SET seq = seq - 100 WHERE case_id = :c AND seq > 100", c=case_id)
        report = await verify_case_events(database_url)
    assert report.first is not None
    assert report.first.fault == "REORDERED", str(report)
    assert report.first.seq == 4


async def test_an_edited_snapshot_or_head_is_caught(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id, _ = await _two_cases(store)
        await _sql(store, "UPDATE penalty_case SET version = version - 1 WHERE id = :c", c=case_id)
        report = await verify_case_events(database_url)
        assert report.first is not None
        assert report.first.case_id == case_id
        record = await store.service.load(case_id)
        events = await stored_events(store.engine, case_id)
        from subgraphs.cases.chain import snapshot_sm3

        assert verify_case_chain(case_id, events, version=record.version + 1, head_hash=record.head_hash,
                                 snapshot_digest=snapshot_sm3({"not": "the snapshot"})) is not None
