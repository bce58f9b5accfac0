"""Check-character algorithms and validators for resident ID numbers, USCCs and organisation codes.

- GB 11643-1999 居民身份证号码: ISO 7064 MOD 11-2 over 17 digits (DOMAIN.md §3.1).
- GB 32100-2015 统一社会信用代码: weighted MOD 31 over a 31-character set (§3.2), whose positions
  9–17 carry a GB 11714 organisation code with its own MOD 11 check (a warning only).

Validators never raise: they return an `IdCheck` listing typed problems. Builders and converters
raise `IdentifierError` (a `ValueError`) when given something that cannot be an identifier.

Error tree::

    ValueError
     └── IdentifierError          .code is a ProblemCode (BAD_FORMAT, BAD_BIRTH_DATE, ...)
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain import regions

# --- code tables -----------------------------------------------------------------------------------

ID18_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 ...
ID18_CHECK_CHARS = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE: dict[str, int] = {c: i for i, c in enumerate(USCC_CHARSET)}

ORG_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE: dict[str, int] = {c: i for i, c in enumerate(ORG_CODE_CHARSET)}

#: GB 32100 position 1: the registration department.
USCC_DEPARTMENTS: dict[str, str] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教",
    "8": "工会", "9": "工商/市场监管", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_ID18_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15_RE = re.compile(r"^[0-9]{15}$")
_USCC_CLASS = "[0-9A-HJ-NP-RT-UW-Y]"
_USCC_RE = re.compile(rf"^{_USCC_CLASS}{{2}}[0-9]{{6}}{_USCC_CLASS}{{10}}$")
_ORG_RE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")


class ProblemCode(StrEnum):
    BAD_FORMAT = "BAD_FORMAT"
    BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
    BAD_BIRTH_DATE = "BAD_BIRTH_DATE"
    UNKNOWN_PROVINCE = "UNKNOWN_PROVINCE"
    UNKNOWN_COUNTY = "UNKNOWN_COUNTY"
    HISTORICAL_COUNTY = "HISTORICAL_COUNTY"
    BAD_ORG_CODE_CHECK = "BAD_ORG_CODE_CHECK"
    UNKNOWN_DEPARTMENT = "UNKNOWN_DEPARTMENT"


class Severity(StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"


class IdentifierError(ValueError):
    """Input that cannot be turned into an identifier (bad body, impossible date, ...)."""

    def __init__(self, code: ProblemCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    severity: Severity
    message: str


@dataclass(frozen=True)
class IdCheck:
    """The outcome of validating one identifier: `valid` is False as soon as any ERROR is present."""

    value: str
    problems: tuple[Problem, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def codes(self) -> set[ProblemCode]:
        return {p.code for p in self.problems}


def _error(code: ProblemCode, message: str) -> Problem:
    return Problem(code, Severity.ERROR, message)


def _warning(code: ProblemCode, message: str) -> Problem:
    return Problem(code, Severity.WARNING, message)


# --- resident ID (GB 11643) ------------------------------------------------------------------------


def id18_check_char(body17: str) -> str:
    """The 18th character of a resident ID number for its first 17 digits."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise IdentifierError(ProblemCode.BAD_FORMAT, "an ID body is exactly 17 ASCII digits")
    total = sum(map(operator.mul, map(int, body17), ID18_WEIGHTS))
    return ID18_CHECK_CHARS[total % 11]


def _parse_yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def validate_resident_id(s: str, *, today: date | None = None) -> IdCheck:
    """Validate an 18-character resident ID number (a lowercase x is accepted and normalised).

    Errors: BAD_FORMAT, BAD_CHECK_DIGIT, BAD_BIRTH_DATE (not a date, before 1900 or after `today`),
    UNKNOWN_PROVINCE. Warnings only: UNKNOWN_COUNTY (not in our small table; historical codes stay
    valid), HISTORICAL_COUNTY (e.g. 445121, now 445103).
    """
    value = s.strip().upper()
    if not _ID18_RE.fullmatch(value):
        return IdCheck(value, (_error(ProblemCode.BAD_FORMAT, "expected 17 digits and a digit or X"),))
    problems: list[Problem] = []
    if id18_check_char(value[:17]) != value[17]:
        problems.append(_error(ProblemCode.BAD_CHECK_DIGIT, "the check character does not match"))
    born = _parse_yyyymmdd(value[6:14])
    limit = today or date.today()
    if born is None:
        problems.append(_error(ProblemCode.BAD_BIRTH_DATE, "the birth date is not a calendar date"))
    elif born < EARLIEST_BIRTH_DATE or born > limit:
        problems.append(_error(ProblemCode.BAD_BIRTH_DATE, "the birth date is out of range"))
    problems.extend(_address_problems(value[:6]))
    return IdCheck(value, tuple(problems))


def _address_problems(code: str) -> list[Problem]:
    if regions.province_name(code) is None:
        return [_error(ProblemCode.UNKNOWN_PROVINCE, f"no province has code {code[:2]}")]
    region = regions.lookup(code)
    if region is None:
        return [_warning(ProblemCode.UNKNOWN_COUNTY, "the address code is not in the local region table")]
    if region.historical:
        return [_warning(ProblemCode.HISTORICAL_COUNTY,
                         f"historical address code, now {region.successor_code}")]
    return []


def is_valid_resident_id(s: str, *, today: date | None = None) -> bool:
    return validate_resident_id(s, today=today).valid


