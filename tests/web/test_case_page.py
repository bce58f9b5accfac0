"""The case list and a case's drill-down over the real stack: what the pages show equals what the graph
answers (asked here directly, not through the console), bad filters, refusals, the e-case file
download (verified by the real `hub archive verify`), and a tampered event found on the page."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.web.stack import ConsoleStack, InProcessConsole

LIST = """query($filter: CaseFilter, $after: String) {
  penaltyCases(filter: $filter, orderBy: [{field: FILED_ON, direction: DESC}], first: 20, after: $after) {
    total nextCursor items { id caseNo status fineFen } } }"""
ITEMS = """{ enforcementItems(first: 1000) { items { code version name } } }"""
CASE = """query($id: ID!) { penaltyCase(id: $id) { id caseNo version status headHash itemCode itemVersion
  parties { partyType name person { name idNumber mobile } }
  events { seq kind fromState toState hash } }
  verifyCaseEvents(caseId: $id) { ok reason fault seq } }"""
MASKED_NAME = """query($id: ID!) { penaltyCase(id: $id) { parties { partyType name } } }"""


def _page(text: str) -> Any:
    return lxml.html.fromstring(text)


def _texts(doc: Any, xpath: str) -> list[str]:
    return [" ".join(n.text_content().split()) for n in doc.xpath(xpath)]


def _listed(doc: Any) -> list[str]:
    return _texts(doc, '//table[@id="case-table"]/tbody/tr[@data-case]/td[1]/a')


def _total(doc: Any) -> int:
    return int(_texts(doc, "//*[@data-total]")[0].replace(",", ""))


def _cases(stack: ConsoleStack, flt: dict[str, Any] | None = None, after: str | None = None) -> dict[str, Any]:
    answer = stack.graph(LIST, {"filter": flt, "after": after})
    assert "errors" not in answer, answer
    page: dict[str, Any] = answer["data"]["penaltyCases"]
    return page


def _case(stack: ConsoleStack, case_id: str, user: str = "supervisor1", purpose: str | None = "SUPERVISION") -> Any:
    answer = stack.graph(CASE, {"id": case_id}, user=user, purpose=purpose)
    return answer["data"]


def _person_case(stack: ConsoleStack) -> str:
    with sqlite3.connect(stack.store) as db:
        row = db.execute("SELECT case_id FROM case_party WHERE party_type = 'NATURAL_PERSON' ORDER BY case_id LIMIT 1").fetchone()
    assert row is not None, "the seeded cases have a natural-person party"
    return str(row[0])


def test_list_shows_the_graphs_first_page_in_order(stack: ConsoleStack, console: InProcessConsole) -> None:
    expected = _cases(stack)
    with console.client("supervisor1") as web:
        answer = web.get("/cases")
    assert answer.status_code == 200
    doc = _page(answer.text)
    assert _total(doc) == expected["total"] >= 60
    assert _listed(doc) == [c["caseNo"] for c in expected["items"]]
    # the next page is the graph's next page
    next_link = doc.xpath('//a[@rel="next"]/@href')
    assert next_link
    assert expected["nextCursor"]
    with console.client("supervisor1") as web:
        second = _page(web.get(next_link[0]).text)
    assert _listed(second) == [c["caseNo"] for c in _cases(stack, after=expected["nextCursor"])["items"]]


def test_filters_give_the_graphs_figures(stack: ConsoleStack, console: InProcessConsole) -> None:
    everything = _cases(stack)
    status = everything["items"][0]["status"]
    case_no = everything["items"][0]["caseNo"]
    county = "445122"
    with console.client("supervisor1") as web:
        by_status = _page(web.get("/cases", params={"status": status, "region": county}).text)
        by_number = _page(web.get("/cases", params={"q": case_no[-9:]}).text)
        by_dates = _page(web.get("/cases", params={"from": "2025-03-01", "to": "2025-04-30"}).text)
    expected = _cases(stack, {"statuses": [status], "region": county})
    assert _total(by_status) == expected["total"]
    assert _listed(by_status) == [c["caseNo"] for c in expected["items"]]
    assert case_no in _listed(by_number)
    assert _total(by_number) == _cases(stack, {"caseNo": case_no[-9:]})["total"] < everything["total"]
    assert _total(by_dates) == _cases(stack, {"filed": {"from": "2025-03-01", "to": "2025-04-30"}})["total"]


def test_bad_filter_values_are_named_beside_their_fields_and_left_out(stack: ConsoleStack,
                                                                      console: InProcessConsole) -> None:
    status = _cases(stack)["items"][0]["status"]
    with console.client("supervisor1") as web:
        answer = web.get("/cases", params={"status": status, "region": "12x", "from": "2025-13-01", "body": "nope",
                                           "q": "4", "item": "bad item!"})
    assert answer.status_code == 200
    doc = _page(answer.text)
    for field in ("region", "from", "body", "q", "item"):
        assert doc.xpath(f'//input[@id="f-{field}"][@aria-invalid="true"]'), field
        assert _texts(doc, f'//*[@id="err-{field}"]'), field
    # the list is the one without the refused conditions: the status alone
    assert _total(doc) == _cases(stack, {"statuses": [status]})["total"]
    with console.client("supervisor1") as web:
        unknown = _page(web.get("/cases", params={"status": "NO_SUCH_STATE"}).text)
    assert _texts(unknown, '//*[@id="err-status"]')
    assert _total(unknown) == _cases(stack)["total"]
    # a cursor the graph refuses (BAD_USER_INPUT): said on the page, the first page of the same filter shown
    with console.client("supervisor1") as web:
        stale = _page(web.get("/cases", params={"status": status, "after": "not-a-cursor"}).text)
    assert _texts(stale, '//*[@id="err-after"]')
    assert _listed(stale) == [c["caseNo"] for c in _cases(stack, {"statuses": [status]})["items"]]


def test_case_page_header_and_timeline_equal_the_graph(stack: ConsoleStack, console: InProcessConsole) -> None:
    listed = _cases(stack, {"statuses": ["SERVED", "CLOSED", "ARCHIVED", "PERFORMED"]})["items"]
    case_id = listed[0]["id"]
    expected = _case(stack, case_id)
    case = expected["penaltyCase"]
    with console.client("supervisor1") as web:
        answer = web.get(f"/cases/{case_id}")
    assert answer.status_code == 200
    doc = _page(answer.text)
    assert _texts(doc, '//*[@data-field="caseNo"]') == [case["caseNo"]]
    assert _texts(doc, '//*[@data-field="version"]') == [str(case["version"])]
    assert doc.xpath('//*[@data-field="status"]/@data-code') == [case["status"]]
    assert _texts(doc, '//*[@data-field="headHash"]') == [case["headHash"]]
    catalogue = stack.graph(ITEMS)["data"]["enforcementItems"]["items"]
    item = next(i for i in catalogue if (i["code"], str(i["version"])) == (case["itemCode"], str(case["itemVersion"])))
    assert _texts(doc, '//*[@data-field="item"]')[0].startswith(f"{item['name']} {case['itemCode']}")
    seqs = [int(s) for s in doc.xpath('//ol[@id="timeline"]/li/@data-seq')]
    assert seqs == [e["seq"] for e in case["events"]]
    assert len(seqs) == case["version"]
    hashes = doc.xpath('//ol[@id="timeline"]/li//div[@class="hash"]/text()')
    assert all(e["hash"] in " ".join(hashes) for e in case["events"])
    assert expected["verifyCaseEvents"]["ok"]
    status = _texts(doc, '//*[@id="chain-status"]')[0]
    assert f"链条完整 — {len(case['events'])} 个事件，哈希校验通过" in status
    assert not doc.xpath('//li[contains(@class, "broken")]')
    # the first event opens the record: no state before it
    first = _texts(doc, '//li[@id="event-1"]//*[@data-states]')[0]
    assert first.startswith("（开始） → 案源登记")


def test_party_data_is_shown_as_the_graph_masks_it(stack: ConsoleStack, console: InProcessConsole) -> None:
    case_id = _person_case(stack)
    masked = stack.graph(MASKED_NAME, {"id": case_id}, user="auditor1")["data"]["penaltyCase"]["parties"]
    person = next(p for p in masked if p["partyType"] == "NATURAL_PERSON")
    assert "*" in person["name"]  # the gateway masks names for an auditor
    with console.client("auditor1") as web:
        doc = _page(web.get(f"/cases/{case_id}").text)
    assert person["name"] in _texts(doc, '//td[@data-party="name"]')
    assert "敏感信息已按权限脱敏" in _texts(doc, '//*[@id="mask-note"]')[0]
    assert not doc.xpath('//td[@data-party="idNumber"]')  # an auditor's token may not read the register
    # a supervisor: exactly what the graph gives the same user with the same purpose
    clear = _case(stack, case_id)["penaltyCase"]["parties"]
    shown = next(p for p in clear if p["partyType"] == "NATURAL_PERSON")
    with console.client("supervisor1") as web:
        sup = _page(web.get(f"/cases/{case_id}").text)
    assert shown["name"] in _texts(sup, '//td[@data-party="name"]')
    assert shown["person"]["idNumber"] in _texts(sup, '//td[@data-party="idNumber"]')
    assert _texts(sup, '//*[@id="mask-note"]')


def test_export_downloads_an_archive_that_verifies(stack: ConsoleStack, console: InProcessConsole,
                                                   tmp_path: Path) -> None:
    case_id = _cases(stack, {"statuses": ["SERVED", "CLOSED", "ARCHIVED"]})["items"][0]["id"]
    with console.client("supervisor1") as web:
        answer = web.get(f"/cases/{case_id}/archive.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == f'attachment; filename="{case_id}.zip"'
    out = tmp_path / "download.zip"
    out.write_bytes(answer.content)
    run = subprocess.run([sys.executable, "-m", "hub", "archive", "verify", str(out)], env=stack.env,
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "archive intact" in run.stdout
    # one byte changed and the same command refuses it
    data = bytearray(answer.content)
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.zip").write_bytes(bytes(data))
    bad = subprocess.run([sys.executable, "-m", "hub", "archive", "verify", str(tmp_path / "bad.zip")], env=stack.env,
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode != 0


def test_an_auditor_may_not_export_the_parties_data(stack: ConsoleStack, console: InProcessConsole) -> None:
    case_id = _person_case(stack)
    answer = stack.graph("query($id: ID!) { caseArchive(caseId: $id) { caseId sizeBytes contentBase64 } }",
                         {"id": case_id}, user="auditor1")
    assert answer["data"]["caseArchive"]["caseId"] == case_id
    assert answer["data"]["caseArchive"]["contentBase64"] is None  # withheld by the gateway
    with console.client("auditor1") as web:
        page = web.get(f"/cases/{case_id}/archive.zip")
    assert page.status_code == 403
    assert "content-disposition" not in page.headers
    assert "电子卷宗含当事人个人信息" in page.text


def test_unknown_case_is_a_404_page(console: InProcessConsole) -> None:
    with console.client("supervisor1") as web:
        for path in ("/cases/00000000-0000-0000-0000-000000000000", "/cases/no-such-case/archive.zip",
                     "/cases/%3Cscript%3E"):
            answer = web.get(path)
            assert answer.status_code == 404, path
            assert "Traceback" not in answer.text
            assert "案件不存在" in answer.text or "页面不存在" in answer.text


def test_case_outside_the_users_scope_is_not_shown(stack: ConsoleStack, console: InProcessConsole) -> None:
    with console.client("reviewer1") as web:
        own = _page(web.get("/cases").text)
    own_numbers = set(_listed(own))
    other = next(c for c in _cases(stack)["items"] if c["caseNo"] not in own_numbers)
    with console.client("reviewer1") as web:
        answer = web.get(f"/cases/{other['id']}")
    assert answer.status_code == 404
    assert other["caseNo"] not in answer.text
    assert "不在您的查看范围内" in answer.text


def test_roles_without_cases_are_refused(stack: ConsoleStack, console: InProcessConsole) -> None:
    case_id = _cases(stack)["items"][0]["id"]
    with console.client("public1") as web:
        for path in ("/cases", f"/cases/{case_id}", f"/cases/{case_id}/archive.zip"):
            answer = web.get(path)
            assert answer.status_code == 403, path
            assert "您的角色无权访问此页面" in answer.text
            assert "Traceback" not in answer.text
    with console.client(None) as anonymous:
        answer = anonymous.get(f"/cases/{case_id}")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")


def test_pages_take_no_posts(stack: ConsoleStack, console: InProcessConsole) -> None:
    case_id = _cases(stack)["items"][0]["id"]
    before = _case(stack, case_id)["penaltyCase"]["version"]
    with console.client("supervisor1") as web:
        for path in ("/cases", f"/cases/{case_id}", f"/cases/{case_id}/archive.zip"):
            assert web.post(path, data={"x": "1"}).status_code == 405
    assert _case(stack, case_id)["penaltyCase"]["version"] == before


@contextmanager
def tampered(store: Path, case_id: str, seq: int) -> Iterator[None]:
    """One stored event's summary edited in hub.db (as an insider might), restored afterwards."""
    with sqlite3.connect(store) as db:
        (summary,) = db.execute("SELECT summary FROM case_event WHERE case_id = ? AND seq = ?", (case_id, seq)).fetchone()
        db.execute("UPDATE case_event SET summary = ? WHERE case_id = ? AND seq = ?",
                   (summary + "（已改）", case_id, seq))
    try:
        yield
    finally:
        with sqlite3.connect(store) as db:
            db.execute("UPDATE case_event SET summary = ? WHERE case_id = ? AND seq = ?", (summary, case_id, seq))


