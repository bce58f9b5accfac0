"""Deliberately malformed snapshot rows, spread evenly over the file at line numbers the caller is told.

Kinds, used in turn: `bad_id_check` (身份证号 with a wrong GB 11643 check character), `bad_date`
(有效期止 with month 13), `missing_column` (执法区域 left out, so the row has one field too few).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.certificates.snapshot import COL_AREA, COL_ID_NUMBER, COL_VALID_TO

KINDS: tuple[str, ...] = ("bad_id_check", "bad_date", "missing_column")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECKS = "10X98765432"
#: First data row is line 2 (line 1 is the header).
FIRST_DATA_LINE = 2


@dataclass(frozen=True)
class BrokenRow:
    line: int
    kind: str
    cert_no: str


def id_check(body17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of a 17-digit body."""
    return _ID_CHECKS[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def _wrong_check(id_number: str) -> str:
    body = id_number[:17] if len(id_number) >= 17 and id_number[:17].isdigit() else "44510219900307123"
    right = id_check(body)
    return body + _ID_CHECKS[(_ID_CHECKS.index(right) + 1) % len(_ID_CHECKS)]


def spread(count: int, total: int) -> list[int]:
    """`count` distinct row indexes in [0, total), evenly spaced. Requires 0 <= count <= total."""
    if not 0 <= count <= total:
        raise ValueError(f"cannot break {count} of {total} rows")
    if count == 0:
        return []
    offset = (total // count) // 2
    return [(k * total) // count + offset for k in range(count)]


def break_rows(rows: list[list[str]], count: int) -> list[BrokenRow]:
    """Malform `count` of `rows` in place; return where (1-based file line numbers) and how."""
    report: list[BrokenRow] = []
    for n, index in enumerate(spread(count, len(rows))):
        kind = KINDS[n % len(KINDS)]
        row = rows[index]
        cert_no = row[0]
        if kind == "bad_id_check":
            row[COL_ID_NUMBER] = _wrong_check(row[COL_ID_NUMBER])
        elif kind == "bad_date":
            year = row[COL_VALID_TO][:4] if row[COL_VALID_TO][:4].isdigit() else "2030"
            row[COL_VALID_TO] = f"{year}1332"
        else:
            del row[COL_AREA]
        report.append(BrokenRow(line=index + FIRST_DATA_LINE, kind=kind, cert_no=cert_no))
    return report
