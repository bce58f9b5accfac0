"""The dashboard over the real stack: its figures equal the graph's, computed here from the gateway's own
answers; a filter narrows them; bad filter fields get their message and no filter; a body head sees the
own body's figures only; other roles get the refusal page."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.html
import pytest

from tests.web.dashboard_kit import settled_figures
from tests.web.stack import ConsoleStack, InProcessConsole

COUNTY = "445102"  # 湘桥区
COUNTS = "query($f: StatisticsFilter) { supervisionCaseCounts(dimension: STATUS, filter: $f) { cases decided fineTotalFen } }"
RATES = "query($f: StatisticsFilter) { supervisionBodyRates(filter: $f) { bodyId cases decisionOnTimeRate } }"


@pytest.fixture(scope="module", autouse=True)
def _settled(stack: ConsoleStack) -> None:
    settled_figures(stack)


def _page(client: httpx.Client, query: str = "") -> lxml.html.HtmlElement:
    answer = client.get(f"/dashboard{query}")
    assert answer.status_code == 200, answer.text[:500]
    assert "Traceback" not in answer.text
    return lxml.html.fromstring(answer.text)


def _stat(page: lxml.html.HtmlElement, name: str) -> str:
    return str(page.get_element_by_id(f"stat-{name}").text_content()).strip()


def _data(stack: ConsoleStack, query: str, variables: dict[str, Any] | None = None, user: str = "supervisor1") -> Any:
    answer = stack.graph(query, variables, user=user, purpose="SUPERVISION")
    assert not answer.get("errors"), answer
    return answer["data"]


def _expected(stack: ConsoleStack, flt: dict[str, Any] | None = None, user: str = "supervisor1") -> dict[str, str]:
    """The headline figures as the page must show them, from the graph's own totals."""
    groups = _data(stack, COUNTS, {"f": flt}, user)["supervisionCaseCounts"]
    rates = _data(stack, RATES, {"f": flt}, user)["supervisionBodyRates"]
    rated = sum(r["cases"] for r in rates)
    on_time = sum(r["cases"] * r["decisionOnTimeRate"] for r in rates)
    fen = sum(int(g["fineTotalFen"]) for g in groups)
    wan = (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"cases": f"{sum(g['cases'] for g in groups):,}", "decided": f"{sum(g['decided'] for g in groups):,}",
            "ontime": f"{on_time / rated * 100:.1f}%" if rated else "—",
            "fines": f"{wan:,.2f} 万元" if fen >= 1_000_000 else f"{Decimal(fen) / 100:,.2f} 元"}


def _alerts(stack: ConsoleStack, user: str = "supervisor1", **args: str) -> int:
    params = ", ".join(f'{k}: {v if k == "severity" else json.dumps(v)}' for k, v in args.items())
    query = f"{{ supervisionAlerts{f'({params})' if params else ''} {{ total }} }}"
    return int(_data(stack, query, user=user)["supervisionAlerts"]["total"])


def _charts(page: lxml.html.HtmlElement) -> dict[str, Any]:
    charts: dict[str, Any] = json.loads(page.get_element_by_id("dashboard-charts").text_content())
    return charts


def test_the_headline_figures_are_the_graph_s(console: InProcessConsole, stack: ConsoleStack) -> None:
    page = _page(console.client("supervisor1"))
    want = _expected(stack)
    assert {name: _stat(page, name) for name in want} == want
    assert int(want["cases"]) >= 60  # the demo cases are there: the figures are not zeros
    assert _stat(page, "alerts") == f"{_alerts(stack):,}"
    assert _stat(page, "red") == f"{_alerts(stack, severity='RED'):,}"
    assert page.get_element_by_id("stat-red").get("href") == "/alerts?severity=RED"
    assert page.get_element_by_id("stat-cases").get("href") == "/cases"
    groups = _data(stack, "{ supervisionCaseCounts(dimension: STATUS) { key decided } }")["supervisionCaseCounts"]
    href = str(page.get_element_by_id("stat-decided").get("href"))
    states = parse_qs(urlsplit(href).query)["status"][0].split(",")
    assert set(states) == {g["key"] for g in groups if g["decided"]}  # the list of the decided cases' states
    assert "潮州市" in page.get_element_by_id("whose").text_content()


