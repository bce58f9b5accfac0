"""队伍管理 over the real stack: the page's and the exports' figures equal the graph's (asked by the test
itself, straight from the gateway), filters narrow them, bad filter values get a message beside the
field, and roles without the page are refused with the refusal page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote

import lxml.html
import pytest
from openpyxl import load_workbook

from tests.web.stack import ConsoleStack, InProcessConsole

AS_OF = "2026-10-30"
EXPECTED_QUERY = """query($d: Date) {
  supervisionWorkforce(asOf: $d) {
    byBody { bodyId level officers legalReviewers qualifiedLegalReviewers trainedOfficers averageTrainingHours
             belowTrainingTarget byStatus { status count } }
    expiring { withinDays certificates }
    inactiveOfficers { bodyId count } }
  d30: supervisionExpiringCertificates(withinDays: 30, asOf: $d) { bodyId count }
  d60: supervisionExpiringCertificates(withinDays: 60, asOf: $d) { bodyId count }
  d90: supervisionExpiringCertificates(withinDays: 90, asOf: $d) { bodyId count }
}"""
BODIES_QUERY = """query($f: BodyFilter) { searchEnforcementBodies(first: 1000, filter: $f) { items { uscc name level } } }"""
ID_NUMBER = re.compile(r"(?<![0-9A-Z])[0-9]{17}[0-9X](?![0-9A-Z])")


def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert not answer.get("errors"), answer.get("errors")
    data: dict[str, Any] = answer["data"]
    return data


@pytest.fixture(scope="module")
def expected(stack: ConsoleStack) -> dict[str, dict[str, Any]]:
    """Per body, the figures the page must show, from the gateway (as supervisor1)."""
    data = _ok(stack.graph(EXPECTED_QUERY, {"d": AS_OF}, purpose="SUPERVISION"))
    windows = {d: {c["bodyId"]: c["count"] for c in data[f"d{d}"]} for d in (30, 60, 90)}
    inactive = {c["bodyId"]: c["count"] for c in data["supervisionWorkforce"]["inactiveOfficers"]}
    out: dict[str, dict[str, Any]] = {}
    for b in data["supervisionWorkforce"]["byBody"]:
        out[b["bodyId"]] = {
            "level": b["level"], "officers": b["officers"], "legalReviewers": b["legalReviewers"],
            "qualifiedLegalReviewers": b["qualifiedLegalReviewers"], "trained": b["trainedOfficers"],
            "averageHours": b["averageTrainingHours"], "below": b["belowTrainingTarget"],
            "status": {s["status"]: s["count"] for s in b["byStatus"]},
            "exp30": windows[30].get(b["bodyId"], 0), "exp60": windows[60].get(b["bodyId"], 0),
            "exp90": windows[90].get(b["bodyId"], 0), "inactive": inactive.get(b["bodyId"], 0)}
    assert sum(e["exp90"] for e in out.values()) > 0, "the seed has certificates ending within 90 days"
    assert sum(e["inactive"] for e in out.values()) > 0, "the seed has officers on no recent case"
    out["_totals"] = {str(e["withinDays"]): e["certificates"] for e in data["supervisionWorkforce"]["expiring"]}
    return out


def _bodies(stack: ConsoleStack, body_filter: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    data = _ok(stack.graph(BODIES_QUERY, {"f": body_filter}))
    return {b["uscc"]: b for b in data["searchEnforcementBodies"]["items"]}


def _table(html: str) -> dict[str, dict[str, str]]:
    """The page's per-body rows: {uscc: {column key: cell text}}."""
    tree = lxml.html.fromstring(html)
    rows: dict[str, dict[str, str]] = {}
    for tr in tree.xpath('//table[@id="workforce-table"]/tbody/tr'):
        cells = {td.get("data-k"): td.text_content().strip() for td in tr.xpath("td[@data-k]")}
        cells["name"] = tr.xpath("th")[0].text_content().strip()
        rows[tr.get("data-uscc")] = cells
    return rows


def _text(html: str, element_id: str) -> str:
    found = lxml.html.fromstring(html).xpath(f'//*[@id="{element_id}"]')
    assert found, f"no #{element_id} on the page"
    return str(found[0].text_content().strip())


