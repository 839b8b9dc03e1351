"""The book laid out whole, in this process: one HTML document, as many passes as the gutter and the hyphen runs
ask for."""

from __future__ import annotations

from publish.errors import Report
from publish.layout.document import (
    PrintLayout,
    estimated_book_pages,
    padded,
    page_labels,
    page_starts,
    report_page_problems,
)
from publish.layout.passes import (
    GutterCheck,
    ShownPasses,
    first_geometry,
    hyphen_passes,
    warn_hyphen_runs,
)
from publish.layout.print_html import lay_out_html, print_environment
from publish.layout.profiles import PrintProfile, page_multiple
from publish.model import RenderedBook
from publish.progress import Stage


def lay_out_whole(book: RenderedBook, html: str, report: Report, profile: PrintProfile,
                  stage: Stage) -> PrintLayout:
    """Lay `html` (the whole book, from print_html) out. The gutter follows the page count of a first pass (and
    another pass is made if that count moves it into another band); then, while three hyphenated line-ends run
    in a row, the book is laid out again keeping the third word of each such run whole. `stage` shows the
    pages laid out in each pass."""
    from weasyprint.text.fonts import (
        FontConfiguration,  # not imported on the EPUB path without a page list
    )

    env = print_environment(book, profile)
    font_config = FontConfiguration()
    shown = ShownPasses(stage, estimated_book_pages(book))
    geometry = first_geometry(book, profile)
    for last_round in (False, True):  # the gutter is chosen again at most once
        gutter = GutterCheck(profile, book.print, geometry, accept=last_round)
        laid_out = hyphen_passes(
            lambda protected: shown(lambda: lay_out_html(book, env, html, gutter.geometry, profile, protected,
                                                         font_config, report)),
            lambda document: gutter.keeps(len(document.pages)))
        if laid_out is not None:
            break
        geometry = gutter.settled
    document, root, runs = laid_out
    warn_hyphen_runs(report, [(run.page, run.text) for run in runs])
    page_count = padded(len(document.pages), page_multiple(profile, book.print))
    labels = page_labels(document, book, page_count)
    report_page_problems(document, labels, book, report)
    return PrintLayout(document, tuple(page_starts(document, root, labels)), geometry, labels, page_count)
