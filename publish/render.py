"""Markdown to format-neutral XHTML: each chapter's body, headings and notes, with ids unique across the book."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
from lxml import etree

from publish.config import slugify
from publish.errors import ManuscriptError, Problem, Report
from publish.model import Book, Chapter, ChapterSource, Footnote, Heading, RenderedBook, TocEntry
from publish.xhtml import EPUB_TYPE, clean, inner_xhtml, parse_fragment, plain_text

MARKDOWN_EXTENSIONS = ["footnotes", "tables", "attr_list", "def_list", "fenced_code", "smarty", "sane_lists"]
CURLY = {
    "left-single-quote": "\u2018", "right-single-quote": "\u2019", "left-double-quote": "\u201c",
    "right-double-quote": "\u201d", "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
    "ndash": "\u2013", "mdash": "\u2014", "ellipsis": "\u2026",
}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def render_book(book: Book, report: Report) -> RenderedBook:
    problems: list[Problem] = []
    chapters = []
    for index, source in enumerate(book.chapters):
        try:
            chapters.append(render_chapter(source, chapter_id(source, index), book.root, report))
        except ManuscriptError as error:
            problems.extend(error.problems)
    problems.extend(_duplicate_ids(chapters))
    if problems:
        raise ManuscriptError(problems)
    toc = build_toc(chapters, book.print.toc_depth)
    return RenderedBook(root=book.root, metadata=book.metadata, print=book.print,
                        chapters=tuple(chapters), toc=toc)


def chapter_id(source: ChapterSource, index: int) -> str:
    return f"ch-{slugify(source.path.stem) or index + 1}"


def markdown_to_html(text: str) -> str:
    converter = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"smarty": {"substitutions": CURLY}, "footnotes": {"SEPARATOR": "-", "USE_DEFINITION_ORDER": False}},
        output_format="xhtml",
    )
    return converter.convert(text)


def render_chapter(source: ChapterSource, cid: str, root_folder: Path, report: Report) -> Chapter:
    root = parse_fragment(markdown_to_html(source.text))
    cleaning = clean(root)
    removals = sorted(((_line_of(source, removed), removed) for removed in dict.fromkeys(cleaning.removed)),
                      key=lambda pair: pair[0])
    for line, removed in removals:
        report.warn(f"removed {removed}: EPUB and PDF allow no scripts, forms, embeds or obsolete markup",
                    source.path, line)
    footnotes = _extract_footnotes(root, cid)
    images = _resolve_images(root, source, root_folder, report)
    _ensure_title_heading(root, source)
    headings = _name_headings(root, cid)
    if not headings or headings[0].level != 1:
        raise ManuscriptError(Problem(
            "chapter has no title: start it with a '# Title' line or set 'title:' in its front matter",
            source.path, source.first_line))
    ids = tuple(el.get("id") for el in root.iter() if el.get("id")) + tuple(n.id for n in footnotes)
    return Chapter(id=cid, source=source.path, role=source.role, title=headings[0].title,
                   title_html=headings[0].title_html, body_html=inner_xhtml(root), headings=tuple(headings),
                   footnotes=tuple(footnotes), ids=ids, images=images)


IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp")


def _resolve_images(root: etree._Element, source: ChapterSource, root_folder: Path,
                    report: Report) -> tuple[str, ...]:
    """Point every image at a file inside the manuscript folder, named relative to that folder."""
    images, problems = [], []
    for image in root.iter("img"):
        src = image.get("src", "").strip()
        line = _line_of_text(source, src)
        if image.get("alt") is None:
            image.set("alt", "")
            report.warn(f"image '{src}' has no alt text; describe it: ![what it shows]({src})", source.path, line)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.IGNORECASE):
            problems.append(Problem(f"image '{src}' is not a local file; builds never fetch from the network, "
                                    "so save it in the manuscript folder and use its relative path", source.path, line))
            continue
        target = (source.path.parent / src).resolve()
        if not src or src.startswith("/") or not target.is_relative_to(root_folder.resolve()):
            problems.append(Problem(f"image '{src}' is outside the manuscript folder; copy it inside and use a "
                                    "relative path", source.path, line))
        elif not target.is_file():
            problems.append(Problem(f"image '{src}' not found; check the file name (relative to "
                                    f"{source.path.parent.name}/)", source.path, line))
        elif target.suffix.lower() not in IMAGE_TYPES:
            problems.append(Problem(f"image '{src}' is not a JPEG, PNG, GIF, SVG or WebP file", source.path, line))
        else:
            relative = target.relative_to(root_folder.resolve()).as_posix()
            image.set("src", relative)
            images.append(relative)
    if problems:
        raise ManuscriptError(problems)
    return tuple(dict.fromkeys(images))


def _line_of_text(source: ChapterSource, needle: str) -> int:
    position = source.text.find(needle) if needle else -1
    return source.first_line + (source.text.count("\n", 0, position) if position >= 0 else 0)


def _line_of(source: ChapterSource, removed: str) -> int:
    """Best guess at where the removed markup sits in the Markdown: the first line that names it."""
    match = re.search(r"<(\w+)>|'([\w-]+)'", removed)
    needle = (match.group(1) and f"<{match.group(1)}") or (match.group(2) if match else "")
    position = source.text.lower().find(needle.lower()) if needle else -1
    return source.first_line + (source.text.count("\n", 0, position) if position >= 0 else 0)


def _ensure_title_heading(root: etree._Element, source: ChapterSource) -> None:
    first = next((el for el in root.iter(*HEADINGS)), None)
    if source.title and (first is None or first.tag != "h1"):
        heading = etree.Element("h1")
        heading.text = source.title
        root.insert(0, heading)
        heading.tail, root.text = root.text, None


def _name_headings(root: etree._Element, cid: str) -> list[Heading]:
    headings, used = [], set()
    for element in root.iter(*HEADINGS):
        copy = _without_noterefs(element)
        title = plain_text(copy)
        if not element.get("id"):
            base = f"{cid}-{slugify(title) or 'section'}" if headings else cid
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            element.set("id", candidate)
        used.add(element.get("id"))
        if len(copy) != len(element):  # held a note reference: bookmarks and running heads use the bare title
            element.set("data-title", title)
        headings.append(Heading(int(element.tag[1]), element.get("id"), title, inner_xhtml(copy).strip()))
    return headings


def _without_noterefs(element: etree._Element) -> etree._Element:
    copy = etree.fromstring(etree.tostring(element))
    for ref in copy.xpath(".//*[@role='doc-noteref']"):
        parent = ref.getparent()
        if parent.tag == "sup" and len(parent) == 1 and not (parent.text or "").strip():
            ref = parent
        _remove_keep_tail(ref)
    return copy


def _remove_keep_tail(element: etree._Element) -> None:
    previous, parent = element.getprevious(), element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def _extract_footnotes(root: etree._Element, cid: str) -> list[Footnote]:
    """Take Python-Markdown's footnote list out of the body; refs become noterefs with book-unique ids."""
    for ref in root.xpath(".//a[@class='footnote-ref']"):
        number = ref.get("href").removeprefix("#fn-")
        sup = ref.getparent()
        ref.set("id", f"{cid}-{sup.get('id')}")
        sup.attrib.pop("id", None)
        ref.set("href", f"#{cid}-fn-{number}")
        ref.set("class", "noteref")
        ref.set("role", "doc-noteref")
        ref.set(EPUB_TYPE, "noteref")
    footnotes = []
    for container in root.xpath("./div[@class='footnote']"):
        for number, item in enumerate(container.iter("li"), start=1):
            backrefs = item.xpath(".//a[@class='footnote-backref']")
            ref_id = f"{cid}-{backrefs[0].get('href').lstrip('#')}" if backrefs else ""
            for backref in backrefs:
                _remove_backref(backref)
            note_id = f"{cid}-{item.get('id')}"
            footnotes.append(Footnote(id=note_id, ref_id=ref_id, number=number, html=inner_xhtml(item).strip()))
        root.remove(container)
    return footnotes