def _hours(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "—"


def test_page_figures_equal_the_graphs(console: InProcessConsole, expected: dict[str, dict[str, Any]],
                                       stack: ConsoleStack) -> None:
    with console.client("supervisor1") as client:
        page = client.get("/workforce", params={"asOf": AS_OF})
    assert page.status_code == 200, page.text[:500]
    rows = _table(page.text)
    bodies = {k: v for k, v in expected.items() if k != "_totals"}
    assert set(rows) == set(bodies)
    names = _bodies(stack)
    for uscc, want in bodies.items():
        got = rows[uscc]
        assert got["name"] == names[uscc]["name"]
        for key in ("officers", "legalReviewers", "qualifiedLegalReviewers", "exp30", "exp60", "exp90", "inactive",
                    "trained", "below"):
            assert int(got[key]) == want[key], (uscc, key)
        assert got["averageHours"] == _hours(want["averageHours"]), uscc
    assert int(_text(page.text, "total-officers")) == sum(b["officers"] for b in bodies.values())
    assert int(_text(page.text, "total-bodies")) == len(bodies)
    for d in (30, 60, 90):
        shown = int(_text(page.text, f"total-exp-{d}"))
        assert shown == sum(b[f"exp{d}"] for b in bodies.values())
        assert shown == expected["_totals"][str(d)], "the per-body counts add up to the graph's city total"
    assert int(_text(page.text, "total-inactive")) == sum(b["inactive"] for b in bodies.values())
    assert int(_text(page.text, "total-below")) == sum(b["below"] for b in bodies.values())
    trained = sum(b["trained"] for b in bodies.values())
    weighted = sum((b["averageHours"] or 0) * b["trained"] for b in bodies.values()) / trained
    assert _text(page.text, "total-hours") == f"{weighted:.1f}"
    # the 30-day column lists exactly the bodies with a certificate ending within 30 days
    listed = lxml.html.fromstring(page.text).xpath('//table[@id="exp-30"]/tbody/tr')
    assert len(listed) == sum(1 for b in bodies.values() if b["exp30"])


@pytest.mark.parametrize(("params", "graph_filter"), [
    ({"region": "445102"}, {"region": "445102"}),
    ({"level": "TOWN"}, {"level": "TOWN"}),
    ({"level": "COUNTY", "region": "445122"}, {"level": "COUNTY", "region": "445122"}),
])
def test_filters_narrow_to_the_bodies_the_graph_selects(console: InProcessConsole, stack: ConsoleStack,
                                                        expected: dict[str, dict[str, Any]],
                                                        params: dict[str, str], graph_filter: dict[str, str]) -> None:
    chosen = set(_bodies(stack, graph_filter)) & (set(expected) - {"_totals"})
    assert chosen, "the filter selects staffed bodies"
    assert len(chosen) < len(expected) - 1, "the filter narrows the seeded bodies"
    with console.client("supervisor1") as client:
        page = client.get("/workforce", params={"asOf": AS_OF, **params})
    assert page.status_code == 200
    rows = _table(page.text)
    assert set(rows) == chosen
    assert int(_text(page.text, "total-officers")) == sum(expected[b]["officers"] for b in chosen)
    assert int(_text(page.text, "total-exp-90")) == sum(expected[b]["exp90"] for b in chosen)


def test_one_body_filter_gives_its_row(console: InProcessConsole, expected: dict[str, dict[str, Any]]) -> None:
    uscc = max((b for b in expected if b != "_totals"), key=lambda b: expected[b]["exp90"])
    with console.client("supervisor1") as client:
        page = client.get("/workforce", params={"asOf": AS_OF, "body": uscc})
    assert list(_table(page.text)) == [uscc]
    assert int(_text(page.text, "total-exp-90")) == expected[uscc]["exp90"]


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"asOf": "2026-02-30"}, "asOf", "有效的日期"),
    ({"asOf": "30/10/2026"}, "asOf", "有效的日期"),
    ({"trainingYear": "1999"}, "trainingYear", "2000"),
    ({"trainingYear": "二〇二五"}, "trainingYear", "2000"),
    ({"trainingYear": "2026", "asOf": "2025-06-01"}, "trainingYear", "2025"),
    ({"level": "VILLAGE"}, "level", "层级"),
    ({"region": "4451"}, "region", "6 位数字"),
    ({"body": "not-a-uscc"}, "body", "18 位"),
])
def test_a_bad_filter_value_gets_a_message_beside_its_field(console: InProcessConsole, params: dict[str, str],
                                                            field: str, words: str) -> None:
    with console.client("supervisor1") as client:
        page = client.get("/workforce", params=params)
    assert page.status_code == 400
    tree = lxml.html.fromstring(page.text)
    message = tree.xpath(f'//p[@id="err-{field}"]')
    assert message
    assert words in message[0].text_content()
    # beside the field: in the same .field block as the control, which points at it
    block = message[0].getparent()
    control = block.xpath(f'.//*[@name="{field}"]')
    assert control
    assert control[0].get("aria-invalid") == "true"
    assert control[0].get("aria-describedby") == f"err-{field}"
    assert "Traceback" not in page.text


