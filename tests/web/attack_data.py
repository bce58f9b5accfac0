"""What the console's attack tests read and write through the graph, as the people they imitate would:
real identifiers to fill path parameters with, the state a refused form must leave untouched, hostile
text written by a supervisor (a dismiss reason, a campaign name) and by an officer (a party's name), and
who may open each section, written by hand from the issue.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.web.attack_kit import PARAM, RouteInfo, claims, page_routes, routes
from tests.web.stack import ConsoleStack, InProcessConsole

USERS = ("supervisor1", "head1", "reviewer1", "officer1", "auditor1", "public1")

#: who may open each section, written from the issue and DOMAIN.md's roles, not read from web/roles.py:
#: dashboard, alerts and workforce are the supervision screens (SUPERVISOR, BODY_HEAD); cases also open to
#: legal reviewers and auditors; case-file review to supervisors and legal reviewers; the explorer to every
#: signed-in role but the public
EXPECTED: dict[str, frozenset[str]] = {
    "/dashboard": frozenset({"supervisor1", "head1"}),
    "/alerts": frozenset({"supervisor1", "head1"}),
    "/cases": frozenset({"supervisor1", "head1", "reviewer1", "auditor1"}),
    "/workforce": frozenset({"supervisor1", "head1"}),
    "/review": frozenset({"supervisor1", "reviewer1"}),
    "/explorer": frozenset({"supervisor1", "head1", "reviewer1", "officer1", "auditor1"}),
}

#: parts of a section for fewer roles than the section: only a supervisor creates a review campaign
EXPECTED_PARTS: dict[str, frozenset[str]] = {
    "/review/new": frozenset({"supervisor1"}),
}


def present(console: InProcessConsole, section: str) -> bool:
    return any(r.path == section for r in routes(console.app))


def filled(console: InProcessConsole, section: str, value: str) -> list[str]:
    """Every GET route of `section` with one path parameter, filled with `value`."""
    return [re.sub(r"\{\w+(?::\w+)?\}", quote(value, safe=""), r.path) for r in page_routes(console.app)
            if r.section == section and len(r.params) == 1 and value]


@dataclass
class Samples:
    """Real identifiers of the seeded data, as the city's supervisor sees them, to fill path parameters."""

    alert_id: str
    case_id: str
    uscc: str
    campaign_id: str | None
    officer_id: str | None
    review_case_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def value(self, route: RouteInfo, name: str, conv: str) -> str:
        key = name.lower()
        if key in self.extra:
            return self.extra[key]
        if conv == "int":
            return "1"
        section = route.section
        if "alert" in key or (key == "id" and section == "/alerts"):
            return self.alert_id
        if "case" in key or (key == "id" and section == "/cases"):
            return self.case_id
        if "uscc" in key or "body" in key or (key == "id" and section == "/workforce"):
            return self.uscc
        if section == "/review" and "case" in key:
            return self.review_case_id or self.case_id
        if "campaign" in key or (key == "id" and section == "/review"):
            return self.campaign_id or "1"
        if "officer" in key:
            return self.officer_id or "1"
        return "1"

    def fill(self, route: RouteInfo) -> str:
        return PARAM.sub(lambda m: self.value(route, m.group("name"), m.group("conv") or "str"), route.path)


SAMPLE_QUERY = """{
  supervisionAlerts(first: 50, includeInactive: true) { items { id bodyId caseId status } }
  penaltyCases(first: 50) { items { id caseNo bodyUscc } }
  reviewCampaigns { id name }
}"""


CAMPAIGN = ("mutation($name: String!) { createReviewCampaign(name: $name, seed: 15, perBody: 1) "
            "{ id files { caseId } } }")
CAMPAIGN_FILES = "query($id: ID!) { reviewCampaignFiles(campaignId: $id) { caseId } }"


