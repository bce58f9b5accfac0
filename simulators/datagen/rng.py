"""Seed derivation and index permutations: how rows stay deterministic and independent of each other.

Every file has its own `random.Random` stream derived from (seed, file name). Rows that other files
refer to (persons, entities) are pure functions of (seed, index): each is drawn from a stream seeded
by `row_seed(base, index)`, so any file can rebuild person 4711 without reading persons.jsonl.
Unique identifiers come from `Permutation`, a keyed bijection of [0, size), not from rejection.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK64 = (1 << 64) - 1


def derive_seed(seed: int, *labels: str) -> int:
    """A 64-bit seed for the stream named by `labels` (stable across Python versions and platforms)."""
    text = "\x1f".join((str(seed), *labels))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class Rng(random.Random):
    """Mersenne Twister with cheaper integer draws: one `random()` call per choice instead of the
    rejection loop of `getrandbits`. The bias is below 2**-40 for the small ranges used here, and
    the sequence is as reproducible as the base class's."""

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if step != 1 or stop <= start:
            return super().randrange(start, stop, step)
        return start + int(self.random() * (stop - start))


def stream(seed: int, *labels: str) -> Rng:
    """A fresh generator for the named stream."""
    return Rng(derive_seed(seed, *labels))


def row_seed(base: int, index: int) -> int:
    """The seed of row `index` in a per-row family whose base came from `derive_seed`."""
    return (base + index * 0x9E3779B97F4A7C15) & _MASK64


class Permutation:
    """A keyed bijection of range(size): a four-round (unbalanced) Feistel network with cycle walking.

    The network permutes [0, 2**bits) for the smallest `bits` covering `size`; values that land
    outside range(size) are encrypted again, which stays a bijection and needs < 2 rounds on average.
    """

    def __init__(self, size: int, key: int) -> None:
        if size < 1:
            raise ValueError("a permutation needs a positive size")
        bits = max(2, (size - 1).bit_length())
        self.size = size
        self._left_bits = bits // 2
        self._right_bits = bits - bits // 2
        rng = random.Random(key)
        self._keys = tuple(rng.getrandbits(32) for _ in range(4))

    def _encrypt(self, value: int) -> int:
        lbits, rbits = self._left_bits, self._right_bits
        left, right = value >> rbits, value & ((1 << rbits) - 1)
        for key in self._keys:
            h = ((right ^ key) * 0x45D9F3B) & 0xFFFFFFFF
            h ^= h >> 16
            h = (h * 0x45D9F3B) & 0xFFFFFFFF
            h ^= h >> 16
            # (left: lbits, right: rbits) -> (right: rbits, left ^ F(right): lbits); widths swap each round
            left, right = right, (left ^ h) & ((1 << lbits) - 1)
            lbits, rbits = rbits, lbits
        return (left << rbits) | right

    def __call__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} outside 0..{self.size - 1}")
        value = self._encrypt(index)
        while value >= self.size:  # cycle walking; ends because _encrypt permutes [0, 2**bits)
            value = self._encrypt(value)
        return value
