"""The provider's ES256 signing keys: generated on first start, kept across restarts, rotatable.

Keys live in `<data_dir>/identity_keys/key-NNNN.pem` (PKCS#8, mode 0600); the highest NNNN signs,
every key stays in the JWKS so tokens signed before a rotation still verify. The `kid` is the key's
RFC 7638 thumbprint. Without a writable directory (or with `persist=False`) keys live in memory only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_DIR = "identity_keys"
ALGORITHM = "ES256"
_KEY_FILE = re.compile(r"^key-(\d{4,})\.pem$")

log = logging.getLogger("simulators.identity")


class KeyFileError(Exception):
    """A stored key file cannot be read as an EC P-256 private key."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
            "kid": self.kid,
            "use": "sig",
            "alg": ALGORITHM,
        }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _thumbprint(key: ec.EllipticCurvePrivateKey) -> str:
    numbers = key.public_key().public_numbers()
    members = {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return _b64url(hashlib.sha256(canonical).digest())


def _make(key: ec.EllipticCurvePrivateKey) -> SigningKey:
    return SigningKey(kid=_thumbprint(key), private_key=key)


class KeyRing:
    """Every key the provider ever used, oldest first; the newest signs."""

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._keys: list[SigningKey] = []
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read stored keys, or create the first one. Idempotent."""
        with self._lock:
            if self._keys:
                return
            stored = self._read_all()
            self._keys = [key for _, key in stored]
            if not self._keys:
                self._keys.append(self._create(next_seq=1))

    def rotate(self) -> SigningKey:
        """Add a new signing key; older keys stay published."""
        self.load()
        with self._lock:
            key = self._create(next_seq=len(self._keys) + 1)
            self._keys.append(key)
            return key

    @property
    def current(self) -> SigningKey:
        self.load()
        return self._keys[-1]

    def all_keys(self) -> list[SigningKey]:
        self.load()
        return list(self._keys)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.all_keys()]}

    # -- storage -----------------------------------------------------------------------------------

    def _read_all(self) -> list[tuple[int, SigningKey]]:
        directory = self._directory
        if directory is None or not directory.is_dir():
            return []
        found: list[tuple[int, SigningKey]] = []
        for path in directory.iterdir():
            match = _KEY_FILE.match(path.name)
            if match:
                found.append((int(match.group(1)), _make(_read_pem(path))))
        found.sort(key=lambda pair: pair[0])
        return found

    def _create(self, *, next_seq: int) -> SigningKey:
        key = ec.generate_private_key(ec.SECP256R1())
        if self._directory is None:
            return _make(key)
        try:
            return self._store(key, next_seq)
        except OSError as exc:
            log.warning("identity keys kept in memory only: %s", exc)
            self._directory = None
            return _make(key)

    def _store(self, key: ec.EllipticCurvePrivateKey, seq: int) -> SigningKey:
        """Write key-<seq>.pem without overwriting: another process may have written it first."""
        assert self._directory is not None
        self._directory.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        target = self._directory / f"key-{seq:04d}.pem"
        temp = self._directory / f".key-{seq:04d}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(temp, target)
            except FileExistsError:
                return _make(_read_pem(target))
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        return _make(key)


def _read_pem(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path.name} is not a readable private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyFileError(f"{path.name} is not an EC P-256 key")
    return key
