"""监督预警 over HTTP: the list against the graph's own answers, orders, paging, actions and refusals.

The console runs in process (`console`) over the real `hub up` stack; every expected figure comes from
the gateway directly (`stack.graph`) and is ordered or counted here, not by the console. Alerts acted on
are picked by this file alone (the open RED alerts of the lowest ids; the browser test takes the newest), and each check
reads the alert back through the graph.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from tests.web.stack import ConsoleStack, InProcessConsole
from web.sessions import User

RANK = {"INFO": 1, "YELLOW": 2, "RED": 3}
FIELDS = "id ruleId severity status bodyId caseId periodDue detectedAt acknowledgedAt dismissReason"
ALL = ("query($s: AlertSeverity, $st: AlertStatus, $r: String, $b: String, $g: String, $c: String, $a: String) {"
       " supervisionAlerts(severity: $s, status: $st, ruleId: $r, bodyId: $b, regionCode: $g, caseId: $c, first: 1000,"
       f" after: $a) {{ total nextCursor items {{ {FIELDS} }} }} }}")
ONE = f"query($id: ID!) {{ supervisionAlert(id: $id) {{ {FIELDS} }} }}"
SETTLE_ROUNDS = 60


def _all(stack: ConsoleStack, user: str = "supervisor1", **flt: str) -> list[dict[str, Any]]:
    """Every alert the graph lists for a filter (paged through), in the graph's id order."""
    names = {"severity": "s", "status": "st", "rule": "r", "body": "b", "region": "g", "case": "c"}
    variables: dict[str, Any] = {names[k]: v for k, v in flt.items()}
    out: list[dict[str, Any]] = []
    for _ in range(100):
        page = stack.graph(ALL, variables, user=user)["data"]["supervisionAlerts"]
        out.extend(page["items"])
        if not page["nextCursor"]:
            return out
        variables["a"] = page["nextCursor"]
    raise AssertionError("more than 100 pages of alerts")


def _one(stack: ConsoleStack, alert_id: str) -> dict[str, Any]:
    alert: dict[str, Any] = stack.graph(ONE, {"id": alert_id})["data"]["supervisionAlert"]
    return alert


def _at(value: str | None) -> datetime:
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def settled(stack: ConsoleStack) -> ConsoleStack:
    """The follower raises alerts while the demo cases are seeded: wait until the count stands still."""
    last, same = -1, 0
    for _ in range(SETTLE_ROUNDS):
        total = stack.graph("{ supervisionAlerts(first: 1) { total } }")["data"]["supervisionAlerts"]["total"]
        same = same + 1 if total == last else 0
        if same >= 3 and total > 0:
            return stack
        last = total
        time.sleep(2)
    raise AssertionError(f"alerts still changing after {SETTLE_ROUNDS} rounds (last total {last})")


@pytest.fixture(scope="module")
def supervisor(console: InProcessConsole, settled: ConsoleStack) -> httpx.Client:
    return console.client("supervisor1")


def _soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _tag(node: Tag, css: str) -> Tag:
    found = node.select_one(css)
    assert found is not None, f"nothing matches {css}"
    return found


def _row_ids(soup: BeautifulSoup) -> list[str]:
    return [str(tr["data-alert-id"]) for tr in soup.select("tbody tr[data-alert-id]")]


def _walk(client: httpx.Client, url: str) -> list[str]:
    """The ids of every row, following the page's 下一页 links to the end."""
    ids: list[str] = []
    for _ in range(200):
        response = client.get(url)
        assert response.status_code == 200, response.text[:500]
        soup = _soup(response)
        ids.extend(_row_ids(soup))
        nxt = soup.select_one("nav.pager a[rel=next]")
        if nxt is None:
            return ids
        url = str(nxt["href"])
    raise AssertionError("the pager did not end")


def _desc_detected(alert: dict[str, Any]) -> tuple[datetime, str]:
    return _at(alert["detectedAt"]), alert["id"]


@pytest.mark.parametrize("flt", [{}, {"severity": "RED"}, {"status": "OPEN"}, {"rule": "S02"}])
def test_the_first_page_is_the_graphs_newest_alerts_for_the_filter(supervisor: httpx.Client, settled: ConsoleStack,
                                                                    flt: dict[str, str]) -> None:
    expected = sorted(_all(settled, **flt), key=_desc_detected, reverse=True)
    response = supervisor.get("/alerts", params=flt)
    assert response.status_code == 200
    soup = _soup(response)
    assert _row_ids(soup) == [a["id"] for a in expected[:25]]
    assert _tag(soup, "#alert-total").get_text() == f"{len(expected):,}"
    for tr in soup.select("tbody tr[data-alert-id]")[:5]:
        alert = next(a for a in expected if a["id"] == tr["data-alert-id"])
        assert _tag(tr, "td[data-severity]")["data-severity"] == alert["severity"]
        if alert["caseId"]:
            assert _tag(tr, f'a[href="/cases/{alert["caseId"]}"]') is not None


