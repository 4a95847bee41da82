"""Draw the app's PNG icons from the same shapes as pwa/static/icons/icon.svg.

Standard library only (zlib + struct), so no imaging package is needed. Run it after changing
the icon: ``.venv/bin/python scripts/make_icons.py``. Shapes are drawn as signed distance
fields, which gives smooth anti-aliased edges with one sample per pixel.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "pwa" / "static" / "icons"

BRAND = (0x12, 0x35, 0x5B)
WHITE = (0xFF, 0xFF, 0xFF)
YELLOW = (0xFF, 0xDD, 0x00)

Sdf = Callable[[float, float], float]


def rounded_square(radius: float) -> Sdf:
    def sdf(x: float, y: float) -> float:
        qx = abs(x - 32) - (32 - radius)
        qy = abs(y - 32) - (32 - radius)
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return sdf


def capsule(ax: float, ay: float, bx: float, by: float, half_width: float) -> Sdf:
    def sdf(x: float, y: float) -> float:
        px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
        t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - t * dx, py - t * dy) - half_width

    return sdf


def disc(cx: float, cy: float, r: float) -> Sdf:
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def scaled(sdf: Sdf, k: float) -> Sdf:
    """The shape shrunk by ``k`` about the centre (maskable icons keep to the safe zone)."""
    return lambda x, y: sdf(32 + (x - 32) / k, 32 + (y - 32) / k) * k


def render(size: int, maskable: bool) -> bytes:
    k = 0.8 if maskable else 1.0
    background = rounded_square(0.0 if maskable else 12.0)
    layers = [
        (background, BRAND),
        (scaled(capsule(14, 46, 50, 18, 3), k), WHITE),
        (scaled(disc(18, 50, 5), k), YELLOW),
    ]
    px_per_unit = size / 64
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # PNG filter: none
        y = (j + 0.5) / px_per_unit
        for i in range(size):
            x = (i + 0.5) / px_per_unit
            r = g = b = a = 0.0
            for sdf, colour in layers:
                cover = min(1.0, max(0.0, 0.5 - sdf(x, y) * px_per_unit))
                if cover <= 0:
                    continue
                # "over" compositing, premultiplied
                r = colour[0] * cover + r * (1 - cover)
                g = colour[1] * cover + g * (1 - cover)
                b = colour[2] * cover + b * (1 - cover)
                a = cover + a * (1 - cover)
            if a > 0:
                rows += bytes((round(r / a), round(g / a), round(b / a), round(a * 255)))
            else:
                rows += b"\0\0\0\0"
    return png(size, size, bytes(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ]:
        data = render(size, maskable)
        (ICONS / name).write_bytes(data)
        print(f"{name}: {size}x{size}, {len(data)} bytes")


if __name__ == "__main__":
    main()
