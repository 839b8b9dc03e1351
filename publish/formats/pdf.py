"""Print PDF: the whole book as one HTML document from a template, laid out by WeasyPrint with print CSS."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from publish import templates
from publish.errors import FormatError, Problem, Report
from publish.fonts import FACES, FONT_FOLDER
from publish.model import RenderedBook
from publish.registry import BuildContext, OutputFormat
from publish.stylesheets import referenced_resources


def build_pdf(book: RenderedBook, context: BuildContext) -> bytes:
    # Imported here so that building only the EPUB never pays for loading WeasyPrint.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    env = templates.environment(book.root)
    html = templates.render(env, "print.html", book=book, link=lambda element_id: f"#{element_id}",
                            version=context.version)
    fonts_css = templates.render(env, "fonts.css", faces=FACES, font_url=lambda name: (FONT_FOLDER / name).as_uri())
    allowed = [book.root, *templates.style_folders(book.root)]
    css_path = templates.stylesheet_path(book.root, "print.css")
    referenced_resources(templates.stylesheet(book.root, "print.css"), css_path, allowed)  # refuse with the line
    fetcher = local_fetcher([*allowed, FONT_FOLDER])
    font_config = FontConfiguration()
    with WeasyPrintLog(context.report) as log:
        stylesheets = [
            CSS(string=fonts_css, font_config=font_config, url_fetcher=fetcher),
            CSS(filename=str(css_path), font_config=font_config, url_fetcher=fetcher),
        ]
        document = HTML(string=html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=font_config)
        _set_metadata(document.metadata, book, context)
        pdf = document.write_pdf(pdf_identifier=book.metadata.identifier.encode("utf-8"))
    if fetcher.refused:
        raise FormatError([Problem(message) for message in fetcher.refused])
    log.raise_errors()
    return pdf


def _set_metadata(metadata, book: RenderedBook, context: BuildContext) -> None:
    meta = book.metadata
    metadata.title = meta.title if not meta.subtitle else f"{meta.title}: {meta.subtitle}"
    metadata.authors = [c.name for c in meta.authors]
    metadata.description = meta.description
    metadata.keywords = list(meta.subjects)
    metadata.generator = f"publish {context.version}"
    metadata.lang = meta.language
    stamp = context.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.created = stamp
    metadata.modified = stamp


def local_fetcher(folders: list[Path]):
    """WeasyPrint's resource loader, limited to files inside the given folders: no network, no escapes."""
    from weasyprint.urls import URLFetcher

    allowed = [folder.resolve() for folder in folders]

    class LocalFetcher(URLFetcher):
        refused: list[str] = []

        def fetch(self, url: str, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not any(path.is_relative_to(folder) for folder in allowed):
                    self.refused.append(f"refused to read '{path}': it is outside the manuscript and style folders")
                    raise ValueError("file outside the allowed folders")
            elif parsed.scheme != "data":
                self.refused.append(f"refused to fetch '{url}': builds never use the network; "
                                    "save the file in the manuscript folder")
                raise ValueError("network access is disabled")
            return super().fetch(url, headers)

    fetcher = LocalFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    fetcher.refused = []
    return fetcher


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


PDF = OutputFormat(name="pdf", suffix=".pdf", description="print-ready PDF", build=build_pdf)
