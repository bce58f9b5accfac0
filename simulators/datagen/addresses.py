"""Addresses and mobile numbers: Chaozhou streets and towns, plus a few places in other provinces."""

from __future__ import annotations

import random
from dataclasses import dataclass

from domain import regions


@dataclass(frozen=True)
class Town:
    """A 乡镇 or 街道 (no GB/T 2260 code of its own; belongs to a county)."""

    county_code: str
    name: str

    @property
    def is_street(self) -> bool:
        return self.name.endswith("街道")


_TOWN_NAMES: dict[str, tuple[str, ...]] = {
    regions.XIANGQIAO: (
        "太平街道", "西湖街道", "西新街道", "湘桥街道", "城西街道", "桥东街道", "凤新街道", "南春街道",
        "金山街道", "意溪镇", "磷溪镇", "官塘镇", "铁铺镇",
    ),
    regions.CHAOAN: (
        "庵埠镇", "彩塘镇", "金石镇", "浮洋镇", "龙湖镇", "东凤镇", "沙溪镇", "古巷镇", "登塘镇", "凤塘镇",
        "江东镇", "归湖镇", "文祠镇", "凤凰镇", "赤凤镇",
    ),
    regions.RAOPING: (
        "黄冈镇", "钱东镇", "高堂镇", "浮滨镇", "新丰镇", "三饶镇", "汤溪镇", "联饶镇", "樟溪镇", "东山镇",
        "上饶镇", "饶洋镇", "建饶镇", "新圩镇", "浮山镇", "汫洲镇", "所城镇", "大埕镇", "柘林镇", "海山镇",
        "新塘镇",
    ),
}

#: Every town and street of the three county-level units, in a fixed order.
TOWNS: tuple[Town, ...] = tuple(
    Town(county, name) for county in regions.CHAOZHOU_COUNTIES for name in _TOWN_NAMES[county]
)
TOWNS_BY_COUNTY: dict[str, tuple[Town, ...]] = {
    county: tuple(t for t in TOWNS if t.county_code == county) for county in regions.CHAOZHOU_COUNTIES
}

_CITY_ROADS = (
    "潮州大道", "新洋路", "永护路", "环城西路", "枫春路", "绿榕路", "西荣路", "卧石路", "凤新路", "新桥路",
    "开元路", "太平路", "义安路", "福安路", "韩江路", "南春路", "潮枫路", "城新路", "湘桥路", "春荣路",
)
_VILLAGE_FIRST = "东西南北上下前后新旧大小华龙凤金石沙塘溪洋美"
_VILLAGE_SECOND = ("头", "寮", "厝", "陇", "埔", "洋", "美", "丰", "湖", "乡", "田", "围")
_OTHER_ROADS = ("人民路", "中山路", "解放路", "建设路", "学府路", "滨江路", "环城路", "东风路", "文化路", "和平路")
_COMPLEXES = ("花园", "新村", "小区", "雅苑", "华庭", "公寓")

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "198", "199",
)


def chaozhou_address(rng: random.Random, county_code: str, town: Town | None = None) -> str:
    """A full address such as 广东省潮州市湘桥区西湖街道环城西路123号 or …庵埠镇华美村二巷45号."""
    county = regions.require(regions.current_code(county_code))
    town = town or rng.choice(TOWNS_BY_COUNTY[county.key])
    head = county.full_name + town.name
    if town.is_street:
        road = rng.choice(_CITY_ROADS)
        if rng.random() < 0.4:
            name = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_FIRST) + rng.choice(_COMPLEXES)
            return f"{head}{road}{name}{rng.randint(1, 30)}栋{rng.randint(1, 30)}{rng.randint(1, 4):02d}房"
        return f"{head}{road}{rng.randint(1, 480)}号"
    village = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_SECOND) + "村"
    return f"{head}{village}{rng.randint(1, 12)}巷{rng.randint(1, 90)}号"


def other_address(rng: random.Random, county_code: str) -> str:
    """An address in a county outside Chaozhou (from the sample table)."""
    county = regions.require(county_code)
    road = rng.choice(_OTHER_ROADS)
    return f"{county.full_name}{road}{rng.randint(1, 900)}号"


def address(rng: random.Random, county_code: str) -> str:
    """An address in any county of the region table (Chaozhou or elsewhere)."""
    if regions.is_chaozhou(county_code):
        return chaozhou_address(rng, county_code)
    return other_address(rng, county_code)


def mobile(rng: random.Random) -> str:
    """A valid-looking mainland mobile number (11 digits)."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
