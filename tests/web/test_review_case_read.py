"""An assigned reviewer reads the case file under review, through the real gateway, and nothing more.

Reviewers are legal-review staff of other bodies (recusal), so their row scope never holds the
file. With the LEGAL_REVIEWER role, the purpose CASE_FILE_REVIEW and a review assignment of that
case, ``penaltyCase(id:)`` answers it (children included); without the purpose, with another one,
for another reviewer, in lists and for writes it does not. The expected figures are the
supervisor's reading of the same case (city-wide scope) and the SQLite store, never this change's code.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest

from tests.web.review_kit import FILES
from tests.web.stack import ConsoleStack, InProcessConsole

CREATE = """mutation($name: String!, $seed: Int!) { createReviewCampaign(name: $name, seed: $seed, perBody: 1,
  reviewersPerCase: 2) { id } }"""
CASE = """query($id: ID!) { penaltyCase(id: $id) { id caseNo version status bodyUscc
  events { seq kind } documents { id docType } evidence { id kind } deadlines { kind due } parties { partyType } } }"""
LIST = "{ penaltyCases(first: 1000) { total items { id } } }"
ARCHIVE = """mutation($id: ID!) { archive(caseId: $id, input: {archiveNo: "评查-越权-1", manifestSm3: "%s",
  sealed: true}) { id version } }""" % ("0" * 64)
REVIEW = "CASE_FILE_REVIEW"


def _ask(stack: ConsoleStack, user: str, query: str, variables: dict[str, Any], *, purpose: str | None = None,
         ref: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {stack.token(user)}"}
    if purpose is not None:
        headers["x-purpose-code"] = purpose
    if ref is not None:
        headers["x-purpose-ref"] = ref
    answer = httpx.post(f"{stack.gateway}/graphql", json={"query": query, "variables": variables},
                        headers=headers, timeout=60)
    body: dict[str, Any] = answer.json()
    return body


def _store_case(stack: ConsoleStack, case_id: str) -> tuple[str, str, int]:
    """(case number, body USCC, version) of a case, straight from the store."""
    with sqlite3.connect(f"file:{stack.store}?mode=ro", uri=True) as db:
        row = db.execute("SELECT case_no, body_uscc, version FROM penalty_case WHERE id = ?", (case_id,)).fetchone()
    assert row is not None, case_id
    return str(row[0]), str(row[1]), int(row[2])


@pytest.fixture(scope="module")
def review(stack: ConsoleStack) -> dict[str, Any]:
    """A campaign: one file, its two reviewers, and a legal reviewer of another body not assigned to it."""
    made = stack.graph(CREATE, {"name": "评查调阅", "seed": 9031}, user="supervisor1", purpose="SUPERVISION")
    assert "errors" not in made, made
    campaign = made["data"]["createReviewCampaign"]["id"]
    files = stack.graph(FILES, {"id": campaign})["data"]["reviewCampaignFiles"]
    assert len(files) >= 2, "the seed has closed files in several bodies"
    target = files[0]
    officers = stack.graph('{ searchOfficers(first: 1000, filter: {isLegalReviewer: true}) { items { id bodyUscc } } }')
    body_of = {o["id"]: o["bodyUscc"] for o in officers["data"]["searchOfficers"]["items"]}
    stranger = next(r for r in sorted(body_of) if r not in target["reviewers"] and body_of[r] != target["bodyId"])
    return {"campaign": campaign, "case": target["caseId"], "body": target["bodyId"], "reviewers": target["reviewers"],
            "stranger": stranger, "body_of": body_of}


def test_the_assigned_reviewer_reads_the_whole_case_file(stack: ConsoleStack, review: dict[str, Any]) -> None:
    case_id = review["case"]
    case_no, body, version = _store_case(stack, case_id)
    expected = stack.graph(CASE, {"id": case_id}, user="supervisor1", purpose="SUPERVISION")["data"]["penaltyCase"]
    assert expected is not None, "the supervisor reads the file"
    assert expected["events"], "the file has its events"
    for reviewer in review["reviewers"]:
        assert review["body_of"][reviewer] != body, "recusal: the reviewer is of another body"
        answer = _ask(stack, reviewer, CASE, {"id": case_id}, purpose=REVIEW, ref=f"case:{case_id}")
        assert "errors" not in answer, answer
        got = answer["data"]["penaltyCase"]
        assert got is not None, "the assigned reviewer reads the case under review"
        assert (got["caseNo"], got["bodyUscc"], got["version"]) == (case_no, body, version)
        assert got["events"] == expected["events"]
        assert got["documents"] == expected["documents"]
        assert got["evidence"] == expected["evidence"]
        assert got["deadlines"] == expected["deadlines"]
        assert got["parties"] == expected["parties"]


@pytest.mark.parametrize("purpose", [None, "LEGAL_REVIEW", "CASE_HANDLING", "SUPERVISION"])
def test_without_the_review_purpose_the_reviewer_reads_nothing(
        stack: ConsoleStack, review: dict[str, Any], purpose: str | None) -> None:
    case_id = review["case"]
    reviewer = review["reviewers"][0]
    answer = _ask(stack, reviewer, CASE, {"id": case_id}, purpose=purpose,
                  ref=f"case:{case_id}" if purpose else None)
    assert answer.get("data", {}).get("penaltyCase") is None, answer


def test_a_reviewer_not_assigned_to_the_file_reads_nothing(stack: ConsoleStack, review: dict[str, Any]) -> None:
    case_id = review["case"]
    answer = _ask(stack, review["stranger"], CASE, {"id": case_id}, purpose=REVIEW, ref=f"case:{case_id}")
    assert answer.get("data", {}).get("penaltyCase") is None, answer


def test_other_cases_of_the_reviewed_body_stay_hidden(stack: ConsoleStack, review: dict[str, Any]) -> None:
    reviewer = review["reviewers"][0]
    with sqlite3.connect(f"file:{stack.store}?mode=ro", uri=True) as db:
        others = [r[0] for r in db.execute("SELECT id FROM penalty_case WHERE body_uscc = ? AND id != ? LIMIT 3",
                                           (review["body"], review["case"]))]
    assert others, "the reviewed body has other cases"
    for other in others:
        answer = _ask(stack, reviewer, CASE, {"id": other}, purpose=REVIEW, ref=f"case:{other}")
        assert answer.get("data", {}).get("penaltyCase") is None, other


def test_the_reviewers_case_list_does_not_gain_the_file(stack: ConsoleStack, review: dict[str, Any]) -> None:
    reviewer = review["reviewers"][0]
    with sqlite3.connect(f"file:{stack.store}?mode=ro", uri=True) as db:
        own = db.execute("SELECT count(*) FROM penalty_case WHERE body_uscc = ?",
                         (review["body_of"][reviewer],)).fetchone()[0]
    answer = _ask(stack, reviewer, LIST, {}, purpose=REVIEW, ref=f"case:{review['case']}")
    assert "errors" not in answer, answer
    listed = answer["data"]["penaltyCases"]
    assert review["case"] not in {i["id"] for i in listed["items"]}
    assert listed["total"] == own, "the list is the reviewer's own body's cases, nothing more"


def test_the_reviewer_cannot_change_the_file(stack: ConsoleStack, review: dict[str, Any]) -> None:
    case_id = review["case"]
    before = _store_case(stack, case_id)
    for reviewer in review["reviewers"]:
        answer = _ask(stack, reviewer, ARCHIVE, {"id": case_id}, purpose=REVIEW, ref=f"case:{case_id}")
        assert answer.get("errors"), answer
        assert answer["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHORIZED_FIELD_OR_TYPE"}, answer
        assert not (answer.get("data") or {}).get("archive")
    assert _store_case(stack, case_id) == before, "nothing written"


def test_the_score_sheet_and_the_case_page_show_the_file(
        stack: ConsoleStack, console: InProcessConsole, review: dict[str, Any]) -> None:
    case_id = review["case"]
    case_no, _, _ = _store_case(stack, case_id)
    reviewer = review["reviewers"][0]
    with console.client(reviewer) as http:
        sheet = http.get(f"/review/{review['campaign']}/{case_id}")
        assert sheet.status_code == 200, sheet.text[:600]
        assert f"<dt>案卷</dt><dd>{case_no} " in sheet.text
        assert "案件详情未获返回" not in sheet.text
        page = http.get(f"/cases/{case_id}")
        assert page.status_code == 200, page.text[:600]
        assert case_no in page.text
    with console.client(review["stranger"]) as http:
        assert http.get(f"/cases/{case_id}").status_code == 404, "a reviewer not assigned sees no such case"


VERIFY = "query($id: ID!) { verifyCaseEvents(caseId: $id) { ok reason } }"


def test_the_assigned_reviewer_verifies_the_files_event_chain(stack: ConsoleStack, review: dict[str, Any]) -> None:
    case_id = review["case"]
    with sqlite3.connect(f"file:{stack.store}?mode=ro", uri=True) as db:
        events = db.execute("SELECT count(*) FROM case_event WHERE case_id = ?", (case_id,)).fetchone()[0]
    assert events > 0
    mine = _ask(stack, review["reviewers"][0], VERIFY, {"id": case_id}, purpose=REVIEW, ref=f"case:{case_id}")
    assert mine["data"]["verifyCaseEvents"] == {"ok": True, "reason": f"{events} events verified"}
    for user, purpose in ((review["reviewers"][0], None), (review["stranger"], REVIEW)):
        answer = _ask(stack, user, VERIFY, {"id": case_id}, purpose=purpose, ref=f"case:{case_id}" if purpose else None)
        assert answer["data"]["verifyCaseEvents"] == {"ok": False, "reason": f"no case {case_id}"}