def samples(stack: ConsoleStack) -> Samples:
    """Identifiers to fill path parameters with; a review campaign is created (as the city's supervisor
    would) when there is none, so that the review pages have a campaign and a score sheet to show."""
    if not (stack.graph("{ reviewCampaigns { id } }").get("data") or {}).get("reviewCampaigns"):
        stack.graph(CAMPAIGN, {"name": "安全测试评查"}, purpose="SUPERVISION")
    data = stack.graph(SAMPLE_QUERY, purpose="SUPERVISION").get("data") or {}
    alerts = (data.get("supervisionAlerts") or {}).get("items") or []
    cases = (data.get("penaltyCases") or {}).get("items") or []
    campaigns = data.get("reviewCampaigns") or []
    assert alerts, f"the seeded stack has no alerts: {data}"
    assert cases, f"the seeded stack has no cases: {data}"
    officers = stack.graph('{ searchEnforcementBodies(level: "CITY", first: 1) { items { uscc officers { id } } } }')
    items = ((officers.get("data") or {}).get("searchEnforcementBodies") or {}).get("items") or []
    officer = next((o["id"] for b in items for o in b.get("officers") or []), None)
    alert = next((a for a in alerts if a["status"] == "OPEN"), alerts[-1])  # one with its actions on its page
    campaign = campaigns[0]["id"] if campaigns else None
    files = (stack.graph(CAMPAIGN_FILES, {"id": campaign}).get("data") or {}).get("reviewCampaignFiles") if campaign else []
    return Samples(alert_id=alert["id"], case_id=cases[0]["id"], uscc=cases[0]["bodyUscc"], campaign_id=campaign,
                   officer_id=officer, review_case_id=files[0]["caseId"] if files else None,
                   extra={"action": "acknowledge"})


STATE_QUERY = """{
  supervisionAlerts(first: 1000, includeInactive: true) { total items { id status dismissReason } }
  reviewCampaigns { id name }
}"""


def graph_state(console: InProcessConsole) -> dict[str, Any]:
    data = console.stack.graph(STATE_QUERY, purpose="SUPERVISION").get("data") or {}
    alerts = {a["id"]: (a["status"], a["dismissReason"])
              for a in (data.get("supervisionAlerts") or {}).get("items") or []}
    return {"alerts": alerts, "campaigns": sorted(c["id"] for c in data.get("reviewCampaigns") or [])}


def payload(marker: str) -> str:
    return f'<script>alert("{marker}")</script>"><img src=x onerror=alert(1)>'


def mutate(console: InProcessConsole, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = console.stack.graph(query, variables, purpose="SUPERVISION")
    assert not answer.get("errors"), answer
    data: dict[str, Any] = answer["data"]
    return data


DISMISS = "mutation($id: ID!, $reason: String!) { dismissAlert(id: $id, reason: $reason) { id status caseId } }"
NAMED_CAMPAIGN = ("mutation($name: String!, $seed: Int!) { createReviewCampaign(name: $name, seed: $seed, perBody: 1) "
            "{ id name } }")
OPEN_ALERTS = """{ supervisionAlerts(status: OPEN, severity: YELLOW, first: 5, orderBy: DETECTED_AT, descending: true)
  { items { id caseId bodyId } } }"""


OFFICER_BODY = "query($uscc: String!) { enforcementBody(uscc: $uscc) { uscc regionCode itemCodes } }"
ITEMS = "{ enforcementItems(status: PUBLISHED, first: 1000) { items { code version } } }"
REGISTER = ("mutation($input: RegisterClueInput!, $key: String) "
            "{ registerClue(input: $input, idempotencyKey: $key) { id caseNo } }")


def case_with_hostile_party(console: InProcessConsole, payload: str) -> tuple[str | None, str]:
    """A clue registered by officer1 with an organisation party named `payload`: (case id, why not)."""
    stack = console.stack
    who = claims(stack.token("officer1"))
    body = (stack.graph(OFFICER_BODY, {"uscc": who.get("body_uscc") or ""}, user="officer1").get("data") or {}).get(
        "enforcementBody")
    items = ((stack.graph(ITEMS, user="officer1").get("data") or {}).get("enforcementItems") or {}).get("items") or []
    item = next((i for i in items if body and i["code"] in body["itemCodes"]), None)
    if not body or not item:
        return None, "officer1's body or a published item of it not found"
    variables = {"key": str(uuid.uuid4()), "input": {
        "bodyId": body["uscc"], "itemCode": item["code"], "itemVersion": str(item["version"]),
        "regionCode": body["regionCode"], "source": "INSPECTION",
        "parties": [{"partyType": "ORGANISATION", "name": payload, "uscc": body["uscc"]}],  # a valid code
        "violation": {"start": "2026-11-20", "continuous": False, "endangersLifeOrFinance": False,
                      "harmfulConsequences": False},
        "discoveredOn": "2026-11-25"}}
    answer = stack.graph(REGISTER, variables, user="officer1", purpose="CASE_HANDLING")
    case = (answer.get("data") or {}).get("registerClue")
    return (case["id"], "") if case else (None, str(answer.get("errors"))[:300])


CASES_OF = "{ penaltyCases(first: 1000) { items { id caseNo bodyUscc } } }"
ALERTS_OF = "{ supervisionAlerts(first: 1000, includeInactive: true) { items { id bodyId caseId } } }"
