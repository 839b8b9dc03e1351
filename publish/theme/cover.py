"""A cover image made from the title, subtitle and authors, for books whose book.yaml names none."""

from __future__ import annotations

import io
import textwrap
import zlib

from PIL import Image, ImageDraw, ImageFont

from publish.model import Metadata, Typeface, Typefaces

SIZE = (1600, 2560)
BACKGROUND = (38, 52, 71)
INK = (244, 238, 226)
ACCENT = (196, 164, 108)


def generated_cover(metadata: Metadata, fonts: Typefaces) -> bytes:
    """A 1600 x 2560 PNG: title, rule, subtitle and authors, centred, in the display typeface."""
    display = fonts.display[0]
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    y = int(height * 0.22)
    y = _centred_lines(draw, metadata.title, _font(display, 600, 150), 16, y, INK, 1.15)
    y += 70
    draw.line([(width * 0.38, y), (width * 0.62, y)], fill=ACCENT, width=6)
    y += 90
    if metadata.subtitle:
        y = _centred_lines(draw, metadata.subtitle, _font(display, 400, 80, italic=True), 30, y, INK, 1.3)
    names = [c.name for c in metadata.authors]
    if names:
        _centred_lines(draw, ", ".join(names), _font(display, 400, 90), 28, int(height * 0.8), ACCENT, 1.3)
    draw.rectangle([60, 60, width - 60, height - 60], outline=ACCENT, width=4)
    output = io.BytesIO()
    # run-length coding: the cover is mostly flat colour, and zlib's default took 70 ms of a short book's EPUB
    image.save(output, format="PNG", compress_type=zlib.Z_RLE)
    return output.getvalue()


def _font(typeface: Typeface, weight: int, size: int, italic: bool = False) -> ImageFont.FreeTypeFont:
    face = typeface.nearest(weight, "italic" if italic else "normal")
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _centred_lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, wrap: int, y: int,
                   fill: tuple[int, int, int], leading: float) -> int:
    for line in textwrap.wrap(text, wrap) or [""]:
        left, top, right, bottom = draw.textbbox((0, 0), line, font=font)
        draw.text(((SIZE[0] - (right - left)) / 2 - left, y), line, font=font, fill=fill)
        y += int(font.size * leading)
    return y
