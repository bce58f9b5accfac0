"""Graph types of the licence subgraph: `Licence`, and the `licences` it adds to Person and LegalEntity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import MalformedRecord, SourceError
from domain import entities
from domain.sm import normalise_id_number
from subgraphs.common.clock import today_in_china
from subgraphs.common.directives import Sensitive
from subgraphs.common.errors import from_source_error
from subgraphs.common.types import GraphIdType
from subgraphs.licence.context import HolderLicences, LicenceContext


async def person_licences(root: Person, info: Info[LicenceContext, None]) -> list[Licence]:
    ctx = info.context
    try:
        rows = await ctx.by_person_hash.load(root.id_number_hash)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    return _usable(rows, ctx)


async def entity_licences(root: LegalEntity, info: Info[LicenceContext, None]) -> list[Licence]:
    ctx = info.context
    try:
        rows = await ctx.by_holder.load(root.uscc.strip().upper())
    except SourceError as exc:
        raise from_source_error(exc) from exc
    return _usable(rows, ctx)


@strawberry.federation.type(keys=["idType idNumberHash"], description="A natural person (home: population).")
class Person:
    id_type: GraphIdType
    id_number_hash: str
    licences: list[Licence] = strawberry.field(
        resolver=person_licences, description="Licences held by this person (行政许可 of a natural person).")

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Person:
        return cls(id_type=representation["idType"], id_number_hash=str(representation["idNumberHash"]))


@strawberry.federation.type(keys=["uscc"], description="A legal entity (home: legal_person).")
class LegalEntity:
    uscc: str
    licences: list[Licence] = strawberry.field(resolver=entity_licences, description="Licences held by this entity.")

    @classmethod
    def resolve_reference(cls, uscc: str) -> LegalEntity:
        return cls(uscc=uscc)


@strawberry.federation.type(keys=["id"], description="An administrative licence (行政许可, DOMAIN.md §4.3).")
class Licence:
    id: strawberry.ID
    holder_kind: str = strawberry.field(description="PERSON or ENTITY")
    holder_name: str = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="NAME")],
        description="行政相对人名称 (a natural person's name when holderKind is PERSON)")
    holder_entity_name: str | None = strawberry.field(
        description="行政相对人名称 of an organisation holder, public like its credit code (双公示); null for a "
                    "natural person or a 个体工商户, whose name may be the operator's own (use holderName)")
    holder_uscc: str | None
    holder_id_type: GraphIdType | None
    holder_id_number: str | None = strawberry.federation.field(directives=[Sensitive(level="S3", mask="ID18")])
    holder_person: Person | None = strawberry.field(description="the holder in the population subgraph, by hash")
    holder_entity: LegalEntity | None = strawberry.field(description="the holder in the legal-person subgraph")
    licence_category: str | None
    certificate_name: str
    certificate_no: str
    content: str | None
    decision_doc_no: str | None
    decision_date: date | None
    valid_from: date | None
    valid_to: date | None
    is_long_term: bool = strawberry.field(description="有效期至 2099-12-31 (长期)")
    issuing_authority: str | None
    issuing_authority_uscc: str | None
    status: str = strawberry.field(
        description="状态 as of today: VALID / EXPIRED / REVOKED — a VALID licence whose validTo has passed reads "
                    "EXPIRED (the licensing system's own value is sourceStatus)")
    source_status: str = strawberry.field(description="状态 as the licensing system records it (it may lag the dates)")
    data_source: str
    fetched_at: datetime

    @classmethod
    def from_domain(cls, lic: entities.Licence, holder_hashes: dict[str, str]) -> Licence:
        person: Person | None = None
        if lic.holder_id_type is not None and lic.holder_id_number:
            digest = holder_hashes.get(normalise_id_number(lic.holder_id_number))
            if digest is not None:
                person = Person(id_type=lic.holder_id_type, id_number_hash=digest)
        return cls(
            id=strawberry.ID(lic.id), holder_kind=lic.holder_kind.value, holder_name=lic.holder_name,
            holder_entity_name=lic.holder_name if _public_holder(lic) else None,
            holder_uscc=lic.holder_uscc, holder_id_type=lic.holder_id_type, holder_id_number=lic.holder_id_number,
            holder_person=person, holder_entity=LegalEntity(uscc=lic.holder_uscc) if lic.holder_uscc else None,
            licence_category=lic.licence_category, certificate_name=lic.certificate_name,
            certificate_no=lic.certificate_no, content=lic.content, decision_doc_no=lic.decision_doc_no,
            decision_date=lic.decision_date, valid_from=lic.valid_from, valid_to=lic.valid_to,
            is_long_term=lic.is_long_term, issuing_authority=lic.issuing_authority,
            issuing_authority_uscc=lic.issuing_authority_uscc, status=status_on(lic, today_in_china()).value,
            source_status=lic.status.value,
            data_source=lic.provenance.data_source, fetched_at=lic.provenance.fetched_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[LicenceContext, None], id: strawberry.ID) -> Licence | None:
        ctx = info.context
        try:
            found = await ctx.by_id.load(str(id))
        except SourceError as exc:
            raise from_source_error(exc) from exc
        return None if found is None else cls.from_domain(found, ctx.holder_hashes)


def _usable(rows: HolderLicences | None, ctx: LicenceContext) -> list[Licence]:
    """A holder's licences; malformed rows are left out (the adapter logged them, masked)."""
    return [Licence.from_domain(r, ctx.holder_hashes) for r in rows or [] if not isinstance(r, MalformedRecord)]


def status_on(lic: entities.Licence, day: date) -> entities.LicenceStatus:
    """The licence's status on `day`: the source's, except that a VALID licence past its validTo has expired
    (a long-term licence, 有效期至 2099-12-31, does not)."""
    if lic.status is entities.LicenceStatus.VALID and lic.valid_to is not None and not lic.is_long_term \
            and lic.valid_to < day:
        return entities.LicenceStatus.EXPIRED
    return lic.status


def _public_holder(lic: entities.Licence) -> bool:
    """An organisation holder whose name is public: it has a credit code that is not a 个体工商户's
    (GB 32100: registration authority 9 = market regulation, category 2 = individual business)."""
    return (lic.holder_kind is entities.HolderKind.ENTITY and bool(lic.holder_uscc)
            and not str(lic.holder_uscc).startswith("92"))
