"""Layout passes, as a whole layout and a layout in parts both make them: the gutter chosen from a first pass's
page count, and passes repeated while three hyphenated line-ends run in a row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from publish.errors import Report
from publish.layout import profiles
from publish.layout.document import estimated_book_pages, padded
from publish.layout.line_breaks import Protected, hyphen_runs
from publish.layout.profiles import PageGeometry, PrintProfile
from publish.layout.weasy import PagesLaidOut
from publish.model import RenderedBook
from publish.progress import Stage

MAX_PASSES = 3  # each pass lays out the whole book; a third one rarely finds anything left


@dataclass
class GutterCheck:
    """Whether a first pass's page count keeps the gutter it was laid out with (`accept`: keep it anyway)."""

    profile: PrintProfile
    options: Any  # PrintOptions
    geometry: PageGeometry
    accept: bool
    settled: PageGeometry | None = None

    def keeps(self, pages: int) -> bool:
        self.settled = profiles.geometry(self.profile, self.options, padded(pages, self.options.pad_to))
        return self.accept or self.settled == self.geometry


class ShownPasses:
    """Runs each layout pass as a stage of its own, "layout", "layout 2"..., counting the pages laid out."""

    def __init__(self, stage: Stage, pages: int) -> None:
        self.stage, self.pages, self.number = stage, pages, 0

    def __call__(self, render):
        self.number += 1
        with self.stage("layout" if self.number == 1 else f"layout {self.number}", self.pages) as advance, \
                PagesLaidOut(advance):
            document, root = render()
        self.pages = len(document.pages)
        return document, root


def first_geometry(book: RenderedBook, profile: PrintProfile) -> PageGeometry:
    return profiles.geometry(profile, book.print, estimated_book_pages(book))


def hyphen_passes(render, first_pass_kept=lambda document: True):
    """(document, tree, runs left): laid out by `render(protected words)` until no three hyphenated line-ends
    run in a row, at most MAX_PASSES times; None if `first_pass_kept` turns the first pass down."""
    protected: set[Protected] = set()
    for attempt in range(1, MAX_PASSES + 1):
        document = root = None  # let the previous pass's layout go before the next one is made
        document, root = render(protected)
        if attempt == 1 and not first_pass_kept(document):
            return None
        runs = hyphen_runs(document, root)
        if not runs or attempt == MAX_PASSES:
            return document, root, runs
        protected |= {Protected(run.block, run.word) for run in runs}
    raise AssertionError("unreachable")


def warn_hyphen_runs(report: Report, runs: list[tuple[int, str]]) -> None:
    """`runs`: (page counting from the first sheet, the line's end) of the runs the last pass left."""
    for page, text in runs:
        report.warn(f"PDF layout: three hyphenated lines in a row remain on page {page} (counting "
                    f"from the first sheet), ending '{text.strip()}': reword or add a no-break there")
