"""Print PDF: the print layout (one HTML document from a template, laid out by WeasyPrint) written as a PDF."""

from __future__ import annotations

from publish.model import RenderedBook
from publish.registry import BuildContext, OutputFormat


def build_pdf(book: RenderedBook, context: BuildContext) -> bytes:
    document = context.print_layout(book).document
    _set_metadata(document.metadata, book, context)
    return document.write_pdf(pdf_identifier=book.metadata.identifier.encode("utf-8"))


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


PDF = OutputFormat(name="pdf", suffix=".pdf", description="print-ready PDF", build=build_pdf)
