"""The case-file review pages over the real stack: campaigns made through the form sample what the
seed says, reviewers score through the sheet, grades follow DOMAIN.md §9, bad input writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.web.review_kit import (
    COUNT,
    FILES,
    campaign_id,
    case_ids,
    closed_cases,
    create_campaign,
    expected_grade,
    expected_total,
    field_message,
    hidden,
)
from tests.web.stack import ConsoleStack, InProcessConsole

TODAY = date.today()


def _files(stack: ConsoleStack, cid: str) -> list[dict[str, Any]]:
    answer = stack.graph(FILES, {"id": cid})
    assert "errors" not in answer, answer
    files: list[dict[str, Any]] = answer["data"]["reviewCampaignFiles"]
    return files


def _campaigns(stack: ConsoleStack) -> int:
    return len(stack.graph(COUNT)["data"]["reviewCampaigns"])


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(
        stack: ConsoleStack, console: InProcessConsole) -> None:
    with console.client("supervisor1") as http:
        first = campaign_id(create_campaign(http, name="种子复核一", seed="20261", perBody="2"))
        again = campaign_id(create_campaign(http, name="种子复核二", seed="20261", perBody="2"))
        other = campaign_id(create_campaign(http, name="另一种子", seed="20262", perBody="2"))
        pages = {cid: http.get(f"/review/{cid}") for cid in (first, again, other)}
    assert all(p.status_code == 200 for p in pages.values())
    shown = {cid: sorted(case_ids(p.text)) for cid, p in pages.items()}
    assert shown[first] == sorted(f["caseId"] for f in _files(stack, first)), "the page lists the graph's sample"
    assert shown[first] == shown[again], "same seed, same sample"
    # the seed also draws the reviewers: the same seed assigns the same, another seed others (the test stack
    # has one closed file per body, so every seed samples them all; 20261 and 20262 assign differently)
    assigned = {cid: {f["caseId"]: f["reviewers"] for f in _files(stack, cid)} for cid in (first, again, other)}
    assert assigned[first] == assigned[again]
    assert assigned[first] != assigned[other], "seeds 20261 and 20262 assign different reviewers"
    assert "同一随机种子抽取相同样本" in pages[first].text
    assert ">20261<" in pages[first].text
    # stratified: every body with closed files gives min(2, its closed files), all of them closed files
    closed = closed_cases(stack.store)
    per_body: dict[str, int] = {}
    for body, _ in closed.values():
        per_body[body] = per_body.get(body, 0) + 1
    drawn: dict[str, int] = {}
    for case in shown[first]:
        assert case in closed, "only closed case files are sampled"
        drawn[closed[case][0]] = drawn.get(closed[case][0], 0) + 1
    assert drawn == {b: min(2, n) for b, n in per_body.items()}
    # recusal: no reviewer belongs to the file's body (officer ids in the directory of the graph)
    officers = stack.graph('{ searchOfficers(first: 1000, filter: {isLegalReviewer: true}) { items { id bodyUscc } } }')
    body_of = {o["id"]: o["bodyUscc"] for o in officers["data"]["searchOfficers"]["items"]}
    for f in _files(stack, first):
        assert len(f["reviewers"]) == 2
        assert all(body_of[r] != f["bodyId"] for r in f["reviewers"])
    listing = console.client("supervisor1").get("/review")
    assert listing.status_code == 200
    assert all(f'data-campaign="{c}"' in listing.text for c in (first, again, other))


def test_bodies_and_closing_period_limit_the_sample(stack: ConsoleStack, console: InProcessConsole) -> None:
    closed = closed_cases(stack.store)
    days = sorted(d for _, d in closed.values() if d is not None)
    start, end = days[len(days) // 5], days[-1]
    bodies = sorted({b for b, d in closed.values() if d is not None and start <= d <= end})[:2]
    with console.client("supervisor1") as http:
        cid = campaign_id(create_campaign(http, name="限定主体与期间", seed="7", perBody="1000", bodyIds=bodies,
                                          closedFrom=start.isoformat(), closedTo=end.isoformat()))
        page = http.get(f"/review/{cid}")
    want = sorted(c for c, (b, d) in closed.items() if b in bodies and d is not None and start <= d <= end)
    assert want
    assert sorted(case_ids(page.text)) == want
    assert f"{start.isoformat()} 至 {end.isoformat()}" in page.text


def test_bad_campaign_input_is_shown_beside_the_field_and_nothing_is_created(
        stack: ConsoleStack, console: InProcessConsole) -> None:
    before = _campaigns(stack)
    with console.client("supervisor1") as http:
        bad = create_campaign(http, name="", seed="abc", perBody="0", dueOn="2026-02-30")
        assert bad.status_code == 200  # the form again, with the messages
        assert field_message(bad.text, "name") == "请填写评查活动名称"
        assert field_message(bad.text, "seed") == "随机种子须为整数"
        assert field_message(bad.text, "perBody") == "每主体抽取数须在 1–1000 之间"
        assert field_message(bad.text, "dueOn") is not None
        backwards = create_campaign(http, name="期间颠倒", seed="3", perBody="1", closedFrom="2026-06-01",
                                    closedTo="2026-01-01")
        assert field_message(backwards.text, "closedTo") == "结案截止日不能早于起始日"
        # passes the console's checks, refused by the graph (due over ten years ahead): beside the field
        far = create_campaign(http, name="远期", seed="3", perBody="1",
                              dueOn=(TODAY + timedelta(days=365 * 20)).isoformat())
        assert far.status_code == 200
        assert "dueOn" in (field_message(far.text, "dueOn") or ""), far.text[:2000]
        assert 'value="远期"' in far.text, "what was typed is shown again"
    assert _campaigns(stack) == before, "nothing was created"


def test_a_post_without_csrf_is_refused_and_writes_nothing(stack: ConsoleStack, console: InProcessConsole) -> None:
    before = _campaigns(stack)
    with console.client("supervisor1") as http:
        page = http.get("/review/new")
        refused = http.post("/review", data={"name": "无令牌", "seed": "1", "perBody": "1",
                                             "idempotencyKey": hidden(page.text, "idempotencyKey")})
    assert refused.status_code == 403
    assert "未执行任何操作" in refused.text
    assert _campaigns(stack) == before


@pytest.mark.parametrize("user", ["officer1", "public1", "auditor1", "head1"])
def test_roles_without_review_get_the_refusal_page(console: InProcessConsole, user: str) -> None:
    with console.client(user) as http:
        for path in ("/review", "/review/new"):
            answer = http.get(path)
            assert answer.status_code == 403, (user, path)
            assert "无权访问" in answer.text
            assert "Traceback" not in answer.text
    with console.client("reviewer1") as http:
        assert http.get("/review/new").status_code == 403, "a reviewer does not create campaigns"
        assert http.get("/review").status_code == 200


def _sheet(console: InProcessConsole, reviewer: str, cid: str, case: str) -> tuple[Any, str]:
    http = console.client(reviewer)
    page = http.get(f"/review/{cid}/{case}")
    assert page.status_code == 200, page.text[:600]
    return http, page.text


def test_every_reviewer_scores_through_the_sheet_and_the_grade_follows_the_rules(
        stack: ConsoleStack, console: InProcessConsole) -> None:
    with console.client("supervisor1") as http:
        cid = campaign_id(create_campaign(http, name="评分流程", seed="515", perBody="1"))
    files = _files(stack, cid)
    target, spare = files[0], files[1]
    deductions = [{"B": 5, "G": 3}, {"D": 4, "B": 2}]
    for i, reviewer in enumerate(target["reviewers"]):
        http, text = _sheet(console, reviewer, cid, target["caseId"])
        assert 'name="d_B"' in text
        assert f'href="/cases/{target["caseId"]}"' in text
        assert '<div class="value" id="grade"><span class="muted">待评定</span>' in text
        form = {"csrf": hidden(text, "csrf"), "idempotencyKey": hidden(text, "idempotencyKey"),
                **{f"d_{p}": str(v) for p, v in deductions[i].items()}}
        done = http.post(f"/review/{cid}/{target['caseId']}", data=form)
        assert done.status_code == 303, done.text[:800]
        http.close()
        if i == 0:
            assert _files(stack, cid)[0]["grade"] is None, "graded only once every reviewer has scored"
    manual: dict[str, int] = {}
    for d in deductions:
        for part, points in d.items():
            manual[part] = manual.get(part, 0) + points
    after = next(f for f in _files(stack, cid) if f["caseId"] == target["caseId"])
    total = expected_total(target["sheet"], manual)
    assert after["total"] == total
    assert after["grade"] == expected_grade(total, after["autoVetoes"])
    assert {i["part"]: i["manualDeduction"] for i in after["sheet"] if i["manualDeduction"]} == manual
    page = console.client("supervisor1").get(f"/review/{cid}/{target['caseId']}")
    assert f'<div class="value" id="total">{total}</div>' in page.text
    assert f">{after['grade']}</span>" in page.text.split('id="grade"', 1)[1][:120]
    campaign_page = console.client("supervisor1").get(f"/review/{cid}")
    row = campaign_page.text.split(f'<tr data-case="{target["caseId"]}">', 1)[1].split("</tr>", 1)[0]
    assert f">{total}<" in row
    assert after["grade"] in row
    assert "已评 2/2 人" in row

    # a failed file: both reviewers take all of B and D (45 points) -> under 60 -> 不合格, rectification due
    for reviewer in spare["reviewers"]:
        http, text = _sheet(console, reviewer, cid, spare["caseId"])
        assert http.post(f"/review/{cid}/{spare['caseId']}", data={
            "csrf": hidden(text, "csrf"), "d_B": "25", "d_D": "20"}).status_code == 303
        http.close()
    failed = next(f for f in _files(stack, cid) if f["caseId"] == spare["caseId"])
    assert failed["grade"] == "不合格"
    assert failed["rectificationDue"] is not None
    with console.client("supervisor1") as http:
        text = http.get(f"/review/{cid}/{spare['caseId']}").text
        assert 'id="rectify-form"' in text
        assert http.post(f"/review/{cid}/{spare['caseId']}/rectified", data={
            "csrf": hidden(text, "csrf"), "idempotencyKey": hidden(text, "idempotencyKey")}).status_code == 303
        assert "已整改" in http.get(f"/review/{cid}/{spare['caseId']}").text
    assert next(f for f in _files(stack, cid) if f["caseId"] == spare["caseId"])["rectifiedAt"]


@pytest.mark.parametrize(("raw", "message"), [("-1", "B 部分扣分须在 0–25 之间"), ("26", "B 部分扣分须在 0–25 之间"),
                                              ("三", "B 部分扣分须为整数"), ("2.5", "B 部分扣分须为整数")])
def test_a_bad_score_is_shown_beside_its_part_and_nothing_is_recorded(
        stack: ConsoleStack, console: InProcessConsole, raw: str, message: str) -> None:
    with console.client("supervisor1") as http:
        cid = campaign_id(create_campaign(http, name="错误评分", seed="616", perBody="1"))
    target = _files(stack, cid)[0]
    reviewer = target["reviewers"][0]
    http, text = _sheet(console, reviewer, cid, target["caseId"])
    answer = http.post(f"/review/{cid}/{target['caseId']}", data={
        "csrf": hidden(text, "csrf"), "d_A": "2", "d_B": raw, "vetoes": "V8"})
    assert answer.status_code == 200  # the sheet again, with the message
    assert field_message(answer.text, "d_B") == message
    assert f'value="{raw}"' in answer.text
    without_csrf = http.post(f"/review/{cid}/{target['caseId']}", data={"d_A": "2"})
    assert without_csrf.status_code == 403
    http.close()
    after = next(f for f in _files(stack, cid) if f["caseId"] == target["caseId"])
    assert after["scoredBy"] == []
    assert after["vetoes"] == after["autoVetoes"]
    assert all(i["manualDeduction"] == 0 for i in after["sheet"])


def test_a_reviewer_sees_only_their_assignments(stack: ConsoleStack, console: InProcessConsole) -> None:
    with console.client("supervisor1") as http:
        cid = campaign_id(create_campaign(http, name="任务可见性", seed="717", perBody="1"))
    files = _files(stack, cid)
    reviewer = files[0]["reviewers"][0]
    mine = sorted(f["caseId"] for f in files if reviewer in f["reviewers"])
    with console.client(reviewer) as http:
        page = http.get(f"/review/{cid}")
        assert page.status_code == 200
        assert sorted(case_ids(page.text)) == mine
        listing = http.get("/review")
        assert all(c in listing.text for c in mine)
        other = next((f for f in files if reviewer not in f["reviewers"]), None)
        if other is not None:
            assert http.get(f"/review/{cid}/{other['caseId']}").status_code == 404
