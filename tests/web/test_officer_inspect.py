"""现场检查 over the real stack: start on site (planned once however often it is posted), findings, the record
as a PDF stored by its SM3, and a finding that opens a case in one step; refusals beside the fields, CSRF,
roles. The expected values come from the graph and the seed, asked independently of the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.certified import Pair, certified_pair
from tests.web.stack import ConsoleStack, InProcessConsole

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')
VIEW = """query($id: ID!) { inspection(id: $id) { id state result recordDocId clueCaseId objectName objectUscc
  inspectors } }"""
CASE = "query($id: ID!) { penaltyCase(id: $id) { id status parties { name entity { uscc } } } }"
LIST = """query($b: String!) { inspections(filter: {bodies: [$b]}, first: 1000) { items { id objectName } } }"""


def _ask(stack: ConsoleStack, query: str, variables: dict[str, Any], user: str, purpose: str) -> dict[str, Any]:
    answer = stack.graph(query, variables, user=user, purpose=purpose)
    assert "data" in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def _entity(stack: ConsoleStack, index: int) -> dict[str, Any]:
    rows = [json.loads(x) for x in (stack.data_dir / "seed" / "entities.jsonl").read_text(encoding="utf-8")
            .splitlines() if x.strip()]
    active = [r for r in rows if r.get("status") in ("存续", "在业", "ACTIVE", "开业")] or rows
    return active[index]


def _start(console: InProcessConsole, pair: Pair, uscc: str) -> tuple[Any, str, str]:
    client = console.client(pair.officers[0])
    page = client.get(f"/m/inspections/new?uscc={uscc}")
    assert page.status_code == 200, page.text[:300]
    return client, CSRF.search(page.text).group(1), KEY.search(page.text).group(1)  # type: ignore[union-attr]


def test_start_record_and_open_a_case(stack: ConsoleStack, console: InProcessConsole) -> None:
    pair = certified_pair(stack)
    me, partner = pair.officers
    uscc = str(_entity(stack, 3)["uscc"])
    expected = stack.graph("query($u: String!) { legalEntity(uscc: $u) { name } }", {"u": uscc}, user=me,
                           purpose="INSPECTION")["data"]["legalEntity"]["name"]
    client, csrf, key = _start(console, pair, uscc)
    page = client.get(f"/m/inspections/new?uscc={uscc}").text
    assert expected in page
    assert f'value="{pair.item["code"]}"' in page
    assert f'value="{partner}"' in page

    form = {"csrf": csrf, "uscc": uscc, "key": key, "item": pair.item["code"], "certificates": "1"}
    refused = client.post("/m/inspections/new", data=form)  # no partner: beside the field, nothing planned
    assert refused.status_code == 200
    assert "第四十二条" in refused.text
    before = len(stack.graph(LIST, {"b": pair.body["uscc"]}, user=me)["data"]["inspections"]["items"])

    first = client.post("/m/inspections/new", data={**form, "partner": partner})
    assert first.status_code == 303, first.text[:500]
    again = client.post("/m/inspections/new", data={**form, "partner": partner})  # a double tap
    assert again.headers["location"] == first.headers["location"]
    after = stack.graph(LIST, {"b": pair.body["uscc"]}, user=me)["data"]["inspections"]["items"]
    assert len(after) == before + 1
    inspection_id = first.headers["location"].rsplit("/", 1)[1]
    shown = _ask(stack, VIEW, {"id": inspection_id}, me, "INSPECTION")["inspection"]
    assert (shown["state"], shown["objectUscc"], sorted(shown["inspectors"])) == ("ON_SITE", uscc, sorted(pair.officers))

    view = client.get(f"/m/inspections/{inspection_id}")
    assert "现场检查中" in view.text
    view_key = KEY.search(view.text).group(1)  # type: ignore[union-attr]
    findings = {"csrf": csrf, "key": view_key, "place": "经营场所", "result": "FILE_CASE",
                "item-0": "食品经营许可证公示", "finding-0": "PASS",
                "item-1": "进货查验记录", "finding-1": "FAIL", "note-1": "未能提供近三个月进货查验记录"}
    missing = client.post(f"/m/inspections/{inspection_id}", data={**findings, "finding-1": ""})
    assert "请选择该项的检查结果" in missing.text
    assert _ask(stack, VIEW, {"id": inspection_id}, me, "INSPECTION")["inspection"]["state"] \
        == "ON_SITE"

    done = client.post(f"/m/inspections/{inspection_id}", data=findings)
    assert done.status_code == 303, re.findall(r"m-error[^>]*>([^<]+)", done.text)
    case_id = done.headers["location"].rsplit("/", 1)[1]
    closed = _ask(stack, VIEW, {"id": inspection_id}, me, "INSPECTION")["inspection"]
    assert (closed["state"], closed["result"], closed["clueCaseId"]) == ("CLUE_CREATED", "FILE_CASE", case_id)
    digest = str(closed["recordDocId"]).removeprefix("sm3:")
    stored = list(stack.data_dir.rglob(digest))
    assert stored, "the 现场检查笔录 is in the file store under its SM3"
    assert stored[0].read_bytes().startswith(b"%PDF")
    case = stack.graph(CASE, {"id": case_id}, user=me, purpose="CASE_HANDLING")["data"]["penaltyCase"]
    assert case["status"] == "CLUE"
    assert case["parties"][0]["entity"]["uscc"] == uscc
    assert client.get(f"/m/cases/{case_id}").status_code == 200


def test_refusals(stack: ConsoleStack, console: InProcessConsole) -> None:
    pair = certified_pair(stack)
    client = console.client(pair.officers[0])
    uscc = str(_entity(stack, 4)["uscc"])
    digits = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    other = digits[(digits.index(uscc[-1]) + 1) % len(digits)]  # the check digit made wrong
    wrong = client.get(f"/m/inspections/new?uscc={uscc[:-1]}{other}")
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in wrong.text
    assert "校验" in wrong.text
    _, _csrf, key = _start(console, pair, uscc)
    forged = client.post("/m/inspections/new", data={"uscc": uscc, "key": key, "item": pair.item["code"],
                                                      "partner": pair.officers[1], "certificates": "1"})
    assert forged.status_code == 403
    with console.client("supervisor1") as supervisor:
        assert supervisor.get(f"/m/inspections/new?uscc={uscc}").status_code == 403
