"""The registry's two operations: QueryEntByCodes (batch by uscc) and SearchEntByName (paged)."""

from __future__ import annotations

import hmac

from lxml import etree

from simulators.legal_person.records import EntRecord, legacy_fields
from simulators.legal_person.soap import (
    PASSWORD_TEXT,
    Credentials,
    SoapFault,
    client_fault,
    tns,
)
from simulators.legal_person.store import EntityStore

#: At most this many codes per QueryEntByCodes call.
BATCH_LIMIT = 20
#: At most this many records per SearchEntByName page.
PAGE_SIZE_LIMIT = 50

OPERATIONS = ("QueryEntByCodes", "SearchEntByName")


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
    page_size = _int_field(payload, "pageSize", 20)
    if page < 1:
        raise client_fault("malformed request: page counts from 1")
    if page_size < 1:
        raise client_fault("malformed request: pageSize must be at least 1")
    if page_size > PAGE_SIZE_LIMIT:
        raise client_fault(f"page size limit {PAGE_SIZE_LIMIT} exceeded ({page_size})")
    result = store.search(fragment, page=page, page_size=page_size)
    response = etree.Element(tns("SearchEntByNameResponse"))
    etree.SubElement(response, tns("total")).text = str(result.total)
    etree.SubElement(response, tns("page")).text = str(page)
    etree.SubElement(response, tns("pageSize")).text = str(page_size)
    for record in result.records:
        response.append(_ent(record))
    return response


def dispatch(operation: str, payload: etree._Element, store: EntityStore) -> etree._Element:
    if operation == "QueryEntByCodes":
        return query_ent_by_codes(payload, store)
    if operation == "SearchEntByName":
        return search_ent_by_name(payload, store)
    raise SoapFault("Client", f"unknown operation {operation}")
