"""Coercive measures, inspections and the catalogue workflow over real HTTP (loopback)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from .test_cases_subgraph import ITEM, REGISTER, Client, World, clue, hub  # noqa: F401  (hub is a fixture)

MEASURE = "id version state caseId kind termDue emergency"
APPROVE = f"""mutation($case: ID!, $input: ApproveCoerciveMeasureInput!, $key: String) {{
  approveCoerciveMeasure(caseId: $case, input: $input, idempotencyKey: $key) {{ {MEASURE} }} }}"""
PUT = f"""mutation($id: ID!, $input: PutMeasureInForceInput!, $v: Int) {{
  putMeasureInForce(measureId: $id, input: $input, expectedVersion: $v) {{ {MEASURE} }} }}"""
EXTEND = f"""mutation($id: ID!, $input: ExtendMeasureInput!, $v: Int, $key: String) {{
  extendMeasure(measureId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {MEASURE} }} }}"""
EMERGENCY = f"""mutation($case: ID!, $input: ApplyEmergencyMeasureInput!) {{
  applyEmergencyMeasure(caseId: $case, input: $input) {{ {MEASURE} deadlines {{ kind dueAt basis }} }} }}"""
REPORT = f"""mutation($id: ID!, $input: ReportEmergencyMeasureInput!) {{
  reportEmergencyMeasure(measureId: $id, input: $input) {{ {MEASURE} }} }}"""


def _at(day: str, hour: str = "10:00") -> str:
    return f"{day}T{hour}:00+08:00"


def _on_site(world: World, **extra: Any) -> dict[str, Any]:
    return {"officerIds": list(world.officers), "items": [{"name": "涉案食品", "quantity": "20箱", **extra}],
            "partyPresent": True}


async def _case(c: Client, world: World) -> str:
    company = {"partyType": "ORGANISATION", "name": "潮州某食品有限公司", "uscc": world.entity_uscc}
    case_id: str = (await c.ok(REGISTER, input=clue(world, company)))["registerClue"]["id"]
    return case_id


async def test_measures_over_http(hub: tuple[str, World]) -> None:  # noqa: F811
    base, world = hub
    async with httpx.AsyncClient(timeout=30) as http:
        c = Client(http, base, {"id": world.officers[0], "body": world.body})
        head = Client(http, base, {"id": "HEAD-1", "body": world.body})
        case_id = await _case(c, world)
        approval = {"kind": "SEIZE", "basisLevel": "LAW", "basisText": "《食品安全法》第一百一十条",
                    "headApproved": False, "at": _at("2025-03-05")}
        ext = await head.error(APPROVE, case=case_id, input=approval)
        assert (ext["code"], ext["rule"], ext["article"]) == ("GUARD_FAILED", "coercive.head_approval",
                                                              "《行政强制法》第十八条")
        approved = (await head.ok(APPROVE, case=case_id, input={**approval, "headApproved": True},
                                  key="m-1"))["approveCoerciveMeasure"]
        assert (approved["state"], approved["version"], approved["caseId"]) == ("APPROVED", 1, case_id)
        again = (await head.ok(APPROVE, case=case_id, input={**approval, "headApproved": True},
                               key="m-1"))["approveCoerciveMeasure"]
        assert again == approved
        ext = await head.error(APPROVE, case=case_id, input={**approval, "headApproved": True, "kind": "SEAL"},
                               key="m-1")
        assert ext["code"] == "IDEMPOTENCY_KEY_REUSED"
        mid = approved["id"]

        stranger = Client(http, base, {"id": "OFF-X", "body": world.other_body})
        assert (await stranger.error(PUT, id=mid, input={"onSite": _on_site(world)}))["code"] == "FORBIDDEN"
        ext = await c.error(PUT, id=mid, input={"onSite": _on_site(world, dailyNecessity=True),
                                                "at": _at("2025-03-06")})
        assert (ext["code"], ext["rule"]) == ("GUARD_FAILED", "coercive.items_related")
        in_force = (await c.ok(PUT, id=mid, v=1, input={"onSite": _on_site(world), "at": _at("2025-03-06")}))
        assert (in_force["putMeasureInForce"]["state"], in_force["putMeasureInForce"]["termDue"]) == (
            "IN_FORCE", "2025-04-05")

        extension = {"days": 30, "complexCase": True, "headApproved": True, "writtenNotice": True,
                     "at": _at("2025-04-01")}
        ext = await head.error(EXTEND, id=mid, v=1, input=extension)
        assert (ext["code"], ext["expected"], ext["actual"]) == ("VERSION_CONFLICT", 1, 2)
        extended = (await head.ok(EXTEND, id=mid, v=2, input=extension))["extendMeasure"]
        assert (extended["state"], extended["version"], extended["termDue"]) == ("EXTENDED", 3, "2025-05-05")
        ext = await head.error(EXTEND, id=mid, v=3, input={**extension, "days": 5})
        assert (ext["code"], ext["rule"], ext["article"]) == ("GUARD_FAILED", "coercive.extension_once",
                                                              "《行政强制法》第二十五条")
        released = (await head.ok("""mutation($id: ID!) { releaseMeasure(measureId: $id,
            input: {ground: "no violation found", at: "2025-04-20T10:00:00+08:00"}) { state endReason endedOn } }""",
                                  id=mid))["releaseMeasure"]
        assert released == {"state": "RELEASED", "endReason": "no violation found", "endedOn": "2025-04-20"}
        ext = await head.error("""mutation($id: ID!) { handleMeasure(measureId: $id, input: {handling: DESTROY})
            { state } }""", id=mid)
        assert (ext["code"], ext["state"]) == ("ILLEGAL_TRANSITION", "RELEASED")

        emergency = (await c.ok(EMERGENCY, case=case_id, input={
            "kind": "SEAL", "basisLevel": "LAW", "basisText": "《食品安全法》第一百一十条", "onSite": _on_site(world),
            "at": _at("2025-03-07", "21:00")}))["applyEmergencyMeasure"]
        assert (emergency["state"], emergency["emergency"]) == ("EMERGENCY_APPLIED", True)
        assert [d["dueAt"] for d in emergency["deadlines"]] == ["2025-03-08T21:00:00+08:00"]
        ext = await head.error(REPORT, id=emergency["id"], input={"headApproves": True,
                                                                  "at": _at("2025-03-08", "21:30")})
        assert (ext["code"], ext["rule"]) == ("GUARD_FAILED", "coercive.emergency_report_24h")
        reported = (await head.ok(REPORT, id=emergency["id"], input={"headApproves": True,
                                                                     "at": _at("2025-03-08", "09:00")}))
        assert reported["reportEmergencyMeasure"]["state"] == "IN_FORCE"

        listed = await c.ok("""query($case: ID!) { penaltyCase(id: $case) { version coerciveMeasures { id state } }
            coerciveMeasures(caseId: $case) { id version events { seq kind prevHash hash } verifyEvents { ok } } }""",
                            case=case_id)
        assert listed["penaltyCase"]["coerciveMeasures"] == [{"id": mid, "state": "RELEASED"},
                                                             {"id": emergency["id"], "state": "IN_FORCE"}]
        assert listed["penaltyCase"]["version"] == 1  # measure commands leave the case's own chain alone
        first = listed["coerciveMeasures"][0]
        assert [e["kind"] for e in first["events"]] == ["ApproveMeasure", "PutInForce", "Extend", "Release"]
        assert all(first["events"][i]["prevHash"] == first["events"][i - 1]["hash"] for i in range(1, 4))
        assert all(m["verifyEvents"]["ok"] for m in listed["coerciveMeasures"])


INSPECTION = "id version state result"


async def test_inspections_over_http(hub: tuple[str, World]) -> None:  # noqa: F811
    base, world = hub
    async with httpx.AsyncClient(timeout=30) as http:
        c = Client(http, base, {"id": world.officers[0], "body": world.body})
        plan = {"bodyId": world.body, "itemCode": ITEM, "itemVersion": "1", "regionCode": world.region,
                "objectName": "某餐饮店", "planId": "双随机-2025-01", "at": _at("2025-03-01")}
        stranger = Client(http, base, {"id": "OFF-X", "body": world.other_body})
        ext = await stranger.error("""mutation($input: PlanInspectionInput!) { planInspection(input: $input)
            { id } }""", input=plan)
        assert ext["code"] == "FORBIDDEN"
        planned = (await c.ok(f"""mutation($input: PlanInspectionInput!) {{ planInspection(input: $input)
            {{ {INSPECTION} }} }}""", input=plan))["planInspection"]
        iid = planned["id"]
        assert (planned["state"], planned["version"]) == ("PLANNED", 1)

        async def step(name: str, value: dict[str, Any] | None, v: int | None = None) -> dict[str, Any]:
            arg = "" if value is None else f", input: {_literal(value)}"
            data = await c.ok(f"""mutation($id: ID!, $v: Int) {{ {name}(inspectionId: $id{arg}, expectedVersion: $v)
                {{ {INSPECTION} }} }}""", id=iid, v=v)
            out: dict[str, Any] = data[name]
            return out

        await step("assignInspectors", {"officerIds": list(world.officers), "at": _at("2025-03-02")})
        ext = await c.error("""mutation($id: ID!) { startInspection(inspectionId: $id,
            input: {certificatesShown: false, at: "2025-03-03T09:00:00+08:00"}) { id } }""", id=iid)
        assert (ext["code"], ext["rule"], ext["article"]) == ("GUARD_FAILED", "inspection.certificates_shown",
                                                              "《行政处罚法》第五十五条")
        await step("startInspection", {"certificatesShown": True, "at": _at("2025-03-03", "09:00")}, v=2)
        ext = await c.error("""mutation($id: ID!) { recordInspectionFindings(inspectionId: $id,
            input: {result: NO_ISSUE, recordDocId: "DOC-1", submittedAt: "2025-03-03T08:00:00+08:00"},
            expectedVersion: 3) { id } }""", id=iid)
        assert (ext["code"], ext["rule"]) == ("GUARD_FAILED", "inspection.submitted_after_check")
        ext = await c.error("""mutation($id: ID!) { closeInspection(inspectionId: $id, expectedVersion: 2) { id } }""",
                            id=iid)
        assert ext["code"] == "VERSION_CONFLICT"
        found = await step("recordInspectionFindings", {"result": "NO_ISSUE", "recordDocId": "DOC-1",
                                                        "submittedAt": _at("2025-03-03", "11:00")}, v=3)
        assert (found["state"], found["result"]) == ("RESULT_RECORDED", "NO_ISSUE")
        closed = await step("closeInspection", None, v=4)
        assert closed["state"] == "CLOSED_NO_ISSUE"
        published = await step("publishInspection", {"at": _at("2025-03-10")})
        assert (published["state"], published["version"]) == ("PUBLISHED", 6)

        second = (await c.ok("""mutation($input: PlanInspectionInput!) { planInspection(input: $input) { id } }""",
                             input={**plan, "objectName": "另一餐饮店"}))["planInspection"]["id"]
        page1 = (await c.ok("""query($b: String!) { inspections(bodyUscc: $b, first: 1) { items { id } nextCursor }
            }""", b=world.body))["inspections"]
        page2 = (await c.ok("""query($b: String!, $a: String) { inspections(bodyUscc: $b, first: 1, after: $a)
            { items { id certNos events { kind } verifyEvents { ok } } nextCursor } }""", b=world.body,
                            a=page1["nextCursor"]))["inspections"]
        assert [page1["items"][0]["id"], page2["items"][0]["id"]] == sorted([iid, second])
        assert page2["nextCursor"] is None
        full = (await c.ok("""query($id: ID!) { inspection(id: $id) { certNos events { kind toState }
            verifyEvents { ok } } }""", id=iid))["inspection"]
        assert len(full["certNos"]) == 2
        assert [e["toState"] for e in full["events"]] == [
            "PLANNED", "ASSIGNED", "ON_SITE", "RESULT_RECORDED", "CLOSED_NO_ISSUE", "PUBLISHED"]
        assert full["verifyEvents"]["ok"]
        other = (await c.ok("""query($b: String!) { inspections(bodyUscc: $b) { items { id } } }""",
                            b=world.other_body))["inspections"]
        assert other["items"] == []


def _literal(value: dict[str, Any]) -> str:
    """A GraphQL input literal (enum values unquoted where the tests pass them as enums)."""
    parts = []
    for k, v in value.items():
        if k == "result":
            parts.append(f"{k}: {v}")
        else:
            parts.append(f"{k}: {orjson.dumps(v).decode()}")
    return "{" + ", ".join(parts) + "}"


ITEM_FIELDS = "code version status name draftedBy reviewedBy content"


async def test_catalogue_workflow_over_http(hub: tuple[str, World]) -> None:  # noqa: F811
    base, _ = hub
    async with httpx.AsyncClient(timeout=30) as http:
        drafter = Client(http, base, {"id": "CAT-DRAFTER"})
        lawyer = Client(http, base, {"id": "CAT-LAWYER"})
        published = (await drafter.ok(f"""{{ enforcementItems(status: PUBLISHED, first: 200)
            {{ items {{ {ITEM_FIELDS} }} }} }}"""))["enforcementItems"]["items"]
        v1 = next(i for i in published if i["code"] == ITEM)
        content = orjson.loads(v1["content"])
        ext = await drafter.error("""mutation { draftEnforcementItem(content: "[1]") { code } }""")
        assert ext["code"] == "BAD_USER_INPUT"
        draft = (await drafter.ok(f"""mutation($c: String!) {{ draftEnforcementItem(content: $c)
            {{ {ITEM_FIELDS} }} }}""", c=orjson.dumps({**content, "name": "改名后的事项"}).decode()))
        v2 = draft["draftEnforcementItem"]
        assert (v2["code"], v2["version"], v2["status"], v2["draftedBy"]) == (ITEM, v1["version"] + 1, "DRAFT",
                                                                            "CAT-DRAFTER")

        async def act(client: Client, name: str, args: str = "") -> dict[str, Any]:
            return await client.gql(f"""mutation($c: String!, $v: Int!) {{ {name}(code: $c, version: $v{args})
                {{ {ITEM_FIELDS} }} }}""", c=ITEM, v=v2["version"])

        early = await act(lawyer, "approveEnforcementItem")
        assert early["errors"][0]["extensions"]["code"] == "CATALOGUE_WORKFLOW"
        assert (await act(drafter, "submitItemForLegalReview"))["data"]["submitItemForLegalReview"]["status"] == \
            "LEGAL_REVIEW"
        own = await act(drafter, "approveEnforcementItem")
        assert own["errors"][0]["extensions"]["code"] == "CATALOGUE_WORKFLOW"
        assert "drafter" in own["errors"][0]["message"]
        approved = (await act(lawyer, "approveEnforcementItem", ', opinion: "合法"'))["data"]["approveEnforcementItem"]
        assert (approved["status"], approved["reviewedBy"]) == ("APPROVED", "CAT-LAWYER")
        still = (await drafter.ok(f"""{{ enforcementItems(status: PUBLISHED, first: 200)
            {{ items {{ {ITEM_FIELDS} }} }} }}"""))["enforcementItems"]["items"]
        assert next(i for i in still if i["code"] == ITEM) == v1  # approval alone publishes nothing
        done = (await act(lawyer, "publishEnforcementItem"))["data"]["publishEnforcementItem"]
        assert done["status"] == "PUBLISHED"
        superseded = (await drafter.ok(f"""{{ enforcementItems(status: SUPERSEDED, first: 200)
            {{ items {{ {ITEM_FIELDS} }} }} }}"""))["enforcementItems"]["items"]
        old = next(i for i in superseded if i["code"] == ITEM)
        assert (old["version"], old["name"], old["content"]) == (v1["version"], v1["name"], v1["content"])
        assert orjson.loads(done["content"])["name"] == "改名后的事项"

        v3 = (await drafter.ok("""mutation($c: String!) { draftEnforcementItem(content: $c) { version } }""",
                               c=orjson.dumps(content).decode()))["draftEnforcementItem"]["version"]
        await drafter.ok("""mutation($c: String!, $v: Int!) { submitItemForLegalReview(code: $c, version: $v)
            { status } }""", c=ITEM, v=v3)
        rejected = (await lawyer.ok("""mutation($c: String!, $v: Int!) { rejectEnforcementItem(code: $c,
            version: $v, opinion: "依据已废止") { status reviewOpinion } }""", c=ITEM, v=v3))["rejectEnforcementItem"]
        assert rejected == {"status": "REJECTED", "reviewOpinion": "依据已废止"}

        page1 = (await drafter.ok("{ enforcementItems(first: 2) { items { code version } nextCursor } }"))
        rest = (await drafter.ok("""query($a: String) { enforcementItems(first: 200, after: $a)
            { items { code version } nextCursor } }""", a=page1["enforcementItems"]["nextCursor"]))
        keys = [(i["code"], i["version"]) for i in page1["enforcementItems"]["items"]] + [
            (i["code"], i["version"]) for i in rest["enforcementItems"]["items"]]
        assert keys == sorted(keys)
        assert len(keys) == len(set(keys))
        assert (ITEM, v3) in keys
