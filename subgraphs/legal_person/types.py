"""Graph type of the legal-person subgraph: `LegalEntity`, keyed by `uscc` (public, S0)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from adapters.legal_entities import RegisteredEntity
from domain import entities
from domain.sm import normalise_id_number
from subgraphs.common.directives import Sensitive
from subgraphs.common.errors import from_source_error
from subgraphs.common.references import PersonRef
from subgraphs.common.types import GraphIdType
from subgraphs.legal_person.context import LegalPersonContext
from subgraphs.legal_person.vocabulary import EntityRegistrationStatus, RegistrationStatus


@strawberry.federation.type(
    keys=["uscc"],
    description="法人 / 市场主体 (legal entity): a registered legal person, unincorporated organisation or 个体工商户, "
                "keyed by its 统一社会信用代码 (DOMAIN.md §4.2).")
class LegalEntity:
    uscc: str = strawberry.field(
        description="统一社会信用代码 (unified social credit code, GB 32100): the entity's 18-character public key")
    name: str = strawberry.field(description="名称 (registered name)")
    entity_category: str = strawberry.field(
        description="行政相对人类别 (subject category): 法人及非法人组织 (organisation) / 个体工商户 (individual business)")
    org_form: str | None = strawberry.field(description="组织形式 / 企业类型 (organisational form), e.g. 有限责任公司")
    legal_rep_name: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="NAME")],
        description="法定代表人(负责人、经营者)姓名 (name of the legal representative, principal or operator); "
                    "personal information, masked")
    legal_rep_id_type: GraphIdType | None = strawberry.field(
        description="法定代表人证件类型 (ID document type of the legal representative)")
    legal_rep_id_number: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="ID18")],
        description="法定代表人证件号码 (ID number of the legal representative); sensitive, masked")
    legal_representative: PersonRef | None = strawberry.field(
        description="法定代表人 (legal representative) as a person of the population subgraph, referenced by the "
                    "hash of the ID number, never the number itself")
    reg_authority: str | None = strawberry.field(description="登记机关 (registration authority)")
    reg_no: str | None = strawberry.field(description="工商注册号 (legacy 15-digit business registration number)")
    org_code: str | None = strawberry.field(description="组织机构代码 (legacy 9-character organisation code, GB 11714)")
    established_date: date | None = strawberry.field(description="成立日期 (date of establishment)")
    status: str = strawberry.field(
        description="登记状态 (registration status) as the registry writes it: 存续 / 吊销 / 注销 / 迁出; see "
                    "registrationStatus for the status as an enum with its date")
    registration_status: RegistrationStatus = strawberry.field(
        description="登记状态及日期 (registration status with the day it took effect)")
    registered_address: str | None = strawberry.field(
        description="住所 (registered address); a 个体工商户's is the operator's, so it needs the registry scope")
    operating_address: str | None = strawberry.field(description="经营场所 (place of business)")
    business_scope: str | None = strawberry.field(description="经营范围 (business scope)")
    region_code: str | None = strawberry.field(description="行政区划 (administrative division code, GB/T 2260)")
    data_source: str = strawberry.field(description="数据来源 (source system the record was read from)")
    fetched_at: datetime = strawberry.field(description="读取时间 (when the hub read the record from its source)")

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
            registration_status=RegistrationStatus(
                status=EntityRegistrationStatus.of(entity.status),
                since_date=entity.status_since if isinstance(entity, RegisteredEntity) else None,
                since_error=entity.status_since_error if isinstance(entity, RegisteredEntity) else None),
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
