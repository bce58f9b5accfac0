"""Draws the officer app's icons (web/static/mobile/icon-192.png, icon-512.png) with a small PNG writer.

A blue square (the app's theme colour) with a white ring and a white check mark: simple, legible at
48 px, and inside the maskable safe zone (the central 80%). Run: python scripts/officer_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "web" / "static" / "mobile"
BLUE = (31, 78, 140)
WHITE = (255, 255, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG of `rows` (each width*3 bytes)."""
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def _near_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float], width: float) -> bool:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= width * width


def icon(size: int) -> bytes:
    c = size / 2
    outer, inner, stroke = size * 0.34, size * 0.27, size * 0.045
    check = ((size * 0.36, size * 0.51), (size * 0.46, size * 0.61), (size * 0.65, size * 0.40))
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            x, y = i + 0.5, j + 0.5
            r2 = (x - c) ** 2 + (y - c) ** 2
            white = inner * inner <= r2 <= outer * outer or _near_segment(x, y, check[0], check[1], stroke) \
                or _near_segment(x, y, check[1], check[2], stroke)
            row.extend(WHITE if white else BLUE)
        rows.append(bytes(row))
    return png(size, size, rows)


def main() -> None:
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(icon(size))


if __name__ == "__main__":
    main()
