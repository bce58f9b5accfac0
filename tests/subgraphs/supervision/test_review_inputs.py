"""createReviewCampaign refuses an implausible due day and control characters in its name, naming the
argument, and creates nothing; a plausible day passes the check. Alert moves take idempotency keys.
Over real HTTP (loopback)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from subgraphs.common.clock import CHINA
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.alerts import record_findings
from subgraphs.supervision.app import create_app
from subgraphs.supervision.rows import AlertRow, CampaignRow
from tests.subgraphs.supervision.test_alerts_store import finding
from tests.support.servers import serve

CREATE = """mutation($name: String!, $due: Date) {
  createReviewCampaign(name: $name, seed: 1, perBody: 1, dueOn: $due) { id } }"""
LEAD = {"x-hub-dev-user": json.dumps({"id": "SUP-1", "roles": ["SUPERVISOR"]})}


async def _campaigns(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(CampaignRow))).scalar_one())
    finally:
        await engine.dispose()


async def test_due_day_and_name_are_checked_before_anything_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    today = datetime.now(CHINA).date()
    bad_days = st.one_of(st.integers(1, 9000).map(lambda n: today - timedelta(days=n)),
                         st.integers(3654, 40_000).map(lambda n: today + timedelta(days=n)))
    answers: list[dict[str, object]] = []
    with serve(create_app(database_url=url, migrate=False)) as base, httpx.Client(base_url=base, timeout=30) as http:

        def post(name: str, due: date | None) -> dict[str, object]:
            body: dict[str, object] = http.post("/graphql", headers=LEAD, json={
                "query": CREATE, "variables": {"name": name, "due": due.isoformat() if due else None}}).json()
            return body

        @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        @given(bad_days)
        def refused(due: date) -> None:
            answers.append(post("2026 年度评查", due))

        refused()
        answers.append(post("评查\x00", today))
        valid = post("2026 年度评查", today + timedelta(days=30))
    assert await _campaigns(url) == 0
    for body in answers:
        ext = body["errors"][0]["extensions"]  # type: ignore[index]
        assert ext["code"] == "BAD_USER_INPUT", body
        assert ext["field"] in ("dueOn", "name"), body
    assert answers[-1]["errors"][0]["extensions"]["field"] == "name"  # type: ignore[index]
    # a plausible day passes the check: what stops this campaign is that there are no closed cases
    error = valid["errors"][0]  # type: ignore[index]
    assert "field" not in error["extensions"], valid
    assert error["message"] == "no closed case files to review"


ACK = """mutation($id: ID!, $key: String) { acknowledgeAlert(id: $id, idempotencyKey: $key) { id status } }"""
RECTIFY = """mutation($id: ID!, $key: String) { rectifyAlert(id: $id, idempotencyKey: $key) { id status } }"""


async def test_alert_moves_replay_the_first_result_for_their_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    engine = create_engine(url)
    await record_findings(engine, [finding("S02", "C-1"), finding("S02", "C-2")],
                          now=datetime(2026, 10, 30, tzinfo=UTC), rectification_days=15)
    async with engine.connect() as conn:
        ids = sorted((await conn.execute(select(AlertRow.id))).scalars())
    await engine.dispose()
    supervisor = {"x-hub-dev-user": json.dumps({"id": "SUP-1", "roles": ["SUPERVISOR"]})}
    with serve(create_app(database_url=url, migrate=False)) as base, \
            httpx.Client(base_url=base, timeout=30, headers=supervisor) as http:

        def gql(query: str, **variables: object) -> dict[str, Any]:
            body: dict[str, Any] = http.post("/graphql", json={"query": query, "variables": variables}).json()
            return body

        first = gql(ACK, id=ids[0], key="ack-1")
        assert first["data"] == {"acknowledgeAlert": {"id": ids[0], "status": "ACKNOWLEDGED"}}, first
        assert gql(ACK, id=ids[0], key="ack-1") == first  # the retry is answered as the first request was
        assert gql(ACK, id=ids[0])["errors"][0]["extensions"]["code"] == "ILLEGAL_TRANSITION"
        reused = gql(ACK, id=ids[1], key="ack-1")  # the same key for another alert
        assert reused["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert gql(RECTIFY, id=ids[0], key="ack-1")["errors"][0]["extensions"]["code"] == \
            "IDEMPOTENCY_KEY_REUSED"
        assert gql(ACK, id=ids[1], key="ack-2")["data"] == {
            "acknowledgeAlert": {"id": ids[1], "status": "ACKNOWLEDGED"}}
