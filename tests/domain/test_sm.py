"""SM3, HMAC-SM3, the ID-number hash and SM2 signatures against published vectors and independent code."""

from __future__ import annotations

import hashlib

import pytest
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import sm
from domain.sm import (
    Sm2Error,
    hmac_sm3,
    id_number_hash,
    normalise_id_number,
    sm2_generate_keypair,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
    sm3_hex,
)

# GB/T 32905-2016, Appendix A.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def gmssl_sm3(data: bytes) -> bytes:
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def rfc2104_hmac_gmssl(key: bytes, data: bytes) -> str:
    """HMAC written out (RFC 2104) over gmssl's independent SM3; block size 64."""
    if len(key) > 64:
        key = gmssl_sm3(key)
    key = key.ljust(64, b"\x00")
    inner = gmssl_sm3(bytes(b ^ 0x36 for b in key) + data)
    return gmssl_sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def test_sm3_published_vectors() -> None:
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == SM3_ABCD16


def test_gmssl_fallback_hash_object_matches_vectors_and_hashlib() -> None:
    fallback = sm._GmsslSm3(b"ab")
    fallback.update(b"c")
    assert fallback.hexdigest() == SM3_ABC
    copy = fallback.copy()
    copy.update(b"d")
    assert fallback.hexdigest() == SM3_ABC  # the copy is independent
    assert copy.hexdigest() == sm3_hex(b"abcd")
    assert sm._GmsslSm3(b"abcd" * 16).digest() == bytes.fromhex(SM3_ABCD16)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_sm3_agrees_with_gmssl(data: bytes) -> None:
    assert sm3_hex(data) == gmssl_sm3(data).hex()


def test_hmac_sm3_known_answers_by_independent_route() -> None:
    for key, data in [
        (b"key", b"The quick brown fox jumps over the lazy dog"),
        (b"", b""),
        (b"k" * 64, b"abc"),
        (b"long key " * 20, b"abcd" * 16),  # longer than a block: hashed first
    ]:
        assert hmac_sm3(key, data) == rfc2104_hmac_gmssl(key, data)


def test_hmac_sm3_is_not_plain_sm3_of_concatenation() -> None:
    assert hmac_sm3(b"k", b"abc") != sm3_hex(b"kabc")
    assert len(hmac_sm3(b"k", b"abc")) == 64


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=150), st.binary(max_size=200))
def test_hmac_sm3_property_matches_rfc2104(key: bytes, data: bytes) -> None:
    assert hmac_sm3(key, data) == rfc2104_hmac_gmssl(key, data)


def test_hmac_sm3_via_gmssl_fallback_equals_openssl_route() -> None:
    import hmac as hmac_mod

    via_fallback = hmac_mod.new(b"pepper", b"data", digestmod=sm._GmsslSm3).hexdigest()
    assert via_fallback == hmac_sm3(b"pepper", b"data")
    if "sm3" in hashlib.algorithms_available:
        assert hmac_mod.new(b"pepper", b"data", digestmod="sm3").hexdigest() == via_fallback


def test_id_number_hash_definition() -> None:
    secret = b"pepper-2024"
    expected = rfc2104_hmac_gmssl(secret, b"RESIDENT_ID\x1f44510219900307123X")
    assert id_number_hash(secret, "RESIDENT_ID", "44510219900307123X") == expected


def test_id_number_hash_normalises_number_not_type() -> None:
    secret = b"s"
    canonical = id_number_hash(secret, "RESIDENT_ID", "44510219900307123X")
    assert id_number_hash(secret, "RESIDENT_ID", " 44510219900307123x ") == canonical
    assert id_number_hash(secret, "RESIDENT_ID", "４４５１０２１９９００３０７１２３Ｘ") == canonical
    assert id_number_hash(secret, "PASSPORT", "44510219900307123X") != canonical
    assert id_number_hash(b"other", "RESIDENT_ID", "44510219900307123X") != canonical


