"""移动执法 over HTTP against the real stack: who may use it, my work's cards against the graph's own
answer for officer1, the USCC check before the graph (the gateway's access log shows no call), the
lookup's registry data, the manifest and the service worker."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.web.stack import InProcessConsole
from web.uscc import ALPHABET, check_char, problem

CHINA = timezone(timedelta(hours=8))
LOG_WAIT_S = 5.0
CARD = re.compile(r'<a class="m-card tone-(\w+)" href="/m/cases/([^"]+)" data-case-no="([^"]+)"')

#: the body's deadlines (those the body must meet) and the events that meet them, as DOMAIN.md §6 states them
MET_BY = {"FILING_DECISION": {"FileCase", "DecideNotToFile", "TransferToJudiciary"},
          "DECISION": {"Decide", "DecideNoPenalty", "TransferToJudiciary"}, "SERVICE": {"ServeDecision"},
          "PAYMENT": {"ConfirmPayment"}, "LIMITATION": {"FileCase", "DecideOnTheSpot"},
          "LEGAL_REVIEW": {"RecordLegalReview"}, "PUBLICITY": {"PublishDecision"}, "CLOSURE": {"Close"},
          "ARCHIVE": {"Archive"}, "SIMPLE_RECORD": {"FileSimpleRecord"},
          "PRESERVATION_HANDLING": {"HandlePreservation"}, "COURT_APPLICATION": {"StartEnforcement"},
          "HEARING_EARLIEST": {"HoldHearing"}}
ENDED = {"NOT_FILED", "TRANSFERRED", "TERMINATED", "CLOSED", "ARCHIVED"}


def _seed_usccs(console: InProcessConsole) -> list[str]:
    """USCCs of the seed's entities as the stack's legal-person registry holds them."""
    answer = console.stack.graph('{ searchLegalEntities(name: "有限", first: 10) { items { uscc } } }',
                                 user="officer1")
    return [e["uscc"] for e in answer["data"]["searchLegalEntities"]["items"]]


def _expected_tones(cases: list[dict[str, Any]]) -> dict[str, str]:
    """Each case's colour from its nearest unmet body deadline, computed here from the graph's data."""
    today = datetime.now(CHINA).date()
    tones = {}
    for case in cases:
        left = []
        if case["status"] not in ENDED:
            for d in case["deadlines"]:
                kinds = MET_BY.get(d["kind"])
                if kinds is None or any(e["kind"] in kinds and e["seq"] > d["eventSeq"] for e in case["events"]):
                    continue
                left.append((date.fromisoformat(d["due"]) - today).days)
        nearest = min(left) if left else None
        tones[case["id"]] = "none" if nearest is None else "red" if nearest < 0 else "yellow" if nearest <= 3 else "plain"
    return tones


def _officer_cases(console: InProcessConsole) -> list[dict[str, Any]]:
    token_sub = _subject(console.stack.token("officer1"))
    answer = console.stack.graph(
        "query($id: ID!) { officer(id: $id) { cases(first: 100) { items { id caseNo status "
        "deadlines { kind due eventSeq } events { seq kind } } } } }", {"id": token_sub}, user="officer1")
    return list(answer["data"]["officer"]["cases"]["items"])


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _subject(token: str) -> str:
    return str(_claims(token)["sub"])


def test_my_work_shows_each_of_the_officers_cases_with_its_colour(console: InProcessConsole) -> None:
    cases = _officer_cases(console)
    assert cases, "the demo officer takes part in seeded cases"
    with console.client("officer1") as client:
        page = client.get("/m/")
    assert page.status_code == 200, page.text
    shown = {case_id: (tone, no) for tone, case_id, no in CARD.findall(page.text)}
    assert set(shown) == {c["id"] for c in cases}
    assert {cid: no for cid, (_, no) in shown.items()} == {c["id"]: c["caseNo"] for c in cases}
    assert {cid: tone for cid, (tone, _) in shown.items()} == _expected_tones(cases)
    assert "移动执法" in page.text
    assert "我的任务" in page.text
    assert 'href="/m/lookup"' in page.text


def test_the_phone_case_view_shows_the_record_and_next_steps(console: InProcessConsole) -> None:
    case = _officer_cases(console)[0]
    expected = console.stack.graph("query($id: ID!) { penaltyCase(id: $id) { caseNo events { seq } } }",
                                   {"id": case["id"]}, user="officer1")["data"]["penaltyCase"]
    with console.client("officer1") as client:
        page = client.get(f"/m/cases/{case['id']}")
        missing = client.get("/m/cases/no-such-case")
    assert page.status_code == 200, page.text
    assert expected["caseNo"] in page.text
    assert "下一步" in page.text
    timeline = page.text.split('class="m-timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("<li>") == len(expected["events"])
    assert missing.status_code == 404
    assert "未找到案件" in missing.text


@pytest.mark.parametrize("user", ["public1", "auditor1", "supervisor1"])
def test_others_than_officers_get_the_refusal_page(console: InProcessConsole, user: str) -> None:
    with console.client(user) as client:
        for path in ("/m/", "/m/lookup?uscc=91445100MA4UXXXX0X", "/m/cases/x"):
            answer = client.get(path)
            assert answer.status_code == 403, (user, path)
            assert "Traceback" not in answer.text
            assert "执法人员" in answer.text


def test_without_a_session_the_app_sends_to_sign_in_and_back(console: InProcessConsole) -> None:
    with console.client(None) as client:
        answer = client.get("/m/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fm%2F"


def _log_records(console: InProcessConsole) -> list[dict[str, Any]]:
    path: Path = console.stack.data_dir / "access_log.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        out.append(entry.get("body", entry) if isinstance(entry, dict) else {})
    return out


def _lookups(console: InProcessConsole) -> int:
    return sum(1 for r in _log_records(console) if (r.get("operation") or {}).get("name") == "OfficerLookup")


def test_a_wrong_check_digit_is_refused_beside_the_field_without_asking_the_graph(console: InProcessConsole) -> None:
    good = _seed_usccs(console)[0]
    bad = good[:17] + next(c for c in ALPHABET if c != good[17])
    with console.client("officer1") as client:
        client.get(f"/m/lookup?uscc={good}")  # a lookup that does reach the gateway, to see the log is written
        deadline = time.monotonic() + LOG_WAIT_S
        while _lookups(console) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = _lookups(console)
        assert before >= 1, "the gateway logs the lookups that reach it"
        answer = client.get(f"/m/lookup?uscc={bad}")
    assert answer.status_code == 200  # a page with the form and its message (a GET form: no error status)
    assert re.search(r'<p class="m-error" id="uscc-error" role="alert">[^<]*校验位', answer.text)
    assert 'aria-describedby="uscc-error"' in answer.text
    time.sleep(1.0)  # the log is written after the answer: give a wrongly sent call time to appear
    assert _lookups(console) == before, "no graph call for a code that fails its check"


def _licence_holder(console: InProcessConsole) -> str:
    answer = console.stack.graph("{ searchLicences(first: 50) { items { holderUscc } } }", user="officer1")
    return str(next(h["holderUscc"] for h in answer["data"]["searchLicences"]["items"] if h["holderUscc"]))


def _case_party(console: InProcessConsole) -> str:
    answer = console.stack.graph("{ penaltyCases(first: 50) { items { parties { entity { uscc } } } } }",
                                 user="officer1")
    return str(next(p["entity"]["uscc"] for c in answer["data"]["penaltyCases"]["items"] for p in c["parties"]
                    if p.get("entity")))


@pytest.mark.parametrize("which", ["licence holder", "case party"])
def test_lookup_shows_the_entitys_registry_data_licences_and_cases(console: InProcessConsole, which: str) -> None:
    uscc = _licence_holder(console) if which == "licence holder" else _case_party(console)
    expected = console.stack.graph(
        "query($u: String!) { legalEntity(uscc: $u) { name status licences { certificateNo } cases { total } } }",
        {"u": uscc}, user="officer1", purpose="INSPECTION")["data"]["legalEntity"]
    with console.client("officer1") as client:
        page = client.get("/m/lookup", params={"uscc": uscc.lower()})
    assert page.status_code == 200, page.text
    assert expected["name"] in page.text
    assert expected["status"] in page.text
    assert page.text.count('class="licence"') == len(expected["licences"] or [])
    for licence in expected["licences"] or []:
        assert licence["certificateNo"] in page.text
    assert f"处罚案件（{expected['cases']['total']}）" in page.text
    if which == "licence holder":
        assert expected["licences"], "a holder found by its licence holds one"
    else:
        assert expected["cases"]["total"] >= 1, "a party found by its case has one"
        assert page.text.count('class="past-case"') == min(expected["cases"]["total"], 20)


def test_manifest_and_service_worker(console: InProcessConsole) -> None:
    with console.client(None) as client:
        manifest = client.get("/m/manifest.webmanifest")
        worker = client.get("/m/sw.js")
        icons = [client.get(f"/static/mobile/icon-{n}.png") for n in (192, 512)]
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    members = json.loads(manifest.text)
    assert members["start_url"] == "/m/"
    assert members["display"] == "standalone"
    assert members["name"]
    assert members["short_name"]
    assert members["theme_color"].startswith("#")
    assert {i["sizes"] for i in members["icons"]} == {"192x192", "512x512"}
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "addEventListener(\"fetch\"" in worker.text
    for answer, size in zip(icons, (192, 512), strict=True):
        assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(answer.content[16:20], "big") == size  # IHDR width


# --- the console's own GB 32100 check -------------------------------------------------------------


def test_the_check_agrees_with_the_seeds_codes(console: InProcessConsole) -> None:
    codes = _seed_usccs(console)
    assert codes
    for code in codes:
        assert problem(code) is None, code


# published examples of valid codes (the check character is theirs, not computed here)
PUBLISHED = ("91350100M000100Y43", "91110000100006485K", "911100001000044477")


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code: str) -> None:
    assert problem(code) is None


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_exactly_one_check_character_fits(body: str, last: str) -> None:
    assert (problem(body + last) is None) == (last == check_char(body))


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.integers(0, 16), st.sampled_from(ALPHABET))
def test_changing_one_character_breaks_the_check(body: str, at: int, other: str) -> None:
    code = body + check_char(body)
    changed = code[:at] + other + code[at + 1:]
    assert (problem(changed) is None) == (changed == code)


def test_malformed_codes_are_named() -> None:
    assert "18 位" in (problem("9144") or "")
    assert "无效字符" in (problem("91445100MA4UXXXXIO") or "")


def test_a_body_head_with_no_cases_of_its_own_sees_the_bodys_cases(console: InProcessConsole) -> None:
    claims = _claims(console.stack.token("head1"))
    own = console.stack.graph("query($id: ID!) { officer(id: $id) { cases(first: 1) { total } } }",
                              {"id": claims["sub"]}, user="head1")["data"]["officer"]
    if own and own["cases"]["total"]:
        pytest.skip("this seed's head also handles cases of its own")
    body = console.stack.graph("query($b: String!) { penaltyCases(filter: { bodies: [$b] }, first: 100) { items { id } } }",
                               {"b": claims["body_uscc"]}, user="head1")["data"]["penaltyCases"]["items"]
    with console.client("head1") as client:
        page = client.get("/m/")
    assert page.status_code == 200, page.text
    assert {case_id for _, case_id, _ in CARD.findall(page.text)} == {c["id"] for c in body}
    assert "本机关案件" in page.text
