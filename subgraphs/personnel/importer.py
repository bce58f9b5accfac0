"""Apply a certificate snapshot to the personnel store, idempotently.

- The same file twice changes nothing: a file whose SM3 was already imported is skipped, and any
  snapshot row whose content hash (`row_hash`, SM3 over the row's canonical form) equals the
  stored one is left untouched — only inserted or changed rows are written.
- A malformed row goes into the run's row-level report (line number, error code and problems) and
  the log, and the rest are imported; the stored certificate it names is kept as it was. A decided
  status (SUSPENDED, REVOKED, CANCELLED, LOST) without the day it took effect is such a row.
- The snapshot is full: a certificate missing from it — or an officer none of whose certificates
  is in it — is marked `vanished_at`, never deleted; one that reappears is unmarked.
- An officer the store does not know yet is created from the row (name, hash and masked ID number;
  the number itself goes into the pseudonym vault only).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.files.certificates import RowError, Snapshot, SnapshotRow
from domain.masking import mask_id_number
from domain.sm import normalise_id_number, sm3_hex
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.store import BodyRow, CertificateRow, ImportRunRow, OfficerRow

log = logging.getLogger("subgraphs.personnel.importer")


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    file_sm3: str
    rows_total: int
    rows_failed: int
    inserted: int
    updated: int
    unchanged: int
    marked_vanished: int
    errors: list[RowError] = field(default_factory=list)
    already_imported: bool = False


def row_hash(row: SnapshotRow, id_number_hash: str) -> str:
    """SM3 over the canonical JSON of everything the row says (the ID number only as its hash).

    A row with no status date hashes as it did before the date existed, so the new column does not
    rewrite every unchanged certificate once."""
    cert = asdict(row.certificate)
    if cert.get("status_since") is None:  # rows without the date hash as they did before it existed
        cert.pop("status_since", None)
    canonical = {**cert, "holder_name": row.holder_name, "id_number_hash": id_number_hash}
    return sm3_hex(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS, default=_iso))


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


async def import_snapshot(engine: AsyncEngine, vault: PseudonymVault, snapshot: Snapshot, *,
                          now: datetime | None = None) -> ImportReport:
    now = now or datetime.now(UTC)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        previous = (await session.scalars(
            select(ImportRunRow).where(ImportRunRow.file_sm3 == snapshot.sm3).limit(1))).first()
        if previous is not None:
            return ImportReport(
                file_name=snapshot.path.name, file_sm3=snapshot.sm3, rows_total=previous.rows_total,
                rows_failed=previous.rows_failed, inserted=0, updated=0, unchanged=previous.rows_total - previous.rows_failed,
                marked_vanished=0, errors=list(snapshot.errors), already_imported=True)

        hashes = await vault.remember(((r.id_type, r.id_number) for r in snapshot.rows), source="certificates")
        errors = list(snapshot.errors)
        bodies = set((await session.scalars(select(BodyRow.uscc))).all())
        officers = {o.id: o for o in (await session.scalars(select(OfficerRow))).all()}
        certificates = {c.cert_no: c for c in (await session.scalars(select(CertificateRow))).all()}
        inserted = updated = unchanged = vanished = 0
        seen_certs: set[str] = set()
        seen_officers: set[str] = set()
        for row in snapshot.rows:
            cert = row.certificate
            digest = hashes[normalise_id_number(row.id_number)]
            officer = officers.get(cert.officer_id)
            if officer is None:
                if cert.body_uscc not in bodies:
                    errors.append(RowError(row.line, (f"unknown enforcement body {cert.body_uscc}",), cert.cert_no))
                    continue
                officer = OfficerRow(
                    id=cert.officer_id, name=row.holder_name, id_type=row.id_type.value, id_number_hash=digest,
                    id_number_masked=mask_id_number(row.id_number), body_uscc=cert.body_uscc, post=None,
                    staff_type=None, has_legal_qualification=False, legal_qualification_no=None,
                    is_legal_reviewer=False, training_hours={}, status="ACTIVE", vanished_at=None, updated_at=now)
                session.add(officer)
                officers[officer.id] = officer
            elif officer.vanished_at is not None:
                officer.vanished_at = None
                officer.updated_at = now
            seen_officers.add(officer.id)
            seen_certs.add(cert.cert_no)
            content = row_hash(row, digest)
            stored = certificates.get(cert.cert_no)
            if stored is None:
                session.add(_certificate_row(row, content, now))
                inserted += 1
            elif stored.row_hash != content or stored.vanished_at is not None:
                _apply(stored, row, content, now)
                updated += 1
            else:
                unchanged += 1
        # a broken row still names its certificate: neither it nor its holder has vanished
        for error in errors:
            if error.cert_no:
                seen_certs.add(error.cert_no)
                if error.cert_no in certificates:
                    seen_officers.add(certificates[error.cert_no].officer_id)
        for cert_no, stored in certificates.items():
            if cert_no not in seen_certs and stored.vanished_at is None:
                stored.vanished_at = now
                stored.updated_at = now
                vanished += 1
        held = {c.officer_id for c in certificates.values()}
        for officer_id, officer in officers.items():
            if officer_id in held and officer_id not in seen_officers and officer.vanished_at is None:
                officer.vanished_at = now
                officer.updated_at = now
                vanished += 1
        for error in errors:
            log.warning("certificate snapshot %s line %d (%s): %s: %s", snapshot.path.name, error.line,
                        error.cert_no or "no certificate number", error.code.value, "; ".join(error.problems))
        report = ImportReport(
            file_name=snapshot.path.name, file_sm3=snapshot.sm3, rows_total=snapshot.rows_total,
            rows_failed=len(errors), inserted=inserted, updated=updated, unchanged=unchanged,
            marked_vanished=vanished, errors=errors)
        session.add(ImportRunRow(
            file_name=report.file_name, file_sm3=report.file_sm3, imported_at=now, rows_total=report.rows_total,
            rows_failed=report.rows_failed, inserted=inserted, updated=updated, unchanged=unchanged,
            marked_vanished=vanished,
            report=orjson.dumps([{"line": e.line, "code": e.code.value, "cert_no": e.cert_no,
                                  "problems": list(e.problems)} for e in errors]).decode()))
        await session.commit()
    log.info("certificate snapshot %s: %d rows, %d failed, %d inserted, %d updated, %d unchanged, %d vanished",
             report.file_name, report.rows_total, report.rows_failed, inserted, updated, unchanged, vanished)
    return report


def _certificate_row(row: SnapshotRow, content: str, now: datetime) -> CertificateRow:
    stored = CertificateRow(cert_no=row.certificate.cert_no)
    _apply(stored, row, content, now)
    return stored


def _apply(stored: CertificateRow, row: SnapshotRow, content: str, now: datetime) -> None:
    cert = row.certificate
    stored.cert_type = cert.cert_type
    stored.officer_id = cert.officer_id
    stored.body_uscc = cert.body_uscc
    stored.area = list(cert.area)
    stored.categories = list(cert.categories)
    stored.power_source = cert.power_source
    stored.issued_by = cert.issued_by
    stored.issue_date = cert.issue_date
    stored.valid_from = cert.valid_from
    stored.valid_to = cert.valid_to
    stored.status = cert.status.value
    stored.status_since = cert.status_since
    stored.exam_passed_at = cert.exam_passed_at
    stored.row_hash = content
    stored.vanished_at = None
    stored.updated_at = now
