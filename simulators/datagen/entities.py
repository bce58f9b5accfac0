"""Market entities (companies, sole proprietorships, partnerships, cooperatives, 个体工商户).

Entity j is a pure function of (seed, j): licences.jsonl rebuilds the entities it needs without
reading entities.jsonl. USCCs are unique by construction: the nine-character organisation code
comes from a keyed permutation of j (digits for entities registered before 三证合一 in October
2015, "MA" + six characters after). The legal representative (operator of a 个体工商户) is a
person of persons.jsonl, drawn from a stream of its own. `status_date` is the day the registration
status took effect: the establishment (核准) date while 存续, the 吊销/注销 date otherwise; it is the
row's last draw, so adding it changed no other field of any entity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from domain import identifiers, regions
from simulators.datagen import addresses, names
from simulators.datagen.bodies import Body, find
from simulators.datagen.calendar import REFERENCE_DATE
from simulators.datagen.people import People, Person
from simulators.datagen.rng import Permutation, Rng, derive_seed, row_seed

INDIVIDUAL = "个体工商户"
ORGANISATION = "法人及非法人组织"
USCC_REFORM = date(2015, 10, 1)


@dataclass(frozen=True)
class Industry:
    key: str
    company_word: str
    shop_words: tuple[str, ...]
    scope: str
    licences: tuple[str, ...]
    weight: int
    individual: bool = True


INDUSTRIES: tuple[Industry, ...] = (
    Industry("catering", "餐饮管理", ("餐饮店", "小吃店", "粿条店", "牛肉火锅店", "砂锅粥店"),
             "餐饮服务；食品销售", ("FOOD_OPERATION",), 14),
    Industry("grocery", "商贸", ("便利店", "商店", "副食店", "商行"),
             "食品销售；日用百货销售；烟草制品零售", ("FOOD_OPERATION", "TOBACCO_RETAIL"), 18),
    Industry("pharmacy", "医药", ("大药房", "药店"),
             "药品零售；第二类医疗器械销售；保健食品销售", ("DRUG_OPERATION", "FOOD_OPERATION"), 4),
    Industry("food_processing", "食品", ("食品厂", "腐乳作坊"),
             "食品生产；食品销售；农副产品收购", ("FOOD_PRODUCTION",), 6),
    Industry("tea", "茶业", ("茶行", "茶庄"), "茶叶种植、加工、销售；食品销售", ("FOOD_OPERATION",), 5),
    Industry("ceramics", "陶瓷", ("陶瓷经营部", "陶瓷商行"),
             "日用陶瓷制品制造；卫生陶瓷制品制造；陶瓷制品销售", ("POLLUTANT_DISCHARGE",), 9),
    Industry("wedding_dress", "服饰", ("婚纱礼服店", "服装店"), "婚纱礼服、晚礼服设计、制造、销售", (), 5),
    Industry("stainless", "不锈钢制品", ("不锈钢制品厂", "五金加工店"),
             "不锈钢制品制造；厨具卫具及日用杂品销售", ("POLLUTANT_DISCHARGE",), 4),
    Industry("logistics", "物流", ("货运部", "运输部"), "道路普通货物运输；仓储服务；装卸搬运",
             ("ROAD_TRANSPORT",), 5),
    Industry("internet_cafe", "网络科技", ("网吧", "网咖"), "互联网上网服务", ("NET_CULTURE",), 1),
    Industry("hotel", "酒店管理", ("旅馆", "宾馆"), "住宿服务；餐饮服务", ("PUBLIC_HEALTH", "FOOD_OPERATION"), 3),
    Industry("travel", "国际旅行社", (), "旅行社服务网点旅游招徕、咨询服务", ("TRAVEL_AGENCY",), 1, individual=False),
    Industry("chemicals", "化工", (), "化工产品销售（不含许可类化工产品）；危险化学品经营",
             ("HAZCHEM",), 2, individual=False),
    Industry("hardware", "建材", ("五金建材店", "建材商行"), "五金产品零售；建筑材料销售", (), 7),
    Industry("ecommerce", "电子商务", ("网店",), "互联网销售（除销售需要许可的商品）", (), 6),
    Industry("printing", "印刷", ("印刷店",), "包装装潢印刷品印刷；其他印刷品印刷", ("PRINTING",), 2),
    Industry("beauty", "美容美发", ("理发店", "美容店"), "理发服务；生活美容服务", (), 4),
)
AGRICULTURE = Industry("agriculture", "种养", (), "蔬菜、水果、茶叶种植；家禽饲养；农产品初加工",
                       (), 0, individual=False)
_CROPS = ("蔬菜种植", "茶叶", "水果种植", "家禽养殖", "单丛茶")

# (org form, category, weight)
_FORMS: tuple[tuple[str, str, int], ...] = (
    ("INDIVIDUAL", INDIVIDUAL, 55),
    ("LLC", ORGANISATION, 33),
    ("JSC", ORGANISATION, 2),
    ("SOLE", ORGANISATION, 4),
    ("PARTNERSHIP", ORGANISATION, 3),
    ("COOP", ORGANISATION, 3),
)
_FORM_CUM = tuple(accumulate(w for _, _, w in _FORMS))
_IND_ALL = INDUSTRIES
_IND_ALL_CUM = tuple(accumulate(i.weight for i in _IND_ALL))
_IND_INDIVIDUAL = tuple(i for i in INDUSTRIES if i.individual)
_IND_INDIVIDUAL_CUM = tuple(accumulate(i.weight for i in _IND_INDIVIDUAL))
_COUNTY_CUM = (40, 75, 100)  # 湘桥 / 潮安 / 饶平


def reg_no_check(body14: str) -> str:
    """ISO 7064 MOD 11,10 check digit of a 15-digit registration number (工商注册号)."""
    product = 10
    for c in body14:
        total = (product + int(c)) % 10 or 10
        product = (total * 2) % 11
    return str((11 - product) % 10)


@dataclass(frozen=True)
class Entity:
    index: int
    uscc: str
    name: str
    category: str
    form: str
    org_form: str
    industry: Industry
    region_code: str
    in_city: bool
    status: str
    established: date
    reg_authority: str
    reg_no: str
    org_code: str
    registered_address: str
    operating_address: str
    status_date: date

    @property
    def individual(self) -> bool:
        return self.category == INDIVIDUAL

    def row(self, legal_rep: Person) -> dict[str, object]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "entity_category": self.category,
            "org_form": self.org_form,
            "legal_rep_name": legal_rep.name,
            "legal_rep_id_type": "RESIDENT_ID",
            "legal_rep_id_number": legal_rep.id_number,
            "reg_authority": self.reg_authority,
            "reg_no": self.reg_no,
            "org_code": self.org_code,
            "established_date": self.established.isoformat(),
            "status": self.status,
            "status_date": self.status_date.isoformat(),
            "registered_address": self.registered_address,
            "operating_address": self.operating_address,
            "business_scope": self.industry.scope,
            "region_code": self.region_code,
            "in_city": self.in_city,
        }


class Entities:
    """The market entities of one data set; `entity(j)` and `legal_rep(j)` are pure functions."""

    def __init__(self, seed: int, count: int, people: People, bodies: tuple[Body, ...]) -> None:
        self.count = count
        self._people = people
        self._bodies = bodies
        self._new_codes = Permutation(31**6, derive_seed(seed, "entities", "ma-codes"))
        self._old_codes = Permutation(10**8, derive_seed(seed, "entities", "old-codes"))
        self._base = derive_seed(seed, "entities", "rows")
        self._rep_base = derive_seed(seed, "entities", "legal-reps")
        self._rng = Rng()
        self._rep_rng = Rng()
        self._market_bodies = {code: find(bodies, "市场监管", code)
                               for code in (regions.CHAOZHOU_CITY, *regions.CHAOZHOU_COUNTIES)}

    def legal_rep(self, index: int) -> Person:
        self._rep_rng.seed(row_seed(self._rep_base, index))
        return self._people.adult(self._rep_rng, 18, 80)

    def _org_code(self, index: int, established: date) -> str:
        if established < USCC_REFORM:
            body8 = f"{self._old_codes(index):08d}"
        else:
            value = self._new_codes(index)
            chars = []
            for _ in range(6):
                value, digit = divmod(value, 31)
                chars.append(identifiers.USCC_CHARSET[digit])
            body8 = "MA" + "".join(chars)
        return identifiers.build_org_code(body8)

    def entity(self, index: int) -> Entity:
        if not 0 <= index < self.count:
            raise IndexError(index)
        rng = self._rng
        rng.seed(row_seed(self._base, index))
        form, category, _ = rng.choices(_FORMS, cum_weights=_FORM_CUM)[0]
        if form == "COOP":
            industry = AGRICULTURE
        elif form == "INDIVIDUAL":
            industry = rng.choices(_IND_INDIVIDUAL, cum_weights=_IND_INDIVIDUAL_CUM)[0]
        else:
            industry = rng.choices(_IND_ALL, cum_weights=_IND_ALL_CUM)[0]
        out_share = {"LLC": 0.15, "JSC": 0.3}.get(form, 0.0)
        in_city = rng.random() >= out_share
        if in_city:
            county = rng.choices(regions.CHAOZHOU_COUNTIES, cum_weights=_COUNTY_CUM)[0]
            at_city = form == "JSC" or (form == "LLC" and rng.random() < 0.15)
            reg_region = regions.CHAOZHOU_CITY if at_city else county
            reg_authority = self._market_bodies[reg_region].name
        else:
            county = rng.choice(regions.OTHER_COUNTIES)
            region = regions.require(county)
            assert region.parent_code is not None
            city = regions.require(region.parent_code)
            at_city = rng.random() < 0.5
            reg_region = city.key if at_city else county
            reg_authority = f"{city.name}市场监督管理局" + ("" if at_city else f"{region.name}分局")
        first = date(2003, 1, 1) if form == "INDIVIDUAL" else date(1993, 1, 1)
        span = (REFERENCE_DATE - first).days - 1
        established = first + timedelta(days=int(span * rng.random() ** 0.6))
        recent = (REFERENCE_DATE - established).days < 365
        r = rng.random()
        status = "存续" if recent or r < 0.88 else "吊销" if r < 0.92 else "注销"
        org_code = self._org_code(index, established)
        cat_digit = {"INDIVIDUAL": "2", "COOP": "3"}.get(form, "1")
        uscc = identifiers.build_uscc("9", cat_digit, reg_region, org_code)
        reg_body = f"{reg_region}{'6' if form == 'INDIVIDUAL' else '0'}{(index * 7919 + 1234567) % 10**7:07d}"
        reg_no = reg_body + reg_no_check(reg_body)
        name, org_form = self._name(rng, form, industry, county, in_city)
        if in_city:
            registered = addresses.chaozhou_address(rng, county)
            operating = registered if rng.random() < 0.7 else addresses.chaozhou_address(rng, county)
        else:
            registered = addresses.other_address(rng, county)
            operating = registered if rng.random() < 0.8 else addresses.other_address(rng, county)
        status_date = established
        if status != "存续":  # ended some time after the first year (recent entities are all 存续)
            lived = (REFERENCE_DATE - established).days - 1
            status_date = established + timedelta(days=min(lived, 365 + int((lived - 365) * rng.random())))
        return Entity(index, uscc, name, category, form, org_form, industry, county, in_city, status, established,
                      reg_authority, reg_no, org_code, registered, operating, status_date)

    def _name(self, rng: random.Random, form: str, industry: Industry, county: str,
              in_city: bool) -> tuple[str, str]:
        trade = names.trade_name(rng)
        if in_city:
            county_prefix = regions.require(county).full_name.removeprefix("广东省")
            city_prefix = "潮州市"
        else:
            region = regions.require(county)
            assert region.parent_code is not None
            city_prefix = regions.require(region.parent_code).name
            county_prefix = city_prefix + region.name
        if county_prefix.startswith("潮州市饶平县"):
            county_prefix = "饶平县"
        if form == "INDIVIDUAL":
            shop = rng.choice(industry.shop_words)
            owner = rng.random() < 0.05
            label = (names.person_name(rng, "1") if owner else trade)
            return f"{county_prefix}{label}{shop}", rng.choice(("个人经营", "个人经营", "家庭经营"))
        if form == "LLC":
            kind = rng.choice(("有限责任公司（自然人独资）", "有限责任公司（自然人投资或控股）",
                               "有限责任公司（自然人投资或控股）", "有限责任公司（法人独资）"))
            return f"{city_prefix}{trade}{industry.company_word}有限公司", kind
        if form == "JSC":
            return f"广东{trade}{industry.company_word}股份有限公司", "股份有限公司（非上市、自然人投资或控股）"
        if form == "SOLE":
            return f"{county_prefix}{trade}{industry.company_word}商行", "个人独资企业"
        if form == "PARTNERSHIP":
            limited = rng.random() < 0.5
            suffix = "（有限合伙）" if limited else "（普通合伙）"
            return (f"{city_prefix}{trade}{industry.company_word}合伙企业{suffix}",
                    "有限合伙企业" if limited else "普通合伙企业")
        return f"{county_prefix}{trade}{rng.choice(_CROPS)}专业合作社", "农民专业合作社"