def tamper_target(stack: ConsoleStack) -> tuple[str, int]:
    """A case with at least four events, and the seq of its third event."""
    for case in _cases(stack, {"statuses": ["SERVED", "CLOSED", "PERFORMED", "DECIDED"]})["items"]:
        if _case(stack, case["id"])["penaltyCase"]["version"] >= 4:
            return case["id"], 3
    pytest.fail("no seeded case with four events")


def test_tampered_event_shows_broken_chain(stack: ConsoleStack, console: InProcessConsole) -> None:
    case_id, seq = tamper_target(stack)
    with tampered(stack.store, case_id, seq):
        verdict = _case(stack, case_id)["verifyCaseEvents"]
        assert verdict["ok"] is False
        assert verdict["seq"] == seq
        with console.client("supervisor1") as web:
            doc = _page(web.get(f"/cases/{case_id}").text)
        status = doc.xpath('//*[@id="chain-status"]')[0]
        assert status.get("data-ok") == "false"
        assert status.get("data-seq") == str(seq)
        assert f"链条在第 {seq} 个事件处断裂" in " ".join(status.text_content().split())
        assert doc.xpath('//li[contains(@class, "broken")]/@id') == [f"event-{seq}"]
        assert doc.xpath('//a[@id="goto-broken"]/@href') == [f"#event-{seq}"]
    # restored: intact again
    with console.client("supervisor1") as web:
        doc = _page(web.get(f"/cases/{case_id}").text)
    assert doc.xpath('//*[@id="chain-status"]/@data-ok') == ["true"]


PARTIES = "query($id: ID!) { penaltyCase(id: $id) { parties { person { name } } } }"


def test_a_party_the_population_register_does_not_know_is_said_in_plain_words(
        stack: ConsoleStack, console: InProcessConsole) -> None:
    cases = stack.graph("{ penaltyCases(first: 100) { items { id } } }", purpose="SUPERVISION")
    unknown = None
    for item in cases["data"]["penaltyCases"]["items"]:  # bounded: one page of the demo cases
        answer = stack.graph(PARTIES, {"id": item["id"]}, purpose="SUPERVISION")
        if any("non-nullable field Person." in e.get("message", "") for e in answer.get("errors") or []):
            unknown = item["id"]
            break
    if unknown is None:
        pytest.skip("every party of the demo cases is in the population register")
    with console.client("supervisor1") as client:
        page = client.get(f"/cases/{unknown}")
    assert page.status_code == 200
    assert "人口库未返回部分当事人的人员信息" in page.text
    assert "Cannot return null" not in page.text
