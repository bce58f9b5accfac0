"""Production profile: an assigned reviewer reads the file under review, in clear only when the purpose is bound.

The hub of the attack suite (PostgreSQL, signed calls, JWT, need-to-know bindings required). A
supervisor draws a review campaign; each file's reviewers are legal-review staff of other bodies.
The assigned reviewer stating CASE_FILE_REVIEW with ``x-purpose-ref: case:<id>`` reads the case
with its parties' names in clear, exactly as the supervisor reads them under a bound SUPERVISION
purpose; without the reference the purpose is not bound and the names come back masked; a legal
reviewer not assigned reads nothing, with or without the reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.security.stack import Hub

CREATE = """mutation($seed: Int!) { createReviewCampaign(name: "生产评查调阅", seed: $seed, perBody: 1,
  reviewersPerCase: 2) { id } }"""
FILES = "query($id: ID!) { reviewCampaignFiles(campaignId: $id) { caseId bodyId reviewers } }"
CASE = "query($id: ID!) { penaltyCase(id: $id) { id caseNo parties { partyType name } } }"


def _legal_reviewers(seed_dir: Path) -> dict[str, str]:
    """officer id -> body USCC of every legal reviewer of the seed."""
    found: dict[str, str] = {}
    with (seed_dir / "officers.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("is_legal_reviewer") is True:
                found[str(row["id"])] = str(row["body_uscc"])
    return found


@pytest.fixture(scope="module")
def file(hub: Hub) -> dict[str, Any]:
    supervisor = hub.token("supervisor1")
    made = hub.ask(supervisor, CREATE, {"seed": 4417}, purpose="SUPERVISION")
    assert "errors" not in made, made
    files = hub.ask(supervisor, FILES, {"id": made["data"]["createReviewCampaign"]["id"]},
                    purpose="SUPERVISION")["data"]["reviewCampaignFiles"]
    assert files, "the seed has closed files"
    case = next((f for f in files if f["reviewers"]), None)
    assert case is not None, "files get reviewers"
    clear = hub.ask(supervisor, CASE, {"id": case["caseId"]}, purpose="SUPERVISION", ref=f"case:{case['caseId']}")
    assert "errors" not in clear, clear
    return {**case, "clear": clear["data"]["penaltyCase"]}


def test_the_bound_review_purpose_reads_the_file_in_clear(hub: Hub, file: dict[str, Any]) -> None:
    case_id = file["caseId"]
    assert file["clear"] is not None
    assert file["clear"]["parties"], "the file has parties"
    for reviewer in file["reviewers"]:
        answer = hub.ask(hub.token(reviewer), CASE, {"id": case_id}, purpose="CASE_FILE_REVIEW", ref=f"case:{case_id}")
        assert "errors" not in answer, answer
        assert answer["data"]["penaltyCase"] == file["clear"]


def test_without_the_reference_the_purpose_is_unbound_and_names_are_masked(hub: Hub, file: dict[str, Any]) -> None:
    case_id = file["caseId"]
    answer = hub.ask(hub.token(file["reviewers"][0]), CASE, {"id": case_id}, purpose="CASE_FILE_REVIEW")
    got = answer["data"]["penaltyCase"]
    assert got is not None, "the assignment lets the reviewer read the file"
    assert got["caseNo"] == file["clear"]["caseNo"]
    clear_names = [p["name"] for p in file["clear"]["parties"]]
    names = [p["name"] for p in got["parties"]]
    assert len(names) == len(clear_names)
    assert all(n != c for n, c in zip(names, clear_names, strict=True)), "masked without a bound purpose"


def test_a_legal_reviewer_not_assigned_reads_nothing(hub: Hub, file: dict[str, Any]) -> None:
    case_id = file["caseId"]
    stranger = next(r for r, body in sorted(_legal_reviewers(hub.seed_dir).items())
                    if r not in file["reviewers"] and body != file["bodyId"])
    for ref in (f"case:{case_id}", None):
        answer = hub.ask(hub.token(stranger), CASE, {"id": case_id}, purpose="CASE_FILE_REVIEW", ref=ref)
        assert answer["data"]["penaltyCase"] is None, answer
