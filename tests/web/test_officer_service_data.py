"""What the served documents print, from a case as the graph answers it (no stack: the answer's shape is
that of web/operations/officer-service-case.graphql; the HTTP tests check it against the real graph)."""

from __future__ import annotations

import json
from typing import Any

from web.pages import officer_service_data as svc


def _case(**extra: Any) -> dict[str, Any]:
    notice = {"seq": 7, "kind": "ServeNotice", "at": "2026-09-26T10:00:00+08:00", "fields": [
        {"name": "proposal", "value": json.dumps({"kinds": ["FINE"], "fine_fen": 500000, "confiscated_gains_fen": 0}),
         "withheld": False},
        {"name": "includes_hearing_right", "value": "true", "withheld": False},
        {"name": "parties", "value": None, "withheld": True}]}
    return {"id": "c1", "caseNo": "445100-1", "body": {"name": "潮州市市场监督管理局"}, "itemCode": "I-1",
            "discoveredOn": "2026-08-29", "parties": [{"name": "王*"}],
            "assignments": [{"officerId": "OFF-1", "officer": {"name": "李文"}}, {"officerId": "OFF-2", "officer": None},
                            {"officerId": "OFF-1", "officer": {"name": "李文"}}],
            "events": [{"seq": 1, "kind": "RegisterClue", "fields": []}, notice], "documents": [], **extra}


def test_the_notice_prints_the_proposal_as_notified_and_the_masked_name_as_given() -> None:
    data = svc.document_data(_case(), svc.KINDS["notice"], "未取得许可经营", ["《某条例》第十条"])
    assert data["kinds"] == ["FINE"]
    assert data["fineFen"] == 500000
    assert data["includesHearingRight"] is True
    assert data["parties"] == ["王*"]
    assert data["date"] == "2026-09-26T10:00:00+08:00"
    assert "2026年8月29日" in data["facts"]
    assert "未取得许可经营" in data["facts"]
    assert data["basis"] == ["《某条例》第十条"]


def test_the_decision_prints_the_decision_and_its_own_basis() -> None:
    decision = {"docNo": "罚〔2026〕1号", "decidedOn": "2026-10-19", "kinds": ["WARNING", "FINE"], "fineFen": 300000,
                "confiscatedGainsFen": 0, "confiscatedPropertyFen": 0, "signedBy": "head1", "basisRefs": ["《法》第一条"]}
    data = svc.document_data(_case(decision=decision), svc.KINDS["decision"], "", ["《条例》第十条"])
    assert (data["docNo"], data["date"], data["fineFen"], data["basis"]) == ("罚〔2026〕1号", "2026-10-19", 300000,
                                                                            ["《法》第一条"])


def test_what_can_be_served_when() -> None:
    bare = _case(events=[])
    assert svc.ready(bare, svc.KINDS["notice"]) is not None
    assert svc.ready(_case(), svc.KINDS["notice"]) is None
    assert svc.ready(_case(), svc.KINDS["decision"]) is not None
    assert svc.ready(_case(decision={"docNo": "x"}), svc.KINDS["decision"]) is None


def test_the_items_provisions_in_either_spelling_and_nonsense_ignored() -> None:
    snake = json.dumps({"penalty_provisions": [{"regulation": "《食品安全法》", "article": "第一百二十二条"}]})
    camel = {"penaltyProvisions": [{"regulation": "广东省条例", "article": "第五条"}, {"article": "无名"}]}
    assert svc.item_basis(snake) == ["《食品安全法》第一百二十二条"]
    assert svc.item_basis(camel) == ["《广东省条例》第五条"]
    assert svc.item_basis("not json") == []
    assert svc.item_basis(None) == []


def test_officers_once_each_and_documents_found_by_type_and_hash() -> None:
    assert svc.officer_names(_case()) == ["李文", "OFF-2"]
    docs = [{"docType": "送达回证", "sm3": "a"}, {"docType": "送达回证", "sm3": "b"}]
    assert svc.find_document(_case(documents=docs), "送达回证") == docs[1]
    assert svc.find_document(_case(documents=docs), "送达回证", "a") == docs[0]
    assert svc.find_document(_case(documents=docs), "送达回证", "c") is None
