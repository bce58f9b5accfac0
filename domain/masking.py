"""Masking formats for personal data shown to callers (DOMAIN.md §10.3), as pure functions.

Every function accepts any string and never raises. Rules common to all kinds:

* the mask character is ``*``; leading and trailing whitespace is ignored;
* "keep ends" kinds (ID18, ID15, PASSPORT, MOBILE) keep the length of the value and reveal the
  head and tail of the rule only while at least ``min_masked`` characters stay hidden; a shorter or
  malformed value reveals proportionally less (never more than the rule's head + tail);
* NAME keeps only the first character (``张三`` -> ``张*``, ``欧阳小明`` -> ``欧***``);
* fixed-width kinds hide the length of what they mask: ADDRESS ends in ``****``, BANK_ACCOUNT is
  ``**** **** **** 1234``, EMAIL is ``z***@example.cn``;
* REGION coarsens a region code to its city, HIDDEN hides every character; WITHHELD (dates, numbers,
  flags that would narrow an ID number down) is no value at all: the gateway answers null;
* applying a mask to its own output gives the same output (idempotent), so masked values cached
  downstream can safely pass through the gateway's masking again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "MASK_CHAR",
    "MaskKind",
    "mask",
    "mask_address",
    "mask_bank_account",
    "mask_email",
    "mask_hidden",
    "mask_id15",
    "mask_id18",
    "mask_id_number",
    "mask_landline",
    "mask_mobile",
    "mask_name",
    "mask_passport",
    "mask_region",
]

MASK_CHAR: Final = "*"
FIXED_TAIL: Final = "****"


class MaskKind(StrEnum):
    """The mask formats a field can declare (``@sensitive(mask: ID18)``)."""

    ID18 = "ID18"
    ID15 = "ID15"
    PASSPORT = "PASSPORT"  # also other identity documents
    NAME = "NAME"
    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"
    ADDRESS = "ADDRESS"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    EMAIL = "EMAIL"
    REGION = "REGION"  # a region code coarsened to its city (445102 -> 445100)
    HIDDEN = "HIDDEN"  # every character hidden (a gender or ethnicity code)
    WITHHELD = "WITHHELD"  # no value at all: the gateway returns null (dates, numbers, flags)


@dataclass(frozen=True, slots=True)
class _EndsRule:
    head: int
    tail: int
    min_masked: int


_ENDS_RULES: Final[dict[MaskKind, _EndsRule]] = {
    MaskKind.ID18: _EndsRule(head=4, tail=4, min_masked=10),
    MaskKind.ID15: _EndsRule(head=4, tail=3, min_masked=8),
    MaskKind.PASSPORT: _EndsRule(head=1, tail=3, min_masked=3),
    MaskKind.MOBILE: _EndsRule(head=3, tail=4, min_masked=4),
}


def _keep_ends(value: str, rule: _EndsRule) -> str:
    """Length-preserving mask revealing at most head + tail characters, hiding >= min_masked."""
    n = len(value)
    allowed = max(0, min(rule.head + rule.tail, n - rule.min_masked))
    tail = min(rule.tail, allowed // 2) if allowed < rule.head + rule.tail else rule.tail
    head = min(rule.head, allowed - tail)
    tail = min(rule.tail, allowed - head)
    return value[:head] + MASK_CHAR * (n - head - tail) + value[n - tail :]


def mask_id18(value: str) -> str:
    """18-character resident ID: first 4 + last 4 (``4451**********1230``)."""
    return _keep_ends(value.strip(), _ENDS_RULES[MaskKind.ID18])


def mask_id15(value: str) -> str:
    """15-digit legacy ID: first 4 + last 3 (``4451********123``)."""
    return _keep_ends(value.strip(), _ENDS_RULES[MaskKind.ID15])


def mask_passport(value: str) -> str:
    """Passport and other documents: first 1 + last 3 (``E*****678``)."""
    return _keep_ends(value.strip(), _ENDS_RULES[MaskKind.PASSPORT])


def mask_id_number(value: str) -> str:
    """Mask by the document's shape: 18 characters -> ID18, 15 digits -> ID15, else PASSPORT."""
    stripped = value.strip()
    if len(stripped) == 18:
        return mask_id18(stripped)
    if len(stripped) == 15 and stripped.isascii() and stripped.isdigit():
        return mask_id15(stripped)
    return mask_passport(stripped)


def mask_name(value: str) -> str:
    """Keep the first character only: ``张三`` -> ``张*``, ``欧阳小明`` -> ``欧***``.

    Compound surnames (欧阳, 司马 …) are not kept whole: the rule reveals one character. A
    one-character value is masked entirely.
    """
    stripped = value.strip()
    if len(stripped) <= 1:
        return MASK_CHAR * len(stripped)
    return stripped[0] + MASK_CHAR * (len(stripped) - 1)


_PHONE_SEPARATORS: Final = re.compile(r"[\s\-()（）]")
_CN_PREFIX: Final = re.compile(r"^(?:\+86|0086|86)(?=1\d{10}$)")