def test_an_export_with_a_bad_filter_gives_the_form_not_a_file(console: InProcessConsole) -> None:
    with console.client("supervisor1") as client:
        answer = client.get("/workforce/export.csv", params={"asOf": "2026-13-01"})
    assert answer.status_code == 400
    assert "content-disposition" not in answer.headers
    assert lxml.html.fromstring(answer.text).xpath('//p[@id="err-asOf"]')


def _file_name(disposition: str) -> tuple[str, str]:
    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    utf8_name = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert ascii_name, disposition
    assert utf8_name, disposition
    return ascii_name.group(1), unquote(utf8_name.group(1))


def _expected_row(uscc: str, want: dict[str, Any], name: str) -> dict[str, str]:
    status = want["status"]
    return {"统一社会信用代码": uscc, "执法主体": name, "在岗执法人员": str(want["officers"]),
            "法制审核人员": str(want["legalReviewers"]), "具备法律职业资格的法制审核人员": str(want["qualifiedLegalReviewers"]),
            "在岗人数": str(status.get("ACTIVE", 0)), "调离人数": str(status.get("TRANSFERRED", 0)),
            "退休人数": str(status.get("RETIRED", 0)),
            "30日内到期执法证": str(want["exp30"]), "60日内到期执法证": str(want["exp60"]),
            "90日内到期执法证": str(want["exp90"]), "一年内零执法人员": str(want["inactive"]),
            "参训人数": str(want["trained"]), "培训未达标人数": str(want["below"])}


def test_csv_export_has_the_pages_figures(console: InProcessConsole, stack: ConsoleStack,
                                          expected: dict[str, dict[str, Any]]) -> None:
    with console.client("supervisor1") as client:
        answer = client.get("/workforce/export.csv", params={"asOf": AS_OF})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    ascii_name, chinese_name = _file_name(answer.headers["content-disposition"])
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert ascii_name.isascii()
    assert ascii_name.endswith(".csv")
    assert AS_OF in ascii_name
    assert chinese_name.startswith("执法队伍统计")
    assert chinese_name.endswith(".csv")
    assert answer.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = answer.content[3:].decode("utf-8")
    assert not ID_NUMBER.search(text), "no ID number in the export"
    rows = list(csv.DictReader(io.StringIO(text)))
    names = _bodies(stack)
    bodies = {k: v for k, v in expected.items() if k != "_totals"}
    assert {r["统一社会信用代码"] for r in rows} == set(bodies)
    for row in rows:
        uscc = row["统一社会信用代码"]
        want = _expected_row(uscc, bodies[uscc], names[uscc]["name"])
        assert {k: row[k] for k in want} == want
        hours = bodies[uscc]["averageHours"]
        assert (float(row["平均培训学时"]) if row["平均培训学时"] else None) == hours


def test_csv_export_follows_the_filters(console: InProcessConsole, stack: ConsoleStack,
                                        expected: dict[str, dict[str, Any]]) -> None:
    chosen = set(_bodies(stack, {"region": "445103"})) & (set(expected) - {"_totals"})
    with console.client("supervisor1") as client:
        answer = client.get("/workforce/export.csv", params={"asOf": AS_OF, "region": "445103"})
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert {r["统一社会信用代码"] for r in rows} == chosen


