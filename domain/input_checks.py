"""Checks of the identifiers and dates a command carries, before anything is stored.

Each `*_problem` function is pure: it returns None when the value is acceptable, else a short English
reason that never repeats the value (a value may be personal data, DOMAIN.md §10). They reuse the
check-character validators of `domain.identifiers`, so a mutation refuses exactly what the
departments' adapters and the receiving systems refuse.

Date bounds (chosen here, documented in the README's "Mutations" section):

- `EARLIEST_EVENT_DATE` 2000-01-01: no case event (discovery, violation, service, evidence,
  inspection) of a case handled today happened before it; statutory limitation periods are two and
  five years (行政处罚法 第三十六条).
- A past event may be at most `DATE_SKEW` (one day) after today in China and an instant at most
  `INSTANT_SKEW` (ten minutes) after now: clocks of clients differ a little, not by days.
- A day in the future (a due date, a hearing day, an item's first valid day) lies at most
  `LATEST_FUTURE` (ten years) ahead.
- Birth dates: 1900-01-01 to today (as GB 11643 validation).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from domain import regions
from domain.identifiers import EARLIEST_BIRTH_DATE, birth_date_of, validate_resident_id, validate_uscc
from domain.sm import normalise_id_number

EARLIEST_EVENT_DATE = date(2000, 1, 1)
DATE_SKEW = timedelta(days=1)
INSTANT_SKEW = timedelta(minutes=10)
LATEST_FUTURE = timedelta(days=3653)

#: 执法事项编码: the 粤执法 format is unknown (DOMAIN.md §3.4), so an opaque ASCII token.
_ITEM_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
_ITEM_VERSION = re.compile(r"^[1-9][0-9]{0,8}$")
#: 执法证号 (DOMAIN.md §3.4, [P]): 6 to 20 digits or capital letters.
_CERT_NO = re.compile(r"^[0-9A-Z]{6,20}$")
_REGION = re.compile(r"^[0-9]{6}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
#: Other identity documents (passports, permits): letters and digits once normalised.
_OTHER_DOCUMENT = re.compile(r"^[0-9A-Z]{5,20}$")
_EIGHTEEN_CHARACTER_TYPES = frozenset({"RESIDENT_ID", "HMT_RESIDENCE"})
#: 港澳台居民居住证 address codes 810000 (Hong Kong), 820000 (Macao), 830000 (Taiwan), DOMAIN.md §3.1
_HMT_PREFIXES = frozenset({"81", "82", "83"})


def has_control_characters(value: str) -> bool:
    """True if any character is a control, format, private-use or unassigned one (category C*)."""
    return any(unicodedata.category(c).startswith("C") for c in value)


def _exact(value: str) -> str | None:
    """A reason when an identifier carries characters it never has (controls, surrounding spaces)."""
    if has_control_characters(value):
        return "contains control characters"
    if value != value.strip() or any(c.isspace() for c in value):
        return "contains spaces"
    return None


def uscc_problem(value: str) -> str | None:
    """统一社会信用代码 (GB 32100): 18 characters of its set and a matching check character."""
    exact = _exact(value)
    if exact is not None:
        return exact
    check = validate_uscc(value)
    if check.valid:
        return None
    return "not a valid unified social credit code (" + "; ".join(p.message for p in check.errors) + ")"


def id_number_problem(id_type: str, value: str, *, today: date) -> str | None:
    """An identity-document number of `id_type`: GB 11643 for resident ID numbers and residence
    permits (check digit, a birth date from 1900 to `today`, a known province; 81/82/83 for a
    permit of Hong Kong, Macao or Taiwan residents); letters and digits
    for the other documents. Spaces and the separators `-` `·` are allowed (they are normalised
    away before hashing); control characters are not."""
    if has_control_characters(value):
        return "contains control characters"
    number = normalise_id_number(value)
    if id_type in _EIGHTEEN_CHARACTER_TYPES:
        check = validate_resident_id(number, today=today)
        if not check.valid:
            return "not a valid resident ID number (" + "; ".join(p.message for p in check.errors) + ")"
        if id_type == "HMT_RESIDENCE" and number[:2] not in _HMT_PREFIXES:
            return "a residence permit of Hong Kong, Macao or Taiwan residents starts 81, 82 or 83"
        return None
    if id_type == "OTHER":
        return None if 1 <= len(number) <= 40 else "an identity-document number has 1 to 40 characters"
    if not _OTHER_DOCUMENT.fullmatch(number):
        return "an identity-document number is 5 to 20 letters and digits"
    return None


def id_number_birth_date(id_type: str, value: str) -> date | None:
    """The birth date an 18-character number carries (None for other documents or a bad number)."""
    if id_type not in _EIGHTEEN_CHARACTER_TYPES:
        return None
    try:
        return birth_date_of(normalise_id_number(value))
    except ValueError:
        return None


def id_number_hash_problem(value: str) -> str | None:
    """`idNumberHash`: the HMAC-SM3 hex digest the population subgraph keys people by."""
    return None if _HASH.fullmatch(value) else "an ID-number hash is 64 lowercase hexadecimal characters"


def region_code_problem(value: str) -> str | None:
    """行政区划代码 (GB/T 2260): six digits of a known province; within Chaozhou (4451xx) one of the
    city's current codes (a historical code such as 445121 names its successor)."""
    exact = _exact(value)
    if exact is not None:
        return exact
    if not _REGION.fullmatch(value):
        return "a region code is six digits (GB/T 2260)"
    if regions.province_name(value) is None:
        return "no province has this code's first two digits"
    if regions.is_chaozhou(value):
        region = regions.lookup(value)
        if region is None:
            return "not a region code of Chaozhou"
        if region.historical:
            return f"a historical region code, now {region.successor_code}"
    return None


