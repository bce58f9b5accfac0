"""Documents (执法文书) and evidence (证据) of a case: files by SM3, seals, capture records.

The bytes are uploaded first (base64 mutation or HTTP upload) into the content-addressed
`BlobStore`; attaching then records the file's SM3 on the case in the same transaction as an
event of the full-process record, so the chain covers the hash, the seal and the capture data.

* `attach_document` — any state but ARCHIVED; `seal=True` signs the document with the agency's
  SM2 seal key (decision documents must be sealed: 《行政处罚法》第五十九条).
* `attach_evidence` — drives `RecordEvidence` through the state machine (T7 loop, INVESTIGATING),
  recording the SM3 taken at capture, the device and the capture instant (Art. 41, 47).
* `verify_document` — re-hashes the stored file and checks the seal against the registered key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.blobs import BlobStore, check_sm3
from subgraphs.cases.domain.commands import RecordEvidence
from subgraphs.cases.domain.enums import CaseState, EvidenceKind
from subgraphs.cases.domain.errors import IllegalTransition
from subgraphs.cases.domain.records import EvidenceRecord
from subgraphs.cases.errors import BadInput, BlobError
from subgraphs.cases.queries import document
from subgraphs.cases.rows import CaseLicenceRow, DocumentRow, EvidenceRow, SealKeyRow
from subgraphs.cases.seal import Seal, SealKey, apply_seal, verify_seal
from subgraphs.cases.service import CaseService, CommandResult, ExtraRow, Idempotency, RecordEvent, uuid7

LICENCE_ACTIONS = ("SUSPEND", "REVOKE", "DOWNGRADE", "REFERENCE")


@dataclass(frozen=True, slots=True)
class SealCheck:
    ok: bool
    reason: str


async def register_seal_key(engine: AsyncEngine, key: SealKey, *, now: datetime) -> None:
    """Record the seal's public key (idempotent; a different key under the same id is refused)."""
    async with engine.begin() as conn:
        known = (await conn.execute(select(SealKeyRow.public_key).where(SealKeyRow.key_id == key.key_id))).scalar()
        if known is None:
            await conn.execute(insert(SealKeyRow).values(key_id=key.key_id, holder=key.holder,
                                                         public_key=key.public_key, created_at=now))
        elif known != key.public_key:
            raise BadInput(f"seal key id {key.key_id} is registered with another public key")


async def public_key_of(engine: AsyncEngine, key_id: str) -> str | None:
    async with engine.connect() as conn:
        return (await conn.execute(select(SealKeyRow.public_key).where(SealKeyRow.key_id == key_id))).scalar()


