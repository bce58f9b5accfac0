"""The pseudonym vault: hashes in, ID numbers out, encrypted at rest, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from domain.entities import IdType
from domain.identifiers import build_resident_id
from domain.sm import id_number_hash
from subgraphs.common.db import create_engine
from subgraphs.common.logsafe import scrub
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PersonIndexRow, PseudonymVault, VaultError

SECRET = b"vault-test-pepper"
IDS = [build_resident_id("445102", date(1980, 1, 1 + i), 10 + i) for i in range(20)]


async def test_round_trip_insert_or_ignore_and_no_plaintext(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        vault = PseudonymVault(engine, SECRET)
        hashes = await vault.remember([(IdType.RESIDENT_ID, n) for n in IDS], source="test")
        again = await vault.remember([(IdType.RESIDENT_ID, IDS[0].lower())], source="other")  # x/X, duplicates
        assert again[IDS[0]] == hashes[IDS[0]] == id_number_hash(SECRET, "RESIDENT_ID", IDS[0])
        revealed = await vault.reveal([*hashes.values(), "f" * 64])
        assert {h: i.id_number for h, i in revealed.items()} == {h: n for n, h in hashes.items()}
        assert IDS[0] not in repr(revealed[hashes[IDS[0]]])
        async with engine.connect() as conn:
            rows = (await conn.execute(select(PersonIndexRow.id_number_cipher, PersonIndexRow.id_number_masked))).all()
        assert len(rows) == len(IDS)
        for cipher, masked in rows:
            assert not any(n.encode() in cipher for n in IDS)
            assert "*" in masked
        with pytest.raises(VaultError):
            await PseudonymVault(engine, b"another-secret").reveal([hashes[IDS[1]]])
        async with engine.begin() as conn:  # a cipher text moved to another row does not decrypt
            await conn.execute(update(PersonIndexRow).where(PersonIndexRow.id_number_hash == hashes[IDS[2]])
                               .values(id_number_cipher=rows[0][0]))
        with pytest.raises(VaultError):
            await vault.reveal([hashes[IDS[2]]])
    finally:
        await engine.dispose()


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**17 - 1), st.text(alphabet="abc 中文,:;", max_size=20))
def test_scrub_masks_every_id_like_token(body: int, noise: str) -> None:
    number = build_resident_id("445102", date(1990, 3, 7), 123) if body % 2 else f"{body:017d}X"
    text = scrub(f"{noise}{number}{noise}")
    assert number not in text
    assert noise in text