def test_the_charts_hold_the_graph_s_groups(console: InProcessConsole, stack: ConsoleStack) -> None:
    charts = _charts(_page(console.client("supervisor1")))
    rules = _data(stack, "{ supervisionAlertsByRule { ruleId severity alerts } }")["supervisionAlertsByRule"]
    drawn = {(rule, series["name"]): n for series in charts["rules"]["series"]
             for rule, n in zip(charts["rules"]["categories"], series["data"], strict=True) if n}
    names = {"RED": "红色预警", "YELLOW": "黄色预警", "INFO": "提示"}
    assert drawn == {(r["ruleId"], names[r["severity"]]): r["alerts"] for r in rules}
    filed = {g["key"]: g["cases"] for g in _data(stack, "{ supervisionCaseCounts(dimension: FILED_MONTH) { key cases } }")
             ["supervisionCaseCounts"]}
    months = charts["months"]
    assert {k: v for k, v in zip(months["categories"], months["series"][0]["data"], strict=True) if v} == \
        {k: v for k, v in filed.items() if k != "NOT_FILED"}
    # every bar of the rules chart opens the alert list of its rule and severity
    first = charts["rules"]["series"][0]
    assert first["links"][0].startswith(f"/alerts?rule={charts['rules']['categories'][0]}&severity=")
    levels = _data(stack, "{ supervisionCaseCounts(dimension: LEVEL) { key fineTotalFen } }")["supervisionCaseCounts"]
    assert sorted(charts["fines"]["fen"]) == sorted(g["fineTotalFen"] for g in levels)


def test_a_county_filter_narrows_every_figure_to_the_county(console: InProcessConsole, stack: ConsoleStack) -> None:
    client = console.client("supervisor1")
    page = _page(client, f"?region={COUNTY}")
    want = _expected(stack, {"regionCode": COUNTY})
    assert {name: _stat(page, name) for name in want} == want
    assert int(want["cases"].replace(",", "")) < int(_expected(stack)["cases"].replace(",", ""))
    assert _stat(page, "alerts") == f"{_alerts(stack, regionCode=COUNTY):,}"
    assert page.get_element_by_id("stat-cases").get("href") == f"/cases?region={COUNTY}"
    # the tree keeps the county alone under the city
    tree = page.get_element_by_id("body-tree")
    names = [n.text_content().strip() for n in tree.cssselect("details details > summary .node-name")]
    assert names == ["湘桥区"]
    assert "潮安区" not in tree.text_content()
    assert page.get_element_by_id("f-region").cssselect("option[selected]")[0].get("value") == COUNTY


def test_a_period_and_a_level_narrow_the_figures(console: InProcessConsole, stack: ConsoleStack) -> None:
    page = _page(console.client("supervisor1"), "?level=TOWN&from=2025-02-01&to=2025-04-30")
    want = _expected(stack, {"level": "TOWN", "from": "2025-02-01", "to": "2025-04-30"})
    assert {name: _stat(page, name) for name in want} == want
    leaves = page.get_element_by_id("body-tree").cssselect(".leaf .node-name")
    assert leaves
    assert all(leaf.text_content().strip().endswith("综合行政执法办公室") for leaf in leaves)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("?from=2025-02-30", "from", "开始日期格式应为 2026-10-30"),
    ("?to=tomorrow", "to", "结束日期格式应为 2026-10-30"),
    ("?from=2025-05-01&to=2025-04-01", "to", "结束日期不能早于开始日期"),
    ("?level=VILLAGE&region=445102", "level", "层级只能是"),
    ("?region=999999", "region", "请选择列表中的行政区划"),
    ("?body=NOT-A-BODY", "body", "请选择列表中的执法主体"),
])
def test_a_bad_filter_field_gets_its_message_and_no_filter(console: InProcessConsole, stack: ConsoleStack,
                                                           query: str, field: str, message: str) -> None:
    page = _page(console.client("supervisor1"), query)
    assert message in page.get_element_by_id(f"err-{field}").text_content()
    assert page.get_element_by_id(f"f-{field}").get("aria-invalid") == "true"
    assert "未筛选" in page.get_element_by_id("filter-status").text_content()
    want = _expected(stack)  # the page still renders, unfiltered
    assert {name: _stat(page, name) for name in want} == want


