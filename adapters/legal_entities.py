"""Turn a mapped legal-entity record (from any registry) into a validated `LegalEntity`.

Shared by the city registry (SOAP) and the national registry (REST): both map their legacy record
through a declarative mapping first; this module validates what came out — the USCC's GB 32100
check character, the legal representative's ID number when it is a resident ID — and reports a
`MalformedRecord` keyed by the USCC (public) for that record only.

The date the registration status took effect is picked by the mapping's `status_dates` table (status
-> mapped field). A malformed status date does not make the record unusable: the entity is served
without it, and the problem, logged, travels as `RegisteredEntity.status_since_error` (a
`MalformedRecord` naming the column) so the graph reports it on that field alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from adapters.errors import MalformedRecord, MappingError
from adapters.mapping import Mapping
from domain.entities import EntityStatus, IdType, LegalEntity, Provenance
from domain.identifiers import validate_resident_id, validate_uscc

log = logging.getLogger("adapters.legal_entities")


@dataclass(frozen=True, slots=True)
class RegisteredEntity(LegalEntity):
    """A `LegalEntity` with the date its registration status took effect, as a registry records it."""

    status_since: date | None = None
    status_since_error: MalformedRecord | None = None


def check_status_dates(mapping: Mapping) -> None:
    """The `status_dates` table, if any, names statuses and mapped date fields (checked at start-up)."""
    table = mapping.options.get("status_dates", {})
    if not isinstance(table, dict):
        raise MappingError(f"{mapping.source}: status_dates must be a table of status -> field")
    known = {rule.name for rule in mapping.fields if rule.type == "date"}
    for status, field in table.items():
        if status not in {s.value for s in EntityStatus}:
            raise MappingError(f"{mapping.source}: status_dates: unknown status {status!r}")
        if field not in known:
            raise MappingError(f"{mapping.source}: status_dates.{status}: {field!r} is not a mapped date field")


def to_legal_entity(
    mapping: Mapping, record: dict[str, Any], *, fetched_at: datetime, data_source: str, requested: str | None = None,
) -> LegalEntity | MalformedRecord:
    field_problems: dict[str, str] = {}
    values, problems = mapping.apply(record, field_problems=field_problems)
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
    status = EntityStatus(values["status"])
    since, since_error = _status_since(mapping, status, values, field_problems, uscc)
    return RegisteredEntity(
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
        status=status,
        registered_address=values.get("registered_address"),
        operating_address=values.get("operating_address"),
        business_scope=values.get("business_scope"),
        region_code=values.get("region_code"),
        provenance=Provenance(data_source=data_source, fetched_at=fetched_at),
        status_since=since,
        status_since_error=since_error,
    )


def _status_since(mapping: Mapping, status: EntityStatus, values: dict[str, Any], field_problems: dict[str, str],
                  uscc: str) -> tuple[date | None, MalformedRecord | None]:
    table = mapping.options.get("status_dates")
    field = table.get(status.value) if isinstance(table, dict) else None
    if not isinstance(field, str):
        return None, None
    problem = field_problems.get(field)
    if problem is not None:
        log.warning("%s: record %s: status date left out: %s", mapping.source, uscc, problem)
        return None, MalformedRecord(mapping.source, uscc, [problem])
    value = values.get(field)
    return (value if isinstance(value, date) else None), None
