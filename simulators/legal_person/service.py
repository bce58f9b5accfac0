"""The registry's operations: QueryEntByCodes (batch by uscc), SearchEntByName (paged) and
QueryEntByCondition (by 登记状态, 主体类别, 行政区划 and name; keyset-paged by uscc).

QueryEntByCondition's parameters, all optional, combined with AND:

    djzt      登记状态 code (STATUS_CODES: 1 存续, 2 吊销, 3 注销, 4 迁出); repeated = any of them
    ztlb      主体类别 code (SUBJECT_CATEGORY_CODES: 1 法人及非法人组织, 2 个体工商户)
    xzqh      行政区划 code prefix, 2 to 12 digits: 4451 = every record of 潮州市, 445102 = 湘桥区 and its towns
    qymc      a fragment the name contains
    qsdm      起始代码: only records whose TYSHXYDM sorts after this one (the previous page's last)
    pageSize  at most PAGE_SIZE_LIMIT

It answers `total` (every record matching, whatever the page), `more` (whether records follow this
page) and the page's `ent` elements in TYSHXYDM order.
"""

from __future__ import annotations

import hmac
import re

from lxml import etree

from simulators.legal_person.records import STATUS_CODES, SUBJECT_CATEGORY_CODES, EntRecord, legacy_fields
from simulators.legal_person.soap import (
    PASSWORD_TEXT,
    Credentials,
    SoapFault,
    client_fault,
    tns,
)
from simulators.legal_person.store import Criteria, EntityStore

#: At most this many codes per QueryEntByCodes call.
BATCH_LIMIT = 20
#: At most this many records per SearchEntByName page.
PAGE_SIZE_LIMIT = 50

OPERATIONS = ("QueryEntByCodes", "SearchEntByName", "QueryEntByCondition")

_STATUS_BY_CODE = {code: label for label, code in STATUS_CODES.items()}
_CATEGORY_BY_CODE = {code: label for label, code in SUBJECT_CATEGORY_CODES.items()}
_REGION_PREFIX = re.compile(r"\d{2,12}")


def check_credentials(given: Credentials | None, *, username: str, password: str) -> None:
    """WS-Security UsernameToken with a PasswordText password, compared in constant time."""
    if given is None:
        raise client_fault("authentication failed: missing WS-Security UsernameToken")
    if given.password_type not in (None, PASSWORD_TEXT):
        raise client_fault("authentication failed: only the PasswordText password type is supported")
    user_ok = hmac.compare_digest((given.username or "").encode(), username.encode())
    pass_ok = hmac.compare_digest((given.password or "").encode(), password.encode())
    if not (user_ok and pass_ok and username):
        raise client_fault("authentication failed: invalid username or password")


def _ent(record: EntRecord) -> etree._Element:
    ent = etree.Element(tns("ent"))
    for name, value in legacy_fields(record):
        etree.SubElement(ent, tns(name)).text = value
    return ent


def query_ent_by_codes(payload: etree._Element, store: EntityStore) -> etree._Element:
    codes: list[str] = []
    for el in payload.findall(tns("tyshxydm")):
        code = (el.text or "").strip()
        if not code:
            raise client_fault("malformed request: empty tyshxydm")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise client_fault("malformed request: QueryEntByCodes needs at least one tyshxydm")
    if len(codes) > BATCH_LIMIT:
        raise client_fault(f"batch limit {BATCH_LIMIT} exceeded ({len(codes)} codes)")
    response = etree.Element(tns("QueryEntByCodesResponse"))
    found = [r for r in (store.get(c) for c in codes) if r is not None]
    etree.SubElement(response, tns("total")).text = str(len(found))
    for record in found:
        response.append(_ent(record))
    return response


def _int_field(payload: etree._Element, name: str, default: int) -> int:
    el = payload.find(tns(name))
    if el is None:
        return default
    try:
        return int((el.text or "").strip())
    except ValueError as exc:
        raise client_fault(f"malformed request: {name} is not an integer") from exc


def search_ent_by_name(payload: etree._Element, store: EntityStore) -> etree._Element:
    name_el = payload.find(tns("qymc"))
    fragment = "" if name_el is None else (name_el.text or "").strip()
    if not fragment:
        raise client_fault("malformed request: SearchEntByName needs a non-empty qymc")
    page = _int_field(payload, "page", 1)
    if page < 1:
        raise client_fault("malformed request: page counts from 1")
    page_size = _page_size(payload)
    result = store.search(fragment, page=page, page_size=page_size)
    response = etree.Element(tns("SearchEntByNameResponse"))
    etree.SubElement(response, tns("total")).text = str(result.total)
    etree.SubElement(response, tns("page")).text = str(page)
    etree.SubElement(response, tns("pageSize")).text = str(page_size)
    for record in result.records:
        response.append(_ent(record))
    return response


def _text_field(payload: etree._Element, name: str) -> str | None:
    el = payload.find(tns(name))
    if el is None:
        return None
    text = (el.text or "").strip()
    if not text:
        raise client_fault(f"malformed request: empty {name}")
    return text


def _page_size(payload: etree._Element) -> int:
    page_size = _int_field(payload, "pageSize", 20)
    if page_size < 1:
        raise client_fault("malformed request: pageSize must be at least 1")
    if page_size > PAGE_SIZE_LIMIT:
        raise client_fault(f"page size limit {PAGE_SIZE_LIMIT} exceeded ({page_size})")
    return page_size


def _criteria(payload: etree._Element) -> Criteria:
    statuses: set[str] = set()
    for el in payload.findall(tns("djzt")):
        code = (el.text or "").strip()
        if code not in _STATUS_BY_CODE:
            raise client_fault(f"malformed request: unknown djzt code {code!r}")
        statuses.add(_STATUS_BY_CODE[code])
    category = _text_field(payload, "ztlb")
    if category is not None and category not in _CATEGORY_BY_CODE:
        raise client_fault(f"malformed request: unknown ztlb code {category!r}")
    region = _text_field(payload, "xzqh")
    if region is not None and not _REGION_PREFIX.fullmatch(region):
        raise client_fault("malformed request: xzqh must be 2 to 12 digits")
    return Criteria(statuses=frozenset(statuses) if statuses else None,
                    category=None if category is None else _CATEGORY_BY_CODE[category],
                    region_prefix=region, name_contains=_text_field(payload, "qymc"))


def query_ent_by_condition(payload: etree._Element, store: EntityStore) -> etree._Element:
    criteria = _criteria(payload)
    page_size = _page_size(payload)
    result = store.select(criteria, after=_text_field(payload, "qsdm"), limit=page_size)
    response = etree.Element(tns("QueryEntByConditionResponse"))
    etree.SubElement(response, tns("total")).text = str(result.total)
    etree.SubElement(response, tns("pageSize")).text = str(page_size)
    etree.SubElement(response, tns("more")).text = "true" if result.more else "false"
    for record in result.records:
        response.append(_ent(record))
    return response


def dispatch(operation: str, payload: etree._Element, store: EntityStore) -> etree._Element:
    if operation == "QueryEntByCodes":
        return query_ent_by_codes(payload, store)
    if operation == "SearchEntByName":
        return search_ent_by_name(payload, store)
    if operation == "QueryEntByCondition":
        return query_ent_by_condition(payload, store)
    raise SoapFault("Client", f"unknown operation {operation}")