def item_code_problem(value: str) -> str | None:
    """执法事项编码: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit."""
    exact = _exact(value)
    if exact is not None:
        return exact
    return None if _ITEM_CODE.fullmatch(value) else "an item code is 1 to 64 letters, digits, '.', '_' or '-'"


def item_version_problem(value: str) -> str | None:
    """An item's version number as text: a positive integer without leading zeros."""
    return None if _ITEM_VERSION.fullmatch(value) else "an item version is a positive whole number"


def cert_no_problem(value: str) -> str | None:
    """执法证号: 6 to 20 digits or capital letters (DOMAIN.md §3.4)."""
    exact = _exact(value)
    if exact is not None:
        return exact
    return None if _CERT_NO.fullmatch(value) else "a certificate number is 6 to 20 digits or capital letters"


# --- dates ----------------------------------------------------------------------------------------


def past_date_problem(value: date, *, today: date) -> str | None:
    """A day something happened: from `EARLIEST_EVENT_DATE` to today (plus one day of skew)."""
    if value < EARLIEST_EVENT_DATE:
        return f"before {EARLIEST_EVENT_DATE.isoformat()}"
    if value > today + DATE_SKEW:
        return "in the future"
    return None


def future_date_problem(value: date, *, today: date) -> str | None:
    """A day something is due or starts: from `EARLIEST_EVENT_DATE` to ten years ahead."""
    if value < EARLIEST_EVENT_DATE:
        return f"before {EARLIEST_EVENT_DATE.isoformat()}"
    if value > today + LATEST_FUTURE:
        return "more than ten years ahead"
    return None


def birth_date_problem(value: date, *, today: date) -> str | None:
    if value < EARLIEST_BIRTH_DATE:
        return f"before {EARLIEST_BIRTH_DATE.isoformat()}"
    if value > today:
        return "in the future"
    return None


def instant_problem(value: datetime, *, now: datetime) -> str | None:
    """An instant something happened: with an offset, not before 2000, at most ten minutes ahead."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "needs a UTC offset"
    if value.date() < EARLIEST_EVENT_DATE:
        return f"before {EARLIEST_EVENT_DATE.isoformat()}"
    if value > now + INSTANT_SKEW:
        return "in the future"
    return None
