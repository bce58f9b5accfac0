"""`Subscription.caseChanged` over real WebSocket (graphql-transport-ws) to the cases app served by uvicorn:
changes written by another engine (another process, as far as the app knows) arrive in order, scoped."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from subgraphs.cases.app import create_app
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.service import CaseService, RecordEvent
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import protect
from tests.subgraphs.cases.harness import at, clue, file, verify
from tests.subgraphs.cases.world import CHAOZHOU, make_context
from tests.subgraphs.live_kit import KEY, caller, live_client, served, signed_headers

SUB = ("subscription($f: CaseChangeFilter) { caseChanged(filter: $f) "
       "{ seq caseId bodyId fromState toState transition case { id status parties { name } } } }")
SECRET = b"live-cases-secret-of-32-bytes..."


def _app(url: str, tmp: Path) -> Any:
    config = CasesConfig(database_url=url, data_dir=tmp / "data", id_hash_secret=SECRET, migrate_on_start=False,
                         live_interval_s=0.05)
    return protect(create_app(config=config), keys=[KEY], required=True, audience="cases")


async def _next(client: Any) -> dict[str, Any]:
    message = await client.receive()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["caseChanged"]  # type: ignore[no-any-return]


async def test_state_changes_arrive_in_order_to_the_callers_in_scope(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    await upgrade(url)
    engine = create_engine(url)
    service = CaseService(engine, FixedFacts(make_context()))
    supervisor = caller({"SUPERVISOR"}, region=CHAOZHOU)
    officer_b1 = caller({"OFFICER"}, body="B1", region=CHAOZHOU)
    try:
        with served(_app(url, tmp_path)) as (ws_url, _cap):
            async with live_client(ws_url, signed_headers("cases", supervisor)) as city, \
                    live_client(ws_url, signed_headers("cases", officer_b1)) as b1, \
                    live_client(ws_url, signed_headers("cases", supervisor)) as filed_only:
                await city.subscribe("c", SUB)
                await b1.subscribe("b", SUB)
                await filed_only.subscribe("f", SUB, {"f": {"toStates": ["FILED"], "caseId": "CASE-1"}})
                await asyncio.sleep(0.3)
                await service.execute(clue("2024-02-26", body="B2", case_id="CASE-2"))  # another body's case
                await service.execute(clue("2024-02-26", case_id="CASE-1"))
                await service.execute(verify("2024-02-27"), case_id="CASE-1")
                await service.record("CASE-1", RecordEvent(kind="NoteAdded", actor_id="O1", at=at("2024-02-28"),
                                                           summary="a note", payload={}))  # no state change
                await service.execute(file("2024-03-01"), case_id="CASE-1")

                seen = [await _next(city) for _ in range(4)]
                assert [(c["caseId"], c["fromState"], c["toState"]) for c in seen] == [
                    ("CASE-2", None, "CLUE"), ("CASE-1", None, "CLUE"), ("CASE-1", "CLUE", "CLUE_VERIFYING"),
                    ("CASE-1", "CLUE_VERIFYING", "FILED")]
                assert [int(c["seq"]) for c in seen] == sorted(int(c["seq"]) for c in seen)
                assert seen[3]["case"]["status"] == "FILED"  # the case as it is now, through the query's type
                assert seen[0]["case"]["parties"][0]["name"]  # the same fields as penaltyCase
                assert [c["toState"] for c in [await _next(b1) for _ in range(3)]] == ["CLUE", "CLUE_VERIFYING", "FILED"]
                only = await _next(filed_only)
                assert (only["caseId"], only["toState"]) == ("CASE-1", "FILED")
                # CASE-2 (body B2) never reached the B1 officer, the record event reached nobody
                assert await b1.quiet(0.3) is None
                assert await city.quiet(0.1) is None

            async with live_client(ws_url, signed_headers("cases", caller({"PUBLIC"}))) as public:
                await public.subscribe("p", SUB)
                refused = await public.receive()
                assert refused["type"] == "error", refused
                assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        await engine.dispose()
