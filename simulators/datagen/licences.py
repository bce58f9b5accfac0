"""Administrative licences (行政许可) held by the entities and by some persons.

Written in the same pass as the entities (each entity is built once), but every licence draw comes
from the licences stream, so the entities file does not depend on how many licences are issued.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from domain import regions
from simulators.datagen.bodies import Body, find
from simulators.datagen.calendar import LONG_TERM, REFERENCE_DATE, add_years, random_date
from simulators.datagen.entities import Entity
from simulators.datagen.people import Person

# (rng, serial of this kind, county, issue date, holder code) -> certificate number
NumberFn = Callable[[random.Random, int, str, date, str], str]


@dataclass(frozen=True)
class LicenceKind:
    key: str
    certificate_name: str
    category: str  # 普通 / 特许 / 认可 / 核准 / 登记 / 其他
    domain: str
    level: str  # CITY | COUNTY: who issues it
    years: int | None  # None: long-term (valid_to 2099-12-31)
    contents: tuple[str, ...]
    number: NumberFn
    months: int | None = None


def _food_op(rng: random.Random, seq: int, county: str, _d: date, _h: str) -> str:
    return f"JY{rng.choice('12')}{county}{seq % 1_000_000:06d}{rng.randrange(10)}"


def _food_prod(rng: random.Random, seq: int, county: str, _d: date, _h: str) -> str:
    return f"SC{rng.choice(('101', '106', '114', '124', '131'))}{county}{seq % 100_000:05d}"


KINDS: dict[str, LicenceKind] = {k.key: k for k in (
    LicenceKind("FOOD_OPERATION", "食品经营许可证", "普通", "市场监管", "COUNTY", 5,
                ("预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售", "热食类食品制售；冷食类食品制售",
                 "保健食品销售", "散装食品（茶叶）销售"), _food_op),
    LicenceKind("FOOD_PRODUCTION", "食品生产许可证", "普通", "市场监管", "CITY", 5,
                ("糕点；饼干", "茶叶及相关制品", "调味品（酱腌菜）", "水果制品（蜜饯）"), _food_prod),
    LicenceKind("DRUG_OPERATION", "药品经营许可证", "普通", "市场监管", "CITY", 5,
                ("中成药、化学药制剂、抗生素制剂、生化药品、生物制品（除疫苗）",),
                lambda rng, seq, county, d, h: f"粤CB768{seq % 1_000_000:06d}"),
    LicenceKind("TOBACCO_RETAIL", "烟草专卖零售许可证", "特许", "烟草专卖", "CITY", 5, ("卷烟、雪茄烟零售",),
                lambda rng, seq, county, d, h: f"{county}{seq % 10_000_000:07d}"),
    LicenceKind("ROAD_TRANSPORT", "道路运输经营许可证", "普通", "交通运输", "COUNTY", 4,
                ("道路普通货物运输", "道路普通货物运输；货物专用运输（集装箱）"),
                lambda rng, seq, county, d, h: f"粤交运管许可潮字{county}{seq % 1_000_000:06d}号"),
    LicenceKind("NET_CULTURE", "网络文化经营许可证", "普通", "文化市场", "CITY", 3, ("互联网上网服务",),
                lambda rng, seq, county, d, h: f"粤网文〔{d.year}〕{seq % 1_000_000:06d}号"),
    LicenceKind("PUBLIC_HEALTH", "公共场所卫生许可证", "普通", "卫生健康", "COUNTY", 4, ("住宿", "住宿；公共浴室"),
                lambda rng, seq, county, d, h: f"粤卫公证字〔{d.year}〕第{county}-{seq % 1_000_000:06d}号"),
    LicenceKind("TRAVEL_AGENCY", "旅行社业务经营许可证", "普通", "文化市场", "CITY", None,
                ("国内旅游业务和入境旅游业务",), lambda rng, seq, county, d, h: f"L-GD-{seq % 1_000_000:06d}"),
    LicenceKind("HAZCHEM", "危险化学品经营许可证", "普通", "应急管理", "CITY", 3,
                ("危险化学品经营（不带储存设施）",),
                lambda rng, seq, county, d, h: f"粤潮危化经字〔{d.year}〕{seq % 1_000_000:06d}"),
    LicenceKind("PRINTING", "印刷经营许可证", "普通", "文化市场", "CITY", 6, ("包装装潢印刷品印刷；其他印刷品印刷",),
                lambda rng, seq, county, d, h: f"（粤）印证字{county}{seq % 1_000_000:06d}号"),
    LicenceKind("POLLUTANT_DISCHARGE", "排污许可证", "普通", "生态环境", "CITY", 5,
                ("行业类别：日用陶瓷制品制造；排放污染物：颗粒物、二氧化硫、氮氧化物",
                 "行业类别：金属制日用品制造；排放污染物：化学需氧量、氨氮"),
                lambda rng, seq, county, d, h: f"{h}{seq % 1000:03d}P"),
    # natural-person holders
    LicenceKind("FOOD_STALL", "食品摊贩登记卡", "登记", "市场监管", "COUNTY", 3, ("熟食制售", "水果、蔬菜零售"),
                lambda rng, seq, county, d, h: f"粤食摊{county}{seq % 1_000_000:06d}"),
    LicenceKind("FISHING", "渔业捕捞许可证", "普通", "农业", "COUNTY", 5, ("作业类型：刺网；作业场所：C2",),
                lambda rng, seq, county, d, h: f"（粤潮）船捕（{d.year}）FB-{seq % 1_000_000:06d}号"),
    LicenceKind("ROAD_OCCUPATION", "城市道路临时占用许可决定书", "普通", "城市管理", "COUNTY", None,
                ("临时占用城市道路堆放建筑材料", "临时占用城市道路设置宣传点"),
                lambda rng, seq, county, d, h: f"潮占道许〔{d.year}〕{seq % 1_000_000:06d}号", months=6),
)}
PERSON_KINDS: tuple[str, ...] = ("FOOD_STALL", "FISHING", "ROAD_OCCUPATION")
PERSON_SHARE = 0.025  # licences held by natural persons, per person
_ISSUE_PROBABILITY = 0.85


class LicenceIssuer:
    """Issues licences in order; numbers decision documents per authority and year."""

    def __init__(self, rng: random.Random, bodies: tuple[Body, ...]) -> None:
        self._rng = rng
        self._bodies = bodies
        self._authorities: dict[tuple[str, str], Body] = {}
        self._doc_counters: dict[tuple[str, int], int] = {}
        self._serials: dict[str, int] = {}
        self.issued = 0

    def _authority(self, kind: LicenceKind, county: str) -> Body:
        region = regions.CHAOZHOU_CITY if kind.level == "CITY" else county
        key = (kind.domain, region)
        if key not in self._authorities:
            self._authorities[key] = find(self._bodies, kind.domain, region)
        return self._authorities[key]

    def _valid_to(self, kind: LicenceKind, start: date) -> date:
        if kind.months:
            return start + timedelta(days=30 * kind.months - 1)
        if kind.years is None:
            return LONG_TERM
        return add_years(start, kind.years) - timedelta(days=1)

    def _one(self, kind: LicenceKind, county: str, issue: date, holder: Mapping[str, object], holder_code: str,
             ended: bool) -> dict[str, object]:
        rng = self._rng
        self.issued += 1
        self._serials[kind.key] = serial = self._serials.get(kind.key, 0) + 1
        authority = self._authority(kind, county)
        doc_key = (authority.uscc, issue.year)
        self._doc_counters[doc_key] = self._doc_counters.get(doc_key, 0) + 1
        valid_to = self._valid_to(kind, issue)
        if ended or rng.random() < 0.015:
            status = "EXPIRED" if valid_to < REFERENCE_DATE else "REVOKED"
        else:
            status = "EXPIRED" if valid_to < REFERENCE_DATE else "VALID"
        return {
            "id": f"LIC-{self.issued:08d}",
            **holder,
            "licence_category": kind.category,
            "certificate_name": kind.certificate_name,
            "certificate_no": kind.number(rng, serial, county, issue, holder_code),
            "content": rng.choice(kind.contents),
            "decision_doc_no": f"{authority.short_name}许〔{issue.year}〕{self._doc_counters[doc_key]}号",
            "decision_date": issue.isoformat(),
            "valid_from": issue.isoformat(),
            "valid_to": valid_to.isoformat(),
            "issuing_authority": authority.name,
            "issuing_authority_uscc": authority.uscc,
            "status": status,
        }

    def for_entity(self, entity: Entity) -> list[dict[str, object]]:
        """The licences of one entity (none for entities registered outside the city)."""
        if not entity.in_city:
            return []
        rng = self._rng
        holder = {"holder_kind": "ENTITY", "holder_id_type": None, "holder_id_number": None,
                  "holder_uscc": entity.uscc, "holder_name": entity.name}
        ended = entity.status != "存续"
        rows: list[dict[str, object]] = []
        for key in entity.industry.licences:
            if rng.random() >= _ISSUE_PROBABILITY:
                continue
            kind = KINDS[key]
            earliest = max(entity.established, REFERENCE_DATE - timedelta(days=8 * 365))
            issue = random_date(rng, earliest, REFERENCE_DATE - timedelta(days=1))
            row = self._one(kind, entity.region_code, issue, holder, entity.uscc, ended)
            rows.append(row)
            if row["status"] == "EXPIRED" and not ended and rng.random() < 0.7:  # renewed after expiry
                renewed = date.fromisoformat(str(row["valid_to"])) + timedelta(days=rng.randint(1, 60))
                if renewed < REFERENCE_DATE:
                    rows.append(self._one(kind, entity.region_code, renewed, holder, entity.uscc, False))
        return rows

    def for_person(self, person: Person) -> dict[str, object]:
        """One licence held by a natural person living in the city."""
        rng = self._rng
        kind = KINDS[rng.choice(PERSON_KINDS)]
        holder = {"holder_kind": "PERSON", "holder_id_type": "RESIDENT_ID", "holder_id_number": person.id_number,
                  "holder_uscc": None, "holder_name": person.name}
        county = person.region_code if person.region_code in regions.CHAOZHOU_COUNTIES \
            else rng.choice(regions.CHAOZHOU_COUNTIES)
        issue = random_date(rng, REFERENCE_DATE - timedelta(days=6 * 365), REFERENCE_DATE - timedelta(days=1))
        return self._one(kind, county, issue, holder, person.id_number, False)
