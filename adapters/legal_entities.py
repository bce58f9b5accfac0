"""Turn a mapped legal-entity record (from any registry) into a validated `LegalEntity`.

Shared by the city registry (SOAP) and the national registry (REST): both map their legacy record
through a declarative mapping first; this module validates what came out — the USCC's GB 32100
check character, the legal representative's ID number when it is a resident ID — and reports a
`MalformedRecord` keyed by the USCC (public) for that record only.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from adapters.errors import MalformedRecord
from adapters.mapping import Mapping
from domain.entities import EntityStatus, IdType, LegalEntity, Provenance
from domain.identifiers import validate_resident_id, validate_uscc

log = logging.getLogger("adapters.legal_entities")


def to_legal_entity(
    mapping: Mapping, record: dict[str, Any], *, fetched_at: datetime, data_source: str, requested: str | None = None,
) -> LegalEntity | MalformedRecord:
    values, problems = mapping.apply(record)
    uscc = values.get("uscc")
    key = requested or (uscc if isinstance(uscc, str) else "(no USCC)")
    if isinstance(uscc, str):
        uscc = uscc.strip().upper()
        problems.extend(f"{mapping.column('uscc')}: {p.code.value}" for p in validate_uscc(uscc).errors)
        if requested is not None and uscc != requested:
            problems.append(f"{mapping.column('uscc')}: answered for another code than the one asked for")
    rep_type = values.get("legal_rep_id_type")
    rep_number = values.get("legal_rep_id_number")
    if isinstance(rep_number, str):
        rep_number = rep_number.strip().upper()
        if rep_type in (None, IdType.RESIDENT_ID.value):
            rep_type = IdType.RESIDENT_ID.value
            check = validate_resident_id(rep_number, today=fetched_at.date())
            problems.extend(f"{mapping.column('legal_rep_id_number')}: {p.code.value}" for p in check.errors)
    if problems:
        log.warning("%s: malformed record %s: %s", mapping.source, key, "; ".join(problems))
        return MalformedRecord(mapping.source, key, problems)
    assert isinstance(uscc, str)
    established = values.get("established_date")
    return LegalEntity(
        uscc=uscc,
        name=values["name"],
        entity_category=values["entity_category"],
        org_form=values.get("org_form"),
        legal_rep_name=values.get("legal_rep_name"),
        legal_rep_id_type=IdType(rep_type) if isinstance(rep_number, str) and rep_type else None,
        legal_rep_id_number=rep_number if isinstance(rep_number, str) else None,
        reg_authority=values.get("reg_authority"),
        reg_no=values.get("reg_no"),
        org_code=values.get("org_code"),
        established_date=established if isinstance(established, date) else None,
        status=EntityStatus(values["status"]),
        registered_address=values.get("registered_address"),
        operating_address=values.get("operating_address"),
        business_scope=values.get("business_scope"),
        region_code=values.get("region_code"),
        provenance=Provenance(data_source=data_source, fetched_at=fetched_at),
    )
