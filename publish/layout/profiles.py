"""Printer profiles: what each print service asks of a PDF, and the page geometry that follows from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publish.model import PrintOptions

BLEED_IN = 0.125
MARKS_IN = 0.25  # room outside the bleed for crop marks
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # Debian package libgs-common

# KDP's minimum inside margin by page count; the last band also serves longer books.
GUTTER_BANDS_IN = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))
READING_ROOM_IN = 0.25  # added to the gutter so that text never runs into the fold
OUTSIDE_MARGIN_IN = 0.625


@dataclass(frozen=True)
class PrintProfile:
    name: str
    summary: str
    pdf_variant: str | None
    interactive: bool  # bookmarks, linked contents and notes
    bleed: str  # "never", "optional" (off unless asked) or "always"
    bleed_sides: str  # "outside": top, bottom and the outer edge; "all": every side
    colour: str  # "rgb", "cmyk" (with a CMYK output intent) or "srgb" (with an sRGB output intent)
    mirrored: bool  # inside and outside margins differ (a bound book) or not (a screen)
    min_pages: int = 0
    max_pages: int = 0  # 0: no limit


PROFILES = {profile.name: profile for profile in (
    PrintProfile("screen", "for reading on a screen: tagged PDF/UA-1, bookmarks, linked contents and notes",
                 "pdf/ua-1", True, "never", "all", "rgb", False),
    PrintProfile("kdp", "Amazon KDP paperback: fonts embedded; no bookmarks, links, marks or transparency",
                 None, False, "optional", "outside", "rgb", True, 24, 828),
    PrintProfile("ingram", "IngramSpark: PDF/X-1a, CMYK with an output intent, TrimBox and BleedBox",
                 "pdf/x-1a", False, "optional", "outside", "cmyk", True, 18, 1200),
    PrintProfile("lulu", "Lulu: bleed built into every page, sRGB, no marks",
                 None, False, "always", "all", "srgb", True, 32, 800),
)}


@dataclass(frozen=True)
class PageGeometry:
    """The page box and margins one layout pass uses."""

    profile: PrintProfile
    width_mm: float
    height_mm: float
    inside_in: float
    outside_in: float
    bleed_in: float  # on each side WeasyPrint lays out; the inside edge's is cut off for "outside" profiles
    marks: bool

    @property
    def css_bleed_in(self) -> float:
        return self.bleed_in + (MARKS_IN if self.marks else 0.0)


def profile_named(name: str) -> PrintProfile:
    return PROFILES[name]


def has_bleed(profile: PrintProfile, options: PrintOptions) -> bool:
    if profile.bleed == "always":
        return True
    return profile.bleed == "optional" and bool(options.bleed)


def page_multiple(profile: PrintProfile, options: PrintOptions) -> int:
    """What the page count is padded to: a bound book's leaves hold two pages each; a screen shows one page at a
    time, so it gets no blank page at the end."""
    return options.pad_to if profile.mirrored else 1


def gutter_in(page_count: int) -> float:
    """KDP's minimum inside margin for a book of this many pages."""
    for last_page, gutter in GUTTER_BANDS_IN:
        if page_count <= last_page:
            return gutter
    return GUTTER_BANDS_IN[-1][1]


def geometry(profile: PrintProfile, options: PrintOptions, page_count: int) -> PageGeometry:
    """Margins for a book of `page_count` pages: a bound book's inside margin grows with its thickness."""
    inside = gutter_in(page_count) + READING_ROOM_IN if profile.mirrored else OUTSIDE_MARGIN_IN
    bleed = BLEED_IN if has_bleed(profile, options) else 0.0
    marks = options.crop_marks and profile.name not in ("screen", "kdp", "lulu")
    return PageGeometry(profile, options.trim_width_mm, options.trim_height_mm, inside, OUTSIDE_MARGIN_IN, bleed, marks)
