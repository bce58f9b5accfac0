"""Inspections and coercive measures owe the data centre their records, written with their own changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from domain.identifiers import uscc_check_char
from subgraphs.cases.domain.coercive import Handle, HandlingKind, PutInForce
from subgraphs.cases.domain.errors import IllegalTransition
from subgraphs.cases.domain.inspection import (
    AssignInspectors,
    CheckResult,
    PublishInspection,
    RecordResult,
    Resolve,
    StartOnSite,
)
from subgraphs.cases.inspections import apply_to_inspection, plan_inspection
from subgraphs.cases.measures import apply_to_measure, register_measure
from subgraphs.cases.outbox.messages import DATA_CENTRE
from subgraphs.cases.outbox.rows import OutboxRow

from .harness import at, d
from .store_support import ORDINARY, Store, open_store
from .test_coercive import GOODS, approval, extend, on_site
from .test_record_store import _plan, _records

USCC = "91445100MA4UXXXX0" + uscc_check_char("91445100MA4UXXXX0")


async def _owed(store: Store, record_id: str) -> list[Any]:
    async with store.engine.connect() as conn:
        return list((await conn.execute(select(OutboxRow).where(OutboxRow.aggregate_id == record_id)
                                        .order_by(OutboxRow.id))).all())


async def test_an_inspection_is_reported_once_it_has_a_result_and_updated_after(database_url: str) -> None:
    async with open_store(database_url) as store:
        records = _records(store)
        await plan_inspection(records, _plan("I-1"))
        await apply_to_inspection(records, "I-1", AssignInspectors(at=at("2024-03-01"), actor_id="PLANNER",
                                                                   officer_ids=("O1", "O2")))
        await apply_to_inspection(records, "I-1", StartOnSite(at=at("2024-03-05 09:00"), actor_id="O1",
                                                              certificates_shown=True))
        assert await _owed(store, "I-1") == []  # planned, assigned, on site: nothing to report yet
        await apply_to_inspection(records, "I-1", RecordResult(
            at=at("2024-03-05 11:00"), actor_id="O1", result=CheckResult.NO_ISSUE, record_doc_id="DOC-1",
            submitted_at=at("2024-03-05 11:30")))
        await apply_to_inspection(records, "I-1", Resolve(at=at("2024-03-06"), actor_id="O1"))
        await apply_to_inspection(records, "I-1", PublishInspection(at=at("2024-03-07"), actor_id="O1"))
        owed = await _owed(store, "I-1")
        assert [(r.topic, r.op, r.aggregate_version) for r in owed] == [
            (DATA_CENTRE, "i", 4), (DATA_CENTRE, "u", 5), (DATA_CENTRE, "u", 6)]
        first, last = owed[0].payload, owed[-1].payload
        assert (first["type"], first["key"], first["version"]) == ("INSPECTION", "I-1", 4)
        data = first["data"]
        assert data["checkActionCode"] == "I-1"
        assert data["checkResult"] == "未发现问题"
        assert data["implementingBodyCode"] == "B1"
        assert data["implementingBody"] == "潮州市市场监督管理局"
        assert data["objectName"] == "某***"  # no credit code: the object may be a person, so masked
        assert data["checkDate"] == at("2024-03-05 09:00").isoformat()  # when the check on site began
        assert data["submittedAt"] == at("2024-03-05 11:30").isoformat()
        assert len(data["certNos"]) == 2
        assert last["data"]["publishedOn"] == "2024-03-07"
        assert "某餐饮店" not in json.dumps([r.payload for r in owed], ensure_ascii=False)


async def test_an_inspected_enterprise_is_reported_by_name_and_code(database_url: str) -> None:
    async with open_store(database_url) as store:
        records = _records(store)
        plan = _plan("I-2")
        from dataclasses import replace

        await plan_inspection(records, replace(plan, object_name="潮州某食品有限公司", object_uscc=USCC))
        for step in (AssignInspectors(at=at("2024-03-01"), actor_id="PLANNER", officer_ids=("O1", "O2")),
                     StartOnSite(at=at("2024-03-05 09:00"), actor_id="O1", certificates_shown=True),
                     RecordResult(at=at("2024-03-05 11:00"), actor_id="O1", result=CheckResult.RECTIFY,
                                  record_doc_id="DOC-1", submitted_at=at("2024-03-05 11:00")),
                     Resolve(at=at("2024-03-06"), actor_id="O1", rectification_due=d("2024-03-20"))):
            await apply_to_inspection(records, "I-2", step)
        last = (await _owed(store, "I-2"))[-1].payload["data"]
        assert (last["objectName"], last["counterpartName"]) == ("潮州某食品有限公司", "潮州某食品有限公司")
        assert (last["counterpartCode"], last["counterpartIdType"]) == (USCC, "统一社会信用代码")
        assert (last["checkResult"], last["rectificationDue"]) == ("发现问题责令整改", "2024-03-20")


async def test_a_measure_reports_every_change_and_a_refused_one_nothing(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id = (await store.run(ORDINARY[:3])).case.case_id
        records = _records(store)
        await register_measure(records, approval())
        await apply_to_measure(records, "M-1", PutInForce(at=at("2024-04-10 10:00"), actor_id="O1",
                                                          on_site=on_site()))
        await apply_to_measure(records, "M-1", extend())
        with pytest.raises(IllegalTransition):
            await apply_to_measure(records, "M-1", PutInForce(at=at("2024-04-11 10:00"), actor_id="O1",
                                                              on_site=on_site()))
        await apply_to_measure(records, "M-1", Handle(at=at("2024-05-20"), actor_id="HEAD",
                                                      handling=HandlingKind.CONFISCATE))
        owed = await _owed(store, "M-1")
        assert [(r.op, r.aggregate_version) for r in owed] == [("i", 1), ("u", 2), ("u", 3), ("u", 4)]
        data = owed[-1].payload["data"]
        assert owed[-1].payload["type"] == "COERCIVE_MEASURE"
        assert (data["caseId"], data["kind"], data["state"], data["handling"]) == (
            case_id, "SEIZE", "HANDLED", "CONFISCATE")
        assert data["termDue"] == "2024-06-09"
        assert data["itemCount"] == len(GOODS) > 0
        assert all(item.name not in json.dumps(owed[-1].payload, ensure_ascii=False) for item in GOODS)
