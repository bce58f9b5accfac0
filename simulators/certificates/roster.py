"""The provincial system's current certificates: loaded from the seed, changed by later drops.

Seed files: `certificates.jsonl` (required), `officers.jsonl` (holder name and ID number) and, when present,
`bodies.jsonl` (`uscc` -> `name`, for 执法主体名称). A change that sets a decided status (SUSPENDED, REVOKED,
CANCELLED, LOST) without `status_changed_on` takes the drop's day as that date, as the provincial
system records it; a change back to ACTIVE or EXPIRED clears it. Changes accumulate: a certificate changed or an officer
dropped in one snapshot stays so in every later snapshot, as in the real roster.

Code tables (seed value -> the file's label; unknown values are written as they are):
    certificate status   ACTIVE 有效, SUSPENDED 暂扣, REVOKED 吊销, EXPIRED 过期, CANCELLED 注销, LOST 挂失
    certificate type     GD_ADMIN 广东省人民政府行政执法证, NATIONAL_SECTOR 国务院部门行政执法证,
                         SUPERVISION 行政执法监督证
    power source         STATUTORY 法定, CONCENTRATED 相对集中, ASSIGNED_TO_TOWN 赋权乡镇街道, ENTRUSTED 委托
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import orjson

CERTIFICATES_FILE = "certificates.jsonl"
OFFICERS_FILE = "officers.jsonl"
BODIES_FILE = "bodies.jsonl"

STATUS_LABELS: dict[str, str] = {
    "ACTIVE": "有效", "SUSPENDED": "暂扣", "REVOKED": "吊销", "EXPIRED": "过期", "CANCELLED": "注销",
    "LOST": "挂失",
}
TYPE_LABELS: dict[str, str] = {
    "GD_ADMIN": "广东省人民政府行政执法证", "NATIONAL_SECTOR": "国务院部门行政执法证",
    "SUPERVISION": "行政执法监督证",
}
POWER_SOURCE_LABELS: dict[str, str] = {
    "STATUTORY": "法定", "CONCENTRATED": "相对集中", "ASSIGNED_TO_TOWN": "赋权乡镇街道", "ENTRUSTED": "委托",
}

#: statuses set by a decision on a day of their own; the others carry no 状态变更日期
DATED_STATUSES = frozenset({"SUSPENDED", "REVOKED", "CANCELLED", "LOST"})

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class RosterError(Exception):
    """Seed files missing or unreadable, or a change that names an unknown certificate, officer or field."""


@dataclass(frozen=True)
class Certificate:
    cert_no: str
    cert_type: str = ""
    officer_id: str = ""
    body_uscc: str = ""
    area: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    power_source: str = ""
    issued_by: str = ""
    issue_date: str = ""
    valid_from: str = ""
    valid_to: str = ""
    status: str = ""
    exam_passed_at: str = ""
    status_changed_on: str = ""

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> Certificate:
        cert_no = obj.get("cert_no")
        if not isinstance(cert_no, str) or not cert_no:
            raise RosterError("certificate without a cert_no")
        return cls(cert_no=cert_no).changed(obj)

    def changed(self, change: Mapping[str, object]) -> Certificate:
        """This certificate with the given seed fields replaced; an unknown field is a `RosterError`."""
        known = {f.name for f in fields(self)} - {"cert_no"}
        values: dict[str, object] = {}
        for key, raw in change.items():
            if key == "cert_no":
                continue
            if key not in known:
                raise RosterError(f"unknown certificate field {key!r}")
            if key in ("area", "categories"):
                items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
                values[key] = tuple(str(v) for v in items)
            else:
                values[key] = "" if raw is None else str(raw)
        return replace(self, **values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Holder:
    name: str
    id_number: str


def _clean(text: str) -> str:
    """No line breaks inside a field: line numbers in the file must be row numbers."""
    return text.replace("\r", " ").replace("\n", " ")


def file_date(value: str) -> str:
    """ISO date (or date-time) -> YYYYMMDD; empty stays empty; anything else as it is."""
    m = _ISO_DATE.match(value)
    return f"{m[1]}{m[2]}{m[3]}" if m else value


def _json_lines(path: Path) -> Iterator[dict[str, object]]:
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise RosterError(f"{path.name} line {lineno}: not JSON ({exc})") from exc
            if not isinstance(obj, dict):
                raise RosterError(f"{path.name} line {lineno}: not a JSON object")
            yield obj


def _text(obj: Mapping[str, object], key: str) -> str:
    value = obj.get(key)
    return "" if value is None else str(value)


class Roster:
    """Current certificates plus the holder and body names needed to write a snapshot row."""

    def __init__(self, certificates: dict[str, Certificate], holders: dict[str, Holder],
                 bodies: dict[str, str]) -> None:
        self.certificates = certificates
        self.holders = holders
        self.bodies = bodies

    @classmethod
    def load(cls, data_dir: Path) -> Roster:
        certs_path = data_dir / CERTIFICATES_FILE
        if not certs_path.is_file():
            raise RosterError(f"missing {CERTIFICATES_FILE} in the data directory")
        certificates: dict[str, Certificate] = {}
        for obj in _json_lines(certs_path):
            cert = Certificate.from_json(obj)
            certificates[cert.cert_no] = cert
        holders: dict[str, Holder] = {}
        if (data_dir / OFFICERS_FILE).is_file():
            for obj in _json_lines(data_dir / OFFICERS_FILE):
                holders[_text(obj, "id")] = Holder(name=_text(obj, "name"), id_number=_text(obj, "id_number"))
        bodies: dict[str, str] = {}
        if (data_dir / BODIES_FILE).is_file():
            for obj in _json_lines(data_dir / BODIES_FILE):
                bodies[_text(obj, "uscc")] = _text(obj, "name")
        return cls(certificates, holders, bodies)

    def evolved(self, *, drop_officers: list[str], change: Mapping[str, Mapping[str, object]],
                day: date | None = None) -> Roster:
        """A new roster with officers' certificates removed and certificate fields changed (on `day`)."""
        known_officers = {c.officer_id for c in self.certificates.values()} | set(self.holders)
        unknown = sorted(set(drop_officers) - known_officers)
        if unknown:
            raise RosterError(f"unknown officer ids: {', '.join(unknown)}")
        certificates = dict(self.certificates)
        for cert_no, fields_ in change.items():
            current = certificates.get(cert_no)
            if current is None:
                raise RosterError(f"unknown certificate {cert_no!r}")
            updated = current.changed(fields_)
            if "status" in fields_ and "status_changed_on" not in fields_ and updated.status != current.status:
                since = day.isoformat() if day is not None and updated.status in DATED_STATUSES else ""
                updated = replace(updated, status_changed_on=since)
            certificates[cert_no] = updated
        dropped = set(drop_officers)
        certificates = {k: v for k, v in certificates.items() if v.officer_id not in dropped}
        return Roster(certificates, self.holders, self.bodies)

    def rows(self) -> list[tuple[Certificate, list[str]]]:
        """Each certificate with its snapshot row, ordered by certificate number."""
        out: list[tuple[Certificate, list[str]]] = []
        for cert_no in sorted(self.certificates):
            cert = self.certificates[cert_no]
            holder = self.holders.get(cert.officer_id, Holder("", ""))
            row = [
                cert.cert_no,
                TYPE_LABELS.get(cert.cert_type, cert.cert_type),
                cert.officer_id,
                holder.name,
                holder.id_number,
                cert.body_uscc,
                self.bodies.get(cert.body_uscc, ""),
                ";".join(cert.area),
                ";".join(cert.categories),
                POWER_SOURCE_LABELS.get(cert.power_source, cert.power_source),
                cert.issued_by,
                file_date(cert.issue_date),
                file_date(cert.valid_from),
                file_date(cert.valid_to),
                STATUS_LABELS.get(cert.status, cert.status),
                file_date(cert.exam_passed_at),
                file_date(cert.status_changed_on),
            ]
            out.append((cert, [_clean(v) for v in row]))
        return out
