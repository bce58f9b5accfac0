"""Graph type of the population subgraph: `Person`, keyed by `idType idNumberHash` (never the number)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import SourceError
from domain import entities
from subgraphs.common.directives import Sensitive
from subgraphs.common.errors import from_source_error
from subgraphs.common.types import GraphIdType
from subgraphs.population.context import PopulationContext

MINOR_AGE = 14


def age_band(age: int) -> str:
    """A coarse age: minors by the legal thresholds (0-13, 14-17), adults by decade (18-29, 30-39, ...)."""
    if age < MINOR_AGE:
        return "0-13"
    if age < 18:
        return "14-17"
    if age < 30:
        return "18-29"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


@strawberry.federation.type(
    keys=["idType idNumberHash"],
    description="自然人 — a natural person as the population system (人口库) knows them (DOMAIN.md §4.1).",
)
class Person:
    id_type: GraphIdType = strawberry.field(description="证件类型 — kind of identity document")
    id_number_hash: str = strawberry.field(
        description="证件号码摘要 — HMAC-SM3 of idType‖idNumber: the join key (never the number itself)")
    id_number: str = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="ID18")], description="证件号码 (never a key)")
    name: str = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="NAME")], description="姓名 — the person's name; masked in lists")
    # The parts an ID number is built from (region, birth date, sex) and what narrows them (age,
    # ethnicity) are governed with the number itself (S3): a caller who may not read the number reads
    # none of them, only `ageBand` and the region's city, so the masked number cannot be rebuilt.
    gender: str = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="HIDDEN")],
        description="性别 — sex as the GB/T 2261.1 code: 1 男 (male), 2 女 (female), 0 未知 (unknown)")
    birth_date: date | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="WITHHELD")],
        description="出生日期 — date of birth; null unless the number may be read")
    age: int | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="WITHHELD")],
        description="年龄 — age in whole years today; null unless the number may be read")
    age_band: str = strawberry.field(description="年龄段, ten years wide (\"30-39\"); 0-13 and 14-17 for minors")
    is_minor_under14: bool | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="WITHHELD")],
        description="未满十四周岁 (PIPL Art. 28: sensitive); null unless the number may be read")
    ethnicity: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="HIDDEN")],
        description="民族 — ethnic group as the GB/T 3304 code; sensitive (it may reveal religion)")
    nationality: str = strawberry.field(description="国籍 — nationality as the ISO 3166 alpha-3 code")
    household_address: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="ADDRESS")],
        description="户籍地址 — address of the household register (户口); masked")
    residence_address: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="ADDRESS")],
        description="居住地址 — where the person lives; sensitive (a location), masked")
    region_code: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="REGION")],
        description="行政区划 — GB/T 2260 code of the household register; only its city unless the number may "
                    "be read")
    mobile: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="MOBILE")], description="联系电话 — mobile number; masked 138****5678")
    death_flag: bool = strawberry.field(description="死亡标识 — true when the register records the person as dead")
    data_source: str = strawberry.field(description="数据来源单位 — source system the record was read from")
    fetched_at: datetime = strawberry.field(description="读取时间 — when the hub read the record from its source")

    @classmethod
    def from_domain(cls, person: entities.Person, id_number_hash: str, today: date) -> Person:
        age = person.age_on(today)
        return cls(
            id_type=person.id_type,
            id_number_hash=id_number_hash,
            id_number=person.id_number,
            name=person.name,
            gender=person.gender.value,
            birth_date=person.birth_date,
            age=age,
            age_band=age_band(age),
            is_minor_under14=age < MINOR_AGE,
            ethnicity=person.ethnicity,
            nationality=person.nationality,
            household_address=person.household_address,
            residence_address=person.residence_address,
            region_code=person.region_code,
            mobile=person.mobile,
            death_flag=person.death_flag,
            data_source=person.provenance.data_source,
            fetched_at=person.provenance.fetched_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[PopulationContext, None], **representation: Any) -> Person | None:
        """FEDERATION_NOTE: `_entities` resolves each representation through one batched loader; an
        unknown hash is null, a failed source or malformed record is an error for this entity only."""
        ctx = info.context
        digest = representation.get("idNumberHash")
        if not isinstance(digest, str):
            return None
        try:
            found = await ctx.by_hash.load(digest)
        except SourceError as exc:
            raise from_source_error(exc) from exc
        if found is None:
            return None
        person, digest = found
        if str(representation.get("idType", person.id_type.value)) != person.id_type.value:
            return None
        return cls.from_domain(person, digest, ctx.today)
