"""The simulated 双公示 credit publicity platform over real HTTP: publish, withdraw, republish, refuse."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.base import Knobs, SimConfig
from simulators.credit_publicity.app import create_app
from tests.support.servers import serve

APP_KEY = "cp-test-app"
APP_SECRET = "cp-test-secret-7"
PATH = "/api/credit/v1/penalties"
AGENCY_USCC = "11445100MB2C423952"  # 机关 (department 1, category 1), 潮州
COMPANY_USCC = "91350100M000100Y43"  # GB 32100 worked example
SOLE_TRADER_USCC = "91512081MA62K0260E"  # second worked example
RESIDENT_ID = "11010519491231002X"  # GB 11643 worked example
PERSONAL_ID_REASON = "personal ID number in record"


# -- wire helpers ---------------------------------------------------------------------------------------


def signed_post(client: httpx.Client, body: bytes, *, key: str = APP_KEY, secret: str = APP_SECRET,
                timestamp: int | None = None, signature: str | None = None) -> httpx.Response:
    ts = str(int(time.time() * 1000) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), key.encode() + ts.encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-App-Key": key, "X-Timestamp": ts, "X-Signature": signature or mac,
               "Content-Type": "application/json"}
    return client.post(PATH, content=body, headers=headers)


def send(client: httpx.Client, records: list[dict[str, Any]], batch_no: str = "CP-1") -> dict[str, Any]:
    response = signed_post(client, json.dumps({"batchNo": batch_no, "records": records}).encode())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert (answer["code"], answer["batchNo"]) == (0, batch_no)
    everyone = [*answer["accepted"], *answer["duplicates"], *(r["recordId"] for r in answer["rejected"])]
    assert sorted(everyone) == sorted(r["recordId"] for r in records)  # each id in exactly one list
    return answer


def listing(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get(PATH, params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["code"] == 0
    return answer


def penalty(wsh: str, *, record_id: str | None = None, **columns: Any) -> dict[str, Any]:
    row = {
        "CF_XDR_MC": "潮州市某某陶瓷有限公司", "CF_XDR_LB": "法人及非法人组织", "CF_XDR_SHXYM": COMPANY_USCC,
        "CF_WSH": wsh, "CF_CFLB": "罚款", "CF_NR": "罚款2000元", "CF_NR_FK": "0.200000",
        "CF_JDRQ": "2024-05-06", "CF_CFJG": "潮州市湘桥区市场监督管理局", "CF_CFJGDM": AGENCY_USCC,
        "CF_GSJZQ": "2027-05-06", **columns,
    }
    return {"recordId": record_id or f"pub-{wsh}", "op": "i", "sentAt": "2024-05-06T10:00:00+08:00",
            "record": {k: v for k, v in row.items() if v is not None}}


def natural_person(wsh: str, **columns: Any) -> dict[str, Any]:
    person = {"CF_XDR_MC": "张*", "CF_XDR_LB": "自然人", "CF_XDR_SHXYM": None,
              "CF_XDR_ZJLX": "身份证", "CF_XDR_ZJHM": "1101**********002X", **columns}
    return penalty(wsh, **person)


def withdrawal(wsh: str, record_id: str | None = None) -> dict[str, Any]:
    return {"recordId": record_id or f"wd-{wsh}", "op": "d", "sentAt": "2024-06-01T10:00:00+08:00",
            "record": {"CF_WSH": wsh}}


def reasons(answer: dict[str, Any]) -> dict[str, str]:
    return {item["recordId"]: item["reason"] for item in answer["rejected"]}


@contextlib.contextmanager
def running(data_dir: Path, **knobs: Any) -> Iterator[httpx.Client]:
    config = SimConfig(admin=True, data_dir=data_dir, knobs=Knobs(**knobs),
                       credentials={"app_key": APP_KEY, "app_secret": APP_SECRET})
    with serve(create_app(config)) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    with running(tmp_path) as client:
        yield client


# -- publishing --------------------------------------------------------------------------------------------


def test_good_batch_is_published_and_listed_by_decision_number(client: httpx.Client) -> None:
    records = [
        penalty("潮湘市监罚〔2024〕12号", CF_XDR_GSZC="445102000012345", CF_SJLY="潮州市市场监督管理局"),
        penalty("潮湘市监罚〔2024〕10号", CF_XDR_LB="个体工商户", CF_XDR_SHXYM=SOLE_TRADER_USCC, CF_NR_FK=None),
        natural_person("潮湘市监罚〔2024〕11号"),
    ]
    answer = send(client, records)
    assert sorted(answer["accepted"]) == sorted(r["recordId"] for r in records)
    assert answer["rejected"] == answer["duplicates"] == []

    listed = listing(client)
    assert listed["total"] == 3
    assert [item["CF_WSH"] for item in listed["data"]] == sorted(r["record"]["CF_WSH"] for r in records)
    by_wsh = {item["CF_WSH"]: item for item in listed["data"]}
    first = by_wsh["潮湘市监罚〔2024〕12号"]
    assert first["status"] == "PUBLISHED"
    assert first["record"] == records[0]["record"]  # unknown and older columns kept as given
    assert first["recordId"] == "pub-潮湘市监罚〔2024〕12号"
    assert first["publishedAt"]
    assert first["withdrawnAt"] is None
    assert listing(client, wsh="潮湘市监罚〔2024〕11号")["data"][0]["record"]["CF_XDR_MC"] == "张*"


def test_resent_batch_is_all_duplicates_and_changes_nothing(client: httpx.Client) -> None:
    records = [penalty("W-1"), penalty("W-2")]
    send(client, records)
    before = listing(client)
    resent = copy.deepcopy(records)
    for item in resent:
        item["sentAt"] = "2024-05-07T11:00:00+08:00"
    answer = send(client, resent, "CP-1-retry")
    assert answer["accepted"] == []
    assert sorted(answer["duplicates"]) == ["pub-W-1", "pub-W-2"]
    assert listing(client) == before


def test_record_id_reused_for_other_content_is_rejected(client: httpx.Client) -> None:
    send(client, [penalty("W-1")])
    before = listing(client)
    answer = send(client, [penalty("W-1", record_id="pub-W-1", CF_NR="罚款5000元", CF_NR_FK="0.500000")])
    assert "reused" in reasons(answer)["pub-W-1"]
    assert listing(client) == before


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"CF_XDR_MC": None}, "CF_XDR_MC"),
        ({"CF_XDR_LB": "企业"}, "CF_XDR_LB"),
        ({"CF_XDR_SHXYM": None}, "CF_XDR_SHXYM"),
        ({"CF_XDR_SHXYM": "91350100M000100Y44"}, "CF_XDR_SHXYM"),
        ({"CF_XDR_LB": "个体工商户", "CF_XDR_SHXYM": None}, "CF_XDR_SHXYM"),
        ({"CF_CFLB": ""}, "CF_CFLB"),
        ({"CF_NR": None}, "CF_NR"),
        ({"CF_CFJG": None}, "CF_CFJG"),
        ({"CF_CFJGDM": "11445100MB2C423953"}, "CF_CFJGDM"),
        ({"CF_JDRQ": "2024/05/06"}, "CF_JDRQ"),
        ({"CF_JDRQ": "2024-02-30"}, "CF_JDRQ"),
        ({"CF_GSJZQ": None}, "CF_GSJZQ"),
        ({"CF_GSJZQ": "2024-05-05"}, "CF_GSJZQ"),
        ({"CF_NR_FK": "0.2"}, "CF_NR_FK"),
        ({"CF_NR_FK": 0.2}, "CF_NR_FK"),
        ({"CF_NR_WFFF": "1,000.000000"}, "CF_NR_WFFF"),
    ],
)
def test_invalid_penalty_is_rejected_naming_the_column_and_the_rest_published(
    client: httpx.Client, columns: dict[str, Any], field: str
) -> None:
    bad = penalty("BAD", **columns)
    answer = send(client, [penalty("W-1"), bad, penalty("W-2")])
    assert sorted(answer["accepted"]) == ["pub-W-1", "pub-W-2"]
    assert list(reasons(answer)) == ["pub-BAD"]
    assert field in reasons(answer)["pub-BAD"]
    assert [item["CF_WSH"] for item in listing(client)["data"]] == ["W-1", "W-2"]


def test_wsh_missing_is_rejected(client: httpx.Client) -> None:
    answer = send(client, [penalty("W-1", record_id="no-wsh", CF_WSH=None)])
    assert "CF_WSH" in reasons(answer)["no-wsh"]


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"CF_XDR_MC": "张三"}, "CF_XDR_MC"),
        ({"CF_XDR_ZJHM": "E12345678"}, "CF_XDR_ZJHM"),
    ],
)
def test_natural_person_must_be_published_masked(client: httpx.Client, columns: dict[str, str], field: str) -> None:
    answer = send(client, [natural_person("W-1", **columns)])
    assert field in reasons(answer)["pub-W-1"]
    assert listing(client)["total"] == 0


def test_natural_person_without_id_number_is_published(client: httpx.Client) -> None:
    answer = send(client, [natural_person("W-1", CF_XDR_ZJLX=None, CF_XDR_ZJHM=None)])
    assert answer["accepted"] == ["pub-W-1"]


@pytest.mark.parametrize(
    ("envelope", "field"),
    [({"op": "u"}, "op"), ({"sentAt": 17}, "sentAt"), ({"record": "CF_WSH=W-1"}, "record")],
)
def test_bad_record_envelope_fields_are_rejected(client: httpx.Client, envelope: dict[str, Any], field: str) -> None:
    answer = send(client, [{**penalty("W-1"), **envelope}])
    assert field in reasons(answer)["pub-W-1"]


# -- withdrawal and republication ------------------------------------------------------------------------


def test_withdrawal_and_republication(client: httpx.Client) -> None:
    send(client, [penalty("W-1"), penalty("W-2")])
    answer = send(client, [withdrawal("W-1")], "CP-2")
    assert answer["accepted"] == ["wd-W-1"]

    [withdrawn] = listing(client, wsh="W-1")["data"]
    assert withdrawn["status"] == "WITHDRAWN"
    assert withdrawn["withdrawnAt"]
    assert [i["CF_WSH"] for i in listing(client, status="WITHDRAWN")["data"]] == ["W-1"]
    assert [i["CF_WSH"] for i in listing(client, status="PUBLISHED")["data"]] == ["W-2"]

    # withdrawing again under a new id changes nothing: the first withdrawal stands
    assert send(client, [withdrawal("W-1", "wd-again")], "CP-3")["accepted"] == ["wd-again"]
    assert listing(client, wsh="W-1")["data"] == [withdrawn]

    changed = penalty("W-1", record_id="pub-W-1-changed", CF_NR="警告", CF_CFLB="警告", CF_NR_FK=None)
    assert send(client, [changed], "CP-4")["accepted"] == ["pub-W-1-changed"]
    [republished] = listing(client, wsh="W-1")["data"]
    assert republished["status"] == "PUBLISHED"
    assert republished["withdrawnAt"] is None
    assert republished["recordId"] == "pub-W-1-changed"
    assert republished["record"] == changed["record"]


def test_withdrawing_an_unknown_decision_is_rejected(client: httpx.Client) -> None:
    answer = send(client, [withdrawal("W-404"), penalty("W-1")])
    assert answer["accepted"] == ["pub-W-1"]
    reason = reasons(answer)["wd-W-404"]
    assert "nothing published under CF_WSH" in reason
    assert "W-404" in reason
    # once published, the same withdrawal can be sent again and goes through
    send(client, [penalty("W-404")], "CP-2")
    assert send(client, [withdrawal("W-404")], "CP-3")["accepted"] == ["wd-W-404"]


def test_withdrawal_needs_only_the_decision_number(client: httpx.Client) -> None:
    send(client, [penalty("W-1")])
    no_wsh = {"recordId": "wd-x", "op": "d", "sentAt": "2024-06-01T10:00:00+08:00", "record": {"BZ": "撤销"}}
    answer = send(client, [no_wsh, withdrawal("W-1")], "CP-2")
    assert answer["accepted"] == ["wd-W-1"]
    assert "CF_WSH" in reasons(answer)["wd-x"]


def test_publish_and_withdraw_in_one_batch_apply_in_order(client: httpx.Client) -> None:
    answer = send(client, [penalty("W-1"), withdrawal("W-1")])
    assert answer["accepted"] == ["pub-W-1", "wd-W-1"]
    assert listing(client)["data"][0]["status"] == "WITHDRAWN"


# -- refused requests change nothing -------------------------------------------------------------------


def test_bad_signature_and_stale_timestamp_are_401_and_store_nothing(client: httpx.Client) -> None:
    body = json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode()
    for response in (
        signed_post(client, body, signature="ab" * 32),
        signed_post(client, body, secret="credit-pub-dev-secret"),
        signed_post(client, body, timestamp=int(time.time() * 1000) + 6 * 60 * 1000),
    ):
        assert (response.status_code, response.json()["code"]) == (401, 401)
    assert listing(client)["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        json.dumps({"batchNo": "CP-1", "records": {"0": penalty("W-1")}}).encode(),
        json.dumps({"batchNo": 1, "records": [penalty("W-1")]}).encode(),
        json.dumps({"batchNo": "CP-1", "records": [penalty("W-1"), withdrawal("W-1", "pub-W-1")]}).encode(),
        json.dumps({"batchNo": "CP-1", "records": [penalty(f"W-{i}") for i in range(101)]}).encode(),
    ],
    ids=["truncated", "records-not-list", "batchNo-not-string", "repeated-id", "101-records"],
)
def test_malformed_envelope_is_400_and_stores_nothing(client: httpx.Client, body: bytes) -> None:
    response = signed_post(client, body)
    assert (response.status_code, response.json()["code"]) == (400, 400)
    assert listing(client)["total"] == 0


def test_injected_error_is_503_and_stores_nothing(tmp_path: Path) -> None:
    with running(tmp_path, error_rate=1.0) as client:
        response = signed_post(client, json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode())
        assert (response.status_code, response.json()["code"]) == (503, 503)
        client.put("/__admin/knobs", json={"error_rate": 0.0})
        assert listing(client)["total"] == 0


def test_down_is_503_and_stores_nothing(client: httpx.Client) -> None:
    client.put("/__admin/knobs", json={"down": True})
    response = signed_post(client, json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode())
    assert (response.status_code, response.json()["code"]) == (503, 503)
    client.put("/__admin/knobs", json={"down": False})
    assert listing(client)["total"] == 0


def test_hang_holds_the_request_past_the_client_timeout(client: httpx.Client) -> None:
    client.put("/__admin/knobs", json={"hang_rate": 1.0})
    body = json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode()
    ts = str(int(time.time() * 1000))
    mac = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + ts.encode() + body, hashlib.sha256).hexdigest()
    with pytest.raises(httpx.ReadTimeout):
        client.post(PATH, content=body, timeout=0.5,
                    headers={"X-App-Key": APP_KEY, "X-Timestamp": ts, "X-Signature": mac})
    client.put("/__admin/knobs", json={"hang_rate": 0.0})
    assert listing(client)["total"] == 0


def test_a_caller_that_gives_up_during_latency_leaves_nothing_stored(client: httpx.Client) -> None:
    client.put("/__admin/knobs", json={"latency_ms": 1500})
    body = json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode()
    ts = str(int(time.time() * 1000))
    mac = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + ts.encode() + body, hashlib.sha256).hexdigest()
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.post(PATH, content=body, timeout=0.3,
                    headers={"X-App-Key": APP_KEY, "X-Timestamp": ts, "X-Signature": mac})
    time.sleep(max(0.0, 2.0 - (time.monotonic() - started)))  # past the latency: the server has decided
    client.put("/__admin/knobs", json={"latency_ms": 0})
    assert listing(client)["total"] == 0
    # a patient caller under the same latency is served and stored
    client.put("/__admin/knobs", json={"latency_ms": 200})
    assert send(client, [penalty("W-1")])["accepted"] == ["pub-W-1"]


def test_listing_refuses_an_unknown_status(client: httpx.Client) -> None:
    response = client.get(PATH, params={"status": "DELETED"})
    assert (response.status_code, response.json()["code"]) == (400, 400)


# -- privacy tripwire ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        {"CF_XDR_ZJHM": RESIDENT_ID},
        {"CF_FR_ZJHM": RESIDENT_ID.lower()},
        {"BZ": f"当事人身份证号{RESIDENT_ID}已核实"},
        {"CF_EXTRA": {"persons": [{"id": RESIDENT_ID}]}},
    ],
    ids=["party-id", "legal-rep-id-lowercase", "in-a-remark", "nested"],
)
def test_record_with_a_resident_id_anywhere_is_rejected_and_never_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, columns: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    with running(tmp_path) as client:
        answer = send(client, [natural_person("W-LEAK", **columns), penalty("W-1")])
        assert answer["accepted"] == ["pub-W-1"]
        assert answer["rejected"] == [{"recordId": "pub-W-LEAK", "reason": PERSONAL_ID_REASON}]
        assert listing(client, wsh="W-LEAK")["total"] == 0
    stored = b"".join(path.read_bytes() for path in (tmp_path / "outbound").iterdir())
    for form in (RESIDENT_ID, RESIDENT_ID.lower()):
        assert form.encode() not in stored
        assert form not in caplog.text


# -- restart and defaults --------------------------------------------------------------------------------


def test_restart_over_the_same_data_dir_keeps_publications(tmp_path: Path) -> None:
    with running(tmp_path) as client:
        send(client, [penalty("W-1"), penalty("W-2")])
        send(client, [withdrawal("W-2")], "CP-2")
    assert (tmp_path / "outbound" / "credit_publicity.db").is_file()
    with running(tmp_path) as client:
        statuses = {item["CF_WSH"]: item["status"] for item in listing(client)["data"]}
        assert statuses == {"W-1": "PUBLISHED", "W-2": "WITHDRAWN"}
        assert send(client, [penalty("W-1")])["duplicates"] == ["pub-W-1"]


def test_default_credentials_are_the_development_pair(tmp_path: Path) -> None:
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))) as base, httpx.Client(base_url=base, timeout=10) as client:
        body = json.dumps({"batchNo": "CP-1", "records": [penalty("W-1")]}).encode()
        response = signed_post(client, body, key="credit-pub-dev-app", secret="credit-pub-dev-secret")
        assert response.status_code == 200
        assert response.json()["accepted"] == ["pub-W-1"]


def test_a_joint_decision_lists_each_party_and_one_withdrawal_withdraws_them_all(client: httpx.Client) -> None:
    wsh = "潮湘市监罚〔2024〕77号"
    answer = send(client, [penalty(wsh, record_id="org"), natural_person(wsh, record_id="person")])
    assert sorted(answer["accepted"]) == ["org", "person"]
    listed = listing(client, wsh=wsh)
    assert listed["total"] == 2
    assert sorted(r["party"] for r in listed["data"]) == sorted([COMPANY_USCC, "张*"])
    assert {r["status"] for r in listed["data"]} == {"PUBLISHED"}
    send(client, [withdrawal(wsh)], batch_no="CP-2")
    assert {r["status"] for r in listing(client, wsh=wsh)["data"]} == {"WITHDRAWN"}
    # a changed decision republished for one party: that party is on display again, the other is not
    send(client, [penalty(wsh, record_id="org-again", CF_NR="罚款1000元", CF_NR_FK="0.100000")], batch_no="CP-3")
    status = {r["party"]: r["status"] for r in listing(client, wsh=wsh)["data"]}
    assert status == {COMPANY_USCC: "PUBLISHED", "张*": "WITHDRAWN"}
