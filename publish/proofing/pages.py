"""`publish pages`: how many pages the print edition takes at each trim size, and which printers take that many.

The book is laid out once, at its own trim size (from the build's caches when it is up to date); the other
sizes are estimated from it: the running text fills pages in proportion to the text block's area, each chapter
keeps its part-filled last page, and a chapter opening on a recto adds half a blank page on average. The
estimate is within a few per cent of a real layout; build at a size to know it exactly."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from publish.build import CACHE, BuildOptions, Pipeline
from publish.errors import Report
from publish.layout import profiles
from publish.layout.document import padded
from publish.manuscript.loading import load_book
from publish.model import FRONT_ROLES, TRIM_PRESETS_MM
from publish.proofing.proof import page_texts

VERTICAL_MARGINS_IN = 0.75 + 0.85  # print.css's @page margin-top and margin-bottom
PRINTERS = ("kdp", "ingram", "lulu")
SHORT_LINE = 20  # characters: shorter lines (headings, a paragraph's last line) are not counted a line's length


@dataclass(frozen=True)
class TrimPlan:
    trim: str
    width_mm: float
    height_mm: float
    pages: int
    characters_per_line: int
    fits: dict[str, bool]  # printer -> whether it takes that many pages
    measured: bool  # laid out, not estimated


def trim_plans(manuscript: Path, out_dir: Path, report: Report) -> list[TrimPlan]:
    """The book's own trim size, laid out (reusing what builds into `out_dir` keep), then every preset,
    estimated."""
    book = load_book(manuscript)
    pipeline = Pipeline(book, report, BuildOptions(), cache=out_dir / CACHE)
    pages_text = page_texts(pipeline.make("pdf"))
    chapters = sum(1 for chapter in pipeline.rendered.chapters if chapter.role not in FRONT_ROLES)
    front = _front_pages(pipeline, len(pages_text))
    blanks = sum(1 for text in pages_text[front:] if not text.strip())
    body = len(pages_text) - front
    text_pages = max(body - blanks - chapters * 0.5, 1.0)
    characters = _characters_per_line(pages_text[front:])
    options = book.print
    profile = profiles.profile_named(options.profile)
    own = _area(options, profile, len(pages_text))
    plans = [TrimPlan(_trim_name(options.trim_width_mm, options.trim_height_mm), options.trim_width_mm,
                      options.trim_height_mm, len(pages_text), characters, _fits(len(pages_text)), True)]
    recto_blanks = chapters * 0.5 if options.chapter_start == "recto" else 0.0
    for name, (width, height) in TRIM_PRESETS_MM.items():
        if (width, height) == (options.trim_width_mm, options.trim_height_mm):
            continue
        trim = replace(options, trim_width_mm=width, trim_height_mm=height)
        count = len(pages_text)
        for _ in range(2):  # the gutter follows the page count
            area = _area(trim, profile, count)
            count = padded(round(front + text_pages * own[0] * own[1] / (area[0] * area[1]) + chapters * 0.5
                                 + recto_blanks), options.pad_to)
        width_ratio = _area(trim, profile, count)[0] / own[0]
        plans.append(TrimPlan(name, width, height, count, round(characters * width_ratio), _fits(count), False))
    return plans


def _front_pages(pipeline: Pipeline, total: int) -> int:
    labels = pipeline.context.layouts.layout().labels
    return next((index for index, label in enumerate(labels) if label.isdigit()), total)


def _characters_per_line(pages_text: list[str]) -> int:
    """The median length of the running text's lines: most are full, justified lines."""
    lengths = [len(line.strip()) for text in pages_text for line in text.splitlines()]
    counted = [length for length in lengths if length >= SHORT_LINE]
    return round(statistics.median(counted)) if counted else 0


def _area(options, profile, pages: int) -> tuple[float, float]:
    """The text block's width and height in inches for a book of `pages` pages."""
    geometry = profiles.geometry(profile, options, pages)
    return (options.trim_width_mm / 25.4 - geometry.inside_in - geometry.outside_in,
            options.trim_height_mm / 25.4 - VERTICAL_MARGINS_IN)


def _fits(pages: int) -> dict[str, bool]:
    found = {}
    for name in PRINTERS:
        printer = profiles.profile_named(name)
        found[name] = pages >= printer.min_pages and (not printer.max_pages or pages <= printer.max_pages)
    return found


def _trim_name(width: float, height: float) -> str:
    return next((name for name, size in TRIM_PRESETS_MM.items() if size == (width, height)),
                f"{width:g} x {height:g} mm")


def table(plans: list[TrimPlan]) -> str:
    rows = [f"{'trim':16} {'pages':>7} {'chars/line':>11}  " + "  ".join(f"{name:7}" for name in PRINTERS)]
    for plan in plans:
        pages = f"{plan.pages}" if plan.measured else f"~{plan.pages}"
        rows.append(f"{plan.trim + (' (this)' if plan.measured else ''):16} {pages:>7} {plan.characters_per_line:>11}  "
                    + "  ".join(f"{'fits' if plan.fits[name] else 'no':7}" for name in PRINTERS))
    return "\n".join(rows)