def test_xlsx_export_opens_with_the_same_figures(console: InProcessConsole, stack: ConsoleStack,
                                                 expected: dict[str, dict[str, Any]]) -> None:
    with console.client("supervisor1") as client:
        answer = client.get("/workforce/export.xlsx", params={"asOf": AS_OF, "level": "CITY"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    ascii_name, chinese_name = _file_name(answer.headers["content-disposition"])
    assert ascii_name.endswith(".xlsx")
    assert chinese_name.endswith(".xlsx")
    assert "执法队伍" in chinese_name
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "执法队伍统计"
    values = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    assert header[:2] == ["统一社会信用代码", "执法主体"]
    assert all((sheet.column_dimensions[c].width or 0) >= 10 for c in ("A", "B", "E"))
    assert sheet.cell(row=1, column=1).font.bold
    chosen = set(_bodies(stack, {"level": "CITY"})) & (set(expected) - {"_totals"})
    names = _bodies(stack)
    got = {str(r[0]): dict(zip(header, r, strict=True)) for r in values[1:]}
    assert set(got) == chosen
    for uscc, row in got.items():
        want = _expected_row(uscc, expected[uscc], names[uscc]["name"])
        assert {k: str(row[k]) for k in want} == want
        assert row["平均培训学时"] == expected[uscc]["averageHours"]
    for row_values in values:
        assert not any(isinstance(v, str) and ID_NUMBER.search(v) for v in row_values)


def test_the_body_page_lists_its_officers_with_due_certificates_marked(
        console: InProcessConsole, stack: ConsoleStack, expected: dict[str, dict[str, Any]]) -> None:
    uscc = max((b for b in expected if b != "_totals"), key=lambda b: expected[b]["exp90"])
    data = _ok(stack.graph("""query($u: String!, $d: Date) {
      enforcementBody(uscc: $u) { name officers { id name status certificates { certNo validTo status } } }
      supervisionOfficerActivity(bodyId: $u, asOf: $d) { officerId trainingHours inactive belowTrainingTarget } }""",
                           {"u": uscc, "d": AS_OF}, purpose="SUPERVISION"))
    officers = data["enforcementBody"]["officers"]
    as_of = date.fromisoformat(AS_OF)
    due = {o["id"] for o in officers for c in o["certificates"]
           if c["status"] == "ACTIVE" and as_of <= date.fromisoformat(c["validTo"]) <= as_of + timedelta(days=90)}
    assert due, "the chosen body has certificates due"
    with console.client("supervisor1") as client:
        page = client.get(f"/workforce/{uscc}", params={"asOf": AS_OF})
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.text)
    rows = {tr.get("data-officer"): tr for tr in tree.xpath('//table[@id="officers-table"]/tbody/tr')}
    assert set(rows) == {o["id"] for o in officers}
    assert {k for k, tr in rows.items() if "wf-soon" in (tr.get("class") or "")} == due
    for o in officers:
        text = rows[o["id"]].text_content()
        assert o["name"] in text
        assert all(c["certNo"] in text for c in o["certificates"])
    activity = {a["officerId"]: a for a in data["supervisionOfficerActivity"]}
    for officer_id, tr in rows.items():
        hours = tr.xpath('td[@data-k="hours"]')[0].text_content().strip()
        want = activity[officer_id]["trainingHours"]
        assert hours == (str(want) if want is not None else "未登记")
    assert int(_text(page.text, "b-inactive")) == expected[uscc]["inactive"]
    assert int(_text(page.text, "b-exp-90")) == expected[uscc]["exp90"]
    assert int(_text(page.text, "b-below")) == expected[uscc]["below"]


def test_a_body_head_is_taken_to_the_own_body(console: InProcessConsole, expected: dict[str, dict[str, Any]]) -> None:
    """The per-body figures need a supervision scope a body head does not hold: the head gets the own
    body's officers instead (the personnel register), told why training figures are missing."""
    uscc = sorted(b for b in expected if b != "_totals")[0]
    with console.client(f"head-{uscc}") as client:
        first = client.get("/workforce")
        assert first.status_code == 303
        assert first.headers["location"] == f"/workforce/{uscc}"
        page = client.get(first.headers["location"])
        assert page.status_code == 200
        assert "培训学时与办案情况仅向执法监督人员提供" in page.text
        assert len(lxml.html.fromstring(page.text).xpath('//table[@id="officers-table"]/tbody/tr')) \
            == sum(expected[uscc]["status"].values())
        export = client.get("/workforce/export.csv")
        assert export.status_code == 303
        assert "content-disposition" not in export.headers


@pytest.mark.parametrize("user", ["public1", "officer1", "auditor1"])
@pytest.mark.parametrize("path", ["/workforce", "/workforce/export.csv", "/workforce/export.xlsx",
                                  "/workforce/11445100MBYK2ADL3R"])
def test_roles_without_the_page_are_refused(console: InProcessConsole, user: str, path: str) -> None:
    with console.client(user) as client:
        answer = client.get(path)
    assert answer.status_code == 403
    assert "content-disposition" not in answer.headers
    assert "无权" in answer.text
    assert "Traceback" not in answer.text


def test_signed_out_goes_to_sign_in_and_back(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/workforce", params={"level": "TOWN"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")
    assert unquote(answer.headers["location"].split("next=", 1)[1]) == "/workforce?level=TOWN"


def test_unknown_bodies_and_posts(console: InProcessConsole) -> None:
    with console.client("supervisor1") as client:
        assert client.get("/workforce/ZZZZZZZZZZZZZZZZZZ").status_code == 404
        assert client.get("/workforce/not-a-uscc").status_code == 404
        # the pages only read: a post (with or without a CSRF token) does nothing
        assert client.post("/workforce", data={"level": "TOWN"}).status_code == 405
        assert client.post("/workforce/export.csv").status_code == 405
