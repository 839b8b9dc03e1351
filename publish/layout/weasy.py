"""HTML laid out by WeasyPrint for this tool: the book typeface, the user's stylesheet first, only local files
inside the allowed folders, and what WeasyPrint logs turned into warnings and errors."""

from __future__ import annotations

import logging

from publish.errors import FormatError, Problem, Report
from publish.layout import profiles
from publish.layout.fetcher import local_fetcher
from publish.model import RenderedBook
from publish.theme import templates
from publish.theme.fonts import font_folders, fonts_css
from publish.theme.stylesheets import referenced_resources


def render_html(book: RenderedBook, html: str, stylesheets: list[str], extra_css: list[str], report: Report,
                font_config=None, prepare=None):
    """HTML laid out by WeasyPrint with the typefaces, `extra_css` and the named stylesheets in order (the user's
    copy of each first). It reads only the manuscript, style, font and colour-profile folders, and what
    WeasyPrint logs becomes warnings or errors. `prepare` may change the parsed tree before layout. Returns
    (document, tree)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    env = templates.environment(book.root)
    typefaces_css = fonts_css(env, book.fonts, lambda typeface, face: face.path.as_uri(), installed_too=False)
    allowed = [book.root, *templates.style_folders(book.root)]
    css_paths = [templates.stylesheet_path(book.root, name) for name in stylesheets]
    for name, css_path in zip(stylesheets, css_paths):
        referenced_resources(templates.stylesheet(book.root, name), css_path, allowed)  # refuse with the line
    fetcher = local_fetcher([*allowed, *font_folders(book.fonts), profiles.CMYK_PROFILE.parent])
    font_config = font_config or FontConfiguration()
    colour_profiles: dict = {}  # @color-profile rules, shared by every stylesheet and the document
    with WeasyPrintLog(report) as log:
        options = dict(font_config=font_config, url_fetcher=fetcher, color_profiles=colour_profiles)
        sheets = [*(CSS(string=css, **options) for css in (typefaces_css, *extra_css)),
                  *(CSS(filename=str(css_path), **options) for css_path in css_paths)]
        source = HTML(string=html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher)
        if prepare is not None:
            prepare(source.etree_element)
        document = source.render(stylesheets=sheets, font_config=font_config, color_profiles=colour_profiles)
    if fetcher.refused:
        raise FormatError([Problem(message) for message in fetcher.refused])
    log.raise_errors()
    return document, source.etree_element


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
