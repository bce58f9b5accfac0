"""One registry record and its legacy shape: pinyin-initial element names and the registry's code tables.

Legacy element names (the registry's own, from pinyin initials) and their sources in `entities.jsonl`:

    TYSHXYDM   统一社会信用代码   uscc
    QYMC       企业名称           name
    ZTLB       主体类别           entity_category, coded by SUBJECT_CATEGORY_CODES
    QYLX       企业类型           org_form (free text, e.g. 有限责任公司)
    FDDBR      法定代表人         legal_rep_name
    FDDBRZJLX  法定代表人证件类型 legal_rep_id_type, coded by ID_TYPE_CODES
    FDDBRZJHM  法定代表人证件号码 legal_rep_id_number
    DJJG       登记机关           reg_authority
    ZCH        注册号             reg_no
    ZZJGDM     组织机构代码       org_code
    CLRQ       成立日期           established_date, as YYYYMMDD
    DJZT       登记状态           status, coded by STATUS_CODES
    HZRQ       核准日期           status_date when the status is 存续 (or any other), as YYYYMMDD
    DXRQ       吊销日期           status_date when the status is 吊销, as YYYYMMDD
    ZXRQ       注销日期           status_date when the status is 注销, as YYYYMMDD
    ZS         住所               registered_address
    JYCS       经营场所           operating_address
    JYFW       经营范围           business_scope
    XZQH       行政区划           region_code

Values the tables do not know are passed through unchanged, as the real registry does with dirty data;
that is what lets `corrupt.jsonl` produce malformed records. The seed's one `status_date` (the day the
registration status took effect) is served under the element the registry keeps for that status
(`STATUS_DATE_ELEMENTS`), as the registry's own screens show 吊销日期 or 注销日期 beside the status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

#: 登记状态 DJZT: the registry's status code table.
STATUS_CODES: dict[str, str] = {"存续": "1", "吊销": "2", "注销": "3", "迁出": "4"}

#: 登记状态 -> the element holding the date it took effect; any other status is dated by 核准日期 HZRQ.
STATUS_DATE_ELEMENTS: dict[str, str] = {"吊销": "DXRQ", "注销": "ZXRQ"}
APPROVAL_DATE_ELEMENT = "HZRQ"
#: The three date elements in the schema's sequence order.
STATUS_DATE_ORDER: tuple[str, ...] = ("HZRQ", "DXRQ", "ZXRQ")

#: 主体类别 ZTLB.
SUBJECT_CATEGORY_CODES: dict[str, str] = {"法人及非法人组织": "1", "个体工商户": "2"}

#: 证件类型 FDDBRZJLX: accepts the hub's enum names and the Chinese labels.
ID_TYPE_CODES: dict[str, str] = {
    "RESIDENT_ID": "1", "居民身份证": "1",
    "PASSPORT": "2", "护照": "2",
    "HK_MO_PERMIT": "3", "港澳居民来往内地通行证": "3",
    "TW_PERMIT": "4", "台湾居民来往大陆通行证": "4",
    "HMT_RESIDENCE": "5", "港澳台居民居住证": "5",
    "FOREIGNER_PR": "6", "外国人永久居留身份证": "6",
    "OTHER": "9", "其他": "9",
}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class EntRecord:
    """A registry record as seeded (raw strings; None where the seed has no value)."""

    uscc: str
    name: str | None = None
    entity_category: str | None = None
    org_form: str | None = None
    legal_rep_name: str | None = None
    legal_rep_id_type: str | None = None
    legal_rep_id_number: str | None = None
    reg_authority: str | None = None
    reg_no: str | None = None
    org_code: str | None = None
    established_date: str | None = None
    status: str | None = None
    status_date: str | None = None
    registered_address: str | None = None
    operating_address: str | None = None
    business_scope: str | None = None
    region_code: str | None = None
    in_city: bool = True

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> EntRecord:
        """Build from one JSON object; unknown keys are ignored, scalars become strings."""
        uscc = obj.get("uscc")
        if not isinstance(uscc, str) or not uscc:
            raise ValueError("record without a uscc")
        values: dict[str, str | None] = {}
        for f in fields(cls):
            if f.name in ("uscc", "in_city") or f.name not in obj:
                continue
            raw = obj[f.name]
            values[f.name] = None if raw is None else str(raw)
        in_city = obj.get("in_city", True)
        return cls(uscc=uscc, in_city=bool(in_city), **values)

    def merged(self, override: Mapping[str, object]) -> EntRecord:
        """This record with the fields of `override` (a corrupt.jsonl line) laid over it."""
        changes: dict[str, object] = {}
        for f in fields(self):
            if f.name == "uscc" or f.name not in override:
                continue
            raw = override[f.name]
            if f.name == "in_city":
                changes[f.name] = bool(raw)
            else:
                changes[f.name] = None if raw is None else str(raw)
        return replace(self, **changes)  # type: ignore[arg-type]


def legacy_date(value: str | None) -> str | None:
    """ISO YYYY-MM-DD -> the registry's YYYYMMDD; anything else is passed through as it is."""
    if value is None:
        return None
    m = _ISO_DATE.match(value)
    return f"{m[1]}{m[2]}{m[3]}" if m else value


def _code(table: Mapping[str, str], value: str | None) -> str | None:
    if value is None:
        return None
    return table.get(value, value)


def legacy_fields(record: EntRecord) -> list[tuple[str, str]]:
    """The record as (element name, text) pairs in the schema's sequence order; absent values omitted."""
    pairs: list[tuple[str, str | None]] = [
        ("TYSHXYDM", record.uscc),
        ("QYMC", record.name),
        ("ZTLB", _code(SUBJECT_CATEGORY_CODES, record.entity_category)),
        ("QYLX", record.org_form),
        ("FDDBR", record.legal_rep_name),
        ("FDDBRZJLX", _code(ID_TYPE_CODES, record.legal_rep_id_type)),
        ("FDDBRZJHM", record.legal_rep_id_number),
        ("DJJG", record.reg_authority),
        ("ZCH", record.reg_no),
        ("ZZJGDM", record.org_code),
        ("CLRQ", legacy_date(record.established_date)),
        ("DJZT", _code(STATUS_CODES, record.status)),
        *_status_date(record),
        ("ZS", record.registered_address),
        ("JYCS", record.operating_address),
        ("JYFW", record.business_scope),
        ("XZQH", record.region_code),
    ]
    return [(name, value) for name, value in pairs if value is not None]


def _status_date(record: EntRecord) -> list[tuple[str, str | None]]:
    """The status date under its element, in the schema's order (HZRQ, DXRQ, ZXRQ)."""
    element = STATUS_DATE_ELEMENTS.get(record.status or "", APPROVAL_DATE_ELEMENT)
    value = legacy_date(record.status_date)
    return [(name, value if name == element else None) for name in STATUS_DATE_ORDER]


#: Element names of `<ent>` in schema order (the WSDL's sequence); used by tests and the WSDL check.
LEGACY_ELEMENTS: tuple[str, ...] = (
    "TYSHXYDM", "QYMC", "ZTLB", "QYLX", "FDDBR", "FDDBRZJLX", "FDDBRZJHM", "DJJG", "ZCH", "ZZJGDM",
    "CLRQ", "DJZT", *STATUS_DATE_ORDER, "ZS", "JYCS", "JYFW", "XZQH",
)