class CaseFiles:
    def __init__(self, service: CaseService, blobs: BlobStore, seal_key: SealKey | None) -> None:
        self.service = service
        self.blobs = blobs
        self.seal_key = seal_key

    async def attach_document(
        self, case_id: str, *, doc_type: str, title: str, media_type: str, sm3: str, actor_id: str, at: datetime,
        doc_no: str | None = None, seal: bool = False, expected_version: int | None = None,
        idempotency: Idempotency | None = None,
    ) -> CommandResult:
        digest = check_sm3(sm3)
        size = self._size(digest)
        record = await self.service.load(case_id)
        if record.snapshot.state is CaseState.ARCHIVED:
            raise IllegalTransition("AttachDocument", CaseState.ARCHIVED.value, ("any state but ARCHIVED",))
        doc_id = uuid7()
        sealed: Seal | None = None
        if seal:
            if self.seal_key is None:
                raise BadInput("no seal key is configured")
            sealed = apply_seal(self.seal_key, case_id=case_id, doc_no=doc_no, doc_type=doc_type, sm3=digest,
                                signed_at=at.isoformat())
        payload = {"documentId": doc_id, "docType": doc_type, "docNo": doc_no, "title": title, "sm3": digest,
                   "size": size, "sealKeyId": sealed.key_id if sealed else None,
                   "sealSignature": sealed.signature if sealed else None,
                   "signedAt": sealed.signed_at if sealed else None}
        row = ExtraRow(DocumentRow, {
            "id": doc_id, "case_id": case_id, "doc_type": doc_type, "doc_no": doc_no, "title": title,
            "media_type": media_type, "sm3": digest, "size": size,
            "seal_key_id": payload["sealKeyId"], "seal_signature": payload["sealSignature"],
            "signed_at": payload["signedAt"], "created_by": actor_id, "created_at": self.service.clock()})
        event = RecordEvent("AttachDocument", actor_id, at, f"document {doc_type} {doc_no or title} attached", payload)
        return await self.service.record(case_id, event, expected_version=expected_version, idempotency=idempotency,
                                         extra=[row])

    async def attach_evidence(
        self, case_id: str, *, kind: EvidenceKind, title: str, media_type: str, sm3: str, captured_at: datetime,
        collected_by: tuple[str, ...], actor_id: str, at: datetime, device_id: str | None = None,
        method: str | None = None, signed: bool = True, evidence_id: str | None = None,
        expected_version: int | None = None, idempotency: Idempotency | None = None,
    ) -> CommandResult:
        digest = check_sm3(sm3)
        size = self._size(digest)
        ev_id = evidence_id or uuid7()
        record = EvidenceRecord(ev_id, kind, captured_at.date(), collected_by, signed, digest)
        command = RecordEvidence(at=at, actor_id=actor_id, evidence=record)
        row = ExtraRow(EvidenceRow, {
            "id": ev_id, "case_id": case_id, "kind": kind.value, "title": title, "media_type": media_type,
            "sm3": digest, "size": size, "captured_at": captured_at.isoformat(), "device_id": device_id,
            "method": method, "collected_by": list(collected_by), "created_at": self.service.clock()})
        return await self.service.execute(command, case_id=case_id, expected_version=expected_version,
                                          idempotency=idempotency, extra=[row])

    async def link_licence(
        self, case_id: str, *, licence_id: str, action: str, actor_id: str, at: datetime,
        expected_version: int | None = None, idempotency: Idempotency | None = None,
    ) -> CommandResult:
        if action not in LICENCE_ACTIONS:
            raise BadInput(f"licence action must be one of {', '.join(LICENCE_ACTIONS)}")
        event = RecordEvent("LinkLicence", actor_id, at, f"licence {licence_id} linked ({action})",
                            {"licenceId": licence_id, "action": action})
        row = ExtraRow(CaseLicenceRow, {"case_id": case_id, "licence_id": licence_id, "action": action})
        return await self.service.record(case_id, event, expected_version=expected_version, idempotency=idempotency,
                                         extra=[row])

    async def verify_document(self, document_id: str) -> SealCheck:
        doc = await document(self.service.engine, document_id)
        if doc is None:
            return SealCheck(False, f"no document {document_id}")
        try:
            self.blobs.get(doc.sm3)
        except BlobError as exc:
            return SealCheck(False, str(exc))
        if doc.seal_signature is None or doc.seal_key_id is None or doc.signed_at is None:
            return SealCheck(False, "the document is not sealed")
        public_key = await public_key_of(self.service.engine, doc.seal_key_id)
        if public_key is None:
            return SealCheck(False, f"seal key {doc.seal_key_id} is not registered")
        seal = Seal(doc.seal_key_id, doc.signed_at, doc.seal_signature)
        if not verify_seal(public_key, seal, case_id=doc.case_id, doc_no=doc.doc_no, doc_type=doc.doc_type,
                           sm3=doc.sm3):
            return SealCheck(False, "the seal signature does not match the document")
        return SealCheck(True, f"sealed with {doc.seal_key_id} at {doc.signed_at}; file intact")

    def _size(self, digest: str) -> int:
        path = self.blobs.path_of(digest)
        if not path.is_file():
            raise BlobError(f"no uploaded file with SM3 {digest}: upload the file first")
        return path.stat().st_size
