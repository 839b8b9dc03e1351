"""Some chapters of the body laid out on their own as the print edition has them, with the folios they have in
the book: the live preview's pages of the chapter being edited, in a fraction of the book's layout time. A
chapter opens on a fresh page in print, so its pages are those of the whole book's layout when it opens on the
same side and the gutter is the same (both given by the last whole layout)."""

from __future__ import annotations

from publish.errors import Report
from publish.layout import profiles
from publish.layout.passes import first_geometry, hyphen_passes
from publish.layout.print_html import print_environment, print_html
from publish.layout.sheets import parts_pdf
from publish.layout.worker import part_pass
from publish.model import Chapter, RenderedBook


def excerpt_pdf(book: RenderedBook, version: str, chapters: tuple[Chapter, ...], first_folio: int, verso: bool,
                book_pages: int | None, font_config, report: Report) -> bytes:
    """The PDF of `chapters`, their first page numbered `first_folio` and a left-hand page if `verso` (the folio
    does not tell: the front matter may have an odd number of pages); `book_pages`: the whole book's page count,
    which sets the gutter (None: the estimate's). `font_config`: a WeasyPrint FontConfiguration, kept between
    excerpts so that the book's fonts are loaded once. The PDF is a draft, to be looked at (see parts_pdf)."""
    profile = profiles.profile_named(book.print.profile)
    geometry = (profiles.geometry(profile, book.print, book_pages) if book_pages
                else first_geometry(book, profile))
    env = print_environment(book, profile)
    html = print_html(env, book, version, profile, chapters, front=False)
    opening = f"html {{ break-before: {'verso' if verso else 'recto'}; }}"
    document, _, _ = hyphen_passes(part_pass(book, env, html, geometry, profile, font_config, report, [opening]))
    document.margins_later.make(first_folio - 1)
    return parts_pdf([document], profile, geometry, book.metadata.direction, verso, draft=True)
