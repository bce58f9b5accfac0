"""The legacy database's shape: table and column names, code tables, and how a seed record becomes a row.

Main table `T_XK_ZZXX` (证照信息), one row per licence:

    ZZ_ID             TEXT PK   licence id (the seed's `id`)
    LIC_NO            TEXT      许可编号 (certificate_no), indexed
    LIC_NAME          TEXT      许可证书名称 (certificate_name)
    HOLDER_TYPE       TEXT      '1' natural person, '2' entity
    HOLDER_CODE       TEXT      USCC for entities, ID number for persons, indexed
    HOLDER_CERT_TYPE  TEXT      person's ID type, coded by T_DM_ZJLX (NULL for entities)
    HOLDER_NAME       TEXT      行政相对人名称
    LIC_CATEGORY      TEXT      许可类别 code, see T_DM_XKLB
    CONTENT           TEXT      许可内容
    DOC_NO            TEXT      许可决定文书号
    DECIDE_DATE       TEXT      YYYYMMDD
    VALID_FROM        TEXT      YYYYMMDD
    VALID_TO          TEXT      YYYYMMDD ('20991231' = 长期)
    ISSUE_ORG         TEXT      许可机关
    ISSUE_ORG_CODE    TEXT      许可机关统一社会信用代码
    STATUS            TEXT      '1' valid, '2' invalid (expired or revoked)
    REVOKE_FLAG       TEXT      '1' revoked, '0' not
    UPD_TIME          TEXT      'YYYY-MM-DD HH:MM:SS', last change (the decision date at 08:30 in the seed)

Indexes: HOLDER_CODE, LIC_NO, ISSUE_ORG_CODE.

Code tables `T_DM_XKLB` (许可类别) and `T_DM_ZJLX` (证件类型), each `(DM TEXT PK, MC TEXT)`. A category
the standard table does not know gets the next free code from '91' upward, in order of first appearance.
Dates that are not ISO YYYY-MM-DD in the seed are stored as they are (legacy columns are plain TEXT).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Bumped whenever the layout changes; a database with another `PRAGMA user_version` is rebuilt.
SCHEMA_VERSION = 4

MAIN_TABLE = "T_XK_ZZXX"

COLUMNS: tuple[str, ...] = (
    "ZZ_ID", "LIC_NO", "LIC_NAME", "HOLDER_TYPE", "HOLDER_CODE", "HOLDER_CERT_TYPE", "HOLDER_NAME",
    "LIC_CATEGORY", "CONTENT", "DOC_NO", "DECIDE_DATE", "VALID_FROM", "VALID_TO", "ISSUE_ORG",
    "ISSUE_ORG_CODE", "STATUS", "REVOKE_FLAG", "UPD_TIME",
)

DDL: tuple[str, ...] = (
    f"""CREATE TABLE {MAIN_TABLE} (
        ZZ_ID TEXT PRIMARY KEY NOT NULL,
        LIC_NO TEXT, LIC_NAME TEXT,
        HOLDER_TYPE TEXT, HOLDER_CODE TEXT, HOLDER_CERT_TYPE TEXT, HOLDER_NAME TEXT,
        LIC_CATEGORY TEXT, CONTENT TEXT, DOC_NO TEXT,
        DECIDE_DATE TEXT, VALID_FROM TEXT, VALID_TO TEXT,
        ISSUE_ORG TEXT, ISSUE_ORG_CODE TEXT,
        STATUS TEXT, REVOKE_FLAG TEXT, UPD_TIME TEXT
    )""",
    "CREATE TABLE T_DM_XKLB (DM TEXT PRIMARY KEY NOT NULL, MC TEXT NOT NULL)",
    "CREATE TABLE T_DM_ZJLX (DM TEXT PRIMARY KEY NOT NULL, MC TEXT NOT NULL)",
)

INDEXES: tuple[str, ...] = (
    f"CREATE INDEX IDX_XK_ZZXX_HOLDER ON {MAIN_TABLE} (HOLDER_CODE)",
    f"CREATE INDEX IDX_XK_ZZXX_LICNO ON {MAIN_TABLE} (LIC_NO)",
    # the licensing system's own reports list by issuing authority
    f"CREATE INDEX IDX_XK_ZZXX_ISSUER ON {MAIN_TABLE} (ISSUE_ORG_CODE)",
)

#: 许可类别 (双公示 XK_XKLB values).
CATEGORY_CODES: dict[str, str] = {"普通": "1", "特许": "2", "认可": "3", "核准": "4", "登记": "5", "其他": "9"}

#: 证件类型 of natural-person holders (the seed's enum names and their Chinese labels).
ID_TYPE_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("111", "居民身份证", ("RESIDENT_ID",)),
    ("414", "护照", ("PASSPORT",)),
    ("516", "港澳居民来往内地通行证", ("HK_MO_PERMIT",)),
    ("511", "台湾居民来往大陆通行证", ("TW_PERMIT",)),
    ("554", "港澳台居民居住证", ("HMT_RESIDENCE",)),
    ("553", "外国人永久居留身份证", ("FOREIGNER_PR",)),
    ("990", "其他", ("OTHER",)),
)
ID_TYPE_CODES: dict[str, str] = {
    alias: code for code, label, aliases in ID_TYPE_TABLE for alias in (label, *aliases)
}

HOLDER_TYPE_CODES: dict[str, str] = {"PERSON": "1", "ENTITY": "2"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def legacy_date(value: object) -> str | None:
    """ISO YYYY-MM-DD -> YYYYMMDD; anything else is stored as it is."""
    if value is None:
        return None
    text = str(value)
    if _ISO_DATE.match(text):
        return text[:4] + text[5:7] + text[8:]
    return text


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class CategoryTable:
    """许可类别 codes, growing with unknown categories in order of first appearance."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = dict(CATEGORY_CODES)
        self._next = 91

    def code(self, category: object) -> str | None:
        if category is None:
            return None
        name = str(category)
        if name not in self.codes:
            self.codes[name] = str(self._next)
            self._next += 1
        return self.codes[name]


