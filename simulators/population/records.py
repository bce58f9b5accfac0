"""The population system's legacy record: upper-case pinyin-initial field names, codes as strings.

    XM 姓名 · GMSFHM 公民身份号码 · XB 性别 ('1'/'2') · CSRQ 出生日期 (YYYYMMDD) · MZ 民族 ·
    GJ 国籍 · HJDZ 户籍地址 · XZZ 现住址 · SJHM 手机号码 · XZQH 行政区划 · SWBS 死亡标识 ('0'/'1')
"""

from __future__ import annotations

from typing import Any

LegacyRecord = dict[str, Any]

#: seeded person field -> legacy field, for the fields copied as they are
_COPIED = {
    "name": "XM",
    "id_number": "GMSFHM",
    "gender": "XB",
    "ethnicity": "MZ",
    "nationality": "GJ",
    "household_address": "HJDZ",
    "residence_address": "XZZ",
    "mobile": "SJHM",
    "region_code": "XZQH",
}

LEGACY_FIELDS = ("XM", "GMSFHM", "XB", "CSRQ", "MZ", "GJ", "HJDZ", "XZZ", "SJHM", "XZQH", "SWBS")


def to_legacy(person: dict[str, Any]) -> LegacyRecord:
    """Map one seeded person (persons.jsonl shape) to the legacy record the system returns."""
    record: LegacyRecord = {legacy: _text(person.get(field)) for field, legacy in _COPIED.items()}
    birth = person.get("birth_date")
    record["CSRQ"] = birth.replace("-", "") if isinstance(birth, str) else None
    record["SWBS"] = "1" if _truthy(person.get("death_flag")) else "0"
    return {name: record[name] for name in LEGACY_FIELDS}


def mask_id(id_number: str) -> str:
    """Log-safe form of an ID number: first 4 and last 4 characters kept (DOMAIN §10.3)."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _truthy(flag: Any) -> bool:
    if isinstance(flag, str):
        return flag.strip() not in {"", "0", "false", "False", "N", "n"}
    return bool(flag)
