"""采集证据 over HTTP against the real stack: an upload in parts (a replayed part harmless, a gap refused),
the SM3 checked on receipt, the evidence recorded with the device's SM3 and seen through the graph, on the
case's page and in the e-case file; a tampered upload refused with its message and nothing recorded;
CSRF-less and cross-origin calls refused; roles other than the officers' refused."""

from __future__ import annotations

import base64
import io
import json
import random
import zipfile
from typing import Any

import httpx
import pytest

from domain.sm import sm3_hex
from tests.web import service_kit as kit
from tests.web.stack import InProcessConsole

PART = 1024 * 1024
#: inside the demo case's investigation (production_case.BASE + 4 days) and the seeded certificates' validity
CAPTURED = "2026-09-05T09:30:00+08:00"
EVIDENCE_Q = "query($id: ID!) { penaltyCase(id: $id) { id version evidence { id kind title sm3 capturedAt " \
             "collectedByIds deviceId method mediaType } } }"


def _csrf(console: InProcessConsole, client: httpx.Client, case_id: str) -> str:
    page = client.get(f"/m/cases/{case_id}/evidence/new")
    assert page.status_code == 200, page.text[:300]
    marker = 'data-csrf="'
    start = page.text.index(marker) + len(marker)
    return page.text[start:page.text.index('"', start)]


def _subject(console: InProcessConsole, user: str) -> str:
    payload = console.stack.token(user).split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


@pytest.fixture(scope="module")
def investigating(console: InProcessConsole) -> str:
    """A new case of officer1's under investigation (evidence may be recorded: T7)."""
    return kit.drive(console.stack, "recordEvidence")


def _evidence(console: InProcessConsole, case_id: str) -> list[dict[str, Any]]:
    answer = console.stack.graph(EVIDENCE_Q, {"id": case_id}, user="officer1", purpose="CASE_HANDLING")
    return list(answer["data"]["penaltyCase"]["evidence"])


def _headers(csrf: str, **more: str) -> dict[str, str]:
    return {"x-csrf-token": csrf, **more}


def test_an_upload_in_parts_is_recorded_with_the_device_sm3_and_shows_in_the_case_and_its_file(
        console: InProcessConsole, investigating: str) -> None:
    case_id = investigating
    data = random.Random(7).randbytes(2 * PART + 12345)
    sm3 = sm3_hex(data)
    partner = kit.cast(console.stack).officers[1]
    with console.client("officer1") as client:
        csrf = _csrf(console, client, case_id)
        events_before = client.get(f"/m/cases/{case_id}").text.count("<strong>收集证据</strong>")
        alone = client.post(f"/m/cases/{case_id}/evidence", headers=_headers(csrf), json={
            "kind": "PHYSICAL", "title": "t", "sm3": "0" * 64, "capturedAt": CAPTURED,
            "with": ["OFF-NOT-OF-THIS-CASE"]})
        assert alone.status_code == 400
        assert alone.json()["error"]["code"] == "BAD_OFFICER"
        started = client.post("/m/uploads", json={"sm3": sm3, "size": len(data), "mediaType": "video/mp4"},
                              headers=_headers(csrf))
        assert started.status_code == 201, started.text
        upload = started.json()["id"]
        assert started.json()["received"] == 0
        first = client.put(f"/m/uploads/{upload}?offset=0", content=data[:PART], headers=_headers(csrf))
        assert first.json().get("received") == PART, first.text
        replay = client.put(f"/m/uploads/{upload}?offset=0", content=data[:PART], headers=_headers(csrf))
        assert replay.json()["received"] == PART  # a replay changes nothing
        gap = client.put(f"/m/uploads/{upload}?offset={2 * PART}", content=data[2 * PART:], headers=_headers(csrf))
        assert gap.status_code == 409
        assert gap.json()["error"]["code"] == "OFFSET"
        assert client.get(f"/m/uploads/{upload}").json()["received"] == PART
        for offset in (PART, 2 * PART):
            part = client.put(f"/m/uploads/{upload}?offset={offset}", content=data[offset:offset + PART],
                              headers=_headers(csrf))
            assert part.status_code == 200, part.text
        assert client.get(f"/m/uploads/{upload}").json() == {"id": upload, "received": len(data),
                                                             "size": len(data), "complete": False}
        finished = client.post(f"/m/uploads/{upload}/finish", headers=_headers(csrf))
        assert finished.status_code == 200
        assert finished.json()["sm3"] == sm3
        attached = client.post(f"/m/cases/{case_id}/evidence", headers=_headers(csrf), json={
            "kind": "AUDIOVISUAL", "title": "执法记录仪视频", "sm3": sm3, "mediaType": "video/mp4",
            "capturedAt": CAPTURED, "location": "东门市场 3 号摊位", "deviceId": "DSJ-0012",
            "with": [partner]})
        assert attached.status_code == 201, attached.text
        page = client.get(f"/m/cases/{case_id}/evidence/new").text
        case_page = client.get(f"/m/cases/{case_id}")
    recorded = [e for e in _evidence(console, case_id) if e["sm3"] == sm3]
    assert len(recorded) == 1
    assert recorded[0]["collectedByIds"] == [_subject(console, "officer1"), partner]
    assert recorded[0]["deviceId"] == "DSJ-0012"
    assert "东门市场 3 号摊位" in recorded[0]["method"]
    assert recorded[0]["capturedAt"].startswith("2026-09-05T09:30")
    assert recorded[0]["kind"] == "AUDIOVISUAL"
    assert recorded[0]["title"] == "执法记录仪视频"
    assert f'data-sm3="{sm3}"' in page
    assert case_page.status_code == 200
    assert case_page.text.count("<strong>收集证据</strong>") == events_before + 1  # the full-process record
    archive = console.stack.graph("query($id: ID!) { caseArchive(caseId: $id) { contentBase64 } }", {"id": case_id},
                                  user="officer1", purpose="CASE_HANDLING")
    zipped = zipfile.ZipFile(io.BytesIO(base64.b64decode(archive["data"]["caseArchive"]["contentBase64"])))
    assert any(sm3.encode() in zipped.read(name) or sm3 in name for name in zipped.namelist())