def test_id_number_hash_separator_prevents_ambiguity() -> None:
    assert id_number_hash(b"s", "A", "B1") != id_number_hash(b"s", "AB", "1")
    with pytest.raises(ValueError, match="separator"):
        id_number_hash(b"s", "A\x1fB", "1")


def test_normalise_id_number() -> None:
    assert normalise_id_number("4451 0219-9003·07123x") == "44510219900307123X"
    assert normalise_id_number("e1234５６７８") == "E12345678"


# --- SM2 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keypair() -> sm.Sm2KeyPair:
    return sm2_generate_keypair()


def test_sm2_key_formats(keypair: sm.Sm2KeyPair) -> None:
    assert len(keypair.private_key) == 64
    assert len(keypair.public_key) == 128
    int(keypair.private_key, 16)
    assert sm2_public_key(keypair.private_key) == keypair.public_key
    assert keypair.private_key not in repr(keypair)


def test_sm2_sign_verify_round_trip(keypair: sm.Sm2KeyPair) -> None:
    message = "潮湘市监罚〔2024〕12号".encode()
    signature = sm2_sign(keypair.private_key, message)
    assert len(signature) == 128
    assert sm2_verify(keypair.public_key, message, signature)
    assert sm2_verify("04" + keypair.public_key, message, signature)  # 04-prefixed form accepted
    assert sm2_sign(keypair.private_key, message) != signature  # fresh nonce per signature


def test_sm2_detects_tampering(keypair: sm.Sm2KeyPair) -> None:
    message = b"head-hash:abc"
    signature = sm2_sign(keypair.private_key, message)
    assert not sm2_verify(keypair.public_key, b"head-hash:abd", signature)
    flipped = signature[:10] + ("0" if signature[10] != "0" else "1") + signature[11:]
    assert not sm2_verify(keypair.public_key, message, flipped)
    other = sm2_generate_keypair()
    assert not sm2_verify(other.public_key, message, signature)
    assert not sm2_verify(keypair.public_key, message, signature, user_id=b"another-signer")


def test_sm2_malformed_signatures_are_false_not_errors(keypair: sm.Sm2KeyPair) -> None:
    for bad in ["", "zz" * 64, "0" * 128, "ab" * 63, "f" * 128]:
        assert not sm2_verify(keypair.public_key, b"m", bad)


def test_sm2_malformed_keys_raise() -> None:
    with pytest.raises(Sm2Error):
        sm2_verify("00" * 64, b"m", "1" * 128)  # (0, 0) is not on the curve
    with pytest.raises(Sm2Error):
        sm2_verify("abc", b"m", "1" * 128)
    with pytest.raises(Sm2Error):
        sm2_sign("0" * 64, b"m")
    with pytest.raises(Sm2Error):
        sm2_sign("xyz", b"m")


def test_sm2_interoperates_with_gmssl_sm3_signatures(keypair: sm.Sm2KeyPair) -> None:
    """gmssl's sign_with_sm3 uses the same Z_A (default id) construction, computed independently."""
    crypt = gm_sm2.CryptSM2(private_key=keypair.private_key, public_key=keypair.public_key)
    crypt.public_key = keypair.public_key
    message = b"anchor 2024-05-01"
    ours = sm2_sign(keypair.private_key, message)
    assert crypt.verify_with_sm3(ours, message)
    theirs = crypt.sign_with_sm3(message, "1f" * 32)
    assert sm2_verify(keypair.public_key, message, theirs)


def test_sm2_public_key_with_leading_zero_or_four_digits() -> None:
    """Keys whose x starts with 0 or 4 must survive (gmssl's lstrip('04') bug)."""
    found = 0
    for _ in range(200):
        pair = sm2_generate_keypair()
        if pair.public_key[0] in "04":
            signature = sm2_sign(pair.private_key, b"x")
            assert sm2_verify(pair.public_key, b"x", signature)
            found += 1
            if found >= 2:
                break
    assert found >= 1
