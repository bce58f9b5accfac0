"""Administrative region codes (GB/T 2260) for Chaozhou, plus provinces and a few counties elsewhere.

Chaozhou (DOMAIN.md §3.3): 潮州市 445100 with 湘桥区 445102, 潮安区 445103 and 饶平县 445122. 潮安县
445121 is the code before the 2013 county-to-district change; it still appears in ID numbers issued
before then, so it is kept as a historical region whose successor is 445103. Functional zones such as
枫溪区 have no GB/T 2260 code: they carry `code=None` and a locally assigned `local_code`, never a
fabricated six-digit code.

The table of counties outside Chaozhou is a small sample used for people and companies from
elsewhere; it is not the full GB/T 2260 list, so "not in this table" is never a reason to reject.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RegionKind(StrEnum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    COUNTY = "COUNTY"
    FUNCTIONAL_ZONE = "FUNCTIONAL_ZONE"


@dataclass(frozen=True)
class Region:
    """One region. `code` is the six-digit GB/T 2260 code, or None for a functional zone."""

    code: str | None
    name: str
    kind: RegionKind
    parent_code: str | None
    full_name: str
    local_code: str | None = None
    historical: bool = False
    successor_code: str | None = None

    @property
    def key(self) -> str:
        """The code, or the local code of a functional zone."""
        key = self.code or self.local_code
        assert key is not None
        return key


#: GB/T 2260 province-level codes (first two digits), plus 81/82/83 used by residence permits.
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾地区(居住证)",
}

CHAOZHOU_CITY = "445100"
XIANGQIAO = "445102"
CHAOAN = "445103"
CHAOAN_LEGACY = "445121"
RAOPING = "445122"

#: The county-level units of Chaozhou that exist today, in GB/T 2260 order.
CHAOZHOU_COUNTIES: tuple[str, ...] = (XIANGQIAO, CHAOAN, RAOPING)

_GD = "广东省"
_CZ = "广东省潮州市"

CHAOZHOU_REGIONS: tuple[Region, ...] = (
    Region(CHAOZHOU_CITY, "潮州市", RegionKind.CITY, "440000", _CZ),
    Region(XIANGQIAO, "湘桥区", RegionKind.COUNTY, CHAOZHOU_CITY, _CZ + "湘桥区"),
    Region(CHAOAN, "潮安区", RegionKind.COUNTY, CHAOZHOU_CITY, _CZ + "潮安区"),
    Region(RAOPING, "饶平县", RegionKind.COUNTY, CHAOZHOU_CITY, _CZ + "饶平县"),
    Region(CHAOAN_LEGACY, "潮安县", RegionKind.COUNTY, CHAOZHOU_CITY, _CZ + "潮安县",
           historical=True, successor_code=CHAOAN),
    Region(None, "枫溪区", RegionKind.FUNCTIONAL_ZONE, CHAOZHOU_CITY, _CZ + "枫溪区", local_code="445100-FX"),
    Region(None, "潮州市经济开发试验区", RegionKind.FUNCTIONAL_ZONE, CHAOZHOU_CITY, _CZ + "经济开发试验区",
           local_code="445100-KF"),
)

# (county code, county name, city name) outside Chaozhou; province from the first two digits.
_OTHER_COUNTY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("440104", "越秀区", "广州市"),
    ("440106", "天河区", "广州市"),
    ("440304", "福田区", "深圳市"),
    ("440306", "宝安区", "深圳市"),
    ("440507", "龙湖区", "汕头市"),
    ("440513", "潮阳区", "汕头市"),
    ("441302", "惠城区", "惠州市"),
    ("441402", "梅江区", "梅州市"),
    ("445202", "榕城区", "揭阳市"),
    ("445281", "普宁市", "揭阳市"),
    ("350203", "思明区", "厦门市"),
    ("350602", "芗城区", "漳州市"),
    ("330106", "西湖区", "杭州市"),
    ("360702", "章贡区", "赣州市"),
    ("420106", "武昌区", "武汉市"),
    ("411302", "宛城区", "南阳市"),
    ("430104", "岳麓区", "长沙市"),
    ("450103", "青秀区", "南宁市"),
    ("510104", "锦江区", "成都市"),
    ("522601", "凯里市", "黔东南苗族侗族自治州"),
)


def _other_regions() -> tuple[Region, ...]:
    rows: list[Region] = []
    cities: dict[str, str] = {}
    for code, name, city in _OTHER_COUNTY_ROWS:
        province = PROVINCES[code[:2]]
        city_code = code[:4] + "00"
        cities.setdefault(city_code, city)
        rows.append(Region(code, name, RegionKind.COUNTY, city_code, province + city + name))
    for city_code, city in cities.items():
        rows.append(Region(city_code, city, RegionKind.CITY, city_code[:2] + "0000",
                           PROVINCES[city_code[:2]] + city))
    return tuple(rows)


OTHER_REGIONS: tuple[Region, ...] = _other_regions()

#: County codes outside Chaozhou, in table order (used for people and companies from elsewhere).
OTHER_COUNTIES: tuple[str, ...] = tuple(r.key for r in OTHER_REGIONS if r.kind is RegionKind.COUNTY)
#: City codes outside Chaozhou, in table order.
OTHER_CITIES: tuple[str, ...] = tuple(r.key for r in OTHER_REGIONS if r.kind is RegionKind.CITY)

_BY_KEY: dict[str, Region] = {r.key: r for r in (*CHAOZHOU_REGIONS, *OTHER_REGIONS)}
_BY_KEY["440000"] = Region("440000", _GD, RegionKind.PROVINCE, None, _GD)


def lookup(code: str) -> Region | None:
    """The region with this GB/T 2260 code or local code, if it is in the table."""
    return _BY_KEY.get(code)


def require(code: str) -> Region:
    """Like `lookup`, but a missing code is a programming error."""
    region = _BY_KEY.get(code)
    if region is None:
        raise KeyError(f"region {code!r} is not in the table")
    return region


def province_name(code: str) -> str | None:
    """The province of a code (two or more digits), or None when the first two digits are unknown."""
    return PROVINCES.get(code[:2])


def current_code(code: str) -> str:
    """The code in use today: historical codes map to their successor (445121 -> 445103)."""
    region = _BY_KEY.get(code)
    if region is not None and region.successor_code is not None:
        return region.successor_code
    return code


def is_chaozhou(code: str) -> bool:
    """True for 445100 and every county-level code under it, including the legacy 445121."""
    return code.startswith("4451")