def build_resident_id(address_code: str, birth: date, sequence: int) -> str:
    """Assemble an 18-character ID from its parts (sequence 0..999; odd = male)."""
    if len(address_code) != 6 or not address_code.isdigit():
        raise IdentifierError(ProblemCode.BAD_FORMAT, "the address code is six digits")
    if not 0 <= sequence <= 999:
        raise IdentifierError(ProblemCode.BAD_FORMAT, "the sequence is 0..999")
    body = f"{address_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return body + id18_check_char(body)


def convert_legacy_15(s: str) -> str:
    """Convert a 15-digit GB 11643-1989 number to 18 characters: insert "19", append the check."""
    value = s.strip()
    if not _ID15_RE.fullmatch(value):
        raise IdentifierError(ProblemCode.BAD_FORMAT, "a legacy ID number is exactly 15 digits")
    if _parse_yyyymmdd("19" + value[6:12]) is None:
        raise IdentifierError(ProblemCode.BAD_BIRTH_DATE, "the birth date is not a calendar date")
    body = value[:6] + "19" + value[6:]
    return body + id18_check_char(body)


def to_legacy_15(s: str) -> str:
    """The 15-digit form of an 18-character number born in the 1900s (drops "19" and the check)."""
    value = s.strip().upper()
    if not _ID18_RE.fullmatch(value) or value[6:8] != "19":
        raise IdentifierError(ProblemCode.BAD_FORMAT, "only 18-character numbers born 1900-1999 have a 15-digit form")
    return value[:6] + value[8:17]


def birth_date_of(s: str) -> date:
    """The birth date in a 15- or 18-character ID number."""
    value = s.strip().upper()
    if _ID18_RE.fullmatch(value):
        text = value[6:14]
    elif _ID15_RE.fullmatch(value):
        text = "19" + value[6:12]
    else:
        raise IdentifierError(ProblemCode.BAD_FORMAT, "not a 15- or 18-character ID number")
    born = _parse_yyyymmdd(text)
    if born is None:
        raise IdentifierError(ProblemCode.BAD_BIRTH_DATE, "the birth date is not a calendar date")
    return born


def gender_of(s: str) -> str:
    """GB/T 2261.1 gender code from the sequence: odd = "1" (male), even = "2" (female)."""
    value = s.strip().upper()
    if _ID18_RE.fullmatch(value):
        digit = value[16]
    elif _ID15_RE.fullmatch(value):
        digit = value[14]
    else:
        raise IdentifierError(ProblemCode.BAD_FORMAT, "not a 15- or 18-character ID number")
    return "1" if int(digit) % 2 else "2"


# --- organisation code (GB 11714) ------------------------------------------------------------------


def org_code_check_char(body8: str) -> str:
    """The 9th character of an organisation code for its first 8 characters (0-9, A-Z)."""
    if len(body8) != 8 or any(c not in _ORG_VALUE for c in body8):
        raise IdentifierError(ProblemCode.BAD_FORMAT, "an organisation-code body is 8 characters 0-9/A-Z")
    total = sum(_ORG_VALUE[c] * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def is_valid_org_code(s: str) -> bool:
    value = s.strip().upper().replace("-", "")
    return bool(_ORG_RE.fullmatch(value)) and org_code_check_char(value[:8]) == value[8]


def build_org_code(body8: str) -> str:
    return body8 + org_code_check_char(body8)


# --- unified social credit code (GB 32100) ---------------------------------------------------------


def uscc_check_char(body17: str) -> str:
    """The 18th character of a USCC for its first 17 characters."""
    if len(body17) != 17 or any(c not in _USCC_VALUE for c in body17):
        raise IdentifierError(ProblemCode.BAD_FORMAT, f"a USCC body is 17 characters of {USCC_CHARSET}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(s: str) -> IdCheck:
    """Validate a USCC (lowercase letters are normalised).

    Errors: BAD_FORMAT (length, charset, or non-digits in the region positions 3–8),
    BAD_CHECK_DIGIT. Warnings only: BAD_ORG_CODE_CHECK (the inner GB 11714 check on positions 9–17),
    UNKNOWN_DEPARTMENT (position 1), UNKNOWN_PROVINCE (positions 3–4; central bodies use 100000).
    """
    value = s.strip().upper()
    if not _USCC_RE.fullmatch(value):
        return IdCheck(value, (_error(ProblemCode.BAD_FORMAT,
                                      "expected 18 characters of the GB 32100 set with digits at 3-8"),))
    problems: list[Problem] = []
    if uscc_check_char(value[:17]) != value[17]:
        problems.append(_error(ProblemCode.BAD_CHECK_DIGIT, "the check character does not match"))
    if org_code_check_char(value[8:16]) != value[16]:
        problems.append(_warning(ProblemCode.BAD_ORG_CODE_CHECK,
                                 "the organisation code in positions 9-17 fails its own check"))
    if value[0] not in USCC_DEPARTMENTS:
        problems.append(_warning(ProblemCode.UNKNOWN_DEPARTMENT, f"unknown registration department {value[0]}"))
    if regions.province_name(value[2:8]) is None and value[2:4] != "10":
        problems.append(_warning(ProblemCode.UNKNOWN_PROVINCE, f"no province has code {value[2:4]}"))
    return IdCheck(value, tuple(problems))


def is_valid_uscc(s: str) -> bool:
    return validate_uscc(s).valid


def build_uscc(department: str, category: str, region_code: str, org_code: str) -> str:
    """Assemble a USCC from department, category, six-digit region and a nine-character org code."""
    body = f"{department}{category}{region_code}{org_code}"
    if not _USCC_RE.fullmatch(body + "0"):
        raise IdentifierError(ProblemCode.BAD_FORMAT, "the parts do not form a USCC body")
    return body + uscc_check_char(body)
