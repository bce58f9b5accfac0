"""The simulated national enterprise registry over real HTTP: signed requests, batches, search, faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.base import SimConfig
from simulators.national_credit.app import create_app
from tests.support.servers import serve

APP_KEY = "test-app"
APP_SECRET = "test-secret-0123"
BATCH = "/api/v2/enterprise/batch"
SEARCH = "/api/v2/enterprise/search"

# -- identifiers (GB 32100 mod 31, GB 11714 mod 11) ---------------------------------------------------

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(body17: str) -> str:
    total = sum(CHARSET.index(char) * pow(3, i, 31) for i, char in enumerate(body17))
    check = 31 - total % 31
    return body17 + CHARSET[0 if check == 31 else check]


def org_code(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


FUJIAN = "91350100M000100Y43"  # GB 32100 worked example
SICHUAN = "91512081MA62K0260E"  # second worked example


def test_code_helpers_reproduce_the_published_examples() -> None:
    assert uscc(FUJIAN[:17]) == FUJIAN
    assert uscc(SICHUAN[:17]) == SICHUAN
    assert org_code("M000100Y") == "M000100Y4"
    assert org_code("MA62K026") == "MA62K0260"


def entity(code: str, name: str, *, in_city: bool, status: str = "存续", region: str = "445102") -> dict[str, Any]:
    return {
        "uscc": code,
        "name": name,
        "entity_category": "法人及非法人组织",
        "org_form": "有限责任公司",
        "legal_rep_name": f"{name[:2]}法人",
        "legal_rep_id_type": "RESIDENT_ID",
        "legal_rep_id_number": "445102199003071230",
        "reg_authority": f"{region}市场监督管理局",
        "reg_no": f"{region}000{code[-6:]}",
        "org_code": code[8:17],
        "established_date": "2015-06-18",
        "status": status,
        "registered_address": f"{name} 住所",
        "operating_address": f"{name} 经营场所",
        "business_scope": "陶瓷制品销售",
        "region_code": region,
        "in_city": in_city,
    }


def city_entities(count: int) -> list[dict[str, Any]]:
    kinds = ("陶瓷", "食品", "物流")
    statuses = ("存续", "吊销", "注销")
    return [
        entity(uscc("91445102" + org_code(f"MA{i:06d}")), f"潮州市{kinds[i % 3]}有限公司{i}", in_city=True,
               status=statuses[i % 3])
        for i in range(count)
    ]


OUTSIDE = [
    entity(FUJIAN, "福州市闽江陶瓷有限公司", in_city=False, region="350100"),
    entity(SICHUAN, "四川省蜀南食品有限公司", in_city=False, status="吊销", region="512081"),
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


# -- a signing client written from the interface description ----------------------------------------------


def signed_headers(
    body: bytes, *, timestamp: int | None = None, key: str = APP_KEY, secret: str = APP_SECRET
) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), key.encode() + stamp.encode() + body, hashlib.sha256).hexdigest()
    return {"X-App-Key": key, "X-Timestamp": stamp, "X-Signature": digest, "Content-Type": "application/json"}


def post_batch(client: httpx.Client, codes: list[str], **sign: Any) -> httpx.Response:
    body = json.dumps({"codes": codes}).encode()
    return client.post(BATCH, content=body, headers=signed_headers(body, **sign))


def get_search(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get(SEARCH, params=params, headers=signed_headers(b""))


def start(data_dir: Path) -> Any:
    creds = {"app_key": APP_KEY, "app_secret": APP_SECRET}
    return serve(create_app(SimConfig(admin=True, data_dir=data_dir, credentials=creds)))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    write_jsonl(tmp_path / "entities.jsonl", OUTSIDE + city_entities(12))
    with start(tmp_path) as url, httpx.Client(base_url=url, timeout=10.0) as c:
        yield c


# -- batch --------------------------------------------------------------------------------------------


def test_batch_returns_records_in_the_national_shape(client: httpx.Client) -> None:
    unknown = uscc("91440300MA5F00001")

    response = post_batch(client, [FUJIAN, unknown, SICHUAN])

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0
    assert body["missing"] == [unknown]
    fujian, sichuan = body["data"]
    assert fujian == {
        "unifiedCode": FUJIAN,
        "entName": "福州市闽江陶瓷有限公司",
        "entType": "有限责任公司",
        "entCategory": "法人及非法人组织",
        "legalPerson": "福州法人",
        "regStatus": "存续（在营、开业、在册）",
        "estDate": "2015-06-18",
        "regOrg": "350100市场监督管理局",
        "regNo": "350100000" + FUJIAN[-6:],
        "orgCode": "M000100Y4",
        "dom": "福州市闽江陶瓷有限公司 住所",
        "opLoc": "福州市闽江陶瓷有限公司 经营场所",
        "opScope": "陶瓷制品销售",
        "regionCode": "350100",
        "dataSource": "NATIONAL",
    }
    assert sichuan["unifiedCode"] == SICHUAN
    assert sichuan["regStatus"] == "吊销，未注销"


def test_batch_never_publishes_the_legal_representatives_id(client: httpx.Client) -> None:
    response = post_batch(client, [FUJIAN])

    assert "445102199003071230" not in response.text


def test_city_entities_are_served_and_marked_as_mirrored(client: httpx.Client) -> None:
    city = city_entities(12)

    body = post_batch(client, [city[0]["uscc"], city[2]["uscc"]]).json()

    assert [r["dataSource"] for r in body["data"]] == ["CITY_MIRROR", "CITY_MIRROR"]
    assert body["data"][1]["regStatus"] == "注销"


def test_batch_of_one_hundred_is_served(client: httpx.Client) -> None:
    codes = [uscc(f"91440500MA{i:07d}") for i in range(98)] + [FUJIAN, SICHUAN]

    response = post_batch(client, codes)

    assert response.status_code == 200
    assert len(response.json()["data"]) == 2
    assert len(response.json()["missing"]) == 98


def test_batch_over_one_hundred_is_refused(client: httpx.Client) -> None:
    codes = [uscc(f"91440500MA{i:07d}") for i in range(101)]

    response = post_batch(client, codes)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400
    assert "100" in body["message"]
    assert "data" not in body


def test_batch_with_a_malformed_body_is_a_400(client: httpx.Client) -> None:
    body = b'{"codes": "91350100M000100Y43"}'

    response = client.post(BATCH, content=body, headers=signed_headers(body))

    assert response.status_code == 400
    assert response.json()["code"] == 400


# -- signature -------------------------------------------------------------------------------------------


def test_a_signature_made_with_the_wrong_secret_is_refused(client: httpx.Client) -> None:
    response = post_batch(client, [FUJIAN], secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["code"] == 401


def test_an_unknown_app_key_is_refused(client: httpx.Client) -> None:
    response = post_batch(client, [FUJIAN], key="someone-else")

    assert response.status_code == 401


def test_missing_signature_headers_are_refused(client: httpx.Client) -> None:
    response = client.post(BATCH, json={"codes": [FUJIAN]})

    assert response.status_code == 401
    assert response.json()["code"] == 401


@pytest.mark.parametrize(
    ("age_ms", "status"),
    [(6 * 60_000, 401), (-6 * 60_000, 401), (4 * 60_000, 200), (-60_000, 200)],
)
def test_timestamps_outside_five_minutes_are_refused(client: httpx.Client, age_ms: int, status: int) -> None:
    stamp = int(time.time() * 1000) - age_ms

    response = post_batch(client, [FUJIAN], timestamp=stamp)

    assert response.status_code == status


def test_a_signed_get_with_a_changed_timestamp_is_refused(client: httpx.Client) -> None:
    headers = signed_headers(b"")
    headers["X-Timestamp"] = str(int(headers["X-Timestamp"]) + 1)

    response = client.get(SEARCH, params={"name": "陶瓷"}, headers=headers)

    assert response.status_code == 401


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    directory = tmp_path_factory.mktemp("national-credit")
    write_jsonl(directory / "entities.jsonl", OUTSIDE + city_entities(45))
    with start(directory) as url, httpx.Client(base_url=url, timeout=10.0) as c:
        yield c


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.lists(st.text(max_size=12), min_size=1, max_size=3))
def test_a_body_changed_after_signing_is_refused(shared: httpx.Client, extra: list[str]) -> None:
    signed = json.dumps({"codes": [FUJIAN]}).encode()
    sent = json.dumps({"codes": [FUJIAN, *extra]}).encode()

    response = shared.post(BATCH, content=sent, headers=signed_headers(signed))

    assert response.status_code == 401


# -- search ----------------------------------------------------------------------------------------------


def test_search_matches_a_substring_of_the_name(client: httpx.Client) -> None:
    body = get_search(client, name="陶瓷", page=1, pageSize=50).json()

    names = [r["entName"] for r in body["data"]]
    assert body["code"] == 0
    assert body["total"] == 5  # 4 city potteries (i = 0, 3, 6, 9) and the Fujian one
    assert "福州市闽江陶瓷有限公司" in names
    assert all("陶瓷" in name for name in names)
    assert body["page"] == 1
    assert body["pageSize"] == 50


def test_search_defaults_to_twenty_per_page(shared: httpx.Client) -> None:
    body = get_search(shared, name="有限公司").json()

    assert body["total"] == 47
    assert len(body["data"]) == 20
    assert body["pageSize"] == 20


@pytest.mark.parametrize(
    "params", [{}, {"name": " "}, {"name": "陶瓷", "pageSize": 101}, {"name": "陶瓷", "page": 0}, {"name": "x", "page": "a"}]
)
def test_bad_search_parameters_are_refused(client: httpx.Client, params: dict[str, Any]) -> None:
    response = get_search(client, **params)

    assert response.status_code == 400
    assert response.json()["code"] == 400


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(["陶瓷", "食品", "有限公司", "物流有限公司1", "潮州", "不存在"]),
       page_size=st.integers(min_value=1, max_value=30))
def test_search_pages_partition_the_matches(shared: httpx.Client, word: str, page_size: int) -> None:
    expected = sorted(e["uscc"] for e in OUTSIDE + city_entities(45) if word in e["name"])
    seen: list[str] = []
    for page in range(1, 100):  # bounded: 47 entities at page size >= 1
        body = get_search(shared, name=word, page=page, pageSize=page_size).json()
        assert body["total"] == len(expected)
        if not body["data"]:
            break
        seen.extend(r["unifiedCode"] for r in body["data"])

    assert sorted(seen) == expected


# -- faults and counters --------------------------------------------------------------------------------------


def put_knobs(client: httpx.Client, **knobs: Any) -> None:
    assert client.put("/__admin/knobs", json=knobs).status_code == 200


def test_error_rate_one_gives_the_registry_500(client: httpx.Client) -> None:
    put_knobs(client, error_rate=1.0)

    response = post_batch(client, [FUJIAN])

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == 500
    assert body["message"]
    assert "data" not in body


def test_down_registry_fails_search_until_back(client: httpx.Client) -> None:
    put_knobs(client, down=True)
    down = get_search(client, name="陶瓷")
    put_knobs(client, down=False)
    back = get_search(client, name="陶瓷")

    assert down.status_code == 500
    assert down.json()["code"] == 500
    assert back.status_code == 200


def test_hanging_registry_times_a_client_out(client: httpx.Client) -> None:
    put_knobs(client, hang_rate=1.0)
    body = json.dumps({"codes": [FUJIAN]}).encode()
    started = time.monotonic()

    with pytest.raises(httpx.TimeoutException):
        client.post(BATCH, content=body, headers=signed_headers(body), timeout=0.5)

    assert time.monotonic() - started < 5.0


def test_call_counter_counts_exactly_and_resets(client: httpx.Client) -> None:
    client.post("/__admin/reset")
    post_batch(client, [FUJIAN])
    post_batch(client, [SICHUAN], secret="wrong")  # refused, but it was a call
    get_search(client, name="陶瓷")

    counted = client.get("/__admin/calls").json()
    client.post("/__admin/reset")
    after = client.get("/__admin/calls").json()

    assert counted == {"total": 3, "by_operation": {"batch": 2, "search": 1}}
    assert after == {"total": 0, "by_operation": {}}
