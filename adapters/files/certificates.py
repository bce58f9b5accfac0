"""Reader of the provincial certificate system's daily full snapshot (执法证 file drop).

`ZFZ_SNAPSHOT_YYYYMMDD.csv` (GB18030, CRLF, csv quoting): a header of Chinese column names, one
certificate per line, and the trailer `#TOTAL,<n>`. A snapshot is taken only once its marker
`ZFZ_SNAPSHOT_YYYYMMDD.ok` exists (it states `rows=` and `sha256=` of the CSV, both checked).

Columns are found by their header names through the mapping `certificates.toml`; a column of an
optional field may be absent (older snapshots have no 状态变更日期). A row that fails (wrong number
of fields, bad date, unknown code, ID number with a wrong check character, a decided status without
the day it took effect) becomes a `RowError` with its 1-based line number, a `RowErrorCode` and its
problems — never the ID number itself — and the other rows are read. A file that is incomplete or
inconsistent as a whole raises `SnapshotError`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from adapters.errors import SourceError
from adapters.mapping import Mapping, load_mapping
from domain.entities import DATED_CERTIFICATE_STATUSES, CertificateStatus, EnforcementCertificate, IdType
from domain.identifiers import validate_resident_id
from domain.sm import sm3_hex

SOURCE = "certificates"
_NAME = re.compile(r"^(?P<prefix>.+)(?P<day>\d{8})\.csv$")


class SnapshotError(SourceError):
    """The snapshot as a whole cannot be used (no marker, trailer or checksum mismatch, no header)."""

    code = "SNAPSHOT_REJECTED"


class RowErrorCode(StrEnum):
    """Why a row was not imported (a row with several kinds of problem is MALFORMED_ROW)."""

    MALFORMED_ROW = "MALFORMED_ROW"
    STATUS_DATE_MISSING = "STATUS_DATE_MISSING"  # SUSPENDED/REVOKED/CANCELLED/LOST without 状态变更日期
    STATUS_DATE_INVALID = "STATUS_DATE_INVALID"  # 状态变更日期 is not a date
    STATUS_DATE_OUT_OF_RANGE = "STATUS_DATE_OUT_OF_RANGE"  # before 有效期起 or after the snapshot's day
    STATUS_DATE_UNEXPECTED = "STATUS_DATE_UNEXPECTED"  # a date for ACTIVE or EXPIRED, which have none


@dataclass(frozen=True)
class RowError:
    line: int
    problems: tuple[str, ...]
    cert_no: str | None = None
    code: RowErrorCode = RowErrorCode.MALFORMED_ROW


@dataclass(frozen=True)
class SnapshotRow:
    """One usable line: the certificate plus what the file says about its holder."""

    line: int
    certificate: EnforcementCertificate
    holder_name: str
    id_type: IdType
    id_number: str = field(repr=False)
    body_name: str | None


@dataclass(frozen=True)
class Snapshot:
    path: Path
    day: date
    sm3: str
    rows: list[SnapshotRow]
    errors: list[RowError]

    @property
    def rows_total(self) -> int:
        return len(self.rows) + len(self.errors)


def snapshot_day(path: Path, prefix: str = "ZFZ_SNAPSHOT_") -> date | None:
    m = _NAME.match(path.name)
    if m is None or m["prefix"] != prefix:
        return None
    text = m["day"]
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def latest_snapshot(drop_dir: Path, mapping: Mapping | None = None) -> Path | None:
    """The newest snapshot in `drop_dir` whose `.ok` marker exists (an unmarked file is still arriving)."""
    prefix = str((mapping or load_mapping("certificates")).options.get("file_prefix", "ZFZ_SNAPSHOT_"))
    if not drop_dir.is_dir():
        return None
    ready = [p for p in drop_dir.iterdir()
             if snapshot_day(p, prefix) is not None and p.with_suffix(".ok").is_file()]
    return max(ready, key=lambda p: p.name, default=None)


def read_snapshot(path: Path, *, mapping: Mapping | None = None, today: date | None = None) -> Snapshot:
    mapping = mapping or load_mapping("certificates")
    options = mapping.options
    day = snapshot_day(path, str(options.get("file_prefix", "ZFZ_SNAPSHOT_")))
    if day is None:
        raise SnapshotError(SOURCE, f"{path.name}: not a snapshot file name")
    marker = path.with_suffix(".ok")
    if not marker.is_file():
        raise SnapshotError(SOURCE, f"{path.name}: no .ok marker yet")
    data = path.read_bytes()
    _check_marker(path, marker, data)
    try:
        text = data.decode(str(options.get("encoding", "gb18030")))
    except UnicodeDecodeError as exc:
        raise SnapshotError(SOURCE, f"{path.name}: not {options.get('encoding')} text") from exc
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        raise SnapshotError(SOURCE, f"{path.name}: empty file")
    header = [h.strip() for h in lines[0]]
    missing = [rule.source for rule in mapping.fields if rule.required and rule.source not in header]
    if missing:
        raise SnapshotError(SOURCE, f"{path.name}: header lacks {', '.join(missing)}")
    trailer_tag = str(options.get("trailer", "#TOTAL"))
    body = lines[1:]
    if not body or not body[-1] or body[-1][0] != trailer_tag:
        raise SnapshotError(SOURCE, f"{path.name}: no {trailer_tag} trailer (file truncated?)")
    declared = body[-1][1] if len(body[-1]) > 1 else ""
    body = body[:-1]
    if not declared.isdigit() or int(declared) != len(body):
        raise SnapshotError(SOURCE, f"{path.name}: trailer says {declared!r} rows, file has {len(body)}")
    rows: list[SnapshotRow] = []
    errors: list[RowError] = []
    for offset, fields_ in enumerate(body):
        line = offset + 2  # the header is line 1
        parsed = _row(mapping, header, fields_, line, today or day)
        if isinstance(parsed, RowError):
            errors.append(parsed)
        else:
            rows.append(parsed)
    return Snapshot(path=path, day=day, sm3=sm3_hex(data), rows=rows, errors=errors)


def _check_marker(path: Path, marker: Path, data: bytes) -> None:
    facts = dict(line.split("=", 1) for line in marker.read_text("ascii").splitlines() if "=" in line)
    digest = facts.get("sha256")
    if digest and digest != hashlib.sha256(data).hexdigest():
        raise SnapshotError(SOURCE, f"{path.name}: checksum does not match its marker")


def _row(mapping: Mapping, header: list[str], fields_: list[str], line: int, today: date) -> SnapshotRow | RowError:
    cert_no = fields_[0].strip() if fields_ else None
    if len(fields_) != len(header):
        return RowError(line, (f"expected {len(header)} fields, found {len(fields_)}",), cert_no)
    record: dict[str, Any] = dict(zip(header, fields_, strict=True))
    values, problems = mapping.apply(record)
    id_number = values.get("id_number")
    if isinstance(id_number, str):
        id_number = id_number.strip().upper()
        problems.extend(f"{mapping.column('id_number')}: {p.code.value}"
                        for p in validate_resident_id(id_number, today=today).errors)
    if problems:
        only_date = all(p.startswith(f"{_since_column(mapping)}:") for p in problems)
        code = RowErrorCode.STATUS_DATE_INVALID if only_date else RowErrorCode.MALFORMED_ROW
        return RowError(line, tuple(problems), cert_no, code)
    dated = _status_date_problem(mapping, values, today)
    if dated is not None:
        code, problem = dated
        return RowError(line, (problem,), cert_no, code)
    assert isinstance(id_number, str)
    certificate = EnforcementCertificate(
        cert_no=values["cert_no"], cert_type=values["cert_type"], officer_id=values["officer_id"],
        body_uscc=values["body_uscc"], area=tuple(values["area"]), categories=tuple(values["categories"]),
        power_source=values.get("power_source"), issued_by=values.get("issued_by"),
        issue_date=values.get("issue_date"), valid_from=values["valid_from"], valid_to=values["valid_to"],
        status=CertificateStatus(values["status"]), exam_passed_at=values.get("exam_passed_at"),
        status_since=values.get("status_since"),
    )
    return SnapshotRow(line=line, certificate=certificate, holder_name=values["holder_name"],
                       id_type=IdType.RESIDENT_ID, id_number=id_number, body_name=values.get("body_name"))


def _status_date_problem(mapping: Mapping, values: dict[str, Any], today: date) -> tuple[RowErrorCode, str] | None:
    """The day the status took effect must be there for a decided status, and lie in [validFrom, today]."""
    column = _since_column(mapping)
    status = CertificateStatus(values["status"])
    since: date | None = values.get("status_since")
    if status in DATED_CERTIFICATE_STATUSES:
        if since is None:
            return RowErrorCode.STATUS_DATE_MISSING, f"{column}: missing for status {status.value}"
        if since < values["valid_from"] or since > today:
            return (RowErrorCode.STATUS_DATE_OUT_OF_RANGE,
                    f"{column}: {since:%Y%m%d} is outside {values['valid_from']:%Y%m%d}..{today:%Y%m%d}")
    elif since is not None:
        return RowErrorCode.STATUS_DATE_UNEXPECTED, f"{column}: given for status {status.value}, which has no date"
    return None


def _since_column(mapping: Mapping) -> str:
    try:
        return mapping.column("status_since")
    except KeyError:  # a mapping without the column: the date is never given
        return "状态变更日期"
