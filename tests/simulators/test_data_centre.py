"""The simulated provincial data centre over real HTTP: signed batches, dedup, versions, faults, privacy."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.base import Knobs, SimConfig
from simulators.data_centre.app import create_app
from tests.support.servers import serve

APP_KEY = "dc-test-app"
APP_SECRET = "dc-test-secret-42"
PATH = "/api/exchange/v1/records"
BODY_USCC = "91350100M000100Y43"  # GB 32100 worked example
PARTY_USCC = "91512081MA62K0260E"  # second worked example
RESIDENT_ID = "11010519491231002X"  # GB 11643 worked example
MASKED_ID = "1101**********002X"
PERSONAL_ID_REASON = "personal ID number in record"


# -- wire helpers ---------------------------------------------------------------------------------------


def signed_post(client: httpx.Client, body: bytes, *, key: str = APP_KEY, secret: str = APP_SECRET,
                timestamp: int | None = None, signature: str | None = None) -> httpx.Response:
    ts = str(int(time.time() * 1000) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), key.encode() + ts.encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-App-Key": key, "X-Timestamp": ts, "X-Signature": signature or mac,
               "Content-Type": "application/json"}
    return client.post(PATH, content=body, headers=headers)


def send(client: httpx.Client, records: list[dict[str, Any]], batch_no: str = "B-1") -> dict[str, Any]:
    response = signed_post(client, json.dumps({"batchNo": batch_no, "records": records}).encode())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["code"] == 0
    assert answer["batchNo"] == batch_no
    return answer


def listing(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get(PATH, params={"type": "PENALTY_CASE", **params})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["code"] == 0
    return answer


def record(key: str, version: int = 1, *, op: str = "i", record_id: str | None = None,
           **data: Any) -> dict[str, Any]:
    payload = {"caseNo": f"潮湘市监罚〔2024〕{key}号", "state": "DECIDED", "bodyUscc": BODY_USCC,
               "regionCode": "445102", "itemCode": "C-0042", **data}
    return {"recordId": record_id or f"{key}-v{version}", "type": "PENALTY_CASE", "op": op, "key": key,
            "version": version, "sentAt": "2024-05-06T08:00:00+08:00", "data": payload}


def sorted_outcome(answer: dict[str, Any]) -> tuple[list[str], list[str], dict[str, str]]:
    return (sorted(answer["accepted"]), sorted(answer["duplicates"]),
            {item["recordId"]: item["reason"] for item in answer["rejected"]})


def config(data_dir: Path, **knobs: Any) -> SimConfig:
    return SimConfig(admin=True, data_dir=data_dir, knobs=Knobs(**knobs),
                     credentials={"app_key": APP_KEY, "app_secret": APP_SECRET})


@contextlib.contextmanager
def running(data_dir: Path, **knobs: Any) -> Iterator[httpx.Client]:
    with serve(create_app(config(data_dir, **knobs))) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    with running(tmp_path) as client:
        yield client


# -- accepted, listed, deduplicated --------------------------------------------------------------------


def test_good_batch_is_accepted_and_listed_by_key(client: httpx.Client) -> None:
    answer = send(client, [record("K2", partyUscc=PARTY_USCC, note="kept as given"), record("K1")])
    assert sorted_outcome(answer) == (["K1-v1", "K2-v1"], [], {})

    listed = listing(client)
    assert listed["total"] == 2
    assert [item["key"] for item in listed["data"]] == ["K1", "K2"]
    second = listed["data"][1]
    assert second["type"] == "PENALTY_CASE"
    assert second["version"] == 1
    assert second["op"] == "i"
    assert second["recordId"] == "K2-v1"
    assert second["data"]["partyUscc"] == PARTY_USCC
    assert second["data"]["note"] == "kept as given"
    assert second["receivedAt"]
    assert listing(client, key="K2")["data"] == [second]


def test_resent_batch_is_all_duplicates_and_changes_nothing(client: httpx.Client) -> None:
    records = [record("K1"), record("K2")]
    send(client, records, "B-1")
    before = listing(client)
    resent = copy.deepcopy(records)
    for item in resent:
        item["sentAt"] = "2024-05-07T09:30:00+08:00"  # a relay resend stamps a new time
    answer = send(client, resent, "B-1-retry")
    assert sorted_outcome(answer) == ([], ["K1-v1", "K2-v1"], {})
    assert listing(client) == before


def test_record_id_reused_for_other_content_is_rejected(client: httpx.Client) -> None:
    send(client, [record("K1")])
    before = listing(client)
    other = record("K1", 2, record_id="K1-v1")
    answer = send(client, [other, record("K3")])
    accepted, duplicates, rejected = sorted_outcome(answer)
    assert accepted == ["K3-v1"]
    assert duplicates == []
    assert "reused" in rejected["K1-v1"]
    assert listing(client, key="K1") == {**before, "data": [before["data"][0]]}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r["data"].update(bodyUscc="91350100M000100Y44"), "bodyUscc"),
        (lambda r: r["data"].update(partyUscc="not-a-code"), "partyUscc"),
        (lambda r: r["data"].update(regionCode="4451"), "regionCode"),
        (lambda r: r["data"].update(regionCode=445102), "regionCode"),
        (lambda r: r["data"].pop("caseNo"), "caseNo"),
        (lambda r: r["data"].update(state="  "), "state"),
        (lambda r: r["data"].pop("itemCode"), "itemCode"),
        (lambda r: r.update(type="LICENCE"), "type"),
        (lambda r: r.update(op="x"), "op"),
        (lambda r: r.update(version=0), "version"),
        (lambda r: r.update(version="2"), "version"),
        (lambda r: r.update(version=True), "version"),
        (lambda r: r.update(key=""), "key"),
        (lambda r: r.update(sentAt="yesterday"), "sentAt"),
        (lambda r: r.update(data=["not", "an", "object"]), "data"),
    ],
)
def test_invalid_record_is_rejected_naming_the_field_and_the_rest_accepted(
    client: httpx.Client, mutate: Any, field: str
) -> None:
    bad = record("BAD")
    mutate(bad)
    answer = send(client, [record("K1"), bad, record("K2")])
    accepted, duplicates, rejected = sorted_outcome(answer)
    assert accepted == ["K1-v1", "K2-v1"]
    assert duplicates == []
    assert list(rejected) == ["BAD-v1"]
    assert field in rejected["BAD-v1"]
    assert [item["key"] for item in listing(client)["data"]] == ["K1", "K2"]


def test_rejected_record_can_be_sent_again_corrected(client: httpx.Client) -> None:
    bad = record("K1")
    bad["data"]["bodyUscc"] = "123"
    assert [r["recordId"] for r in send(client, [bad])["rejected"]] == ["K1-v1"]
    assert send(client, [record("K1")])["accepted"] == ["K1-v1"]


# -- versions ------------------------------------------------------------------------------------------


def test_older_version_arriving_later_is_accepted_but_does_not_replace(client: httpx.Client) -> None:
    assert send(client, [record("K1", 3, state="CLOSED")])["accepted"] == ["K1-v3"]
    assert send(client, [record("K1", 2, state="DECIDED")])["accepted"] == ["K1-v2"]
    [current] = listing(client)["data"]
    assert (current["version"], current["data"]["state"], current["recordId"]) == (3, "CLOSED", "K1-v3")


def test_delete_with_higher_version_marks_the_key_deleted(client: httpx.Client) -> None:
    send(client, [record("K1", 1), record("K1", 2, op="u", state="CLOSED")])
    send(client, [record("K1", 3, op="d")])
    [current] = listing(client)["data"]
    assert (current["version"], current["op"]) == (3, "d")


def test_same_version_with_other_content_under_a_new_id_is_rejected(client: httpx.Client) -> None:
    send(client, [record("K1", 1)])
    same = record("K1", 1, record_id="again-same")
    other = record("K1", 1, record_id="again-other", state="CLOSED")
    answer = send(client, [same, other])
    accepted, _, rejected = sorted_outcome(answer)
    assert accepted == ["again-same"]
    assert "version" in rejected["again-other"]
    assert listing(client)["data"][0]["data"]["state"] == "DECIDED"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    versions=st.sets(st.integers(min_value=1, max_value=40), min_size=1, max_size=8),
    data=st.data(),
)
def test_any_delivery_order_with_any_duplicates_keeps_the_highest_version(
    client: httpx.Client, versions: set[int], data: st.DataObject
) -> None:
    key = f"P-{uuid.uuid4().hex}"  # one fresh key per example; the server outlives the examples
    originals = {v: record(key, v, op="u", record_id=f"{key}-v{v}", state=f"S{v}") for v in versions}
    extra = data.draw(st.lists(st.sampled_from(sorted(versions)), max_size=10), label="resends")
    order = data.draw(st.permutations([*sorted(versions), *extra]), label="order")
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=len(order), max_size=len(order)), label="sizes")

    accepted: list[str] = []
    duplicates: list[str] = []
    position = 0
    batch = 0
    while position < len(order):
        chunk: list[dict[str, Any]] = []
        ids: set[str] = set()
        for v in order[position:position + sizes[batch]]:
            if originals[v]["recordId"] in ids:
                break  # a batch never repeats an id; the repeat goes in the next batch
            ids.add(originals[v]["recordId"])
            chunk.append(originals[v])
        answer = send(client, chunk, f"{key[:40]}-{batch}")
        assert answer["rejected"] == []
        accepted += answer["accepted"]
        duplicates += answer["duplicates"]
        position += len(chunk)
        batch += 1

    assert sorted(accepted) == sorted(originals[v]["recordId"] for v in versions)
    assert len(duplicates) == len(order) - len(versions)
    [current] = listing(client, key=key)["data"]
    top = max(versions)
    assert (current["version"], current["data"]["state"], current["recordId"]) == (top, f"S{top}", f"{key}-v{top}")


# -- refused requests change nothing -------------------------------------------------------------------


def test_bad_signature_wrong_key_and_stale_timestamp_are_401_and_store_nothing(client: httpx.Client) -> None:
    body = json.dumps({"batchNo": "B-1", "records": [record("K1")]}).encode()
    stale = int(time.time() * 1000) - 10 * 60 * 1000
    refusals = [
        signed_post(client, body, signature="0" * 64),
        signed_post(client, body, secret="guessed"),
        signed_post(client, body, key="other-app"),
        signed_post(client, body, timestamp=stale),
        client.post(PATH, content=body),
    ]
    for response in refusals:
        assert response.status_code == 401, response.text
        assert response.json()["code"] == 401
        assert response.json()["message"]
    assert listing(client)["total"] == 0
    assert send(client, [record("K1")])["accepted"] == ["K1-v1"]  # the record itself was fine


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"records": [record("K1")]}).encode(),
        json.dumps({"batchNo": "", "records": [record("K1")]}).encode(),
        json.dumps({"batchNo": "B" * 65, "records": [record("K1")]}).encode(),
        json.dumps({"batchNo": "B-1"}).encode(),
        json.dumps({"batchNo": "B-1", "records": []}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record(f"K{i}") for i in range(101)]}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record("K1"), "text"]}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record("K1"), {**record("K2"), "recordId": 7}]}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record("K1"), {**record("K2"), "recordId": ""}]}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record("K1"), record("K2", record_id="x" * 129)]}).encode(),
        json.dumps({"batchNo": "B-1", "records": [record("K1"), record("K2", record_id="K1-v1")]}).encode(),
    ],
    ids=["not-json", "not-object", "no-batchNo", "empty-batchNo", "long-batchNo", "no-records",
         "empty-records", "101-records", "record-not-object", "recordId-not-string", "empty-recordId",
         "long-recordId", "repeated-recordId"],
)
def test_malformed_envelope_is_400_and_stores_nothing(client: httpx.Client, body: bytes) -> None:
    response = signed_post(client, body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 400
    assert listing(client)["total"] == 0


def test_batch_of_one_hundred_records_is_accepted(client: httpx.Client) -> None:
    answer = send(client, [record(f"K{i:03d}") for i in range(100)])
    assert len(answer["accepted"]) == 100
    assert listing(client, limit=1000)["total"] == 100


def test_injected_error_is_503_and_stores_nothing(tmp_path: Path) -> None:
    with running(tmp_path, error_rate=1.0) as client:
        response = signed_post(client, json.dumps({"batchNo": "B-1", "records": [record("K1")]}).encode())
        assert response.status_code == 503
        assert response.json()["code"] == 503
        assert client.put("/__admin/knobs", json={"error_rate": 0.0}).status_code == 200
        assert listing(client)["total"] == 0


def test_down_is_503_until_it_comes_back(client: httpx.Client) -> None:
    body = json.dumps({"batchNo": "B-1", "records": [record("K1")]}).encode()
    assert client.put("/__admin/knobs", json={"down": True}).status_code == 200
    response = signed_post(client, body)
    assert (response.status_code, response.json()["code"]) == (503, 503)
    assert client.get(PATH, params={"type": "PENALTY_CASE"}).status_code == 503
    assert client.put("/__admin/knobs", json={"down": False}).status_code == 200
    assert listing(client)["total"] == 0
    assert signed_post(client, body).json()["accepted"] == ["K1-v1"]


def test_calls_are_counted_per_operation(client: httpx.Client) -> None:
    send(client, [record("K1")])
    signed_post(client, b"not json")
    listing(client)
    calls = client.get("/__admin/calls").json()
    assert calls["by_operation"] == {"receive": 2, "list": 1}


# -- privacy tripwire ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["data"].update(partyIdNumber=RESIDENT_ID),
        lambda r: r["data"].update(party={"contacts": [{"memo": f"身份证{RESIDENT_ID.lower()}，电话略"}]}),
        lambda r: r["data"].update(reference=f"No.{RESIDENT_ID}"),  # after letters
        lambda r: r.update(key=f"case-{RESIDENT_ID}"),
    ],
    ids=["field", "nested", "after-letters", "key"],
)
def test_record_with_a_resident_id_anywhere_is_rejected_and_never_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mutate: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    with running(tmp_path) as client:
        leaking = record("LEAK")
        mutate(leaking)
        answer = send(client, [leaking, record("K1")])
        assert answer["accepted"] == ["K1-v1"]
        assert answer["rejected"] == [{"recordId": "LEAK-v1", "reason": PERSONAL_ID_REASON}]
        assert [item["key"] for item in listing(client)["data"]] == ["K1"]
    stored = b"".join(path.read_bytes() for path in (tmp_path / "outbound").iterdir())
    assert RESIDENT_ID.encode() not in stored
    assert RESIDENT_ID.lower().encode() not in stored
    assert RESIDENT_ID not in caplog.text
    assert RESIDENT_ID.lower() not in caplog.text


def test_masked_id_and_numbers_that_fail_the_check_pass_the_tripwire(client: httpx.Client) -> None:
    masked = record("K1", partyIdNumber=MASKED_ID)
    wrong_check = record("K2", reference="110105194912310021")  # check character should be X
    answer = send(client, [masked, wrong_check])
    assert sorted(answer["accepted"]) == ["K1-v1", "K2-v1"]


# -- restart and defaults --------------------------------------------------------------------------------


def test_restart_over_the_same_data_dir_keeps_records_and_dedup(tmp_path: Path) -> None:
    with running(tmp_path) as client:
        send(client, [record("K1", 2)])
    assert (tmp_path / "outbound" / "data_centre.db").is_file()
    with running(tmp_path) as client:
        [current] = listing(client)["data"]
        assert (current["key"], current["version"]) == ("K1", 2)
        assert send(client, [record("K1", 2)])["duplicates"] == ["K1-v2"]


def test_default_credentials_are_the_development_pair(tmp_path: Path) -> None:
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))) as base, httpx.Client(base_url=base, timeout=10) as client:
        body = json.dumps({"batchNo": "B-1", "records": [record("K1")]}).encode()
        assert signed_post(client, body).status_code == 401
        response = signed_post(client, body, key="dc-dev-app", secret="dc-dev-secret")
        assert response.status_code == 200
        assert response.json()["accepted"] == ["K1-v1"]


def test_listing_pages_and_refuses_bad_parameters(client: httpx.Client) -> None:
    send(client, [record(f"K{i}") for i in range(5)])
    page = listing(client, limit=2, offset=1)
    assert page["total"] == 5
    assert [item["key"] for item in page["data"]] == ["K1", "K2"]
    for params in ({"type": "PENALTY_CASE", "limit": "1001"}, {"type": "PENALTY_CASE", "limit": "0"},
                   {"type": "PENALTY_CASE", "offset": "-1"}, {}, {"type": "UNKNOWN"}):
        response = client.get(PATH, params=params)
        assert (response.status_code, response.json()["code"]) == (400, 400), params


# -- inspections and coercive measures -------------------------------------------------------------------


def inspection(key: str, version: int = 1, **data: Any) -> dict[str, Any]:
    payload = {"checkActionCode": key, "checkActionName": "食品经营检查", "superviseItemCode": "C-0042",
               "implementingBodyCode": BODY_USCC, "objectName": "潮州某食品有限公司", "checkResult": "未发现问题",
               "checkDate": "2024-03-05T09:00:00+08:00", "regionCode": "445102", **data}
    return {"recordId": f"{key}-v{version}", "type": "INSPECTION", "op": "i", "key": key, "version": version,
            "sentAt": "2024-03-06T08:00:00+08:00", "data": payload}


def measure(key: str, version: int = 1, **data: Any) -> dict[str, Any]:
    payload = {"measureId": key, "caseId": "CASE-1", "kind": "SEIZE", "state": "IN_FORCE", "bodyUscc": BODY_USCC,
               "regionCode": "445102", **data}
    return {"recordId": f"{key}-v{version}", "type": "COERCIVE_MEASURE", "op": "i", "key": key,
            "version": version, "sentAt": "2024-04-10T08:00:00+08:00", "data": payload}


def test_inspection_and_measure_records_are_validated_and_listed_by_type(client: httpx.Client) -> None:
    answer = send(client, [
        inspection("I-1"), inspection("I-2", counterpartCode=PARTY_USCC, submittedAt="2024-03-05T11:00:00+08:00"),
        inspection("I-3", submittedAt="2024-03-04T11:00:00+08:00"),  # reported before the check
        inspection("I-4", checkDate="2024-03-05T09:00:00"),  # no offset
        inspection("I-5", counterpartCode="91350100M000100Y44"),  # wrong check character
        measure("M-1"), measure("M-2", bodyUscc="B1"), measure("M-3", caseId=""),
    ])
    accepted, duplicates, rejected = sorted_outcome(answer)
    assert accepted == ["I-1-v1", "I-2-v1", "M-1-v1"]
    assert duplicates == []
    assert "data.submittedAt" in rejected["I-3-v1"]
    assert "data.checkDate" in rejected["I-4-v1"]
    assert "data.counterpartCode" in rejected["I-5-v1"]
    assert "data.bodyUscc" in rejected["M-2-v1"]
    assert "data.caseId" in rejected["M-3-v1"]
    assert [r["key"] for r in listing(client, type="INSPECTION")["data"]] == ["I-1", "I-2"]
    assert [r["key"] for r in listing(client, type="COERCIVE_MEASURE")["data"]] == ["M-1"]
    assert listing(client)["total"] == 0  # no penalty case was sent


def test_a_case_number_whose_digits_hold_an_id_shaped_window_is_accepted(client: httpx.Client) -> None:
    case_no = f"9{RESIDENT_ID}00"  # 21 digits, like the hub's case numbers
    answer = send(client, [record("K9", caseNo=case_no)])
    assert answer["accepted"] == ["K9-v1"]
