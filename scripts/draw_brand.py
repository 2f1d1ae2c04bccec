"""Draw the Vertical Farm icon and logos with Pillow.

A sprout on the top shelf of a small rack, flat greens on transparency. The
artwork is drawn once on a large canvas and scaled down, which smooths the
edges at every size.

Usage: python scripts/draw_brand.py
Writes custom_components/vertical_farm/brand/{icon,icon@2x,logo,logo@2x}.png
(square) and addon/{icon,logo}.png (the add-on logo is wide, with the name).
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
BRAND_DIR = ROOT / "custom_components" / "vertical_farm" / "brand"
ADDON_DIR = ROOT / "addon"

CANVAS = 1024
DARK_GREEN = (46, 125, 50, 255)
MID_GREEN = (67, 160, 71, 255)
LIGHT_GREEN = (124, 179, 66, 255)
NAME = "Vertical Farm"

type Point = tuple[float, float]


def leaf(base: Point, tip: Point, width: float, steps: int = 48) -> list[Point]:
    """Return the outline of a pointed leaf from ``base`` to ``tip``."""
    length = math.dist(base, tip)
    along = ((tip[0] - base[0]) / length, (tip[1] - base[1]) / length)
    normal = (-along[1], along[0])
    upper: list[Point] = []
    lower: list[Point] = []
    for step in range(steps + 1):
        share = step / steps
        # Widest a little before the middle, like a real cotyledon.
        half = width / 2 * math.sin(math.pi * share**0.8)
        centre = (
            base[0] + along[0] * length * share,
            base[1] + along[1] * length * share,
        )
        upper.append((centre[0] + normal[0] * half, centre[1] + normal[1] * half))
        lower.append((centre[0] - normal[0] * half, centre[1] - normal[1] * half))
    return upper + lower[::-1]


def draw_artwork(size: int) -> Image.Image:
    """Return the square artwork (rack and sprout) at ``size`` pixels."""
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    # The rack: two uprights and three shelves.
    for left in (176, 792):
        draw.rounded_rectangle((left, 540, left + 56, 960), radius=28, fill=DARK_GREEN)
    for top in (540, 700, 860):
        draw.rounded_rectangle((128, top, 896, top + 60), radius=30, fill=DARK_GREEN)

    # Seedlings on the two lower shelves.
    for shelf_top in (700, 860):
        for centre_x in (392, 512, 632):
            stem_top = shelf_top - 48
            draw.rounded_rectangle(
                (centre_x - 7, stem_top, centre_x + 7, shelf_top + 4),
                radius=7,
                fill=MID_GREEN,
            )
            draw.polygon(
                leaf((centre_x, stem_top + 4), (centre_x - 46, stem_top - 20), 26),
                fill=LIGHT_GREEN,
            )
            draw.polygon(
                leaf((centre_x, stem_top + 4), (centre_x + 46, stem_top - 20), 26),
                fill=LIGHT_GREEN,
            )

    # The sprout on the top shelf.
    draw.rounded_rectangle((496, 250, 528, 548), radius=16, fill=MID_GREEN)
    draw.polygon(leaf((510, 330), (232, 178), 150), fill=LIGHT_GREEN)
    draw.polygon(leaf((514, 262), (812, 72), 190), fill=MID_GREEN)

    return image.resize((size, size), Image.Resampling.LANCZOS)


def draw_wide_logo(width: int, height: int) -> Image.Image:
    """Return the artwork beside the name, ``width`` x ``height`` pixels."""
    scale = 4
    canvas = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    side = height * scale
    canvas.alpha_composite(draw_artwork(side), (0, 0))
    draw = ImageDraw.Draw(canvas)
    text_left = side + side // 10
    room = width * scale - text_left - side // 20
    words = NAME.split()
    # The largest font at which the longer word fits beside the artwork.
    font_size = side // 2
    font = ImageFont.load_default(size=font_size)
    while (
        font_size > 8 and max(draw.textlength(word, font=font) for word in words) > room
    ):
        font_size -= 2
        font = ImageFont.load_default(size=font_size)
    line_height = font_size * 1.15
    top = (side - line_height * len(words)) / 2
    for index, word in enumerate(words):
        draw.text(
            (text_left, top + index * line_height),
            word,
            font=font,
            fill=DARK_GREEN,
        )
    return canvas.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every brand image."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    # The integration's logo is the icon's artwork: square, as its brand tests expect.
    for stem in ("icon", "logo"):
        for suffix, size in (("", 256), ("@2x", 512)):
            draw_artwork(size).save(BRAND_DIR / f"{stem}{suffix}.png", optimize=True)
    draw_artwork(128).save(ADDON_DIR / "icon.png", optimize=True)
    draw_wide_logo(250, 100).save(ADDON_DIR / "logo.png", optimize=True)


if __name__ == "__main__":
    main()
