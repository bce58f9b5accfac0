"""移动执法 · 办案步骤 over the real stack: each form renders for a case in its state; a step sent twice with
one idempotency key stores one event; a stale version answers the conflict with the case as it is; one
officer alone is refused by the graph's guard with 第四十二条's text; CSRF-less posts, other roles and bad
input are refused with nothing written."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.web import officer_steps_kit as kit
from tests.web.stack import InProcessConsole
from web.pages import officer_forms

HEADERS = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def filed(console: InProcessConsole) -> str:
    return kit.case_at(console.stack, "startInvestigation")


def _csrf(client: httpx.Client, case_id: str, step: str) -> tuple[str, int, str]:
    page = client.get(f"/m/cases/{case_id}/steps/{step}")
    assert page.status_code == 200, page.text[-1500:]
    version = kit.VERSION.search(page.text)
    key = kit.KEY.search(page.text)
    assert version, page.text[-1500:]
    assert key, page.text[-1500:]
    return kit.CSRF.findall(page.text)[-1], int(version.group(1)), key.group(1)


def _post(client: httpx.Client, csrf: str | None, case_id: str, step: str, body: dict[str, object]) -> httpx.Response:
    headers = {**HEADERS, **({"x-csrf-token": csrf} if csrf else {})}
    return client.post(f"/m/cases/{case_id}/steps/{step}", json=body, headers=headers)


def test_every_form_renders_with_the_version_a_fresh_key_and_the_case_buttons(console: InProcessConsole,
                                                                              filed: str) -> None:
    version = kit.now(console.stack, filed)["version"]
    me, partner = kit.officers(console.stack)
    with console.client("officer1") as client:
        keys = set()
        for name, step in officer_forms.STEPS.items():
            page = client.get(f"/m/cases/{filed}/steps/{name}")
            assert page.status_code == 200, (name, page.text[-800:])
            assert step.title in page.text
            assert f'name="expectedVersion" value="{version}"' in page.text
            keys.add(kit.KEY.search(page.text).group(1))  # type: ignore[union-attr]
            for f in step.fields:
                assert f'name="{f.name}"' in page.text, (name, f.name)
            if "OFFICER" not in step.roles:
                assert "须由执法机关负责人办理" in page.text
        assert len(keys) == len(officer_forms.STEPS), "every form has its own key"
        start = client.get(f"/m/cases/{filed}/steps/startInvestigation").text
        assert f'value="{me}" checked' in start, "the officer is ticked"
        assert f'value="{partner}"' in start, "the body's officers to pick"
        case_page = client.get(f"/m/cases/{filed}")
        assert case_page.status_code == 200
        buttons = re.findall(r'class="m-btn st-action" href="([^"]+)"', case_page.text)
        assert buttons == [f"/m/cases/{filed}/steps/startInvestigation"], "FILED: only the step legal now"
        assert [s.name for s in officer_forms.legal_steps("INVESTIGATING", ("OFFICER",))] == ["concludeInvestigation"]
        assert client.get(f"/m/cases/{filed}/steps/noSuchStep").status_code == 404


def test_one_officer_only_is_refused_with_article_42_and_nothing_is_stored(console: InProcessConsole,
                                                                            filed: str) -> None:
    me, _ = kit.officers(console.stack)
    before = kit.events(console.stack.store, filed)
    with console.client("officer1") as client:
        csrf, version, key = _csrf(client, filed, "startInvestigation")
        answer = _post(client, csrf, filed, "startInvestigation", {
            "idempotencyKey": key, "expectedVersion": version,
            "fields": {"officerIds": [me], "recusalChecked": True, "at": kit.AT["startInvestigation"]}})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "GUARD_FAILED"
    assert error["rule"] == "officers.two_certified"
    assert "两名以上" in error["message"], "what failed, in Chinese"
    assert error["article"] == "《中华人民共和国行政处罚法》第四十二条"
    assert "执法人员不得少于两人" in error["articleText"]
    assert kit.events(console.stack.store, filed) == before


def test_a_step_sent_twice_with_one_key_is_one_event_and_a_stale_version_is_a_conflict(
        console: InProcessConsole, filed: str) -> None:
    me, partner = kit.officers(console.stack)
    with console.client("officer1") as client:
        csrf, version, key = _csrf(client, filed, "startInvestigation")
        body = {"idempotencyKey": key, "expectedVersion": version,
                "fields": {"officerIds": [me, partner], "recusalChecked": True, "at": kit.AT["startInvestigation"]}}
        first = _post(client, csrf, filed, "startInvestigation", body)
        assert first.status_code == 200, first.text
        done = first.json()
        assert done["ok"] is True
        assert done["status"] == "INVESTIGATING"
        assert done["version"] == version + 1
        assert done["next"] == f"/m/cases/{filed}"
        again = _post(client, csrf, filed, "startInvestigation", body)
        assert again.status_code == 200, again.text
        assert again.json()["version"] == version + 1
        assert len(kit.events(console.stack.store, filed, "StartInvestigation")) == 1

        stale = _post(client, csrf, filed, "concludeInvestigation", {
            "idempotencyKey": str(uuid.uuid4()), "expectedVersion": version, "fields": {"reportDocId": "调查终结报告",
                                                             "at": kit.AT["concludeInvestigation"]}})
        assert stale.status_code == 409, stale.text
        conflict = stale.json()["conflict"]
        assert conflict["expectedVersion"] == version
        assert conflict["current"]["version"] == version + 1
        assert conflict["current"]["status"] == "INVESTIGATING"
        assert [e["kind"] for e in conflict["current"]["events"]] == ["StartInvestigation"]
        assert kit.events(console.stack.store, filed, "ConcludeInvestigation") == []


def test_csrf_less_other_roles_and_bad_input_are_refused_and_nothing_written(console: InProcessConsole) -> None:
    case_id = kit.case_at(console.stack, "startInvestigation")
    me, partner = kit.officers(console.stack)
    before = kit.events(console.stack.store, case_id)
    good = {"idempotencyKey": str(uuid.uuid4()), "expectedVersion": kit.now(console.stack, case_id)["version"],
            "fields": {"officerIds": [me, partner], "recusalChecked": True}}
    with console.client("officer1") as client:
        csrf, _, _ = _csrf(client, case_id, "startInvestigation")
        assert _post(client, None, case_id, "startInvestigation", good).status_code == 403
        wrong = _post(client, "not-the-token", case_id, "startInvestigation", good)
        assert wrong.status_code == 403
        assert wrong.json()["error"]["code"] == "CSRF"
        cross = client.post(f"/m/cases/{case_id}/steps/startInvestigation", json=good,
                            headers={**HEADERS, "x-csrf-token": csrf, "origin": "http://elsewhere.example"})
        assert cross.status_code == 403
        money = _post(client, csrf, case_id, "confirmPayment", {**good, "fields": {"amountYuan": "12.345",
                                                                                  "receiptNo": "R1"}})
        assert money.status_code == 422
        assert money.json()["error"]["field"] == "amountYuan"
        empty = _post(client, csrf, case_id, "recordStatement", {**good, "fields": {"summary": "  "}})
        assert empty.status_code == 422
        assert empty.json()["error"]["field"] == "summary"
        nokey = _post(client, csrf, case_id, "startInvestigation", {**good, "idempotencyKey": ""})
        assert nokey.status_code == 400
        assert nokey.json()["error"]["field"] == "idempotencyKey"
        theirs = _post(client, csrf, case_id, "startInvestigation", {**good, "subject": "someone-else"})
        assert theirs.status_code == 403, "a step another officer queued on this phone is not sent as mine"
        assert theirs.json()["error"]["code"] == "OTHER_OFFICER"
        head_only = _post(client, csrf, case_id, "fileCase", {**good, "fields": {}})
        assert head_only.status_code == 403
    with console.client("supervisor1") as client:
        page = client.get(f"/m/cases/{case_id}/steps/startInvestigation")
        assert page.status_code == 403
        assert "Traceback" not in page.text
        refused = client.post(f"/m/cases/{case_id}/steps/startInvestigation", json=good, headers=HEADERS)
        assert refused.status_code == 403
        assert "Traceback" not in refused.text
    assert kit.events(console.stack.store, case_id) == before


def test_yuan_become_fen_and_nested_fields_land_in_the_input() -> None:
    step = officer_forms.STEPS["serveNotice"]
    given = officer_forms.parse(step, {"kinds": ["FINE"], "circumstance": "ORDINARY", "fineYuan": "1,500.5",
                                       "factsStated": True, "includesHearingRight": "1"})
    assert given["proposal"] == {"kinds": ["FINE"], "circumstance": "ORDINARY", "fineFen": 150050}
    assert given["includesHearingRight"] is True
    assert given["rightsStated"] is False
    for bad in ("-1", "1.234", "abc", "1e5"):
        with pytest.raises(officer_forms.FieldRefused):
            officer_forms.parse(step, {"kinds": ["FINE"], "circumstance": "ORDINARY", "fineYuan": bad})


def test_a_body_head_on_the_phone_is_offered_the_filing_and_files_once(console: InProcessConsole) -> None:
    case_id = kit.case_at(console.stack, "fileCase")
    with console.client("head1") as client:
        page = client.get(f"/m/cases/{case_id}")
        assert f'href="/m/cases/{case_id}/steps/fileCase"' in page.text
        csrf, version, key = _csrf(client, case_id, "fileCase")
        body = {"idempotencyKey": key, "expectedVersion": version,
                "fields": {"filingStandardMet": True, "filedFirstElsewhere": False, "at": "2026-09-01T10:00"}}
        for _ in range(2):
            answer = _post(client, csrf, case_id, "fileCase", body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"] == "FILED"
    assert len(kit.events(console.stack.store, case_id, "FileCase")) == 1
    with console.client("officer1") as client:
        officer_view = client.get(f"/m/cases/{case_id}").text
        assert f"/m/cases/{case_id}/steps/startInvestigation" in officer_view, "FILED now: the officer's step"


def _send(client: httpx.Client, case_id: str, step: str, fields: dict[str, object]) -> dict[str, object]:
    csrf, version, key = _csrf(client, case_id, step)
    answer = _post(client, csrf, case_id, step, {"idempotencyKey": key, "expectedVersion": version, "fields": fields})
    assert answer.status_code == 200, (step, answer.text)
    done: dict[str, object] = answer.json()
    return done


def test_the_notice_and_the_decision_lead_to_their_service_pages_and_payment_is_recorded_in_fen(
        console: InProcessConsole) -> None:
    stack = console.stack
    who = kit.cast(stack)
    band = next(b for b in who.item["discretion_benchmarks"] if b["circumstance_level"] == "一般")
    hearing = band["min_fen"] >= who.item["hearing_threshold_individual_fen"]
    yuan = f"{band['min_fen'] // 100}.{band['min_fen'] % 100:02d}"
    noticed = kit.case_at(stack, "serveNotice")
    with console.client("officer1") as client:
        done = _send(client, noticed, "serveNotice", {
            "kinds": ["FINE"], "circumstance": "ORDINARY", "fineYuan": yuan, "factsStated": True,
            "reasonsStated": True, "basisStated": True, "rightsStated": True, "includesHearingRight": hearing,
            "at": "2026-09-26T10:00"})
        assert done["status"] == "NOTIFIED"
        assert done["next"] == f"/m/cases/{noticed}/service/notice"
    decided = kit.case_at(stack, "serveDecision")
    with console.client("officer1") as client:
        done = _send(client, decided, "serveDecision", {"method": "DIRECT", "onSpot": False, "at": "2026-10-21T10:00"})
        assert done["status"] == "SERVED"
        assert done["next"] == f"/m/cases/{decided}/service/decision"
        assert _send(client, decided, "startPayment", {"at": "2026-10-21T11:00"})["status"] == "PERFORMING"
        paid = _send(client, decided, "confirmPayment", {"amountYuan": yuan, "receiptNo": "RCPT-0001",
                                                         "at": "2026-10-23T10:00"})
        assert paid["status"] == "PERFORMED"
    answer = stack.graph("query($id: ID!) { penaltyCase(id: $id) { payment { paidFen paidOn } } }",
                         {"id": decided}, user="officer1", purpose="CASE_HANDLING")
    assert not answer.get("errors"), answer
    assert answer["data"]["penaltyCase"]["payment"] == {"paidFen": band["min_fen"], "paidOn": "2026-10-23"}


def test_every_rule_worded_for_the_phone_has_its_articles_text() -> None:
    from subgraphs.cases.domain.rules import RULES
    from web import law_articles

    worded = [r for r in RULES.values() if law_articles.rule_words(r.id)]
    assert len(worded) >= 20
    for rule in worded:
        text = law_articles.article_text(rule.article)
        assert text, (rule.id, rule.article)
        assert law_articles.law_name(rule.article).startswith("《中华人民共和国")
    assert law_articles.article_text("《中华人民共和国行政处罚法》第四十二条") == law_articles.article_text(
        "《行政处罚法》第四十二条")
    assert law_articles.article_text("《行政处罚法》第九百条") is None
    assert law_articles.article_text(None) is None