def test_a_filter_the_graph_refuses_is_shown_beside_its_field(console: InProcessConsole, stack: ConsoleStack) -> None:
    # a well-formed period longer than the graph allows: the graph's own message, beside the period's end
    page = _page(console.client("supervisor1"), "?from=2000-01-01&to=2025-01-01")
    assert "10 years" in page.get_element_by_id("err-to").text_content()
    assert _stat(page, "cases") == _expected(stack)["cases"]


def test_a_body_head_sees_the_own_body_s_figures_only(console: InProcessConsole, stack: ConsoleStack) -> None:
    rates = _data(stack, RATES, {"f": None})["supervisionBodyRates"]
    busiest = max(rates, key=lambda r: (r["cases"], r["bodyId"]))
    head = f"head-{busiest['bodyId']}"
    page = _page(console.client(head))
    want = _expected(stack, {"bodyId": busiest["bodyId"]})  # what the supervisor sees of that body
    assert {name: _stat(page, name) for name in want} == want
    assert _stat(page, "cases") == f"{busiest['cases']:,}"
    assert _stat(page, "alerts") == f"{_alerts(stack, bodyId=busiest['bodyId']):,}"
    leaves = page.get_element_by_id("body-tree").cssselect(".leaf a.node-name")
    assert [a.get("href") for a in leaves] == [f"/dashboard?body={busiest['bodyId']}"]
    assert "仅能查看本机关" in page.get_element_by_id("whose").text_content()
    assert not page.cssselect(".notice.warn")  # no figure was refused to the head
    # a filter on another body or the whole city narrows within the head's scope, never widens it
    other = next(r["bodyId"] for r in rates if r["bodyId"] != busiest["bodyId"] and r["cases"])
    for flt in ({"bodyId": other}, {"regionCode": "445100"}):
        groups = _data(stack, COUNTS, {"f": flt}, head)["supervisionCaseCounts"]
        assert sum(g["cases"] for g in groups) == (0 if "bodyId" in flt else busiest["cases"])
    assert _stat(_page(console.client(head), f"?body={other}"), "cases") == "0"


@pytest.mark.parametrize("user", ["officer1", "public1", "reviewer1", "auditor1"])
def test_other_roles_get_the_refusal_page(console: InProcessConsole, user: str) -> None:
    answer = console.client(user).get("/dashboard")
    assert answer.status_code == 403
    assert "无权访问" in answer.text
    assert "执法监督人员" in answer.text  # names who may
    assert "Traceback" not in answer.text
    assert "stat-cases" not in answer.text


def test_signed_out_goes_to_sign_in_and_back(console: InProcessConsole) -> None:
    answer = console.client(None).get("/dashboard?region=445102")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fdashboard%3Fregion%3D445102"


def test_the_dashboard_takes_no_posts(console: InProcessConsole) -> None:
    answer = console.client("supervisor1").post("/dashboard", data={"region": COUNTY})
    assert answer.status_code == 405
    assert "Traceback" not in answer.text


def test_a_period_without_cases_shows_empty_states_not_empty_charts(console: InProcessConsole) -> None:
    page = _page(console.client("supervisor1"), "?from=2030-01-01&to=2030-12-31")
    assert _stat(page, "cases") == "0"
    assert _stat(page, "ontime") == "—"
    for key in ("months", "items", "kinds", "rates", "rules", "fines"):
        assert page.get_element_by_id(f"chart-{key}-empty").text_content().strip() == "暂无数据", key
        assert not page.cssselect(f"#chart-{key}")


def test_every_link_speaks_the_lists_parameter_names(console: InProcessConsole) -> None:
    allowed = {"/cases": {"body", "region", "status", "from", "to", "item"},
               "/alerts": {"rule", "severity", "body", "status", "region"},
               "/dashboard": {"level", "region", "body", "from", "to"}}
    page = _page(console.client("supervisor1"), f"?level=COUNTY&region={COUNTY}&from=2025-01-01&to=2025-12-31")
    hrefs = [str(a.get("href")) for a in page.cssselect("main a[href]")]
    charts = _charts(page)
    hrefs += [link for spec in charts.values() for s in spec["series"] for link in s["links"] if link]
    seen = set()
    for href in hrefs:
        parts = urlsplit(href)
        if parts.path in allowed:
            seen.add(parts.path)
            names = set(parse_qs(parts.query))
            assert names <= allowed[parts.path], href
    assert seen == set(allowed)
