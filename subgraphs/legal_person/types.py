"""Graph type of the legal-person subgraph: `LegalEntity`, keyed by `uscc` (public, S0)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from domain import entities
from domain.sm import normalise_id_number
from subgraphs.common.directives import Sensitive
from subgraphs.common.errors import from_source_error
from subgraphs.common.references import PersonRef
from subgraphs.common.types import GraphIdType
from subgraphs.legal_person.context import LegalPersonContext


@strawberry.federation.type(keys=["uscc"], description="A registered legal person or 个体工商户 (DOMAIN.md §4.2).")
class LegalEntity:
    uscc: str
    name: str
    entity_category: str = strawberry.field(description="行政相对人类别: 法人及非法人组织 / 个体工商户")
    org_form: str | None
    legal_rep_name: str | None = strawberry.federation.field(directives=[Sensitive(level="S2", mask="NAME")])
    legal_rep_id_type: GraphIdType | None
    legal_rep_id_number: str | None = strawberry.federation.field(directives=[Sensitive(level="S3", mask="ID18")])
    legal_representative: PersonRef | None = strawberry.field(
        description="the legal representative in the population subgraph (a reference by hash)")
    reg_authority: str | None
    reg_no: str | None
    org_code: str | None
    established_date: date | None
    status: str = strawberry.field(description="登记状态: 存续 / 吊销 / 注销 / 迁出")
    registered_address: str | None
    operating_address: str | None
    business_scope: str | None
    region_code: str | None
    data_source: str
    fetched_at: datetime

    @classmethod
    def from_domain(cls, entity: entities.LegalEntity, rep_hashes: dict[str, str]) -> LegalEntity:
        rep: PersonRef | None = None
        if entity.legal_rep_id_type is not None and entity.legal_rep_id_number:
            digest = rep_hashes.get(normalise_id_number(entity.legal_rep_id_number))
            if digest is not None:
                rep = PersonRef(id_type=entity.legal_rep_id_type, id_number_hash=digest)
        return cls(
            uscc=entity.uscc, name=entity.name, entity_category=entity.entity_category, org_form=entity.org_form,
            legal_rep_name=entity.legal_rep_name, legal_rep_id_type=entity.legal_rep_id_type,
            legal_rep_id_number=entity.legal_rep_id_number, legal_representative=rep,
            reg_authority=entity.reg_authority, reg_no=entity.reg_no, org_code=entity.org_code,
            established_date=entity.established_date, status=entity.status.value,
            registered_address=entity.registered_address, operating_address=entity.operating_address,
            business_scope=entity.business_scope, region_code=entity.region_code,
            data_source=entity.provenance.data_source, fetched_at=entity.provenance.fetched_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[LegalPersonContext, None], uscc: str) -> LegalEntity | None:
        ctx = info.context
        try:
            found = await ctx.by_uscc.load(uscc.strip().upper())
        except SourceError as exc:
            raise from_source_error(exc) from exc
        return None if found is None else cls.from_domain(found, ctx.rep_hashes)
