"""EPUB 3: XHTML documents from templates, packaged with ebooklib, then repacked to be reproducible."""

from __future__ import annotations

import io
import mimetypes
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from ebooklib import epub
from lxml import etree

from publish.cache.kept import kept_bytes
from publish.formats.context import BuildContext
from publish.formats.epub.font_subset import typeface_items
from publish.formats.epub.page_list import insert_page_markers, marker_id
from publish.formats.epub.zip_container import DEFLATER, zip_container
from publish.formats.registry import OutputFormat
from publish.layout.document import PageStart
from publish.model import FRONT_ROLES, Chapter, RenderedBook, Typefaces
from publish.output import write_atomic
from publish.render.svg import image_bytes
from publish.render.xhtml import inner_xhtml, parse_fragment
from publish.theme import templates
from publish.theme.cover import generated_cover
from publish.theme.stylesheets import packaged_name, referenced_resources

ENDNOTES = "endnotes.xhtml"
EPUB_STYLESHEETS = ("epub.css", "code.css", "math.css")  # each document links them (epub-page.xhtml)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class NavLink:
    """An entry of a nav list: a landmark, or a print page in the page list."""

    type: str
    href: str
    title: str


def build_epub(book: RenderedBook, context: BuildContext) -> bytes:
    with ThreadPoolExecutor(max_workers=1) as background:
        # Pillow lets go of the GIL: the cover is drawn while the rest is made
        cover = background.submit(_cover_image, book, context.cache)
        return _build_epub(book, context, cover.result)


def _build_epub(book: RenderedBook, context: BuildContext, cover_image: Callable[[], tuple[str, bytes]]) -> bytes:
    env = templates.environment(book.root)
    file_of = {element_id: _file_name(chapter) for chapter in book.chapters for element_id in chapter.ids}
    gathered_notes = book.epub.notes == "book" and any(chapter.footnotes for chapter in book.chapters)
    if gathered_notes:
        file_of.update({note.id: ENDNOTES for chapter in book.chapters for note in chapter.footnotes})

    def link(element_id: str) -> str:
        return f"{file_of[element_id]}#{element_id}"

    def page(template: str, **extra) -> bytes:
        return templates.render(env, template, book=book, link=link, **extra).encode("utf-8")

    starts = context.layouts.page_starts() if book.epub.page_list else ()
    book = replace(book, chapters=tuple(_notes_linked(chapter, file_of) for chapter in book.chapters))
    chapters, pages = [], []
    for chapter in book.chapters:
        body, placed = _prepare_body(chapter, file_of, [s for s in starts if s.chapter_id == chapter.id])
        pages.extend(NavLink("page", f"{_file_name(chapter)}#{marker_id(start)}", start.label) for start in placed)
        content = page("epub-chapter.xhtml", chapter=chapter, body=body)
        chapters.append(_document(chapter.id, _file_name(chapter), content, _content_properties(content)))
    page_source = book.strings("print_source", title=book.metadata.title) if pages else None

    package = epub.EpubBook()
    if book.metadata.direction == "rtl":
        package.set_direction("rtl")  # the spine's page-progression-direction: pages turn to the left
    _add_metadata(package, book)
    _add_accessibility(package, book, page_source)
    cover_href = _cover_href(book)
    documents = [
        _document("cover", "cover.xhtml", page("epub-cover.xhtml", cover_href=cover_href)),
        _document("titlepage", "titlepage.xhtml", page("epub-titlepage.xhtml")),
        _document("copyright", "copyright.xhtml", page("epub-copyright.xhtml")),
        _document("nav", "nav.xhtml", page("epub-nav.xhtml", landmarks=_landmarks(book), pages=pages),
                  properties=["nav"]),
        *chapters,
    ]
    if gathered_notes:
        endnotes = page("epub-endnotes.xhtml")
        documents.append(_document("endnotes", ENDNOTES, endnotes, _content_properties(endnotes)))
    _add_styles(package, env, book.root, documents, book.fonts)
    for document in documents:
        package.add_item(document)
    _add_images(package, book)
    package.set_cover(*cover_image(), create_page=False)  # last: the image is drawn while the rest is made
    package.spine = documents
    package.toc = _ncx_entries(book)
    package.add_item(epub.EpubNcx())
    package.add_item(epub.EpubItem(file_name="META-INF/com.apple.ibooks.display-options.xml", manifest=False,
                                   content=templates.render(env, "apple-display-options.xml").encode("utf-8")))
    package.guide = [{"type": "cover", "href": "cover.xhtml", "title": book.strings["cover"]},
                     {"type": "toc", "href": "nav.xhtml", "title": book.strings["contents"]}]
    raw = io.BytesIO()
    epub.write_epub(raw, package, {"mtime": context.modified, "raise_exceptions": True, "epub3_pages": False,
                                   "compresslevel": 0})  # compressed once, by the repack
    return _repack(raw.getvalue(), context.modified, book.metadata.language, context.cache)