def test_a_tampered_upload_is_refused_with_its_message_and_nothing_is_recorded(console: InProcessConsole, investigating: str) -> None:
    case_id = investigating
    declared = random.Random(8).randbytes(5000)
    sent = bytearray(declared)
    sent[2500] ^= 0xFF  # one byte changed on the way
    sm3 = sm3_hex(declared)
    before = _evidence(console, case_id)
    with console.client("officer1") as client:
        csrf = _csrf(console, client, case_id)
        upload = client.post("/m/uploads", json={"sm3": sm3, "size": len(declared), "mediaType": "image/png"},
                             headers=_headers(csrf)).json()["id"]
        assert client.put(f"/m/uploads/{upload}?offset=0", content=bytes(sent), headers=_headers(csrf)).status_code == 200
        finished = client.post(f"/m/uploads/{upload}/finish", headers=_headers(csrf))
        assert finished.status_code == 422
        assert finished.json()["error"]["code"] == "BLOB_INVALID"
        assert "SM3" in finished.json()["error"]["message"]
        assert "不一致" in finished.json()["error"]["message"]
        attached = client.post(f"/m/cases/{case_id}/evidence", headers=_headers(csrf), json={
            "kind": "PHYSICAL", "title": "篡改的照片", "sm3": sm3, "mediaType": "image/png",
            "capturedAt": CAPTURED})
        assert attached.status_code >= 400
        assert "error" in attached.json()
    assert _evidence(console, case_id) == before
    assert not any(e["sm3"] == sm3 for e in _evidence(console, case_id))


def test_calls_without_the_csrf_token_or_from_another_site_are_refused(console: InProcessConsole, investigating: str) -> None:
    case_id = investigating
    data = b"no token"
    with console.client("officer1") as client:
        csrf = _csrf(console, client, case_id)
        bare = client.post("/m/uploads", json={"sm3": sm3_hex(data), "size": len(data), "mediaType": "image/png"})
        assert bare.status_code == 403
        assert bare.json()["error"]["code"] == "CSRF"
        foreign = client.post("/m/uploads", json={"sm3": sm3_hex(data), "size": len(data), "mediaType": "image/png"},
                              headers=_headers(csrf, origin="http://127.0.0.2:9"))
        assert foreign.status_code == 403
        wrong = client.post(f"/m/cases/{case_id}/evidence", headers=_headers("x" * 20), json={
            "kind": "PHYSICAL", "title": "t", "sm3": sm3_hex(data), "capturedAt": CAPTURED})
        assert wrong.status_code == 403
        assert "安全校验" in wrong.json()["error"]["message"]
        big = client.put("/m/uploads/abc?offset=0", content=b"\0" * (PART + 1), headers=_headers(csrf))
        assert big.status_code == 413


def test_roles_other_than_officers_are_refused(console: InProcessConsole, investigating: str) -> None:
    case_id = investigating
    for user in ("auditor1", "public1"):
        with console.client(user) as client:
            page = client.get(f"/m/cases/{case_id}/evidence/new")
            assert page.status_code == 403
            assert "Traceback" not in page.text
            post = client.post("/m/uploads", json={"sm3": "0" * 64, "size": 1, "mediaType": "image/png"})
            assert post.status_code == 403
    with console.client(None) as client:
        assert client.get(f"/m/cases/{case_id}/evidence/new").status_code == 303
