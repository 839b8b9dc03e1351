"""Web edition: the whole book as one self-contained HTML page (styles and images inside)."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import replace

from publish.formats.context import BuildContext
from publish.formats.registry import OutputFormat
from publish.model import RenderedBook
from publish.render.svg import image_bytes
from publish.render.xhtml import inner_xhtml, parse_fragment
from publish.theme import templates


def build_html(book: RenderedBook, context: BuildContext) -> bytes:
    env = templates.environment(book.root)
    chapters = tuple(replace(chapter, body_html=_inline_images(book, chapter.body_html)) if chapter.images else chapter
                     for chapter in book.chapters)
    page = templates.render(env, "web.html", book=replace(book, chapters=chapters),
                            link=lambda element_id: f"#{element_id}",
                            stylesheet=templates.inline_stylesheet(book.root, ["web.css", "code.css", "math.css"]))
    return page.encode("utf-8")


def _inline_images(book: RenderedBook, body_html: str) -> str:
    """Images become data: URLs, so the page is one file that works anywhere."""
    root = parse_fragment(body_html)
    for image in root.iter("img"):
        path = book.root / image.get("src")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        image.set("src", f"data:{media_type};base64,{base64.b64encode(image_bytes(path)).decode()}")
    return inner_xhtml(root)


HTML = OutputFormat(name="html", suffix=".html", description="web edition (one HTML page)", build=build_html)
