"""The print layout, shared by the formats that need it: the PDF writes it, the EPUB takes its page starts."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publish.layout import profiles
from publish.theme import templates
from publish.cache.chapters import image_stamps
from publish.errors import FormatError, Problem, Report
from publish.theme.fonts import FACES, FONT_FOLDER
from publish.layout.line_breaks import (
    WORD, Protected, elements, hyphen_runs, keep_whole, page_lines, two_hyphens_at_most, whole_words,
)
from publish.model import RenderedBook
from publish.output import write_atomic
from publish.layout.notes import print_body
from publish.layout.profiles import PageGeometry, PrintProfile
from publish.progress import Stage, no_progress
from publish.theme.stylesheets import referenced_resources
from publish.layout.fetcher import local_fetcher

FRONT_ROLES = {"foreword", "preface", "introduction", "preamble", "dedication", "epigraph", "acknowledgments"}


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
    # A body laid out in parts (parallel_layout.py): PDFs of its pages, and for each part in reading order
    # (which of those PDFs, its first page there from 0, its page count).
    body: tuple[bytes, ...] = ()
    body_order: tuple[tuple[int, int, int], ...] = ()

    @property
    def front_pages(self) -> int:
        return sum(1 for label in self.labels if not label.isdigit())


MAX_PASSES = 3  # each pass lays out the whole book; a third one rarely finds anything left
PRINT_DPI = 300
CSS_PIXELS_PER_INCH = 96


def lay_out(book: RenderedBook, version: str, report: Report, profile: PrintProfile,
            stage: Stage = no_progress, jobs: int = 1, cache: Path | None = None) -> PrintLayout:
    """Lay the book out. The gutter follows the page count of a first pass (and another pass is made if that
    count moves it into another band); then, while three hyphenated line-ends run in a row, the book is laid out
    again keeping the third word of each such run whole. `stage` shows the pages laid out in each pass. A long
    book may be laid out in parts by `jobs` worker processes (parallel_layout.py), with the same result; the
    parts are then kept in `cache` for the next build."""
    from weasyprint.text.fonts import FontConfiguration  # not imported on the EPUB path without a page list

    from publish.layout import parallel as parallel_layout

    parts = parallel_layout.parts(book, profile, jobs)
    if parts:
        return parallel_layout.lay_out_in_parts(book, version, report, profile, stage, jobs, parts, cache)
    env, html = _print_html(book, version, profile)
    font_config = FontConfiguration()
    shown = ShownPasses(stage, _estimated_pages(book))
    geometry = first_geometry(book, profile)
    for last_round in (False, True):  # the gutter is chosen again at most once
        gutter = GutterCheck(profile, book.print, geometry, accept=last_round)
        laid_out = hyphen_passes(
            lambda protected: shown(lambda: _render(book, env, html, gutter.geometry, profile, protected,
                                                    font_config, report)),
            lambda document: gutter.keeps(len(document.pages)))
        if laid_out is not None:
            break
        geometry = gutter.settled
    document, root, runs = laid_out
    warn_hyphen_runs(report, [(run.page, run.text) for run in runs])
    page_count = _padded(len(document.pages), book.print.pad_to)
    labels = page_labels(document, book, page_count)
    report_low_resolution(document, labels, report)
    return PrintLayout(document, tuple(page_starts(document, root, labels)), geometry, labels, page_count)


@dataclass
class GutterCheck:
    """Whether a first pass's page count keeps the gutter it was laid out with (`accept`: keep it anyway)."""

    profile: PrintProfile
    options: Any  # PrintOptions
    geometry: PageGeometry
    accept: bool
    settled: PageGeometry | None = None

    def keeps(self, pages: int) -> bool:
        self.settled = profiles.geometry(self.profile, self.options, _padded(pages, self.options.pad_to))
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
    return profiles.geometry(profile, book.print, _estimated_pages(book))


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


def _print_html(book: RenderedBook, version: str, profile: PrintProfile):
    """The whole book as one HTML document for print, and the template environment that made it."""
    env = print_environment(book)
    return env, print_html(env, book, version, profile, book.chapters)


