"""国密 primitives: SM3 hashing, HMAC-SM3, the pseudonymous ID-number hash and SM2 signatures.

SM3 comes from hashlib where the linked OpenSSL provides it, otherwise from gmssl (pure Python).
HMAC-SM3 is the RFC 2104 construction of the standard `hmac` module over that SM3.

SM2 key and signature formats (all lowercase hexadecimal text, so they fit JSON and SQL columns):

* private key: 64 hex digits, the big-endian scalar d with 1 <= d <= n - 2;
* public key: 128 hex digits, the uncompressed point x || y (32 bytes each) WITHOUT the leading
  ``04`` octet; the functions here also accept the 130-digit form with ``04``;
* signature: 128 hex digits, r || s (32 bytes each, big-endian) -- the raw form of GM/T 0009, not
  DER. The signed digest is e = SM3(Z_A || M) with Z_A computed from the signer's identity (default
  ``1234567812345678``, the GM/T 0009 default) and public key.

Signing nonces come from `secrets`; gmssl's own helper uses the non-cryptographic `random`
module, so it is never used for nonces here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, Self

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

from gmssl import sm2 as _gm_sm2
from gmssl import sm3 as _gm_sm3

__all__ = [
    "DEFAULT_SM2_USER_ID",
    "ID_HASH_SEPARATOR",
    "SM3_DIGEST_SIZE",
    "Sm2Error",
    "Sm2KeyPair",
    "hmac_sm3",
    "hmac_sm3_digest",
    "id_number_hash",
    "normalise_id_number",
    "sm2_generate_keypair",
    "sm2_public_key",
    "sm2_sign",
    "sm2_verify",
    "sm3_digest",
    "sm3_hex",
    "sm3_new",
]

SM3_DIGEST_SIZE: Final = 32
SM3_BLOCK_SIZE: Final = 64
ID_HASH_SEPARATOR: Final = "\x1f"
DEFAULT_SM2_USER_ID: Final = b"1234567812345678"

# SM2 recommended curve parameters (GB/T 32918.5).
_P: Final = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_A: Final = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_B: Final = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_N: Final = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
_GX: Final = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
_GY: Final = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)


class Sm2Error(ValueError):
    """A malformed SM2 key (wrong length, not hex, out of range or not on the curve)."""


class _Hash(Protocol):
    """The part of hashlib's hash object that `hmac` needs."""

    @property
    def digest_size(self) -> int: ...

    @property
    def block_size(self) -> int: ...

    @property
    def name(self) -> str: ...

    def update(self, obj: ReadableBuffer, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...

    def copy(self) -> Self: ...


class _GmsslSm3:
    """SM3 hash object on top of gmssl, used when OpenSSL lacks SM3 (buffers the message)."""

    digest_size = SM3_DIGEST_SIZE
    block_size = SM3_BLOCK_SIZE
    name = "sm3"

    def __init__(self, data: ReadableBuffer = b"") -> None:
        self._buffer = bytearray(data)

    def update(self, obj: ReadableBuffer, /) -> None:
        self._buffer += memoryview(obj).cast("B")

    def digest(self) -> bytes:
        return bytes.fromhex(self.hexdigest())

    def hexdigest(self) -> str:
        return str(_gm_sm3.sm3_hash(list(self._buffer)))

    def copy(self) -> Self:
        return type(self)(bytes(self._buffer))


def _openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3", b"")
    except ValueError:
        return False
    return True


def _openssl_sm3(data: bytes) -> _Hash:
    return hashlib.new("sm3", data)


def _pick_sm3() -> Callable[[bytes], _Hash]:
    return _openssl_sm3 if _openssl_has_sm3() else _GmsslSm3


_sm3_factory: Callable[[bytes], _Hash] | None = None


def sm3_new(data: bytes = b"") -> _Hash:
    """A new SM3 hash object (hashlib-compatible; also usable as `hmac` digestmod)."""
    global _sm3_factory
    if _sm3_factory is None:  # chosen on first use, not at import time
        _sm3_factory = _pick_sm3()
    return _sm3_factory(data)


def _sm3_for_hmac(data: bytes = b"") -> _Hash:
    return sm3_new(data)  # hmac calls it with no argument, and with the key when the key is long


def sm3_digest(data: bytes) -> bytes:
    """SM3 of `data`, 32 raw bytes."""
    return sm3_new(data).digest()


def sm3_hex(data: bytes) -> str:
    """SM3 of `data` as 64 lowercase hex digits (GB/T 32905-2016)."""
    return sm3_new(data).hexdigest()


def hmac_sm3_digest(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 with SM3, block size 64), 32 raw bytes."""
    return hmac.new(key, data, digestmod=_sm3_for_hmac).digest()


def hmac_sm3(key: bytes, data: bytes) -> str:
    """HMAC-SM3 as 64 lowercase hex digits."""
    return hmac_sm3_digest(key, data).hex()


def normalise_id_number(id_number: str) -> str:
    """Canonical form of an identity-document number before hashing.

    NFKC (full-width digits and letters become ASCII), all whitespace and the separators ``-`` and
    ``·`` removed, letters upper-cased (the 18-character ID's check character ``x`` becomes ``X``).
    """
    folded = unicodedata.normalize("NFKC", id_number)
    kept = [c for c in folded if not c.isspace() and c not in "-·"]
    return "".join(kept).upper()


def id_number_hash(secret: bytes, id_type: str, id_number: str) -> str:
    """The pseudonymous federation key ``idNumberHash`` (DOMAIN.md §4, §10.4).

    HMAC-SM3(secret, id_type || 0x1F || normalise_id_number(id_number)), hex. The unit separator
    keeps (type, number) pairs unambiguous; `secret` is the pepper held in the key store.
    """
    if ID_HASH_SEPARATOR in id_type:
        raise ValueError("id_type must not contain the unit separator")
    message = f"{id_type}{ID_HASH_SEPARATOR}{normalise_id_number(id_number)}".encode()
    return hmac_sm3(secret, message)


# --- SM2 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sm2KeyPair:
    """An SM2 key pair in the hex formats described in the module docstring."""

    private_key: str
    public_key: str

    def __repr__(self) -> str:  # never print the private key
        return f"Sm2KeyPair(public_key={self.public_key!r}, private_key=<hidden>)"


def _parse_hex(text: str, digits: int, what: str) -> int:
    if len(text) != digits:
        raise Sm2Error(f"{what} must have {digits} hex digits, got {len(text)}")
    try:
        return int(text, 16)
    except ValueError as exc:
        raise Sm2Error(f"{what} is not hexadecimal") from exc


def _on_curve(x: int, y: int) -> bool:
    return 0 <= x < _P and 0 <= y < _P and (y * y - (x * x * x + _A * x + _B)) % _P == 0


def _normalise_public_key(public_key: str) -> str:
    key = public_key.strip().lower()
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    x = _parse_hex(key[:64], 64, "public key x") if len(key) == 128 else None
    if x is None:
        raise Sm2Error(f"public key must have 128 hex digits (x || y), got {len(key)}")
    y = _parse_hex(key[64:], 64, "public key y")
    if not _on_curve(x, y):
        raise Sm2Error("public key is not a point on the SM2 curve")
    return key


def _parse_private_key(private_key: str) -> int:
    d = _parse_hex(private_key.strip().lower(), 64, "private key")
    if not 1 <= d <= _N - 2:
        raise Sm2Error("private key out of range")
    return d


def _crypt(private_key: str, public_key: str) -> _gm_sm2.CryptSM2:
    crypt = _gm_sm2.CryptSM2(private_key=private_key, public_key=public_key)
    # gmssl strips a "04" prefix with str.lstrip, which also eats leading 0/4 digits of x.
    crypt.public_key = public_key
    return crypt


_G_HEX: Final = f"{_GX:064x}{_GY:064x}"


def sm2_public_key(private_key: str) -> str:
    """The public key (128 hex digits) of an SM2 private key."""
    d = _parse_private_key(private_key)
    point = _crypt(f"{d:064x}", _G_HEX)._kg(d, _G_HEX)
    return str(point)


def sm2_generate_keypair() -> Sm2KeyPair:
    """A fresh SM2 key pair from the operating system's CSPRNG."""
    d = secrets.randbelow(_N - 2) + 1  # 1 <= d <= n - 2
    private_key = f"{d:064x}"
    return Sm2KeyPair(private_key=private_key, public_key=sm2_public_key(private_key))


def _sm2_e(public_key: str, data: bytes, user_id: bytes) -> bytes:
    """e = SM3(Z_A || M), Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA)."""
    entl = len(user_id) * 8
    if entl > 0xFFFF:
        raise Sm2Error("user id too long")
    z_input = (
        entl.to_bytes(2, "big")
        + user_id
        + _A.to_bytes(32, "big")
        + _B.to_bytes(32, "big")
        + _GX.to_bytes(32, "big")
        + _GY.to_bytes(32, "big")
        + bytes.fromhex(public_key)
    )
    return sm3_digest(sm3_digest(z_input) + data)


def sm2_sign(private_key: str, data: bytes, *, user_id: bytes = DEFAULT_SM2_USER_ID) -> str:
    """SM2 signature (r || s, 128 hex digits) of `data` with SM3 and the Z_A prefix."""
    d = _parse_private_key(private_key)
    public_key = sm2_public_key(private_key)
    e = _sm2_e(public_key, data, user_id)
    crypt = _crypt(f"{d:064x}", public_key)
    for _ in range(64):  # a retry is needed with negligible probability (r = 0, r + k = n, s = 0)
        k = secrets.randbelow(_N - 1) + 1
        signature = crypt.sign(e, f"{k:064x}")
        if signature is not None:
            return str(signature)
    raise Sm2Error("could not produce a signature")  # pragma: no cover - probability ~ 2^-16000


def sm2_verify(public_key: str, data: bytes, signature: str, *, user_id: bytes = DEFAULT_SM2_USER_ID) -> bool:
    """True when `signature` (r || s hex) is a valid SM2 signature of `data` under `public_key`.

    Malformed signatures give False; a malformed public key raises `Sm2Error`.
    """
    key = _normalise_public_key(public_key)
    sig = signature.strip().lower()
    if len(sig) != 128:
        return False
    try:
        r, s = int(sig[:64], 16), int(sig[64:], 16)
    except ValueError:
        return False
    if not (1 <= r < _N and 1 <= s < _N) or (r + s) % _N == 0:
        return False
    e = _sm2_e(key, data, user_id)
    return bool(_crypt("0" * 64, key).verify(sig, e))
