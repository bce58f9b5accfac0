"""Enforcement bodies at three levels: city departments, county-level bureaus, town/street offices.

The structure does not depend on the seed or the size, so body USCCs are stable across data sets.
Organs (行政机关) have USCCs beginning "11"; public institutions (授权组织, 受委托组织) "12".
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import identifiers, regions
from simulators.datagen.addresses import TOWNS_BY_COUNTY
from simulators.datagen.catalogue import Item, codes_for
from simulators.datagen.rng import Permutation

_ORG_SPACE = 31**6
_ORG_KEY = 445100  # fixed: the same bodies in every data set


@dataclass(frozen=True)
class Body:
    uscc: str
    name: str
    short_name: str
    level: str  # CITY | COUNTY | TOWN
    region_code: str
    parent_uscc: str | None
    body_type: str  # ADMIN_ORGAN | AUTHORISED_ORG | ENTRUSTED_ORG
    entrusted_by: str | None
    is_comprehensive: bool
    domains: tuple[str, ...]
    power_source: str  # 法定 | 相对集中 | 赋权乡镇街道
    item_codes: tuple[str, ...]

    def row(self) -> dict[str, object]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "short_name": self.short_name,
            "level": self.level,
            "region_code": self.region_code,
            "parent_uscc": self.parent_uscc,
            "body_type": self.body_type,
            "entrusted_by": self.entrusted_by,
            "is_comprehensive": self.is_comprehensive,
            "domains": list(self.domains),
            "power_source": self.power_source,
            "item_codes": list(self.item_codes),
            "status": "ACTIVE",
        }


# (domain, city name, city short name, county suffix, county short suffix)
_DEPARTMENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("市场监管", "潮州市市场监督管理局", "潮市监", "市场监督管理局", "市监"),
    ("城市管理", "潮州市城市管理和综合执法局", "潮市城管", "综合行政执法局", "综执"),
    ("生态环境", "潮州市生态环境局", "潮市环", "", ""),  # county level: branches of the city bureau
    ("交通运输", "潮州市交通运输局", "潮市交", "交通运输局", "交"),
    ("文化市场", "潮州市文化广电旅游体育局", "潮市文广旅体", "文化广电旅游体育局", "文广旅体"),
    ("应急管理", "潮州市应急管理局", "潮市应急", "应急管理局", "应急"),
    ("农业", "潮州市农业农村局", "潮市农", "农业农村局", "农"),
    ("卫生健康", "潮州市卫生健康局", "潮市卫健", "卫生健康局", "卫健"),
    ("烟草专卖", "潮州市烟草专卖局", "潮烟", "", ""),  # no county bureau in the sample
)

# county code -> (name prefix of its bureaus, short-name prefix, environment-branch short name)
_COUNTY_PREFIX: dict[str, tuple[str, str, str]] = {
    regions.XIANGQIAO: ("潮州市湘桥区", "潮湘", "潮环湘"),
    regions.CHAOAN: ("潮州市潮安区", "潮安", "潮环安"),
    regions.RAOPING: ("饶平县", "饶", "潮环饶"),
}
_COUNTY_SHORT_NAME: dict[str, str] = {regions.XIANGQIAO: "湘桥", regions.CHAOAN: "潮安", regions.RAOPING: "饶平"}
_TOWN_DOMAINS = ("城市管理", "农业")


class _Codes:
    """Hands out distinct organisation codes "MB" + six characters, in a fixed order."""

    def __init__(self) -> None:
        self._perm = Permutation(_ORG_SPACE, _ORG_KEY)
        self._next = 0

    def uscc(self, category: str, region_code: str) -> str:
        value = self._perm(self._next)
        self._next += 1
        chars = []
        for _ in range(6):
            value, digit = divmod(value, 31)
            chars.append(identifiers.USCC_CHARSET[digit])
        body8 = "MB" + "".join(chars)
        org = identifiers.build_org_code(body8)
        if org[-1] not in identifiers.USCC_CHARSET:  # cannot happen: the check is 0-9 or X
            raise AssertionError(org)
        return identifiers.build_uscc("1", category, region_code, org)


def build_bodies(catalogue: tuple[Item, ...]) -> tuple[Body, ...]:
    """Every body, city first, then each county's bureaus followed by its town offices."""
    codes = _Codes()
    bodies: list[Body] = []
    city_by_domain: dict[str, Body] = {}
    for domain, name, short, _suffix, _short_suffix in _DEPARTMENTS:
        comprehensive = domain == "城市管理"
        body = Body(codes.uscc("1", regions.CHAOZHOU_CITY), name, short, "CITY", regions.CHAOZHOU_CITY, None,
                    "ADMIN_ORGAN", None, comprehensive, (domain,), "相对集中" if comprehensive else "法定",
                    tuple(codes_for(catalogue, (domain,))))
        bodies.append(body)
        city_by_domain[domain] = body
    transport = city_by_domain["交通运输"]
    transport_items = tuple(codes_for(catalogue, ("交通运输",)))
    bodies.append(Body(codes.uscc("2", regions.CHAOZHOU_CITY), "潮州市公路事务中心", "潮市公路", "CITY",
                       regions.CHAOZHOU_CITY, transport.uscc, "AUTHORISED_ORG", None, False, ("交通运输",), "法定",
                       transport_items))
    # Coercive measures may not be entrusted (强制法 Art. 17): the entrusted unit gets the other items only.
    entrusted_items = tuple(i.code for i in catalogue
                            if i.domain == "交通运输" and not i.action_type.startswith("COERCIVE"))
    bodies.append(Body(codes.uscc("2", regions.CHAOZHOU_CITY), "潮州市交通运输综合行政执法支队", "潮市交执",
                       "CITY", regions.CHAOZHOU_CITY, transport.uscc, "ENTRUSTED_ORG", transport.uscc, True,
                       ("交通运输",), "法定", entrusted_items))

    for county in regions.CHAOZHOU_COUNTIES:
        prefix, short_prefix, env_short = _COUNTY_PREFIX[county]
        comprehensive_bureau: Body | None = None
        for domain, _name, _short, suffix, short_suffix in _DEPARTMENTS:
            if domain == "烟草专卖":
                continue
            if domain == "生态环境":
                name, short = f"潮州市生态环境局{_COUNTY_SHORT_NAME[county]}分局", env_short
            else:
                name, short = prefix + suffix, short_prefix + short_suffix
            comprehensive = domain == "城市管理"
            body = Body(codes.uscc("1", county), name, short, "COUNTY", county, city_by_domain[domain].uscc,
                        "ADMIN_ORGAN", None, comprehensive, (domain,), "相对集中" if comprehensive else "法定",
                        tuple(codes_for(catalogue, (domain,))))
            bodies.append(body)
            if comprehensive:
                comprehensive_bureau = body
        assert comprehensive_bureau is not None
        town_items = tuple(codes_for(catalogue, _TOWN_DOMAINS, town=True))
        for town in TOWNS_BY_COUNTY[county]:
            bare = town.name.removesuffix("街道").removesuffix("镇")
            bodies.append(Body(codes.uscc("1", county), f"{prefix}{town.name}综合行政执法办公室",
                               f"{short_prefix}{bare}综执", "TOWN", county, comprehensive_bureau.uscc, "ADMIN_ORGAN",
                               None, True, _TOWN_DOMAINS, "赋权乡镇街道", town_items))
    return tuple(bodies)


def find(bodies: tuple[Body, ...], domain: str, region_code: str) -> Body:
    """The ADMIN_ORGAN of `domain` at `region_code` (a county or the city), else the city one."""
    for body in bodies:
        if body.body_type == "ADMIN_ORGAN" and body.level != "TOWN" and domain in body.domains \
                and body.region_code == region_code:
            return body
    for body in bodies:
        if body.body_type == "ADMIN_ORGAN" and body.level == "CITY" and domain in body.domains:
            return body
    raise KeyError(f"no body for {domain} at {region_code}")