def print_environment(book: RenderedBook):
    env = templates.environment(book.root)
    env.filters["print_body"] = print_body
    return env


def print_html(env, book: RenderedBook, version: str, profile: PrintProfile, chapters, front: bool = True,
               stubs=()) -> str:
    """`chapters` as one HTML document for print, after the front pages if `front` (see print.html)."""
    front_ids, first_body_id = front_matter(book)
    return templates.render(env, "print.html", book=book, link=lambda element_id: f"#{element_id}",
                            version=version, profile=profile, front_ids=front_ids, first_body_id=first_body_id,
                            chapters=chapters, front_matter=front, stubs=stubs)


def layout_key(book: RenderedBook, version: str, profile: PrintProfile) -> str:
    """A hash of everything a layout depends on: the book as one HTML document, the images it shows, its
    stylesheets, the page templates, the print options, the profile and the versions of this tool and of
    WeasyPrint."""
    from importlib.metadata import version as package_version

    _, html = _print_html(book, version, profile)
    images = [image for chapter in book.chapters for image in chapter.images]
    return digest_of(html, json.dumps(image_stamps(book.root, images)), *stylesheet_inputs(book), repr(book.print),
                     repr(profile), version, package_version("weasyprint"), *(str(face) for face in FACES))


def digest_of(*parts: str) -> str:
    """A SHA-256 of the parts, each ended by a NUL so that no two lists of parts run together alike."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def stylesheet_inputs(book: RenderedBook) -> list[str]:
    """What a layout reads besides the HTML: the print stylesheet, the page and font templates, and the size and
    time of each file the stylesheet loads (images, fonts, imported sheets)."""
    env = templates.environment(book.root)
    css_path = templates.stylesheet_path(book.root, "print.css")
    css = templates.stylesheet(book.root, "print.css")
    allowed = [book.root, *templates.style_folders(book.root)]
    loaded = [str(resource.path) for resource in referenced_resources(css, css_path, allowed)]
    return [css, env.loader.get_source(env, "print-page.css")[0], env.loader.get_source(env, "fonts.css")[0],
            json.dumps(image_stamps(Path("/"), loaded))]  # the loaded files' paths are absolute


def save_page_starts(path: Path, key: str, layout: PrintLayout) -> None:
    data = {"key": key, "starts": [[s.label, s.chapter_id, list(s.path), s.words_before] for s in layout.page_starts]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data).encode("utf-8"))


def load_page_starts(path: Path, key: str) -> tuple[PageStart, ...] | None:
    """The page starts an earlier build saved for exactly this input, else None."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return tuple(PageStart(label, chapter, tuple(place), words) for label, chapter, place, words in data["starts"])


def _render(book, env, html, geometry, profile, protected, font_config, report, extra_css=()):
    page_css = templates.render(env, "print-page.css", book=book, geometry=geometry, profile=profile,
                                cmyk_profile=profiles.CMYK_PROFILE.as_uri())
    if profile.colour == "cmyk" and not profiles.CMYK_PROFILE.exists():
        raise FormatError(Problem(f"the {profile.name} profile needs the CMYK colour profile "
                                  f"{profiles.CMYK_PROFILE}: install the Debian package libgs-common "
                                  f"(apt-get install libgs-common)"))
    with two_hyphens_at_most():
        return render_html(book, html, "print.css", [page_css, *extra_css], report, font_config,
                           prepare=lambda root: keep_whole(root, protected))