def _file_name(chapter: Chapter) -> str:
    return f"{chapter.id}.xhtml"


def _document(uid: str, file_name: str, content: bytes, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
    item.properties = properties or []
    return item


def _content_properties(content: bytes) -> list[str]:
    """The manifest properties a document's content asks for (EPUB 3.3: mathml for MathML it holds)."""
    return ["mathml"] if MATHML_NAMESPACE in content else []


def _add_metadata(package: epub.EpubBook, book: RenderedBook) -> None:
    meta = book.metadata
    package.set_identifier(meta.identifier)
    package.title = meta.title
    package.language = meta.language
    package.add_metadata("DC", "title", meta.title, {"id": "title"})
    package.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        package.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    package.add_metadata("DC", "language", meta.language)
    for index, creator in enumerate(meta.creators, start=1):
        element = "creator" if creator.role == "aut" else "contributor"
        uid = f"{element}{index}"
        package.add_metadata("DC", element, creator.name, {"id": uid})
        package.add_metadata(None, "meta", creator.role, {"refines": f"#{uid}", "property": "role",
                                                          "scheme": "marc:relators"})
        if creator.file_as:
            package.add_metadata(None, "meta", creator.file_as, {"refines": f"#{uid}", "property": "file-as"})
    for name in ("publisher", "date", "rights", "description"):
        if getattr(meta, name):
            package.add_metadata("DC", name, getattr(meta, name))
    for subject in meta.subjects:
        package.add_metadata("DC", "subject", subject)
    if meta.version:
        package.add_metadata(None, "meta", meta.version, {"property": "schema:version"})


MATHML_NAMESPACE = b"http://www.w3.org/1998/Math/MathML"


def _add_accessibility(package: epub.EpubBook, book: RenderedBook, page_source: str | None) -> None:
    """EPUB Accessibility 1.1 metadata, claiming only what this book really has."""
    images = [image for chapter in book.chapters for image in chapter.images]
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    math = any("<math" in chapter.body_html or any("<math" in note.html for note in chapter.footnotes)
               for chapter in book.chapters)
    if images:
        features.append("alternativeText")
    if math:
        features += ["MathML", "describedMath"]
    if page_source:
        features += ["pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    modes = ["textual", "visual"] if images else ["textual"]
    strings = book.strings
    summary = " ".join(filter(None, [
        strings["accessibility_summary"],
        strings["accessibility_notes"] if any(c.footnotes for c in book.chapters) else "",
        strings["accessibility_images"] if images else "", strings["accessibility_math"] if math else "",
        strings("accessibility_pages", source=page_source) if page_source else "",
        strings["accessibility_hazards"]]))
    for mode in modes:
        package.add_metadata(None, "meta", mode, {"property": "schema:accessMode"})
    package.add_metadata(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    for feature in features:
        package.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    package.add_metadata(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    package.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})
    package.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA",
                         {"property": "dcterms:conformsTo", "id": "conformance"})
    package.add_metadata(None, "meta", book.metadata.publisher or "publish (automated EPUBCheck and Ace checks)",
                         {"property": "a11y:certifiedBy", "refines": "#conformance"})
    if page_source:
        # The print source of the page list is dc:source refined as the source of pagination (EPUB 3.3);
        # EPUBCheck 5.3 rejects a11y:pageBreakSource as an undefined property (OPF-027), so it is not written.
        package.add_metadata("DC", "source", page_source, {"id": "print-source"})
        package.add_metadata(None, "meta", "pagination", {"refines": "#print-source", "property": "source-of"})


def _cover_image(book: RenderedBook, cache: Path | None) -> tuple[str, bytes]:
    """The cover's name in the EPUB and its bytes: the image book.yaml gives, else one drawn from the title
    (kept in `cache` for the next build)."""
    if book.metadata.cover is not None:
        return _cover_href(book), (book.root / book.metadata.cover).read_bytes()
    meta = book.metadata
    inputs = repr((meta.title, meta.subtitle, [creator.name for creator in meta.authors], book.fonts.display))
    return _cover_href(book), kept_bytes(cache, "cover.png", inputs, lambda: generated_cover(meta, book.fonts))


def _cover_href(book: RenderedBook) -> str:
    cover = book.metadata.cover
    return "images/cover.png" if cover is None else f"images/cover{Path(cover).suffix.lower()}"


def _add_styles(package: epub.EpubBook, env, root: Path, documents: list[epub.EpubItem], fonts: Typefaces) -> None:
    """The typefaces and the EPUB_STYLESHEETS (the user's copies first), and every file they load."""
    for item in typeface_items(env, documents, fonts):
        package.add_item(item)
    allowed, loaded = [root, *templates.style_folders(root)], []
    for name in EPUB_STYLESHEETS:
        css = templates.stylesheet(root, name)
        package.add_item(epub.EpubItem(uid=f"css-{name.removesuffix('.css')}", file_name=f"css/{name}",
                                       media_type="text/css", content=css.encode("utf-8")))
        loaded += referenced_resources(css, templates.stylesheet_path(root, name), allowed)
    for index, resource in enumerate(dict.fromkeys(loaded), start=1):
        media_type = mimetypes.guess_type(resource.path.name)[0] or "application/octet-stream"
        package.add_item(epub.EpubItem(uid=f"style-resource{index}", file_name=packaged_name("css", resource.href),
                                       media_type=media_type, content=resource.path.read_bytes()))


def _add_images(package: epub.EpubBook, book: RenderedBook) -> None:
    images = sorted({image for chapter in book.chapters for image in chapter.images})
    for index, image in enumerate(images, start=1):
        media_type = mimetypes.guess_type(image)[0] or "application/octet-stream"
        package.add_item(epub.EpubItem(uid=f"image{index}", file_name=image, media_type=media_type,
                                       content=image_bytes(book.root / image)))


def _landmarks(book: RenderedBook) -> list[NavLink]:
    body = next((c for c in book.chapters if c.role not in FRONT_ROLES), book.chapters[0])
    strings = book.strings
    return [
        NavLink("cover", "cover.xhtml", strings["cover"]),
        NavLink("titlepage", "titlepage.xhtml", strings["title_page"]),
        NavLink("toc", "nav.xhtml#toc", strings["contents"]),
        NavLink("bodymatter", _file_name(body), strings["start_of_text"]),
        NavLink("copyright-page", "copyright.xhtml", strings["copyright"]),
    ]


def _ncx_entries(book: RenderedBook) -> list:
    file_of = {c.id: _file_name(c) for c in book.chapters}
    counter = iter(range(1, 1_000_000))

    def entry(toc_entry):
        link = epub.Link(f"{file_of[toc_entry.chapter_id]}#{toc_entry.heading.id}", toc_entry.heading.title,
                         f"navpoint-{next(counter)}")
        if toc_entry.children:
            return (link, [entry(child) for child in toc_entry.children])
        return link

    return [entry(e) for e in book.toc]


def _prepare_body(chapter: Chapter, file_of: dict[str, str], starts: list[PageStart]) -> tuple[str, list[PageStart]]:
    """The chapter's XHTML with links to other chapters as 'file.xhtml#id' and the print page markers in place."""
    if not starts and 'href="#' not in chapter.body_html:  # nothing to change: skip parsing
        return chapter.body_html, []
    root = parse_fragment(chapter.body_html)
    _link_files(root, file_of)
    placed = insert_page_markers(root, starts)
    return inner_xhtml(root), placed


def _notes_linked(chapter: Chapter, file_of: dict[str, str]) -> Chapter:
    """The chapter with its notes' links as 'file.xhtml#id' (a note may link to another chapter, and notes
    gathered at the end of the book are in a file of their own)."""
    def linked(html: str) -> str:
        if 'href="#' not in html:
            return html
        part = parse_fragment(html)
        _link_files(part, file_of)
        return inner_xhtml(part)

    return replace(chapter, footnotes=tuple(replace(note, html=linked(note.html)) for note in chapter.footnotes))


def _link_files(root, file_of: dict[str, str]) -> None:
    for anchor in root.iter("a"):
        href = anchor.get("href", "")
        if href.startswith("#") and href[1:] in file_of:  # noterefs too, when notes are gathered at the end
            anchor.set("href", f"{file_of[href[1:]]}{href}")


def _repack(raw: bytes, modified: datetime, language: str, cache: Path | None) -> bytes:
    """Rewrite the zip with fixed order and times: mimetype first and stored, the same bytes for the same book.
    A copy is kept in `cache`, for the next build to take its unchanged entries from."""
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        names = [n for n in source.namelist() if n != "mimetype"]
        ordered = ["mimetype"] + sorted(names, key=lambda n: (not n.startswith("META-INF"), not n.endswith(".opf"), n))
        entries = [(name, _with_package_language(source.read(name), language) if name.endswith(".opf")
                    else source.read(name), name != "mimetype") for name in ordered]
    kept = cache / f"epub-entries-{DEFLATER}.zip" if cache is not None else None
    packed = zip_container(entries, modified, _read_or_none(kept))
    if kept is not None:
        write_atomic(kept, packed)
    return packed


def _read_or_none(path: Path | None) -> bytes | None:
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


def _with_package_language(opf: bytes, language: str) -> bytes:
    """ebooklib has no way to set xml:lang on <package>; accessibility checkers need it."""
    root = etree.fromstring(opf)
    root.set(XML_LANG, language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


EPUB = OutputFormat(name="epub", suffix=".epub", description="EPUB 3 ebook", build=build_epub)