def status_columns(status: object) -> tuple[str | None, str]:
    """(STATUS, REVOKE_FLAG) for the seed's VALID / EXPIRED / REVOKED."""
    if status == "VALID":
        return "1", "0"
    if status == "EXPIRED":
        return "2", "0"
    if status == "REVOKED":
        return "2", "1"
    return _text(status), "0"


def to_row(record: Mapping[str, object], categories: CategoryTable) -> tuple[str | None, ...]:
    """One `licences.jsonl` object as a `T_XK_ZZXX` row, in `COLUMNS` order."""
    licence_id = record.get("id")
    if licence_id is None or licence_id == "":
        raise ValueError("licence without an id")
    kind = record.get("holder_kind")
    is_person = kind == "PERSON"
    holder_code = record.get("holder_id_number") if is_person else record.get("holder_uscc")
    id_type = record.get("holder_id_type")
    status, revoke_flag = status_columns(record.get("status"))
    decision_date = legacy_date(record.get("decision_date"))
    iso_decision = _text(record.get("decision_date"))
    return (
        str(licence_id),
        _text(record.get("certificate_no")),
        _text(record.get("certificate_name")),
        HOLDER_TYPE_CODES.get(str(kind), _text(kind)),
        _text(holder_code),
        (ID_TYPE_CODES.get(str(id_type), str(id_type)) if is_person and id_type is not None else None),
        _text(record.get("holder_name")),
        categories.code(record.get("licence_category")),
        _text(record.get("content")),
        _text(record.get("decision_doc_no")),
        decision_date,
        legacy_date(record.get("valid_from")),
        legacy_date(record.get("valid_to")),
        _text(record.get("issuing_authority")),
        _text(record.get("issuing_authority_uscc")),
        status,
        revoke_flag,
        f"{iso_decision} 08:30:00" if iso_decision and _ISO_DATE.match(iso_decision) else None,
    )
