"""The printed book's cover: back, spine and front on one sheet with bleed, sized from the trim size, the real
page count of the interior and the paper's thickness. It shares the ebook cover's design (theme/cover.py)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from markupsafe import Markup

from publish.formats.context import BuildContext
from publish.formats.registry import OutputFormat
from publish.layout import profiles
from publish.layout.weasy import render_html
from publish.model import RenderedBook
from publish.theme import cover, templates

MM_PER_INCH = 25.4
PRINT_PPI = 300  # what printers ask of images
PAGE_THICKNESS_IN = {"white": 0.002252, "cream": 0.0025}  # KDP's figures per page (one leaf side)
SPINE_TEXT_MIN_IN = 0.18  # thinner spines carry no text (KDP: books under 80 pages on white paper)
# Type on the front as shares of the panel's width: a short title at 9% (36 pt on 5.5 in), smaller as it grows
# longer than a line of TITLE_CHARACTERS would hold; the spine's type at 42% of its width, up to 0.3 in.
TITLE_SHARE, SUBTITLE_SHARE, AUTHOR_SHARE = 0.09, 0.042, 0.05
TITLE_CHARACTERS = 18
SPINE_TYPE_SHARE, SPINE_TYPE_MAX_IN = 0.42, 0.3


@dataclass(frozen=True)
class CoverSheet:
    trim_width_in: float
    trim_height_in: float
    spine_in: float
    bleed_in: float
    page_count: int
    title_characters: int = TITLE_CHARACTERS

    @property
    def width_in(self) -> float:
        return 2 * self.trim_width_in + self.spine_in + 2 * self.bleed_in

    @property
    def height_in(self) -> float:
        return self.trim_height_in + 2 * self.bleed_in

    @property
    def spine_has_text(self) -> bool:
        return self.spine_in >= SPINE_TEXT_MIN_IN

    @property
    def title_in(self) -> float:
        """The front's title size: a long title is set smaller, so that it takes about as many lines."""
        return self.trim_width_in * TITLE_SHARE * min(1.0, (TITLE_CHARACTERS / max(self.title_characters, 1)) ** 0.5)

    @property
    def subtitle_in(self) -> float:
        return self.trim_width_in * SUBTITLE_SHARE

    @property
    def author_in(self) -> float:
        return self.trim_width_in * AUTHOR_SHARE

    @property
    def spine_type_in(self) -> float:
        return min(self.spine_in * SPINE_TYPE_SHARE, SPINE_TYPE_MAX_IN)


def spine_width_in(page_count: int, paper: str, page_thickness_in: float | None = None) -> float:
    return round(page_count * (page_thickness_in or PAGE_THICKNESS_IN[paper]), 4)


def cover_sheet(book: RenderedBook, page_count: int) -> CoverSheet:
    options = book.print
    return CoverSheet(options.trim_width_mm / MM_PER_INCH, options.trim_height_mm / MM_PER_INCH,
                      spine_width_in(page_count, options.paper, options.page_thickness_in), profiles.BLEED_IN,
                      page_count, len(book.metadata.title))


def build_cover(book: RenderedBook, context: BuildContext) -> bytes:
    profile = context.profile_for(book)
    sheet = cover_sheet(book, context.layouts.layout(profile).page_count)
    env = templates.environment(book.root)
    front_image = (book.root / book.metadata.cover).as_uri() if book.metadata.cover else None
    if book.metadata.cover:
        _warn_low_resolution(book, sheet, context)
    html = templates.render(env, "cover-wrap.html", book=book, sheet=sheet, profile=profile, front_image=front_image,
                            colours=_colours(profile), cmyk_profile=profiles.CMYK_PROFILE.as_uri(),
                            barcode=isbn_barcode(book.metadata.identifier, profile))
    document, _ = render_html(book, html, ["cover.css"], [], context.report)
    document.metadata.title = f"{book.metadata.title}: cover"
    document.metadata.lang = book.metadata.language
    document.metadata.generator = f"publish {context.version}"
    document.metadata.created = document.metadata.modified = context.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    return document.write_pdf(pdf_identifier=f"{book.metadata.identifier}#cover".encode("utf-8"),
                              pdf_variant=profile.pdf_variant if profile.colour == "cmyk" else None,
                              output_intent="srgb" if profile.colour == "srgb" else None)


def isbn_barcode(identifier: str, profile: profiles.PrintProfile) -> Markup | None:
    """The book's ISBN as an EAN-13 barcode for the back cover: vector, solid black (device CMYK 0 0 0 100 for a
    CMYK printer), with its digits under the bars; None when the identifier is not an ISBN."""
    if not identifier.startswith("urn:isbn:"):
        return None
    import barcode
    from barcode.writer import SVGWriter

    digits = identifier.removeprefix("urn:isbn:")
    code = barcode.get("isbn13" if len(digits) == 13 else "isbn10", digits, writer=SVGWriter())
    drawn = io.BytesIO()
    ink = "device-cmyk(0 0 0 1)" if profile.colour == "cmyk" else "black"
    code.write(drawn, options={"foreground": ink, "background": "white", "module_height": 18.0, "font_size": 9,
                               "text_distance": 4.0, "quiet_zone": 3.0})
    svg = drawn.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML declaration and doctype, which HTML may not hold
    return Markup(STYLE_ATTRIBUTE.sub(_as_attributes, svg))


STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _as_attributes(match: re.Match) -> str:
    """`style="fill:black;font-size:9pt"` as SVG's own attributes: in an HTML page, a style attribute is read as
    HTML's CSS, which has no `fill`."""
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in declarations)


def _warn_low_resolution(book: RenderedBook, sheet: CoverSheet, context: BuildContext) -> None:
    """The front image fills the front panel and its bleed (cropped to it): printers want 300 ppi there."""
    from PIL import Image

    with Image.open(book.root / book.metadata.cover) as image:
        width, height = image.size
    panel_width, panel_height = sheet.trim_width_in + sheet.bleed_in, sheet.height_in
    ppi = min(width / panel_width, height / panel_height)
    if ppi < PRINT_PPI:
        context.report.warn(
            f"cover '{book.metadata.cover}' ({width} x {height} px) prints at {ppi:.0f} ppi on the front of the "
            f"printed cover ({panel_width:.2f} x {panel_height:.2f} in with the bleed); printers want {PRINT_PPI}: "
            f"use an image of at least {round(panel_width * PRINT_PPI)} x {round(panel_height * PRINT_PPI)} px",
            book.root / "book.yaml")


def _colours(profile: profiles.PrintProfile) -> dict[str, str]:
    """The ebook cover's palette as CSS colours: device CMYK for a CMYK printer, else RGB."""
    palette = {"background": cover.BACKGROUND, "ink": cover.INK, "accent": cover.ACCENT}
    if profile.colour != "cmyk":
        return {name: "rgb({} {} {})".format(*rgb) for name, rgb in palette.items()}
    return {name: "device-cmyk({:.3f} {:.3f} {:.3f} {:.3f})".format(*_cmyk(rgb)) for name, rgb in palette.items()}


def _cmyk(rgb: tuple[int, int, int]) -> tuple[float, float, float, float]:
    red, green, blue = (value / 255 for value in rgb)
    black = 1 - max(red, green, blue)
    if black >= 1:
        return 0.0, 0.0, 0.0, 1.0
    return tuple((1 - value - black) / (1 - black) for value in (red, green, blue)) + (black,)


COVER = OutputFormat(name="cover", suffix="-cover.pdf", description="print cover: back, spine and front",
                     build=build_cover, has_profiles=True)
