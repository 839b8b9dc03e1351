"""The print layout, shared by the formats that need it: the PDF writes it, the EPUB takes its page starts."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from publish import templates
from publish.errors import FormatError, Problem, Report
from publish.fonts import FACES, FONT_FOLDER
from publish.model import RenderedBook
from publish.stylesheets import referenced_resources
from publish.urls import local_fetcher

HYPHEN = "\u2010"  # what WeasyPrint adds at a hyphenated line end
# Words are runs of letters and digits: a line may break after a dash or a hyphen, and the
# text layer then no longer shows whether a space was there, so neither may count.
WORD = re.compile(r"[^\W_]+")


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
    document: Any  # weasyprint.Document
    page_starts: tuple[PageStart, ...]


def lay_out(book: RenderedBook, version: str, report: Report) -> PrintLayout:
    # Imported here so that an EPUB built without a page list never pays for loading WeasyPrint.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    env = templates.environment(book.root)
    html = templates.render(env, "print.html", book=book, link=lambda element_id: f"#{element_id}", version=version)
    fonts_css = templates.render(env, "fonts.css", faces=FACES, font_url=lambda name: (FONT_FOLDER / name).as_uri())
    allowed = [book.root, *templates.style_folders(book.root)]
    css_path = templates.stylesheet_path(book.root, "print.css")
    referenced_resources(templates.stylesheet(book.root, "print.css"), css_path, allowed)  # refuse with the line
    fetcher = local_fetcher([*allowed, FONT_FOLDER])
    font_config = FontConfiguration()
    with WeasyPrintLog(report) as log:
        stylesheets = [CSS(string=fonts_css, font_config=font_config, url_fetcher=fetcher),
                       CSS(filename=str(css_path), font_config=font_config, url_fetcher=fetcher)]
        source = HTML(string=html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher)
        document = source.render(stylesheets=stylesheets, font_config=font_config)
    if fetcher.refused:
        raise FormatError([Problem(message) for message in fetcher.refused])
    log.raise_errors()
    return PrintLayout(document, tuple(page_starts(document, source.etree_element)))


def page_starts(document, root) -> list[PageStart]:
    places = _chapter_places(root)
    words_laid_out: dict[int, int] = {}  # id(block element) -> whole words on earlier pages
    starts = []
    for number, page in enumerate(document.pages, start=1):
        first = True
        for block, text in _lines(page):
            place = places.get(id(block))
            if place is None:
                continue
            if first:
                starts.append(PageStart(str(number), place[0], place[1], words_laid_out.get(id(block), 0)))
                first = False
            words_laid_out[id(block)] = words_laid_out.get(id(block), 0) + _whole_words(text)
    return starts


def _whole_words(line: str) -> int:
    """Words that end on this line: a word hyphenated at the line end is counted on the line where it ends."""
    return len(WORD.findall(line)) - (1 if line.rstrip().endswith(HYPHEN) else 0)


def _lines(page):
    """(block element, text) for each line in the page's main flow, in order."""
    html_box = next(child for child in page._page_box.children if getattr(child, "element_tag", None) == "html")
    pending = [html_box]
    while pending:
        box = pending.pop()
        if type(box).__name__ == "LineBox":
            yield box.element, "".join(_texts(box))
            continue
        pending.extend(reversed(getattr(box, "children", None) or []))


def _texts(box):
    if "::" in (getattr(box, "element_tag", "") or ""):  # generated content (list markers, ::after) is not text
        return
    if hasattr(box, "text"):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _chapter_places(root) -> dict[int, tuple[str, tuple[int, ...]]]:
    """id(element) -> (chapter id, path inside its chapter section) for every element inside a chapter."""
    places = {}
    for section in root.iter():
        section_id = section.get("id", "")
        if not section_id.startswith("section-") or "chapter" not in section.get("class", "").split():
            continue
        chapter = section_id.removeprefix("section-")
        pending = [(child, (index,)) for index, child in enumerate(_elements(section))]
        while pending:
            element, path = pending.pop()
            places[id(element)] = (chapter, path)
            pending.extend((child, path + (index,)) for index, child in enumerate(_elements(element)))
    return places


def _elements(element):
    return [child for child in element if isinstance(child.tag, str)]


class WeasyPrintLog(logging.Handler):
    """WeasyPrint logs bad CSS and missing resources instead of raising: surface what it says."""

    def __init__(self, report: Report) -> None:
        super().__init__(logging.WARNING)
        self.report = report
        self.errors: list[str] = []

    def __enter__(self) -> WeasyPrintLog:
        self.logger = logging.getLogger("weasyprint")
        self.logger.addHandler(self)
        self._propagate, self.logger.propagate = self.logger.propagate, False
        return self

    def __exit__(self, *exc_info) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = self._propagate

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.errors.append(message)
        else:
            self.report.warn(f"PDF layout: {message}")

    def raise_errors(self) -> None:
        if self.errors:
            raise FormatError([Problem(f"PDF layout: {message}") for message in self.errors])
