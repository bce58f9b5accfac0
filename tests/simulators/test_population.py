"""The simulated population system (人口库) over real HTTP: legacy fields, batching, paging, faults."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.base import SimConfig
from simulators.population.app import create_app
from tests.support.servers import serve

API_KEY = "test-population-key"
HEADERS = {"X-Api-Key": API_KEY}

# -- identifiers (GB 11643 MOD 11-2) ---------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def prc_id(body17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(body17, _WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


def make_id(region: str, birth: str, seq: int) -> str:
    return prc_id(f"{region}{birth.replace('-', '')}{seq:03d}")


CHEN = "445102199003071230"  # DOMAIN §3.1 synthetic 湘桥区 example
SHANTOU = "440524188001010014"  # GB text example
BEIJING = "11010519491231002X"  # GB text example


def test_id_helper_reproduces_the_published_examples() -> None:
    assert prc_id(CHEN[:17]) == CHEN
    assert prc_id(SHANTOU[:17]) == SHANTOU
    assert prc_id(BEIJING[:17]) == BEIJING


def person(id_number: str, name: str, region: str, *, death: bool = False, mobile: str = "13800138000") -> dict[str, Any]:
    birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    return {
        "id_type": "RESIDENT_ID",
        "id_number": id_number,
        "name": name,
        "gender": "1" if int(id_number[16]) % 2 else "2",
        "birth_date": birth,
        "ethnicity": "01",
        "nationality": "CHN",
        "household_address": f"{region} 户籍地址 {name}",
        "residence_address": f"{region} 居住地址 {name}",
        "region_code": region,
        "mobile": mobile,
        "death_flag": death,
    }


SURNAMES = ("陈", "林", "黄", "陈")
REGIONS = ("445102", "445103", "445122")


def generated_persons(count: int) -> list[dict[str, Any]]:
    people = []
    for i in range(count):
        region = REGIONS[i % len(REGIONS)]
        birth = date(1920, 1, 1) + timedelta(days=i // 1000 + 37 * (i % 1000))  # unique with the sequence
        id_number = make_id(region, birth.isoformat(), i % 1000)
        people.append(person(id_number, f"{SURNAMES[i % 4]}{'甲乙丙丁戊'[i % 5]}{i}", region))
    return people


FIXED = [
    person(CHEN, "陈小明", "445102", mobile="13812345678"),
    person(SHANTOU, "林老汉", "440524", death=True),
    person(BEIJING, "王芳", "110105"),
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "persons.jsonl", FIXED + generated_persons(60))
    return tmp_path


def start(data_dir: Path) -> Any:
    return serve(create_app(SimConfig(admin=True, data_dir=data_dir, credentials={"api_key": API_KEY})))


@pytest.fixture
def base_url(data_dir: Path) -> Iterator[str]:
    with start(data_dir) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers=HEADERS, timeout=10.0) as c:
        yield c


def query(client: httpx.Client, id_number: str) -> httpx.Response:
    return client.post("/rkk/v1/person/query", json={"GMSFHM": id_number})


# -- single and batch look-ups ---------------------------------------------------------------------


def test_query_returns_the_legacy_record(client: httpx.Client) -> None:
    response = query(client, CHEN)

    assert response.status_code == 200
    body = response.json()
    assert body["CODE"] == "0000"
    assert body["DATA"] == {
        "XM": "陈小明",
        "GMSFHM": CHEN,
        "XB": "1",
        "CSRQ": "19900307",
        "MZ": "01",
        "GJ": "CHN",
        "HJDZ": "445102 户籍地址 陈小明",
        "XZZ": "445102 居住地址 陈小明",
        "SJHM": "13812345678",
        "XZQH": "445102",
        "SWBS": "0",
    }


def test_query_maps_death_flag_and_x_check_digit(client: httpx.Client) -> None:
    dead = query(client, SHANTOU).json()["DATA"]
    beijing = query(client, BEIJING).json()["DATA"]

    assert dead["SWBS"] == "1"
    assert dead["CSRQ"] == "18800101"
    assert beijing["GMSFHM"] == BEIJING
    assert beijing["XB"] == "2"


def test_query_of_an_unknown_id_answers_null_data(client: httpx.Client) -> None:
    unknown = make_id("445122", "2001-02-03", 999)

    body = query(client, unknown).json()

    assert body == {"CODE": "0000", "DATA": None}


def test_query_without_an_id_is_a_legacy_400(client: httpx.Client) -> None:
    response = client.post("/rkk/v1/person/query", json={"SFZH": CHEN})

    assert response.status_code == 400
    assert response.json()["CODE"] == "E400"


def test_batch_splits_found_and_not_found(client: httpx.Client) -> None:
    unknown = make_id("445103", "1985-05-05", 1)

    body = client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN, unknown, BEIJING]}).json()

    assert body["CODE"] == "0000"
    assert [record["GMSFHM"] for record in body["DATA"]] == [CHEN, BEIJING]
    assert body["NOT_FOUND"] == [unknown]


def test_batch_of_exactly_fifty_is_served(client: httpx.Client) -> None:
    ids = [p["id_number"] for p in generated_persons(50)]

    response = client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": ids})

    assert response.status_code == 200
    assert len(response.json()["DATA"]) == 50
    assert response.json()["NOT_FOUND"] == []


def test_batch_over_fifty_is_refused_with_e413(client: httpx.Client) -> None:
    ids = [p["id_number"] for p in generated_persons(51)]

    response = client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": ids})

    assert response.status_code == 400
    assert response.json() == {"CODE": "E413", "MSG": "batch limit 50 exceeded"}


# -- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}, {"X-Api-Key": ""}])
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", "/rkk/v1/person/query", {"GMSFHM": CHEN}),
        ("POST", "/rkk/v1/person/batch", {"GMSFHM_LIST": [CHEN]}),
        ("GET", "/rkk/v1/person/page", None),
        ("POST", "/rkk/v1/person/search", {"XM": "陈*"}),
    ],
)
def test_every_endpoint_refuses_a_bad_api_key(
    base_url: str, headers: dict[str, str], method: str, path: str, payload: dict[str, Any] | None
) -> None:
    response = httpx.request(method, base_url + path, headers=headers, json=payload, timeout=10.0)

    assert response.status_code == 401
    body = response.json()
    assert body["CODE"] == "E401"
    assert "DATA" not in body


# -- paging and search -----------------------------------------------------------------------------


def test_page_filters_by_region(client: httpx.Client) -> None:
    expected = {p["id_number"] for p in FIXED + generated_persons(60) if p["region_code"] == "445103"}

    body = client.get("/rkk/v1/person/page", params={"page": 1, "size": 500, "xzqh": "445103"}).json()

    assert body["CODE"] == "0000"
    assert body["TOTAL"] == len(expected) == 20
    assert body["PAGE"] == 1
    assert {r["GMSFHM"] for r in body["DATA"]} == expected


def test_city_code_pages_every_district(client: httpx.Client) -> None:
    body = client.get("/rkk/v1/person/page", params={"size": 500, "xzqh": "445100"}).json()

    assert body["TOTAL"] == 61  # 60 generated in three districts + 陈小明
    assert {r["XZQH"] for r in body["DATA"]} == set(REGIONS)


def test_page_beyond_the_end_is_empty(client: httpx.Client) -> None:
    body = client.get("/rkk/v1/person/page", params={"page": 99, "size": 10}).json()

    assert body["TOTAL"] == 63
    assert body["DATA"] == []


@pytest.mark.parametrize("params", [{"size": 501}, {"size": 0}, {"page": 0}, {"page": "x"}, {"xzqh": "4451"}])
def test_bad_paging_parameters_are_refused(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/rkk/v1/person/page", params=params)

    assert response.status_code == 400
    assert response.json()["CODE"] == "E400"


def test_search_by_name_prefix_and_exact_name(client: httpx.Client) -> None:
    everyone = FIXED + generated_persons(60)
    chens = sorted(p["name"] for p in everyone if p["name"].startswith("陈"))

    prefix = client.post("/rkk/v1/person/search", json={"XM": "陈*", "SIZE": 500}).json()
    exact = client.post("/rkk/v1/person/search", json={"XM": "陈小明"}).json()
    nobody = client.post("/rkk/v1/person/search", json={"XM": "欧阳*"}).json()

    assert prefix["TOTAL"] == len(chens) == 31
    assert [r["XM"] for r in prefix["DATA"]] == chens
    assert exact["TOTAL"] == 1
    assert exact["DATA"][0]["GMSFHM"] == CHEN
    assert nobody == {"CODE": "0000", "TOTAL": 0, "PAGE": 1, "DATA": []}


@pytest.mark.parametrize("paging", [{"PAGE": 1.5}, {"PAGE": True}, {"SIZE": "many"}, {"SIZE": 501}])
def test_search_refuses_bad_paging(client: httpx.Client, paging: dict[str, Any]) -> None:
    response = client.post("/rkk/v1/person/search", json={"XM": "陈*", **paging})

    assert response.status_code == 400
    assert response.json()["CODE"] == "E400"


@pytest.mark.parametrize("pattern", ["", "*", "*明", "陈*明*"])
def test_search_refuses_patterns_it_cannot_serve(client: httpx.Client, pattern: str) -> None:
    response = client.post("/rkk/v1/person/search", json={"XM": pattern})

    assert response.status_code == 400
    assert response.json()["CODE"] == "E400"


# -- paging invariant (shared read-only server) ------------------------------------------------------


@pytest.fixture(scope="module")
def paging_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    directory = tmp_path_factory.mktemp("population-paging")
    write_jsonl(directory / "persons.jsonl", FIXED + generated_persons(137))
    with start(directory) as url, httpx.Client(base_url=url, headers=HEADERS, timeout=10.0) as c:
        yield c


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=60), region=st.sampled_from([None, "445100", *REGIONS, "440524"]))
def test_pages_partition_the_selection(paging_client: httpx.Client, size: int, region: str | None) -> None:
    everyone = FIXED + generated_persons(137)
    expected = sorted(
        p["id_number"]
        for p in everyone
        if region is None or p["region_code"] == region or (region == "445100" and p["region_code"].startswith("4451"))
    )
    seen: list[str] = []
    totals = set()
    for page in range(1, 200):  # bounded: 140 records at size >= 1 need at most 141 pages
        params: dict[str, Any] = {"page": page, "size": size}
        if region:
            params["xzqh"] = region
        body = paging_client.get("/rkk/v1/person/page", params=params).json()
        totals.add(body["TOTAL"])
        assert len(body["DATA"]) <= size
        if not body["DATA"]:
            break
        seen.extend(r["GMSFHM"] for r in body["DATA"])

    assert totals == {len(expected)}
    assert sorted(seen) == expected  # every record once, none twice


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(["陈", "林", "黄", "陈甲", "林乙1", "王"]), size=st.integers(min_value=1, max_value=40))
def test_search_pages_partition_the_prefix(paging_client: httpx.Client, prefix: str, size: int) -> None:
    expected = sorted(p["name"] for p in FIXED + generated_persons(137) if p["name"].startswith(prefix))
    names: list[str] = []
    for page in range(1, 200):
        body = paging_client.post("/rkk/v1/person/search", json={"XM": prefix + "*", "PAGE": page, "SIZE": size}).json()
        assert body["TOTAL"] == len(expected)
        if not body["DATA"]:
            break
        names.extend(r["XM"] for r in body["DATA"])

    assert names == expected


# -- corrupt records ---------------------------------------------------------------------------------


def test_corrupt_file_overrides_stored_records(data_dir: Path) -> None:
    wrong_check = CHEN[:17] + "1"
    orphan = make_id("445122", "1977-07-07", 7)[:17] + "Y"
    write_jsonl(
        data_dir / "corrupt.jsonl",
        [
            {"GMSFHM": CHEN, "CSRQ": "19901345"},
            {"GMSFHM": BEIJING, "SERVED_GMSFHM": wrong_check, "DROP_FIELDS": ["XB"]},
            {"GMSFHM": orphan, "XM": "坏记录", "XZQH": "445122"},
        ],
    )
    with start(data_dir) as url, httpx.Client(base_url=url, headers=HEADERS) as c:
        bad_date = query(c, CHEN).json()["DATA"]
        bad_id = query(c, BEIJING).json()["DATA"]
        extra = query(c, orphan).json()["DATA"]
        listed = c.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN]}).json()["DATA"]

    assert bad_date["CSRQ"] == "19901345"
    assert bad_date["XM"] == "陈小明"  # the rest of the record is untouched
    assert bad_id["GMSFHM"] == wrong_check
    assert "XB" not in bad_id
    assert extra["XM"] == "坏记录"
    assert extra["GMSFHM"] == orphan
    assert listed[0]["CSRQ"] == "19901345"


# -- faults and counters ---------------------------------------------------------------------------


def put_knobs(client: httpx.Client, **knobs: Any) -> None:
    response = client.put("/__admin/knobs", json=knobs)
    assert response.status_code == 200, response.text


def test_error_rate_one_gives_the_legacy_503(client: httpx.Client) -> None:
    put_knobs(client, error_rate=1.0)

    response = query(client, CHEN)

    assert response.status_code == 503
    assert response.json()["CODE"] == "E503"
    assert "DATA" not in response.json()


def test_down_system_answers_503_until_brought_back(client: httpx.Client) -> None:
    put_knobs(client, down=True)
    down = client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN]})
    put_knobs(client, down=False)
    back = client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN]})

    assert down.status_code == 503
    assert down.json()["CODE"] == "E503"
    assert back.status_code == 200


def test_hanging_system_times_a_client_out(client: httpx.Client, base_url: str) -> None:
    put_knobs(client, hang_rate=1.0)
    started = time.monotonic()

    with pytest.raises(httpx.TimeoutException):
        httpx.post(base_url + "/rkk/v1/person/query", headers=HEADERS, json={"GMSFHM": CHEN}, timeout=0.5)

    assert time.monotonic() - started < 5.0


def test_latency_knob_delays_answers(client: httpx.Client) -> None:
    put_knobs(client, latency_ms=300)
    started = time.monotonic()

    response = query(client, CHEN)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.29


def test_call_counter_counts_each_operation_and_resets(client: httpx.Client) -> None:
    client.post("/__admin/reset")
    query(client, CHEN)
    query(client, BEIJING)
    client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN, BEIJING]})
    client.get("/rkk/v1/person/page")
    client.post("/rkk/v1/person/search", json={"XM": "陈*"})
    client.post("/rkk/v1/person/search", json={"XM": "林*"})
    client.post("/rkk/v1/person/search", json={"XM": "黄*"})

    counted = client.get("/__admin/calls").json()
    client.post("/__admin/reset")
    after_reset = client.get("/__admin/calls").json()

    assert counted == {"total": 7, "by_operation": {"query": 2, "batch": 1, "page": 1, "search": 3}}
    assert after_reset == {"total": 0, "by_operation": {}}


def test_health_needs_no_key(base_url: str) -> None:
    response = httpx.get(base_url + "/health")

    assert response.json() == {"status": "ok", "system": "population"}


# -- privacy and start-up --------------------------------------------------------------------------------


def test_logs_never_carry_a_raw_id_number(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="simulators.population"):
        query(client, CHEN)
        client.post("/rkk/v1/person/batch", json={"GMSFHM_LIST": [CHEN, SHANTOU]})

    assert caplog.records, "the query should be logged (masked)"
    assert CHEN not in caplog.text
    assert SHANTOU not in caplog.text
    assert "4451**********1230" in caplog.text


def test_ten_thousand_persons_load_well_under_a_second(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "persons.jsonl", generated_persons(10_000))
    app = create_app(SimConfig(admin=True, data_dir=tmp_path, credentials={"api_key": API_KEY}))
    store = app.state.store

    started = time.monotonic()
    store.load()
    elapsed = time.monotonic() - started
    store.close()

    assert len(store) == 10_000
    assert elapsed < 1.0
