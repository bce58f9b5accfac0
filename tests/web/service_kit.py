"""Cases for the service tests: a demo case driven through the gateway, as tests/integration/production_case.py
drives it (officer1's steps with officer1's token, the body head's with head1's), stopped at the state wanted."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import httpx
from PIL import Image, ImageDraw

from tests.integration import production_case
from tests.web.stack import ConsoleStack

DOCS = "query($id: ID!) { penaltyCase(id: $id) { status parties { name } decision { docNo fineFen } " \
       "documents { docType title sm3 sealed docNo } } }"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SERVED_AT = re.compile(r'name="served_at" value="([^"]+)"')
SM3 = re.compile(r'data-sm3="([0-9a-f]{64})"')


class Stop(Exception):
    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.case_id = case_id


def cast(stack: ConsoleStack) -> production_case.Cast:
    """officer1, a partner of the same body, the body's penalty item and a party, from the stack's seed."""
    payload = stack.token("officer1").split(".")[1]
    me = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    seed = stack.data_dir / "seed"
    officers = [json.loads(x) for x in (seed / "officers.jsonl").read_text(encoding="utf-8").splitlines() if x]
    body = next(o["body_uscc"] for o in officers if o["id"] == me)
    partner = next(o["id"] for o in officers if o["body_uscc"] == body and o["id"] != me)
    return production_case.cast(seed, (me, partner))


def drive(stack: ConsoleStack, stop_before: str) -> str:
    """A new case driven up to (not including) the step `stop_before`; its id."""
    tokens = {"officer": stack.token("officer1"), "approver": stack.token("head1")}
    who = cast(stack)
    last = {"id": ""}

    def send(role: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if query == production_case.STEPS.get(stop_before):
            raise Stop(str(variables["caseId"]))
        answer = httpx.post(f"{stack.gateway}/graphql", json={"query": query, "variables": variables}, timeout=30,
                            headers={"authorization": f"Bearer {tokens[role]}", "x-purpose-code": "CASE_HANDLING"})
        body = answer.json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        last["id"] = next(iter(data.values()))["id"]
        return data

    try:
        production_case.drive_case(send, who)
    except Stop as stop:
        return stop.case_id
    return last["id"]


def case(stack: ConsoleStack, case_id: str) -> dict[str, Any]:
    answer = stack.graph(DOCS, {"id": case_id}, user="officer1", purpose="CASE_HANDLING")
    assert not answer.get("errors"), answer
    found: dict[str, Any] = answer["data"]["penaltyCase"]
    return found


def documents(stack: ConsoleStack, case_id: str, doc_type: str) -> list[dict[str, Any]]:
    return [d for d in case(stack, case_id)["documents"] if d["docType"] == doc_type]


def signature_png(seed: int = 0) -> bytes:
    image = Image.new("RGBA", (600, 260), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 200), (150 + seed, 40), (300, 210), (580, 50)], fill=(0, 0, 0, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
