"""The transactional outbox of the case store: a change and the messages it owes go together or not at all."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from subgraphs.cases.domain.enums import PartyType, PenaltyKind, RemedyOutcome
from subgraphs.cases.domain.errors import GuardFailed
from subgraphs.cases.domain.records import Party
from subgraphs.cases.errors import VersionConflict
from subgraphs.cases.outbox.credit import wan_yuan, yuan_text
from subgraphs.cases.outbox.messages import CREDIT, DATA_CENTRE
from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.service import CaseHistory

from . import harness as h
from .store_support import ORDINARY, Store, open_store
from .world import make_context

#: the ordinary path on to publicity, a remedy that revokes the decision, and the withdrawal (T29 … T33)
REVOKED = (*ORDINARY[:13], h.publish("2024-06-04"), h.file_remedy("2024-06-05"),
           h.conclude_remedy("2024-07-10", RemedyOutcome.REVOKED), h.revise("2024-07-10", RemedyOutcome.REVOKED),
           h.withdraw("2024-07-12"))


async def _messages(store: Store, topic: str | None = None) -> list[Any]:
    query = select(OutboxRow).order_by(OutboxRow.id)
    if topic is not None:
        query = query.where(OutboxRow.topic == topic)
    async with store.engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def _count(store: Store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(OutboxRow))).scalar_one())


async def test_every_change_owes_the_data_centre_the_case_as_it_now_stands(database_url: str) -> None:
    async with open_store(database_url) as store:
        result = await store.run(ORDINARY)
        rows = await _messages(store, DATA_CENTRE)
        assert len(rows) == len(ORDINARY)  # one per committed change
        assert [r.aggregate_version for r in rows] == list(range(1, len(ORDINARY) + 1))
        assert [r.op for r in rows] == ["i"] + ["u"] * (len(ORDINARY) - 1)
        assert len({r.key for r in rows}) == len(rows)
        last = rows[-1].payload
        assert (last["key"], last["version"], last["type"]) == (result.case.case_id, result.case.version,
                                                                 "PENALTY_CASE")
        data = last["data"]
        assert data["caseNo"] == result.case.case_no
        assert data["state"] == result.case.snapshot.state.value
        assert data["fineFen"] == 500_000
        assert data["decidedOn"] == "2024-05-27"
        # a natural person leaves masked and never by the hash of the ID number
        assert data["partyName"] == "张*"
        assert "h-zs" not in json.dumps([r.payload for r in rows], ensure_ascii=False)
        assert "张三" not in json.dumps([r.payload for r in rows], ensure_ascii=False)
        assert await _messages(store, CREDIT) == []  # nothing published yet


async def test_publication_and_withdrawal_owe_the_credit_platform_a_record_and_its_withdrawal(
        database_url: str) -> None:
    async with open_store(database_url) as store:
        await store.run(REVOKED)
        credit = await _messages(store, CREDIT)
        assert [r.op for r in credit] == ["i", "d"]
        record = credit[0].payload["record"]
        decision = (await store.service.load(credit[0].aggregate_id)).snapshot.decision
        assert decision is not None
        assert record["CF_WSH"] == decision.doc_no
        assert record["CF_XDR_MC"] == "张*"
        assert record["CF_XDR_LB"] == "自然人"
        assert "CF_XDR_SHXYM" not in record
        assert "CF_XDR_ZJHM" not in record
        assert record["CF_NR_FK"] == "0.500000"  # 5 000 元
        assert record["CF_CFLB"] == "罚款"
        assert record["CF_NR"] == "罚款5000元"
        assert record["CF_JDRQ"] == "2024-05-27"
        assert record["CF_GSJZQ"] == "2025-05-27"  # a general case: one year
        assert record["CF_CFJG"] == "潮州市市场监督管理局"
        assert record["CF_CFJGDM"] == "B1"
        assert credit[1].payload == {"op": "d", "record": {"CF_WSH": decision.doc_no}}
        assert credit[0].id < credit[1].id  # delivered in this order


async def test_an_organisation_is_published_by_name_and_code(database_url: str) -> None:
    company = Party(PartyType.ORGANISATION, "潮州某食品有限公司", uscc="91445100MA4UXXXX0X")
    commands = (h.clue("2024-02-26", party=company), *ORDINARY[1:13], h.publish("2024-06-04"))
    async with open_store(database_url) as store:
        await store.run(commands)
        (row,) = await _messages(store, CREDIT)
        record = row.payload["record"]
        assert record["CF_XDR_MC"] == "潮州某食品有限公司"
        assert record["CF_XDR_LB"] == "法人及非法人组织"
        assert record["CF_XDR_SHXYM"] == "91445100MA4UXXXX0X"


async def test_a_refused_command_owes_nothing(database_url: str) -> None:
    async with open_store(database_url) as store:
        result = await store.run(ORDINARY[:3])
        before = await _count(store)
        with pytest.raises(GuardFailed):
            await store.service.execute(h.investigate("2024-03-04", officers=("O1", "O3")),
                                        case_id=result.case.case_id)
        stale = await store.service.load(result.case.case_id)
        await store.service.execute(ORDINARY[3], case_id=result.case.case_id)
        after_one = await _count(store)
        assert after_one == before + 1
        from subgraphs.cases.domain.machine import apply

        step = apply(stale.snapshot, ORDINARY[3], make_context())
        with pytest.raises(VersionConflict):  # the lost race rolls its messages back with it
            await store.service._commit(stale, step.after, [], (), None, (), make_context())
        assert await _count(store) == after_one


async def test_bulk_written_cases_owe_one_message_each_and_a_published_one_its_record(database_url: str) -> None:
    async with open_store(database_url) as store:
        ctx = make_context()
        from subgraphs.cases.domain.machine import apply

        histories = []
        for n, commands in enumerate((ORDINARY, (*ORDINARY[:13], h.publish("2024-06-04")))):
            steps, snapshot = [], None
            for command in commands:
                if isinstance(command, h.c.RegisterClue):
                    command = h.clue("2024-02-26", case_id=f"bulk-{n}")
                step = apply(snapshot, command, ctx)
                steps.append(step)
                snapshot = step.after
            histories.append(CaseHistory(steps))
        assert await store.service.write_many(histories) == 2
        dc = await _messages(store, DATA_CENTRE)
        assert sorted((r.aggregate_id, r.aggregate_version, r.op) for r in dc) == [
            ("bulk-0", len(ORDINARY), "i"), ("bulk-1", 14, "i")]
        credit = await _messages(store, CREDIT)
        assert [(r.aggregate_id, r.op) for r in credit] == [("bulk-1", "i")]


@given(st.integers(min_value=0, max_value=10**15))
def test_wan_yuan_is_the_exact_amount_with_six_decimals(fen: int) -> None:
    text = wan_yuan(fen)
    whole, _, decimals = text.partition(".")
    assert len(decimals) == 6
    assert whole.isdigit()
    assert Decimal(text) * 1_000_000 == fen


@given(st.integers(min_value=0, max_value=10**12))
def test_yuan_text_reads_back_as_the_amount(fen: int) -> None:
    text = yuan_text(fen)
    assert text.endswith("元")
    assert Decimal(text[:-1]) * 100 == fen
    assert not text[:-1].endswith(".")
    assert (("." not in text) or not text[:-1].endswith("0"))


def test_every_penalty_kind_has_its_chinese_label() -> None:
    from subgraphs.cases.outbox.credit import KIND_LABEL

    assert set(KIND_LABEL) == set(PenaltyKind)
    assert len(set(KIND_LABEL.values())) == len(PenaltyKind)


async def test_the_publicity_period_follows_the_configured_policy(database_url: str) -> None:
    from subgraphs.cases.facts import FixedFacts
    from subgraphs.cases.outbox.credit import PublicityPolicy
    from subgraphs.cases.service import CaseService

    async with open_store(database_url) as store:
        store.service = CaseService(store.engine, FixedFacts(make_context()),
                                    publicity=PublicityPolicy(general_days=30, serious_days=90))
        await store.run((*ORDINARY[:13], h.publish("2024-06-04")))
        (row,) = await _messages(store, CREDIT)
        assert row.payload["record"]["CF_JDRQ"] == "2024-05-27"
        assert row.payload["record"]["CF_GSJZQ"] == "2024-06-26"  # 30 days, a general case


async def test_each_party_of_a_joint_case_is_published_on_its_own_and_withdrawn_together(
        database_url: str) -> None:
    from dataclasses import replace

    company = Party(PartyType.ORGANISATION, "潮州某食品有限公司", uscc="91445100MA4UXXXX0X")
    joint = replace(h.clue("2024-02-26"), parties=(h.PERSON, company))
    async with open_store(database_url) as store:
        await store.run((joint, *REVOKED[1:]))
        credit = await _messages(store, CREDIT)
        assert [r.op for r in credit] == ["i", "i", "d"]
        person, organisation = (r.payload["record"] for r in credit[:2])
        assert (person["CF_XDR_MC"], person["CF_XDR_LB"]) == ("张*", "自然人")
        assert "CF_XDR_SHXYM" not in person
        assert (organisation["CF_XDR_MC"], organisation["CF_XDR_SHXYM"]) == ("潮州某食品有限公司", "91445100MA4UXXXX0X")
        assert person["CF_WSH"] == organisation["CF_WSH"] == credit[2].payload["record"]["CF_WSH"]
        assert len({r.key for r in credit}) == 3
