"""Draw the Demo Partner logo (512x512 PNG): `python examples/demo_partner/listing/make_logo.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512
BLUE = (11, 92, 173, 255)
LIGHT = (232, 242, 252, 255)
GREEN = (46, 160, 67, 255)


def draw_logo() -> Image.Image:
    """A rounded blue tile with a white invoice sheet and a green tick."""
    logo = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(logo)
    pen.rounded_rectangle((16, 16, SIZE - 16, SIZE - 16), radius=96, fill=BLUE)
    pen.rounded_rectangle((136, 96, 376, 416), radius=24, fill=LIGHT)
    for row in range(5):  # invoice lines
        top = 150 + row * 44
        pen.rounded_rectangle((172, top, 340 - (row % 2) * 60, top + 16), radius=8, fill=BLUE)
    pen.ellipse((296, 296, 440, 440), fill=GREEN)
    pen.line((326, 370, 358, 402, 412, 338), fill=LIGHT, width=22, joint="curve")
    return logo


if __name__ == "__main__":
    draw_logo().save(Path(__file__).with_name("logo.png"), optimize=True)