def render_html(book: RenderedBook, html: str, stylesheet: str, extra_css: list[str], report: Report,
                font_config=None, prepare=None):
    """HTML laid out by WeasyPrint with the book typeface, `extra_css` and the named stylesheet (the user's copy
    first). It reads only the manuscript, style, font and colour-profile folders, and what WeasyPrint logs
    becomes warnings or errors. `prepare` may change the parsed tree before layout. Returns (document, tree)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    env = templates.environment(book.root)
    fonts_css = templates.render(env, "fonts.css", faces=FACES, font_url=lambda name: (FONT_FOLDER / name).as_uri())
    allowed = [book.root, *templates.style_folders(book.root)]
    css_path = templates.stylesheet_path(book.root, stylesheet)
    referenced_resources(templates.stylesheet(book.root, stylesheet), css_path, allowed)  # refuse with the line
    fetcher = local_fetcher([*allowed, FONT_FOLDER, profiles.CMYK_PROFILE.parent])
    font_config = font_config or FontConfiguration()
    colour_profiles: dict = {}  # @color-profile rules, shared by every stylesheet and the document
    with WeasyPrintLog(report) as log:
        options = dict(font_config=font_config, url_fetcher=fetcher, color_profiles=colour_profiles)
        stylesheets = [*(CSS(string=css, **options) for css in (fonts_css, *extra_css)),
                       CSS(filename=str(css_path), **options)]
        source = HTML(string=html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher)
        if prepare is not None:
            prepare(source.etree_element)
        document = source.render(stylesheets=stylesheets, font_config=font_config, color_profiles=colour_profiles)
    if fetcher.refused:
        raise FormatError([Problem(message) for message in fetcher.refused])
    log.raise_errors()
    return document, source.etree_element


def _estimated_pages(book: RenderedBook) -> int:
    """A first guess at the page count, so that most books are laid out once: the front matter and each
    chapter's pages."""
    return int(6 + sum(estimated_pages(book, chapter) for chapter in book.chapters))


def estimated_pages(book: RenderedBook, chapter) -> float:
    """About 330 words a page at the default size, and a page and a half of opening."""
    area = book.print.trim_width_mm * book.print.trim_height_mm / (139.7 * 215.9)
    return len(WORD.findall(chapter.body_html)) / (330 * area) + 1.5


def _padded(count: int, multiple: int) -> int:
    return -(-count // multiple) * multiple


def front_matter(book: RenderedBook) -> tuple[list[str], str | None]:
    """The chapters before the body (a foreword, a preface...), and the chapter where the body starts."""
    front = []
    for chapter in book.chapters:
        if chapter.role not in FRONT_ROLES:
            return front, chapter.id
        front.append(chapter.id)
    return front, None


def page_labels(document, book: RenderedBook, page_count: int) -> tuple[str, ...]:
    """Roman numbers up to the first page of the body, then arabic from 1 (as the folios print them)."""
    body = _page_of_anchor(document, f"section-{front_matter(book)[1]}")
    return tuple(roman(number) if number < body else str(number - body + 1) for number in range(1, page_count + 1))


def _page_of_anchor(document, anchor: str) -> int:
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


def report_low_resolution(document, labels: tuple[str, ...], report: Report) -> None:
    """Printers want images at 300 dpi or more at the size they print."""
    for number, page in enumerate(document.pages, start=1):
        for box in _boxes(page._page_box):
            image = getattr(box, "replacement", None)
            if getattr(image, "width", None) and box.width:
                dpi = image.width / (box.width / CSS_PIXELS_PER_INCH)
                if dpi < PRINT_DPI:
                    source = box.element.get("src", "an image") if box.element is not None else "an image"
                    report.warn(f"PDF layout: '{source}' prints at {dpi:.0f} dpi on page {labels[number - 1]} "
                                f"({box.width / CSS_PIXELS_PER_INCH:.2f} in wide); printers want {PRINT_DPI}: "
                                f"use a larger image or print it smaller")


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




class PagesLaidOut(logging.Handler):
    """Calls `advance` for each new page WeasyPrint lays out (it says so on its progress logger, at INFO level;
    pages it makes again to settle cross-references are not counted twice)."""

    PAGE = "Step 5 - Creating layout - Page %d"

    def __init__(self, advance) -> None:
        super().__init__(logging.INFO)
        self.advance = advance
        self.pages = 0

    def __enter__(self) -> PagesLaidOut:
        self.logger = logging.getLogger("weasyprint.progress")
        self._level = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc_info) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == self.PAGE and record.args[0] > self.pages:
            self.advance(record.args[0] - self.pages)
            self.pages = record.args[0]


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
