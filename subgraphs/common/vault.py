"""The pseudonym vault (`person_index`): `idNumberHash` -> ID type and the SM4-GCM-encrypted ID number.

Federation keys carry only `idNumberHash = HMAC-SM3(secret, idType‖idNumber)` (DOMAIN.md §4, §10.4);
the subgraph that owns `Person` needs the number back to ask the population system. Whenever a
subgraph sees an ID number (a look-up by number, a page of the population system, a licence holder,
a legal representative, an officer) it `remember`s it here; `reveal` turns hashes back into numbers.

Stored per row: the hash (primary key), the ID type, the number encrypted with SM4-GCM under a key
derived from the configured secret (random 96-bit nonce, the hash as associated data so a cipher
text cannot be moved to another row), and a masked form for display and logs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import DateTime, Integer, LargeBinary, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from domain.entities import IdType
from domain.masking import mask_id_number
from domain.sm import hmac_sm3_digest, id_number_hash, normalise_id_number
from subgraphs.common.orm import Base

KEY_VERSION = 1
_KEY_LABEL = b"enforcement-hub/person-index/sm4-gcm/v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16
#: Rows per IN (...) list: well under SQLite's bound-parameter limit.
_CHUNK = 500


class VaultError(Exception):
    """A vault row cannot be decrypted (wrong secret or tampered row); names the masked ID only."""


class PersonIndexRow(Base):
    __tablename__ = "person_index"

    id_number_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    id_type: Mapped[str] = mapped_column(String(20))
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_masked: Mapped[str] = mapped_column(String(24))
    key_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(40))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncStateRow(Base):
    """How far a bulk sync of a source (per region) has paged; lets a sync resume."""

    __tablename__ = "person_sync_state"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    next_page: Mapped[int] = mapped_column(Integer)
    page_size: Mapped[int] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class Identity:
    """An identity document revealed from the vault. The number never appears in `repr`."""

    id_type: IdType
    id_number: str = field(repr=False)
    id_number_hash: str

    @property
    def masked(self) -> str:
        return mask_id_number(self.id_number)


class PseudonymVault:
    """Reads and fills `person_index`. The engine belongs to the app's lifespan."""

    def __init__(self, engine: AsyncEngine, secret: bytes, *, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._secret = secret
        self._key = hmac_sm3_digest(secret, _KEY_LABEL)[:16]
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def engine(self) -> AsyncEngine:
        """The store the vault lives in (a bulk sync keeps its progress there too)."""
        return self._engine

    def hash_of(self, id_type: IdType | str, id_number: str) -> str:
        return id_number_hash(self._secret, str(id_type), id_number)

    # -- writing -----------------------------------------------------------------------------

    async def remember(self, identities: Iterable[tuple[IdType | str, str]], *, source: str) -> dict[str, str]:
        """Record each (ID type, number) once; return the hash of every normalised number given.

        Existing rows are left as they are (insert-or-ignore), so concurrent requests are safe.
        """
        now = self._clock()
        rows: dict[str, dict[str, Any]] = {}
        hashes: dict[str, str] = {}
        for id_type, raw in identities:
            number = normalise_id_number(raw)
            digest = self.hash_of(id_type, number)
            hashes[number] = digest
            if digest not in rows:
                rows[digest] = {
                    "id_number_hash": digest,
                    "id_type": str(id_type),
                    "id_number_cipher": self._encrypt(number, digest),
                    "id_number_masked": mask_id_number(number),
                    "key_version": KEY_VERSION,
                    "source": source[:40],
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
        if not rows:
            return hashes
        values = list(rows.values())
        async with self._engine.begin() as conn:
            for start in range(0, len(values), _CHUNK):
                await conn.execute(self._insert_ignore(), values[start : start + _CHUNK])
        return hashes

    def _insert_ignore(self) -> Any:
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(PersonIndexRow).on_conflict_do_nothing(index_elements=["id_number_hash"])
        return sqlite.insert(PersonIndexRow).on_conflict_do_nothing(index_elements=["id_number_hash"])

    # -- reading -----------------------------------------------------------------------------

    async def reveal(self, hashes: Iterable[str]) -> dict[str, Identity]:
        """The identities behind these hashes; unknown hashes are absent from the result."""
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, Identity] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                stmt = select(
                    PersonIndexRow.id_number_hash, PersonIndexRow.id_type, PersonIndexRow.id_number_cipher,
                    PersonIndexRow.id_number_masked,
                ).where(PersonIndexRow.id_number_hash.in_(chunk))
                for digest, id_type, cipher, masked in (await conn.execute(stmt)).all():
                    number = self._decrypt(cipher, digest, masked)
                    out[digest] = Identity(IdType(id_type), number, digest)
        return out

    async def masked(self, hashes: Iterable[str]) -> dict[str, str]:
        """Masked numbers for display, without decrypting anything."""
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, str] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                stmt = select(PersonIndexRow.id_number_hash, PersonIndexRow.id_number_masked).where(
                    PersonIndexRow.id_number_hash.in_(wanted[start : start + _CHUNK]))
                out.update(dict((await conn.execute(stmt)).all()))
        return out

    # -- SM4-GCM -----------------------------------------------------------------------------

    def _encrypt(self, number: str, digest: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(digest.encode())
        body = encryptor.update(number.encode()) + encryptor.finalize()
        return nonce + body + encryptor.tag

    def _decrypt(self, blob: bytes, digest: str, masked: str) -> str:
        nonce, body, tag = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:-_TAG_BYTES], blob[-_TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(digest.encode())
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag as exc:
            raise VaultError(f"person_index row for {masked} does not decrypt (wrong secret or tampered)") from exc