def _remove_backref(backref: etree._Element) -> None:
    """Remove a back-link with the no-break space Python-Markdown puts before it; templates add their own."""
    previous, parent = backref.getprevious(), backref.getparent()
    if previous is not None and previous.tail:
        previous.tail = previous.tail.rstrip("\xa0")
    elif previous is None and parent.text:
        parent.text = parent.text.rstrip("\xa0")
    _remove_keep_tail(backref)


def _duplicate_ids(chapters: list[Chapter]) -> list[Problem]:
    problems, owner = [], {}
    for chapter in chapters:
        for element_id in chapter.ids:
            if element_id in owner and owner[element_id] != chapter.source:
                problems.append(Problem(f"id '{element_id}' is also used in {owner[element_id].name}; "
                                        "ids must be unique in the book", chapter.source))
            owner.setdefault(element_id, chapter.source)
    return problems


def build_toc(chapters: list[Chapter], depth: int) -> tuple[TocEntry, ...]:
    """Nest each chapter's headings (down to `depth`) under the nearest shallower one."""
    entries: list[TocEntry] = []
    for chapter in chapters:
        headings = [h for h in chapter.headings if h.level <= depth]
        entries.extend(_nest(chapter.id, headings))
    return tuple(entries)


def _nest(cid: str, headings: list[Heading]) -> list[TocEntry]:
    result, index = [], 0
    while index < len(headings):
        heading = headings[index]
        end = index + 1
        while end < len(headings) and headings[end].level > heading.level:
            end += 1
        result.append(TocEntry(cid, heading, tuple(_nest(cid, headings[index + 1:end]))))
        index = end
    return result
