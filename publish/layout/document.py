"""A laid-out book as the formats take it: its pages, each page's folio, and where each page begins in the
chapters' XHTML; and what is read off the laid-out pages (folios, page starts, low-resolution images)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from publish.errors import Report
from publish.layout.line_breaks import WORD, elements, page_lines, whole_words
from publish.layout.profiles import PageGeometry
from publish.model import FRONT_ROLES, Chapter, RenderedBook

PRINT_DPI = 300
CSS_PIXELS_PER_INCH = 96


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins, as a place in a chapter's XHTML: the block the page's first line belongs to
    (a path of child indexes inside the chapter's section) and how many of that block's words came before."""

    label: str
    chapter_id: str
    path: tuple[int, ...]
    words_before: int


@dataclass(frozen=True)
class PrintLayout:
    document: Any  # weasyprint.Document: the whole book, or only the front matter when `body` holds the rest
    page_starts: tuple[PageStart, ...]
    geometry: PageGeometry
    labels: tuple[str, ...]  # each page's printed folio: roman before the body, arabic from 1 after
    page_count: int  # with the blank pages that pad it to the profile's multiple
    # A body laid out in parts (parallel.py): PDFs of its pages, and for each part in reading order
    # (which of those PDFs, its first page there from 0, its page count).
    body: tuple[bytes, ...] = ()
    body_order: tuple[tuple[int, int, int], ...] = ()

    @property
    def front_pages(self) -> int:
        return sum(1 for label in self.labels if not label.isdigit())


def front_matter(book: RenderedBook) -> tuple[list[str], str | None]:
    """The chapters before the body (a foreword, a preface...), and the chapter where the body starts."""
    front = []
    for chapter in book.chapters:
        if chapter.role not in FRONT_ROLES:
            return front, chapter.id
        front.append(chapter.id)
    return front, None


def estimated_pages(book: RenderedBook, chapter: Chapter) -> float:
    """About 330 words a page at the default size, and a page and a half of opening."""
    area = book.print.trim_width_mm * book.print.trim_height_mm / (139.7 * 215.9)
    return _words(chapter.body_html) / (330 * area) + 1.5


@lru_cache(maxsize=4096)
def _words(html: str) -> int:
    """(Counted once per chapter: a layout in parts asks for every chapter's estimate several times.)"""
    return len(WORD.findall(html))


def estimated_book_pages(book: RenderedBook) -> int:
    """A first guess at the page count, so that most books are laid out once: the front matter and each
    chapter's pages."""
    return int(6 + sum(estimated_pages(book, chapter) for chapter in book.chapters))


def padded(count: int, multiple: int) -> int:
    return -(-count // multiple) * multiple


def page_labels(document, book: RenderedBook, page_count: int) -> tuple[str, ...]:
    """Roman numbers up to the first page of the body, then arabic from 1 (as the folios print them)."""
    body = page_of_anchor(document, f"section-{front_matter(book)[1]}")
    return tuple(roman(number) if number < body else str(number - body + 1) for number in range(1, page_count + 1))


def page_of_anchor(document, anchor: str) -> int:
    """The page (from 1) where `anchor` is, else the page after the last."""
    for number, page in enumerate(document.pages, start=1):
        if anchor in page.anchors:
            return number
    return len(document.pages) + 1


def roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50), ("xl", 40),
                ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    text = ""
    for numeral, value in numerals:
        count, number = divmod(number, value)
        text += numeral * count
    return text


def report_page_problems(document, labels: tuple[str, ...], book: RenderedBook, report: Report) -> None:
    """What a printer or a reader would mark on the laid-out pages: images under 300 dpi, tables wider than the
    text block."""
    wide: dict[str, list] = {}  # table -> [first page, last page, most it runs past], one warning a table
    for number, page in enumerate(document.pages, start=1):
        _find_wide_tables(page, labels[number - 1], wide)
        for box in _boxes(page._page_box):
            image = getattr(box, "replacement", None)
            if getattr(image, "width", None) and box.width:
                dpi = image.width / (box.width / CSS_PIXELS_PER_INCH)
                if dpi < PRINT_DPI:
                    source = box.element.get("src", "an image") if box.element is not None else "an image"
                    report.warn(f"PDF layout: '{source}' prints at {dpi:.0f} dpi on page {labels[number - 1]} "
                                f"({box.width / CSS_PIXELS_PER_INCH:.2f} in wide); printers want {PRINT_DPI}: "
                                f"use a larger image or print it smaller")
    for where, (first, last, excess) in wide.items():
        chapter_id, _, index = where.rpartition("/")
        chapter = next(chapter for chapter in book.chapters if chapter.id == chapter_id)
        line = chapter.table_lines[int(index)] if int(index) < len(chapter.table_lines) else None
        pages = f"page {first}" if first == last else f"pages {first}–{last}"
        report.warn(f"PDF layout: this table runs {excess:.0f} pt past the text block on {pages}: give it fewer "
                    "columns or shorter cells, or its caption {.landscape} for a page of its own", chapter.source, line)


def _find_wide_tables(page, label: str, wide: dict[str, list]) -> None:
    html = next(child for child in page._page_box.children if getattr(child, "element_tag", None) == "html")
    right = html.content_box_x() + html.width
    for box in _boxes(html):
        where = box.element.get("data-table") if type(box).__name__ == "TableBox" and box.element is not None else None
        excess = box.position_x + box.margin_width() - right if where else 0
        if excess > 1:
            found = wide.setdefault(where, [label, label, excess])
            found[1], found[2] = label, max(found[2], excess)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def page_starts(document, root, labels: tuple[str, ...]) -> list[PageStart]:
    places = _chapter_places(root)
    words_laid_out: dict[int, int] = {}  # id(block element) -> whole words on earlier pages
    starts = []
    for number, page in enumerate(document.pages, start=1):
        first = True
        for block, text in page_lines(page):
            place = places.get(id(block))
            if place is None:
                continue
            if first:
                starts.append(PageStart(labels[number - 1], place[0], place[1], words_laid_out.get(id(block), 0)))
                first = False
            words_laid_out[id(block)] = words_laid_out.get(id(block), 0) + whole_words(text)
    return starts


def _chapter_places(root) -> dict[int, tuple[str, tuple[int, ...]]]:
    """id(element) -> (chapter id, path inside its chapter section) for every element inside a chapter."""
    places = {}
    for section in root.iter():
        section_id = section.get("id", "")
        if not section_id.startswith("section-") or "chapter" not in section.get("class", "").split():
            continue
        chapter = section_id.removeprefix("section-")
        pending = [(child, (index,)) for index, child in enumerate(elements(section))]
        while pending:
            element, path = pending.pop()
            places[id(element)] = (chapter, path)
            pending.extend((child, path + (index,)) for index, child in enumerate(elements(element)))
    return places