def mask_mobile(value: str) -> str:
    """Mobile: 3 + 4 masked + 4 (``138****5678``); separators and a +86 prefix are dropped."""
    compact = _CN_PREFIX.sub("", _PHONE_SEPARATORS.sub("", value.strip()))
    return _keep_ends(compact, _ENDS_RULES[MaskKind.MOBILE])


# Area codes: 010 and 02X are three digits, the others four (0768 潮州).
_LANDLINE: Final = re.compile(
    r"^(?P<area>010|02\d|0[3-9]\d{2})(?P<sep>[\s\-]?)(?P<local>[\d*]{7,8})"
    r"(?:(?P<extsep>[\s\-]|转|ext\.?|x)(?P<ext>[\d*]{1,6}))?$",
    re.IGNORECASE,
)


def mask_landline(value: str) -> str:
    """Landline: area code + last 2 digits of the local number (``0768-*****34``).

    An extension is masked entirely. A value that is not a recognisable mainland landline keeps
    only its last 2 characters (and only when at least 5 characters stay hidden).
    """
    stripped = value.strip()
    match = _LANDLINE.match(stripped)
    if match is None:
        return _keep_ends(stripped, _EndsRule(head=0, tail=2, min_masked=5))
    local = match["local"]
    out = match["area"] + match["sep"] + MASK_CHAR * (len(local) - 2) + local[-2:]
    if match["ext"] is not None:
        out += match["extsep"] + MASK_CHAR * len(match["ext"])
    return out


# 省 (or 直辖市), 市/州/盟, 区/县, 乡镇/街道: each a short run of Han characters ending in its suffix.
# Characters that end street, building or village names are never part of a unit's name.
_HAN: Final = r"(?:(?![路街巷道号楼村弄栋幢座室层])[\u4e00-\u9fff])"
_ADDRESS_PREFIX: Final = re.compile(
    rf"^(?P<province>(?:北京|天津|上海|重庆)市|{_HAN}{{2,7}}?(?:省|自治区|特别行政区))?"
    rf"(?P<city>{_HAN}{{1,9}}?(?:自治州|地区|市|盟))?"
    rf"(?P<county>{_HAN}{{1,9}}?(?:自治县|自治旗|林区|特区|区|县|市|旗))?"
    rf"(?P<town>{_HAN}{{1,9}}?(?:街道办事处|街道|民族乡|镇|乡|苏木))?"
)


def mask_address(value: str) -> str:
    """Keep 省市区(县) + 乡镇/街道, replace the rest with ``****``.

    ``广东省潮州市湘桥区西湖街道太平路12号`` -> ``广东省潮州市湘桥区西湖街道****``. Only
    recognised administrative units are revealed; an address with none is ``****``. The
    administrative part is only kept when at least a county-level unit is recognised after a
    province or city, so a street or village name is never mistaken for a unit and revealed.
    """
    stripped = "".join(value.split())
    match = _ADDRESS_PREFIX.match(stripped)
    kept = ""
    if match is not None and match["county"] and (match["province"] or match["city"]):
        kept = match.group(0)
    elif match is not None and (match["province"] or match["city"]):
        kept = (match["province"] or "") + (match["city"] or "")
    if kept == stripped and kept:
        return kept  # nothing left to hide
    return kept + FIXED_TAIL


def mask_bank_account(value: str) -> str:
    """Bank account: last 4 only, fixed width (``**** **** **** 1234``); short values fully hidden."""
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    if len(compact) < 8:
        return "**** **** **** ****"
    return "**** **** **** " + compact[-4:]


def mask_email(value: str) -> str:
    """Email: first character + ``***`` + ``@`` + domain (``z***@example.cn``)."""
    stripped = value.strip()
    local, at, domain = stripped.rpartition("@")
    if not at:
        return "***"
    first = local[:1] if local[:1] != MASK_CHAR else ""
    return first + "***@" + domain


def mask_region(value: str) -> str:
    """Region code: only its city (``445102`` and town ``445102001`` -> ``445100``); other shapes hidden."""
    stripped = value.strip()
    if len(stripped) in (6, 9, 12) and stripped.isdigit():
        return stripped[:4] + "00"
    return MASK_CHAR * len(stripped)


def mask_hidden(value: str) -> str:
    """Every character hidden, length kept (``1`` -> ``*``)."""
    return MASK_CHAR * len(value.strip())


_MASKERS: Final[dict[MaskKind, Callable[[str], str]]] = {
    MaskKind.ID18: mask_id18,
    MaskKind.ID15: mask_id15,
    MaskKind.PASSPORT: mask_passport,
    MaskKind.NAME: mask_name,
    MaskKind.MOBILE: mask_mobile,
    MaskKind.LANDLINE: mask_landline,
    MaskKind.ADDRESS: mask_address,
    MaskKind.BANK_ACCOUNT: mask_bank_account,
    MaskKind.EMAIL: mask_email,
    MaskKind.REGION: mask_region,
    MaskKind.HIDDEN: mask_hidden,
    MaskKind.WITHHELD: lambda _value: "",
}


def mask(kind: MaskKind | str, value: str) -> str:
    """Mask `value` with the format of `kind` (a `MaskKind` or its name)."""
    return _MASKERS[MaskKind(kind)](value)
