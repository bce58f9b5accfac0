"""The supervision subgraph over HTTP (in-process ASGI): alerts paging, entity fields, lifecycle."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx

from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.alerts import record_findings
from subgraphs.supervision.app import create_app
from tests.subgraphs.supervision.test_alerts_store import finding

BODY = "11445100MBYK2ADL3R"
SUPERVISOR = json.dumps({"id": "SUP-1", "roles": ["SUPERVISOR"]})


async def _gql(client: httpx.AsyncClient, query: str, variables: dict[str, object] | None = None,
               headers: dict[str, str] | None = None) -> dict[str, object]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_alerts_through_the_subgraph(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    engine = create_engine(url)
    await record_findings(engine, [finding("S02", f"C-{i}") for i in range(3)] + [finding("S24", "C-0")],
                          now=datetime(2026, 10, 30, tzinfo=UTC), rectification_days=15)
    await engine.dispose()
    app = create_app(database_url=url, migrate=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://supervision.test") as client:
        page = await _gql(client, "{ supervisionAlerts(ruleId: \"S02\", first: 2) "
                                  "{ items { id ruleId ruleName severity status caseId } nextCursor total } }")
        data = page["data"]["supervisionAlerts"]  # type: ignore[index]
        assert data["total"] == 3
        assert len(data["items"]) == 2
        assert data["nextCursor"]
        assert data["items"][0]["ruleName"] == "超期未决"
        rest = await _gql(client, "query($a: String) { supervisionAlerts(ruleId: \"S02\", after: $a) "
                                  "{ items { id } nextCursor } }", {"a": data["nextCursor"]})
        assert len(rest["data"]["supervisionAlerts"]["items"]) == 1  # type: ignore[index]

        ents = await _gql(client, "query($r: [_Any!]!) { _entities(representations: $r) { "
                                  "... on PenaltyCase { id alerts { ruleId } } "
                                  "... on EnforcementBody { uscc alerts { ruleId } } } }",
                          {"r": [{"__typename": "PenaltyCase", "id": "C-0"},
                                 {"__typename": "EnforcementBody", "uscc": BODY}]})
        case, body = ents["data"]["_entities"]  # type: ignore[index]
        assert sorted(a["ruleId"] for a in case["alerts"]) == ["S02", "S24"]
        assert len(body["alerts"]) == 4

        alert_id = data["items"][0]["id"]
        anonymous = await _gql(client, "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }", {"id": alert_id})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]
        hdr = {"x-hub-dev-user": SUPERVISOR}
        acked = await _gql(client, "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }", {"id": alert_id},
                           headers=hdr)
        assert acked["data"]["acknowledgeAlert"]["status"] == "ACKNOWLEDGED"  # type: ignore[index]
        history = await _gql(client, "{ supervisionAlerts(ruleId: \"S02\") { items { id bodyId body { uscc } "
                                     "acknowledgedAt rectifiedAt dismissedAt } } }")
        rows = {a["id"]: a for a in history["data"]["supervisionAlerts"]["items"]}  # type: ignore[index]
        assert all(a["body"] == {"uscc": a["bodyId"]} for a in rows.values())
        assert rows[alert_id]["acknowledgedAt"] is not None
        assert rows[alert_id]["rectifiedAt"] is None
        assert rows[alert_id]["dismissedAt"] is None
        assert all(a["acknowledgedAt"] is None for i, a in rows.items() if i != alert_id)
        one = await _gql(client, "query($id: ID!) { supervisionAlert(id: $id) { id status ruleId } }", {"id": alert_id})
        assert one["data"]["supervisionAlert"] == {"id": alert_id, "status": "ACKNOWLEDGED", "ruleId": "S02"}  # type: ignore[index]
        unknown = await _gql(client, "{ supervisionAlert(id: \"no-such-alert\") { id } }")
        assert unknown["data"]["supervisionAlert"] is None  # type: ignore[index]
        bad = await _gql(client, "mutation($id: ID!) { dismissAlert(id: $id, reason: \" \") { status } }",
                         {"id": alert_id}, headers=hdr)
        assert bad["errors"][0]["extensions"]["code"] == "ILLEGAL_TRANSITION"  # type: ignore[index]

        persons = await _gql(client, "{ supervisionPersons(keys: [{idType: \"RESIDENT_ID\", idNumberHash: \"ab\"}]) "
                                     "{ idType idNumberHash } }")
        assert persons["data"]["supervisionPersons"] == [  # type: ignore[index]
            {"idType": "RESIDENT_ID", "idNumberHash": "ab"}]
        counts = await _gql(client, "{ supervisionBodyRates { bodyId alerts decisionOnTimeRate } }")
        assert counts["data"]["supervisionBodyRates"][0]["alerts"] == 4  # type: ignore[index]
