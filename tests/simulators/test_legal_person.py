"""The legal-person registry simulator over real SOAP 1.1: WSDL, queries, limits, auth, faults, counting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from simulators.base import SimConfig
from simulators.legal_person.app import create_app
from simulators.legal_person.store import EntityStore, StoreError
from tests.support.servers import serve

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSD = "http://www.w3.org/2001/XMLSchema"
TNS = "http://scjg.chaozhou.example/ws/entreg"
USER, PASSWORD = "hub-reader", "s3cret-潮州"

# --- identifiers (GB 32100 / GB 11714 / GB 11643), written here so the test does not trust the code under test

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def uscc_check(body17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return _USCC_CHARS[(31 - total % 31) % 31]


def org_check(body8: str) -> str:
    c9 = 11 - sum(_ORG_CHARS.index(c) * w for c, w in zip(body8, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_uscc(n: int, *, kind: str = "1") -> str:
    org8 = f"MA{n:06d}"
    body = f"9{kind}445102{org8}{org_check(org8)}"
    return body + uscc_check(body)


def test_identifier_helpers_match_the_published_examples() -> None:
    assert uscc_check("91350100M000100Y4") == "3"
    assert uscc_check("91512081MA62K0260") == "E"
    assert org_check("M000100Y") == "4"


# --- seed data written by the test

def entity(uscc: str, name: str, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "uscc": uscc, "name": name, "entity_category": "法人及非法人组织", "org_form": "有限责任公司",
        "legal_rep_name": "陈大文", "legal_rep_id_type": "RESIDENT_ID",
        "legal_rep_id_number": "445102199003071230", "reg_authority": "潮州市湘桥区市场监督管理局",
        "reg_no": "445102000012345", "org_code": uscc[8:17], "established_date": "2015-06-01",
        "status": "存续", "registered_address": "广东省潮州市湘桥区西湖路1号",
        "operating_address": "广东省潮州市湘桥区西湖路1号", "business_scope": "食品销售",
        "region_code": "445102", "in_city": True,
    }
    record.update(extra)
    return record


OUT_OF_CITY = "91512081MA62K0260E"
KNOWN = "91350100M000100Y43"
MANY = [make_uscc(i) for i in range(1, 41)]
ENTITIES = [
    entity(KNOWN, "潮州市韩江陶瓷有限公司", established_date="2008-02-29", status="吊销", status_date="2019-04-02"),
    entity(OUT_OF_CITY, "四川某某有限公司", in_city=False, region_code="512081"),
    entity(make_uscc(900, kind="2"), "湘桥区老陈粿条店", entity_category="个体工商户",
           org_form="个体工商户", status="注销"),
    *[entity(code, f"潮州市第{i}凤凰单丛茶叶有限公司", in_city=(i % 5 != 0)) for i, code in enumerate(MANY)],
]
CORRUPT_GOOD = MANY[1]      # seeded in-city record overridden with malformed values
CORRUPT_NEW = make_uscc(777)  # exists only in corrupt.jsonl
CORRUPT: list[dict[str, object]] = [
    {"uscc": CORRUPT_GOOD, "established_date": "2015-13-45", "status": "未知", "legal_rep_name": None},
    {"uscc": CORRUPT_NEW, "name": "潮州市坏数据有限公司", "established_date": "not-a-date"},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("legal-person")
    write_jsonl(data / "entities.jsonl", ENTITIES)
    write_jsonl(data / "corrupt.jsonl", CORRUPT)
    config = SimConfig(admin=True, data_dir=data, credentials={"username": USER, "password": PASSWORD})
    with serve(create_app(config)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as c:
        c.put("/__admin/knobs", json={"latency_ms": 0, "error_rate": 0, "hang_rate": 0, "down": False})
        c.post("/__admin/reset")
        yield c
        c.put("/__admin/knobs", json={"latency_ms": 0, "error_rate": 0, "hang_rate": 0, "down": False})


# --- SOAP client side, built with lxml

def envelope(operation: str, children: list[tuple[str, str]], *, user: str | None = USER,
             password: str | None = PASSWORD) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP, "ns": TNS, "wsse": WSSE})
    if user is not None:
        header = etree.SubElement(env, f"{{{SOAP}}}Header")
        token = etree.SubElement(etree.SubElement(header, f"{{{WSSE}}}Security"), f"{{{WSSE}}}UsernameToken")
        etree.SubElement(token, f"{{{WSSE}}}Username").text = user
        etree.SubElement(token, f"{{{WSSE}}}Password").text = password
    op = etree.SubElement(etree.SubElement(env, f"{{{SOAP}}}Body"), f"{{{TNS}}}{operation}")
    for name, text in children:
        etree.SubElement(op, f"{{{TNS}}}{name}").text = text
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def post(client: httpx.Client, operation: str, body: bytes, *, timeout: float | None = None) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{TNS}/{operation}"'}
    if timeout is None:
        return client.post("/ws/EntRegService", content=body, headers=headers)
    return client.post("/ws/EntRegService", content=body, headers=headers, timeout=timeout)


def query(client: httpx.Client, codes: list[str], **kw: str | None) -> httpx.Response:
    return post(client, "QueryEntByCodes", envelope("QueryEntByCodes", [("tyshxydm", c) for c in codes], **kw))


def body_child(response: httpx.Response) -> etree._Element:
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP}}}Envelope"
    body = root.find(f"{{{SOAP}}}Body")
    assert body is not None
    return body[0]


def fault_of(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    fault = body_child(response)
    assert fault.tag == f"{{{SOAP}}}Fault"
    return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""


def ents(response: httpx.Response) -> dict[str, dict[str, str]]:
    assert response.status_code == 200, response.text
    out: dict[str, dict[str, str]] = {}
    for ent in body_child(response).iterfind(f"{{{TNS}}}ent"):
        fields = {etree.QName(child).localname: child.text or "" for child in ent}
        out[fields["TYSHXYDM"]] = fields
    return out


# --- WSDL

def test_wsdl_is_a_wsdl_1_1_document_naming_its_operations(client: httpx.Client, base_url: str) -> None:
    response = client.get("/ws/EntRegService?wsdl")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{WSDL}}}definitions"
    assert root.get("targetNamespace") == TNS
    ops = {op.get("name") for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    assert ops == {"QueryEntByCodes", "SearchEntByName", "QueryEntByCondition"}
    binding = root.find(f"{{{WSDL}}}binding/{{http://schemas.xmlsoap.org/wsdl/soap/}}binding")
    assert binding is not None
    assert binding.get("style") == "document"
    address = root.find(f".//{{{WSDL}}}port/{{http://schemas.xmlsoap.org/wsdl/soap/}}address")
    assert address is not None
    assert address.get("location") == f"{base_url}/ws/EntRegService"
    schema = root.find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    assert schema is not None
    etree.XMLSchema(schema)  # the embedded schema compiles
    ent_fields = {el.get("name") for el in schema.iterfind(f"{{{XSD}}}complexType/{{{XSD}}}sequence/{{{XSD}}}element")}
    assert {"TYSHXYDM", "QYMC", "FDDBR", "FDDBRZJHM", "CLRQ", "DJZT", "HZRQ", "DXRQ", "ZXRQ", "XZQH"} <= ent_fields


def test_responses_validate_against_the_wsdl_schema(client: httpx.Client) -> None:
    schema_el = etree.fromstring(client.get("/ws/EntRegService?wsdl").content).find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    assert schema_el is not None
    schema = etree.XMLSchema(schema_el)
    schema.assertValid(body_child(query(client, [KNOWN, MANY[2]])))
    search = post(client, "SearchEntByName", envelope("SearchEntByName", [("qymc", "凤凰"), ("pageSize", "5")]))
    schema.assertValid(body_child(search))


# --- QueryEntByCodes

def test_query_returns_in_city_records_with_legacy_fields(client: httpx.Client) -> None:
    individual = make_uscc(900, kind="2")
    found = ents(query(client, [KNOWN, OUT_OF_CITY, individual, make_uscc(5000)]))
    assert set(found) == {KNOWN, individual}  # out-of-city and unknown codes are simply absent
    ent = found[KNOWN]
    assert ent["QYMC"] == "潮州市韩江陶瓷有限公司"
    assert ent["CLRQ"] == "20080229"
    assert ent["DJZT"] == "2"  # 吊销
    assert ent["ZTLB"] == "1"
    assert ent["FDDBR"] == "陈大文"
    assert ent["FDDBRZJHM"] == "445102199003071230"
    assert ent["FDDBRZJLX"] == "1"
    assert ent["ZZJGDM"] == "M000100Y4"
    assert ent["XZQH"] == "445102"
    assert ent["ZS"] == ent["JYCS"] == "广东省潮州市湘桥区西湖路1号"
    assert found[individual]["DJZT"] == "3"  # 注销
    assert found[individual]["ZTLB"] == "2"
    assert body_child(query(client, [KNOWN])).findtext(f"{{{TNS}}}total") == "1"


def test_batch_of_twenty_is_accepted_and_twenty_one_is_refused(client: httpx.Client) -> None:
    codes = MANY[:21]
    expected = {c for i, c in enumerate(codes[:20]) if i % 5 != 0}
    assert set(ents(query(client, codes[:20]))) == expected
    code, message = fault_of(query(client, codes))
    assert code == "soap:Client"
    assert "batch limit 20 exceeded" in message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picked=st.lists(st.sampled_from(range(len(MANY))), min_size=1, max_size=20, unique=True))
def test_query_returns_exactly_the_requested_in_city_codes(client: httpx.Client, picked: list[int]) -> None:
    codes = [MANY[i] for i in picked]
    expected = {MANY[i] for i in picked if i % 5 != 0}
    assert set(ents(query(client, codes))) == expected


# --- SearchEntByName

def search(client: httpx.Client, name: str, page: int, size: int) -> httpx.Response:
    return post(client, "SearchEntByName",
                envelope("SearchEntByName", [("qymc", name), ("page", str(page)), ("pageSize", str(size))]))


def test_search_by_name_pages_through_all_matches(client: httpx.Client) -> None:
    wanted = {c for i, c in enumerate(MANY) if i % 5 != 0 and c != CORRUPT_GOOD}
    wanted.add(CORRUPT_GOOD)  # still in city after the override
    seen: list[str] = []
    for page in range(1, 10):
        response = search(client, "凤凰单丛", page, 7)
        assert body_child(response).findtext(f"{{{TNS}}}total") == str(len(wanted))
        batch = list(ents(response))
        if not batch:
            break
        assert len(batch) <= 7
        seen.extend(batch)
    assert len(seen) == len(set(seen))
    assert set(seen) == wanted
    assert list(ents(search(client, "韩江陶瓷", 1, 50))) == [KNOWN]
    assert ents(search(client, "四川", 1, 50)) == {}  # out of city


def test_search_page_size_over_fifty_is_refused(client: httpx.Client) -> None:
    code, message = fault_of(search(client, "潮州", 1, 51))
    assert code == "soap:Client"
    assert "50" in message


# --- QueryEntByCondition

def condition(client: httpx.Client, children: list[tuple[str, str]]) -> httpx.Response:
    return post(client, "QueryEntByCondition", envelope("QueryEntByCondition", children))


def test_condition_filters_counts_and_pages_by_code_after_the_last(client: httpx.Client) -> None:
    in_city_tea = sorted(c for i, c in enumerate(MANY) if i % 5 != 0)
    first = condition(client, [("djzt", "1"), ("xzqh", "4451"), ("qymc", "凤凰"), ("pageSize", "7")])
    answer = body_child(first)
    assert answer.findtext(f"{{{TNS}}}total") == str(len(in_city_tea) - 1)  # CORRUPT_GOOD's status is 未知
    assert answer.findtext(f"{{{TNS}}}more") == "true"
    codes = list(ents(first))
    rest = condition(client, [("djzt", "1"), ("xzqh", "4451"), ("qymc", "凤凰"), ("qsdm", codes[-1]), ("pageSize", "50")])
    assert body_child(rest).findtext(f"{{{TNS}}}more") == "false"
    assert codes + list(ents(rest)) == [c for c in in_city_tea if c != CORRUPT_GOOD]
    ended = ents(condition(client, [("djzt", "2"), ("djzt", "3")]))
    assert set(ended) == {KNOWN, make_uscc(900, kind="2")}
    assert ents(condition(client, [("ztlb", "2")]))[make_uscc(900, kind="2")]["DJZT"] == "3"
    assert ents(condition(client, [("xzqh", "5120")])) == {}  # out-of-city records are not the city's


def test_condition_answers_validate_and_carry_the_status_date_in_its_element(client: httpx.Client) -> None:
    schema_el = etree.fromstring(client.get("/ws/EntRegService?wsdl").content).find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    assert schema_el is not None
    response = condition(client, [("djzt", "2"), ("djzt", "1"), ("pageSize", "3")])
    etree.XMLSchema(schema_el).assertValid(body_child(response))
    found = ents(condition(client, [("djzt", "2")]))[KNOWN]
    assert found["DXRQ"] == "20190402"  # 吊销日期 of a 吊销 record
    assert "HZRQ" not in found
    assert "ZXRQ" not in found


@pytest.mark.parametrize("children", [[("djzt", "7")], [("ztlb", "x")], [("xzqh", "44a")], [("pageSize", "51")],
                                      [("qymc", " ")]])
def test_condition_refuses_unknown_codes_and_limits(client: httpx.Client, children: list[tuple[str, str]]) -> None:
    code, _ = fault_of(condition(client, children))
    assert code == "soap:Client"


# --- credentials and malformed requests

@pytest.mark.parametrize(("user", "password"), [(USER, "wrong"), ("intruder", PASSWORD), (None, None)])
def test_bad_credentials_are_a_client_fault(client: httpx.Client, user: str | None, password: str | None) -> None:
    code, message = fault_of(query(client, [KNOWN], user=user, password=password))
    assert code == "soap:Client"
    assert "authentication failed" in message


@pytest.mark.parametrize("body", [
    b"this is not xml",
    b"<a><b/></a>",
    f'<s:Envelope xmlns:s="{SOAP}"><s:Header/></s:Envelope>'.encode(),
    f'<s:Envelope xmlns:s="{SOAP}"><s:Body/></s:Envelope>'.encode(),
    f'<s:Envelope xmlns:s="{SOAP}"><s:Body><x:Nope xmlns:x="{TNS}"/></s:Body></s:Envelope>'.encode(),
])
def test_malformed_envelope_is_a_client_fault(client: httpx.Client, body: bytes) -> None:
    code, message = fault_of(post(client, "QueryEntByCodes", body))
    assert code == "soap:Client"
    assert message.startswith("malformed request")


def test_empty_code_list_is_malformed(client: httpx.Client) -> None:
    code, message = fault_of(query(client, []))
    assert code == "soap:Client"
    assert message.startswith("malformed request")


def test_soap_1_2_envelope_is_a_version_mismatch(client: httpx.Client) -> None:
    body = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    code, _ = fault_of(post(client, "QueryEntByCodes", body))
    assert code == "soap:VersionMismatch"


# --- corrupt overrides

def test_corrupt_jsonl_overrides_and_adds_records(client: httpx.Client) -> None:
    found = ents(query(client, [CORRUPT_GOOD, CORRUPT_NEW]))
    assert found[CORRUPT_GOOD]["CLRQ"] == "20151345"  # reshaped mechanically, never validated, like CHAR(8)
    assert found[CORRUPT_GOOD]["DJZT"] == "未知"
    assert "FDDBR" not in found[CORRUPT_GOOD]
    assert found[CORRUPT_GOOD]["QYMC"] == "潮州市第1凤凰单丛茶叶有限公司"  # fields not overridden are kept
    assert found[CORRUPT_NEW]["QYMC"] == "潮州市坏数据有限公司"
    assert found[CORRUPT_NEW]["CLRQ"] == "not-a-date"


# --- injected faults

def set_knobs(client: httpx.Client, **knobs: object) -> None:
    response = client.put("/__admin/knobs", json=knobs)
    assert response.status_code == 200, response.text


def test_error_rate_one_is_a_server_fault(client: httpx.Client) -> None:
    set_knobs(client, error_rate=1.0)
    code, message = fault_of(query(client, [KNOWN]))
    assert code == "soap:Server"
    assert "injected" in message


def test_down_is_a_server_fault_and_recovers(client: httpx.Client) -> None:
    set_knobs(client, down=True)
    code, message = fault_of(query(client, [KNOWN]))
    assert code == "soap:Server"
    assert "down" in message
    set_knobs(client, down=False)
    assert set(ents(query(client, [KNOWN]))) == {KNOWN}


def test_hang_makes_a_short_timeout_client_time_out(client: httpx.Client) -> None:
    set_knobs(client, hang_rate=1.0)
    with pytest.raises(httpx.ReadTimeout):
        post(client, "QueryEntByCodes", envelope("QueryEntByCodes", [("tyshxydm", KNOWN)]), timeout=0.5)


def test_latency_delays_the_answer(client: httpx.Client) -> None:
    set_knobs(client, latency_ms=300)
    response = query(client, [KNOWN])
    assert response.elapsed.total_seconds() >= 0.3
    assert set(ents(response)) == {KNOWN}


# --- call counting

def test_calls_are_counted_per_operation_and_reset(client: httpx.Client) -> None:
    query(client, [KNOWN])
    query(client, MANY[:3])
    search(client, "潮州", 1, 10)
    post(client, "QueryEntByCodes", b"garbage")
    client.get("/ws/EntRegService?wsdl")  # metadata is not a call
    calls = client.get("/__admin/calls").json()
    assert calls == {"total": 4, "by_operation": {"QueryEntByCodes": 2, "SearchEntByName": 1, "malformed": 1}}
    assert client.post("/__admin/reset").json()["total"] == 0
    assert client.get("/__admin/calls").json() == {"total": 0, "by_operation": {}}


def test_knob_validation_rejects_out_of_range_values(client: httpx.Client) -> None:
    assert client.put("/__admin/knobs", json={"error_rate": 2}).status_code == 400
    assert client.get("/__admin/knobs").json()["error_rate"] == 0


def test_store_refuses_a_data_dir_without_entities(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"entities\.jsonl"):
        EntityStore(tmp_path)


def test_store_reports_the_line_of_a_broken_seed(tmp_path: Path) -> None:
    (tmp_path / "entities.jsonl").write_text(json.dumps(entity(KNOWN, "甲")) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(StoreError, match="line 2"):
        EntityStore(tmp_path)
