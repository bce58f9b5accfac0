"""Electronic seals (电子印章) of case documents: SM2 signatures over a document's SM3 and identity.

A seal signs `canonical_json({"caseId", "docNo", "docType", "keyId", "signedAt", "sm3"})` with the
agency's SM2 key (GB/T 38540 describes the full seal format; this is its cryptographic core). The
public keys are registered in the `seal_key` table so any reader can verify a seal.

DEV ONLY: `SealKeyring.load_or_create` keeps the private key in a JSON file under the data
directory (mode 0600). Production keeps seal keys in a certified cryptographic module (密码机).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from domain.hashchain import canonical_json
from domain.sm import sm2_generate_keypair, sm2_public_key, sm2_sign, sm2_verify


@dataclass(frozen=True, slots=True)
class SealKey:
    key_id: str
    holder: str
    public_key: str
    private_key: str = field(repr=False)

    @classmethod
    def generate(cls, key_id: str, holder: str) -> SealKey:
        pair = sm2_generate_keypair()
        return cls(key_id, holder, pair.public_key, pair.private_key)


@dataclass(frozen=True, slots=True)
class Seal:
    key_id: str
    signed_at: str
    signature: str = field(repr=False)


def seal_message(*, case_id: str, doc_no: str | None, doc_type: str, sm3: str, key_id: str, signed_at: str) -> bytes:
    return canonical_json({"caseId": case_id, "docNo": doc_no, "docType": doc_type, "keyId": key_id,
                           "signedAt": signed_at, "sm3": sm3})


def apply_seal(key: SealKey, *, case_id: str, doc_no: str | None, doc_type: str, sm3: str, signed_at: str) -> Seal:
    message = seal_message(case_id=case_id, doc_no=doc_no, doc_type=doc_type, sm3=sm3, key_id=key.key_id,
                           signed_at=signed_at)
    return Seal(key.key_id, signed_at, sm2_sign(key.private_key, message))


def verify_seal(public_key: str, seal: Seal, *, case_id: str, doc_no: str | None, doc_type: str, sm3: str) -> bool:
    message = seal_message(case_id=case_id, doc_no=doc_no, doc_type=doc_type, sm3=sm3, key_id=seal.key_id,
                           signed_at=seal.signed_at)
    return sm2_verify(public_key, message, seal.signature)


def load_or_create(path: Path, *, key_id: str = "case-seal-dev-1", holder: str = "DEV ONLY seal") -> SealKey:
    """DEV ONLY: the seal key in `path`, created (0600) on first use."""
    if path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        key = SealKey(str(raw["key_id"]), str(raw["holder"]), str(raw["public_key"]), str(raw["private_key"]))
        if sm2_public_key(key.private_key) != key.public_key:
            raise ValueError(f"{path.name}: the public key does not belong to the private key")
        return key
    key = SealKey.generate(key_id, holder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"key_id": key.key_id, "holder": key.holder, "public_key": key.public_key,
                   "private_key": key.private_key}, fh)
    return key