def test_paging_through_a_filter_lists_each_alert_once(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    expected = _all(settled, status="OPEN")
    ids = _walk(supervisor, "/alerts?status=OPEN&sort=detected&dir=asc")
    assert len(ids) == len(set(ids))
    assert ids == [a["id"] for a in sorted(expected, key=_desc_detected)]


def test_region_and_body_filters_match_the_graph(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    everything = _all(settled)
    body = max({a["bodyId"] for a in everything}, key=lambda b: sum(a["bodyId"] == b for a in everything))
    by_body = _all(settled, body=body)
    assert {a["bodyId"] for a in by_body} == {body}
    assert set(_walk(supervisor, f"/alerts?body={body}")) == {a["id"] for a in by_body}
    region = "445102"
    in_region = {a["id"] for a in _all(settled, region=region)}
    assert set(_walk(supervisor, f"/alerts?region={region}")) == in_region
    assert len(in_region) < len(everything)


def test_sorting_by_severity_and_due_date_orders_the_rows(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    everything = {a["id"]: a for a in _all(settled)}
    by_severity = _walk(supervisor, "/alerts?sort=severity&dir=desc")
    assert by_severity == [a["id"] for a in sorted(everything.values(), key=lambda a: (RANK[a["severity"]], a["id"]),
                                                    reverse=True)]
    ranks = [RANK[everything[i]["severity"]] for i in by_severity]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) > 1, "the seed should give more than one severity"
    by_due = _walk(supervisor, "/alerts?sort=due&dir=asc")
    dues = [everything[i]["periodDue"] for i in by_due]
    dated = [d for d in dues if d]
    assert dated == sorted(dated)
    assert dues == dated + [None] * (len(dues) - len(dated)), "alerts without a due date come last"
    response = supervisor.get("/alerts?sort=due&dir=asc")
    head = _tag(_soup(response), "th[aria-sort]")
    assert head is not None
    assert head["aria-sort"] == "ascending"
    assert "期限届满日" in head.get_text()


def test_a_bad_filter_is_named_beside_its_field_and_not_applied(supervisor: httpx.Client,
                                                                  settled: ConsoleStack) -> None:
    response = supervisor.get("/alerts", params={"severity": "PURPLE", "region": "44x", "rule": "S02"})
    assert response.status_code == 200
    soup = _soup(response)
    assert "请选择预警等级" in _tag(soup, "#err-severity").get_text()
    assert "区划代码" in _tag(soup, "#err-region").get_text()
    assert _tag(soup, "#f-severity")["aria-invalid"] == "true"
    assert _tag(soup, "#alert-total").get_text() == f"{len(_all(settled, rule='S02')):,}"
    damaged = supervisor.get("/alerts", params={"after": "not-a-cursor"})
    assert damaged.status_code == 200
    assert "回到第一页" in damaged.text
    assert "Traceback" not in damaged.text


def _pick(stack: ConsoleStack, severity: str, status: str = "OPEN", skip: int = 0) -> dict[str, Any]:
    """An alert of this file: supervisor1 may act on it (every body lies in the city)."""
    candidates = sorted(_all(stack, severity=severity, status=status), key=lambda a: a["id"])
    assert len(candidates) > skip, f"no {status} {severity} alert to act on"
    return candidates[skip]


def _form(client: httpx.Client, alert_id: str, action: str) -> dict[str, str]:
    response = client.get(f"/alerts/{alert_id}")
    assert response.status_code == 200
    form = _tag(_soup(response), f'form[action="/alerts/{alert_id}/{action}"]')
    assert form is not None, f"no {action} form on the page"
    return {str(i["name"]): str(i.get("value", "")) for i in form.select("input[type=hidden]")}


def test_acknowledge_once_then_a_second_tab_is_refused(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    alert = _pick(settled, "RED")
    first_tab = _form(supervisor, alert["id"], "acknowledge")
    second_tab = _form(supervisor, alert["id"], "acknowledge")
    assert first_tab["idempotencyKey"] != second_tab["idempotencyKey"]
    done = supervisor.post(f"/alerts/{alert['id']}/acknowledge", data=first_tab)
    assert done.status_code == 303
    assert done.headers["location"] == f"/alerts/{alert['id']}?done=acknowledge"
    acked = _one(settled, alert["id"])
    assert acked["status"] == "ACKNOWLEDGED"
    assert acked["acknowledgedAt"]
    page = supervisor.get(done.headers["location"])
    assert "已签收该预警" in _tag(_soup(page), "#alert-done").get_text()
    assert _tag(_soup(page), "#alert-status").get_text() == "已签收"
    assert page.text.count('action="/alerts/' + alert["id"] + '/acknowledge"') == 0
    # the same form sent twice (a double click): one act, the same answer
    again = supervisor.post(f"/alerts/{alert['id']}/acknowledge", data=first_tab)
    assert again.status_code == 303
    assert _one(settled, alert["id"]) == acked
    # another tab rendered before the first acknowledged: the graph's refusal, shown on the page
    refused = supervisor.post(f"/alerts/{alert['id']}/acknowledge", data=second_tab)
    assert refused.status_code == 200  # the page again, with the refusal: no error page
    assert "当前状态不允许此操作" in _tag(_soup(refused), "#alert-refusal").get_text()
    assert "Traceback" not in refused.text
    assert _one(settled, alert["id"]) == acked


def test_rectify_after_acknowledging(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    alert = _pick(settled, "RED", skip=1)
    supervisor.post(f"/alerts/{alert['id']}/acknowledge", data=_form(supervisor, alert["id"], "acknowledge"))
    done = supervisor.post(f"/alerts/{alert['id']}/rectify", data=_form(supervisor, alert["id"], "rectify"))
    assert done.status_code == 303
    assert _one(settled, alert["id"])["status"] == "RECTIFIED"
    page = _soup(supervisor.get(f"/alerts/{alert['id']}"))
    assert page.select("form[action^='/alerts/']") == []
    assert [_tag(li, "strong").get_text() for li in page.select("ol.timeline li")][:3] == ["首次发现", "已签收", "已整改"]


@pytest.mark.parametrize(("reason", "message"), [("", "请填写驳回理由"), ("   ", "请填写驳回理由"),
                                                  ("理" * 501, "不能超过 500 字")])
def test_dismiss_needs_a_reason_and_nothing_is_written_without(supervisor: httpx.Client, settled: ConsoleStack,
                                                               reason: str, message: str) -> None:
    alert = _pick(settled, "RED", skip=2)
    before = _one(settled, alert["id"])
    form = _form(supervisor, alert["id"], "dismiss")
    response = supervisor.post(f"/alerts/{alert['id']}/dismiss", data={**form, "reason": reason})
    assert response.status_code == 200  # the form again, with the message beside the field
    soup = _soup(response)
    assert message in _tag(soup, "#err-reason").get_text()
    assert _tag(soup, "#f-reason")["aria-invalid"] == "true"
    assert _one(settled, alert["id"]) == before


def test_dismiss_with_a_reason_records_it(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    alert = _pick(settled, "RED", skip=3)
    form = _form(supervisor, alert["id"], "dismiss")
    response = supervisor.post(f"/alerts/{alert['id']}/dismiss", data={**form, "reason": "  经核实系数据录入延迟  "})
    assert response.status_code == 303
    after = _one(settled, alert["id"])
    assert after["status"] == "DISMISSED"
    assert after["dismissReason"] == "经核实系数据录入延迟"
    page = _soup(supervisor.get(f"/alerts/{alert['id']}"))
    assert _tag(page, "#alert-reason").get_text() == "经核实系数据录入延迟"
    assert _tag(page, "#alert-status").get_text() == "已驳回"


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(supervisor: httpx.Client,
                                                                      settled: ConsoleStack) -> None:
    alert = _pick(settled, "RED", skip=4)
    before = _one(settled, alert["id"])
    form = _form(supervisor, alert["id"], "acknowledge")
    no_token = supervisor.post(f"/alerts/{alert['id']}/acknowledge", data={"idempotencyKey": form["idempotencyKey"]})
    assert no_token.status_code == 403
    assert "未执行任何操作" in no_token.text
    foreign = supervisor.post(f"/alerts/{alert['id']}/acknowledge", data=form,
                              headers={"origin": "http://127.0.0.2:9"})
    assert foreign.status_code == 403
    assert _one(settled, alert["id"]) == before


@pytest.mark.parametrize("user", ["public1", "officer1", "auditor1"])
def test_roles_without_alerts_get_the_refusal_page(console: InProcessConsole, settled: ConsoleStack,
                                                   user: str) -> None:
    alert = _all(settled)[0]
    alert_id = alert["id"]
    with console.client(user) as client:
        for path in ("/alerts", f"/alerts/{alert_id}", "/alerts/fresh?since=2026-01-01T00:00:00Z"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "无权访问" in response.text
            assert "执法监督人员" in response.text
            assert "Traceback" not in response.text
        posted = client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": "x"})
        assert posted.status_code == 403
    assert _one(settled, alert_id) == alert


def test_a_body_head_sees_its_own_alerts_and_no_actions(console: InProcessConsole, settled: ConsoleStack) -> None:
    own = User.from_token(settled.token("head1")).body_uscc
    assert own
    mine = _all(settled, user="head1")
    assert {a["bodyId"] for a in mine} <= {own}
    assert len(mine) == len(_all(settled, body=own))
    with console.client("head1") as client:
        assert set(_walk(client, "/alerts")) == {a["id"] for a in mine}
        other = next(a for a in _all(settled) if a["bodyId"] != own)
        assert client.get(f"/alerts/{other['id']}").status_code == 404
        if mine:
            page = client.get(f"/alerts/{mine[0]['id']}")
            assert page.status_code == 200
            assert _soup(page).select("form[action^='/alerts/']") == []
            csrf = str(_tag(_soup(page), "input[name=csrf]")["value"])
            before = _one(settled, mine[0]["id"])
            refused = client.post(f"/alerts/{mine[0]['id']}/acknowledge", data={"csrf": csrf})
            assert refused.status_code == 403
            assert _one(settled, mine[0]["id"]) == before


def test_evidence_is_a_definition_list_not_json(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    alert = _pick(settled, "RED", status="OPEN")
    evidence = settled.graph("query($id: ID!) { supervisionAlert(id: $id) { evidence basis } }",
                             {"id": alert["id"]})["data"]["supervisionAlert"]
    soup = _soup(supervisor.get(f"/alerts/{alert['id']}"))
    facts = _tag(soup, "dl.evidence")
    assert facts is not None
    assert len(facts.find_all("dt")) == len(evidence["evidence"])
    assert "{" not in facts.get_text()
    assert evidence["basis"].split("\n")[0] in _tag(soup, "dd.basis").get_text()
    if "period_due" in evidence["evidence"]:
        assert "期限届满日" in facts.get_text()


def test_the_fresh_check_counts_alerts_newer_than_the_list(supervisor: httpx.Client, settled: ConsoleStack) -> None:
    everything = sorted(_all(settled, severity="RED"), key=_desc_detected, reverse=True)
    newest = _at(everything[0]["detectedAt"])
    quiet = supervisor.get("/alerts/fresh", params={"severity": "RED", "since": newest.isoformat()})
    assert quiet.status_code == 200
    assert "新预警" not in quiet.text
    since = newest - timedelta(microseconds=1)
    expected = sum(1 for a in everything if _at(a["detectedAt"]) > since)
    news = supervisor.get("/alerts/fresh", params={"severity": "RED", "since": since.isoformat()})
    assert f"有 {expected} 条新预警" in news.text
    link = _tag(_soup(news), "a")["href"]
    assert parse_qs(urlsplit(str(link)).query)["severity"] == ["RED"]
    # the list embeds the same check, for its own filters and its newest alert
    page = _soup(supervisor.get("/alerts?severity=RED"))
    poll = _tag(page, "#fresh-alerts")
    assert re.fullmatch(r"every \d+s", str(poll["hx-trigger"]))
    polled = parse_qs(urlsplit(str(poll["hx-get"])).query)
    assert polled["severity"] == ["RED"]
    assert _at(polled["since"][0]) == newest


def test_the_fresh_check_sends_an_expired_session_to_sign_in(console: InProcessConsole, settled: ConsoleStack) -> None:
    expired = console.app.state.sessions.create(settled.token("supervisor1"), -1)
    with httpx.Client(base_url=console.url, cookies={"hub_session": expired.id}, timeout=30) as client:
        answer = client.get("/alerts/fresh?since=2026-01-01T00:00:00Z",
                            headers={"hx-request": "true", "hx-current-url": f"{console.url}/alerts?severity=RED"})
        assert answer.status_code == 200
        assert answer.headers["hx-redirect"].startswith("/signin?next=")
        assert "severity%3DRED" in answer.headers["hx-redirect"]
        plain = client.get("/alerts?severity=RED")
        assert plain.status_code == 303
        assert plain.headers["location"].startswith("/signin?next=%2Falerts")
