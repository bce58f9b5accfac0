"""Seed-shaped bodies, officers and certificates for personnel tests (bodies/officers/certificates.jsonl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domain.identifiers import build_org_code, build_uscc
from tests.adapters.seed_files import person_id, write_jsonl


def body_uscc(n: int, region: str) -> str:
    return build_uscc("1", "1", region, build_org_code(f"00{n:06d}"))


CITY = body_uscc(1, "445100")
COUNTY = body_uscc(2, "445102")
TOWN = body_uscc(3, "445102")


def bodies() -> list[dict[str, Any]]:
    def body(uscc: str, name: str, level: str, region: str, parent: str | None, items: list[str]) -> dict[str, Any]:
        return {"uscc": uscc, "name": name, "short_name": name[:3], "level": level, "region_code": region,
                "parent_uscc": parent, "body_type": "ADMIN_ORGAN", "entrusted_by": None,
                "is_comprehensive": level == "TOWN", "domains": ["市场监管"], "power_source": "法定",
                "item_codes": items, "status": "ACTIVE"}

    # children first on purpose: the loader must order parents before children
    return [
        body(TOWN, "潮州市湘桥区西湖街道办事处", "TOWN", "445102", COUNTY, ["44000000000003"]),
        body(COUNTY, "潮州市湘桥区市场监督管理局", "COUNTY", "445102", CITY, ["44000000000002"]),
        body(CITY, "潮州市市场监督管理局", "CITY", "445100", None, ["44000000000001", "44000000000002"]),
    ]


def officers(count: int = 6) -> list[dict[str, Any]]:
    homes = (CITY, COUNTY, TOWN)
    return [{"id": f"OFF-{i:04d}", "name": f"林执法{i}", "id_type": "RESIDENT_ID", "id_number": person_id(500 + i),
             "body_uscc": homes[i % 3], "post": "科员", "staff_type": "在编在职", "has_legal_qualification": i % 2 == 0,
             "legal_qualification_no": None, "is_legal_reviewer": False, "training_hours": {"2025": 60},
             "status": "ACTIVE"} for i in range(count)]


def certificates(officer_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, officer in enumerate(officer_rows):
        for k in range(2 if i < 2 else 1):
            out.append({"cert_no": f"44{i:04d}{k:02d}ZF", "cert_type": "GD_ADMIN", "officer_id": officer["id"],
                        "body_uscc": officer["body_uscc"], "area": ["445102"], "categories": ["市场监管"],
                        "power_source": "STATUTORY", "issued_by": "潮州市司法局", "issue_date": "2024-01-10",
                        "valid_from": "2024-01-10", "valid_to": "2029-01-09", "status": "ACTIVE",
                        "exam_passed_at": "2023-11-20"})
    return out


def write_personnel_seed(data: Path) -> dict[str, list[dict[str, Any]]]:
    rows = {"bodies": bodies(), "officers": officers()}
    rows["certificates"] = certificates(rows["officers"])
    for name, values in rows.items():
        write_jsonl(data / f"{name}.jsonl", values)
    (data / "manifest.json").write_text('{"reference_date": "2026-03-02"}', encoding="utf-8")
    return rows
