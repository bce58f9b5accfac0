"""Small seed-shaped data sets (the generator's JSON-lines shapes) for adapter and subgraph tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from domain.identifiers import build_org_code, build_resident_id, build_uscc

REGIONS = ("445102", "445103", "445122")
SURNAMES = ("陈", "林", "黄", "蔡", "许")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def person_id(i: int) -> str:
    region = REGIONS[i % len(REGIONS)]
    birth = date(1950, 1, 1) + timedelta(days=(i * 37) % 20000)
    return build_resident_id(region, birth, 1 + i % 899)


def person(i: int, **extra: Any) -> dict[str, Any]:
    id_number = person_id(i)
    region = id_number[:6]
    row: dict[str, Any] = {
        "id_type": "RESIDENT_ID",
        "id_number": id_number,
        "name": f"{SURNAMES[i % len(SURNAMES)]}{'甲乙丙丁戊'[i % 5]}{i}",
        "gender": "1" if int(id_number[16]) % 2 else "2",
        "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
        "ethnicity": "01",
        "nationality": "CHN",
        "household_address": f"广东省潮州市湘桥区西湖街道太平路{i}号",
        "residence_address": f"广东省潮州市湘桥区西湖街道义兴甲巷{i}号",
        "region_code": region,
        "mobile": f"138{i:08d}",
        "death_flag": False,
    }
    row.update(extra)
    return row


def persons(count: int) -> list[dict[str, Any]]:
    out = [person(i) for i in range(count)]
    assert len({p["id_number"] for p in out}) == count, "person ids must be unique"
    return out


def entity_uscc(i: int, *, region: str = "445102") -> str:
    org = build_org_code(f"MA{i:06d}"[-8:])
    return build_uscc("9", "1", region, org)


def entity(i: int, *, region: str = "445102", in_city: bool = True, rep: int | None = None, **extra: Any) -> dict[str, Any]:
    rep_id = person_id(rep if rep is not None else i)
    row: dict[str, Any] = {
        "uscc": entity_uscc(i, region=region),
        "name": f"潮州市韩江{i}号陶瓷有限公司" if in_city else f"深圳市{i}号电子有限公司",
        "entity_category": "法人及非法人组织",
        "org_form": "有限责任公司",
        "legal_rep_name": f"陈{i}",
        "legal_rep_id_type": "RESIDENT_ID",
        "legal_rep_id_number": rep_id,
        "reg_authority": "潮州市市场监督管理局",
        "reg_no": f"445100{i:09d}",
        "org_code": entity_uscc(i, region=region)[8:17],
        "established_date": "2015-06-01",
        "status": "存续",
        "registered_address": "广东省潮州市湘桥区西湖街道太平路1号",
        "operating_address": "广东省潮州市湘桥区西湖街道太平路1号",
        "business_scope": "陶瓷制品制造",
        "region_code": region,
        "in_city": in_city,
    }
    row.update(extra)
    return row
