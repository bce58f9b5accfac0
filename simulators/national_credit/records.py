"""The registry's enterprise record: camelCase English names and its own status wording.

    unifiedCode 统一社会信用代码 · entName 名称 · entType 组织形式 · entCategory 主体类别 ·
    legalPerson 法定代表人 · regStatus 登记状态 · estDate 成立日期 (ISO) · regOrg 登记机关 ·
    regNo 注册号 · orgCode 组织机构代码 · dom 住所 · opLoc 经营场所 · opScope 经营范围 ·
    regionCode 行政区划 · dataSource NATIONAL (registered outside the city) | CITY_MIRROR

The legal representative's ID number is not published by this registry.
"""

from __future__ import annotations

from typing import Any

#: the city registry's status -> the wording this registry uses
STATUS_WORDING = {
    "存续": "存续（在营、开业、在册）",
    "吊销": "吊销，未注销",
    "注销": "注销",
}

NATIONAL = "NATIONAL"
CITY_MIRROR = "CITY_MIRROR"


def to_record(entity: dict[str, Any]) -> dict[str, Any]:
    """Map one seeded entity (entities.jsonl shape) to the registry's record."""
    status = entity.get("status")
    return {
        "unifiedCode": entity.get("uscc"),
        "entName": entity.get("name"),
        "entType": entity.get("org_form"),
        "entCategory": entity.get("entity_category"),
        "legalPerson": entity.get("legal_rep_name"),
        "regStatus": STATUS_WORDING.get(status, status) if isinstance(status, str) else None,
        "estDate": entity.get("established_date"),
        "regOrg": entity.get("reg_authority"),
        "regNo": entity.get("reg_no"),
        "orgCode": entity.get("org_code"),
        "dom": entity.get("registered_address"),
        "opLoc": entity.get("operating_address"),
        "opScope": entity.get("business_scope"),
        "regionCode": entity.get("region_code"),
        "dataSource": CITY_MIRROR if entity.get("in_city") is True else NATIONAL,
    }
