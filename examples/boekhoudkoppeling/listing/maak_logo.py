"""Draw the listing logo (512 x 512 PNG) with the standard library only: a ledger book."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

GROOTTE = 512
BLAUW = (11, 92, 140)
WIT = (255, 255, 255)
GROEN = (46, 160, 67)


def _kleur(x: int, y: int) -> tuple[int, int, int]:
    """The pixel at (x, y): a white book with ruled lines and a green tick on blue."""
    if 112 <= x < 400 and 96 <= y < 416:
        if 112 <= x < 136:
            return BLAUW  # the spine
        if (y - 150) % 48 < 6 and 168 <= x < 368 and y < 400:
            return (170, 190, 205)  # ruled lines
        if 250 <= y < 370 and abs((x - 240) - (y - 320)) < 12 and 228 <= x < 290:
            return GROEN  # tick, short stroke
        if 220 <= y < 370 and abs((x - 290) + (y - 370)) < 12 and 280 <= x < 380:
            return GROEN  # tick, long stroke
        return WIT
    return BLAUW


def png() -> bytes:
    """The logo as PNG bytes."""
    rijen = b"".join(b"\x00" + bytes(c for x in range(GROOTTE) for c in _kleur(x, y))
                     for y in range(GROOTTE))

    def blok(soort: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + soort + data
                + struct.pack(">I", zlib.crc32(soort + data) & 0xFFFFFFFF))

    kop = struct.pack(">IIBBBBB", GROOTTE, GROOTTE, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + blok(b"IHDR", kop) + blok(b"IDAT", zlib.compress(rijen, 9))
            + blok(b"IEND", b""))


if __name__ == "__main__":
    doel = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("logo.png")
    doel.write_bytes(png())
    print(f"{doel}: {GROOTTE} x {GROOTTE} px")
