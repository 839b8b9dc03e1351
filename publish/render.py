"""Markdown to format-neutral XHTML: each chapter's body, headings and notes, with ids unique across the book."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import markdown
from lxml import etree

from publish.config import slugify
from publish.errors import ManuscriptError, Problem, Report
from publish.model import Book, Chapter, ChapterSource, Footnote, Heading, RenderedBook, TocEntry
from publish.references import URL_SCHEME, line_of, resolve_chapter_links, resolve_images, unwrap_dead_links
from publish.content_model import conform
from publish.xhtml import EPUB_TYPE, clean, inner_xhtml, parse_fragment, plain_text, remove_keep_tail, unwrap

MARKDOWN_EXTENSIONS = ["footnotes", "tables", "attr_list", "def_list", "fenced_code", "smarty", "sane_lists"]
CURLY = {
    "left-single-quote": "\u2018", "right-single-quote": "\u2019", "left-double-quote": "\u201c",
    "right-double-quote": "\u201d", "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
    "ndash": "\u2013", "mdash": "\u2014", "ellipsis": "\u2026",
}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
RAW_HTML = re.compile(r"<[A-Za-z!?/]|&[A-Za-z]")  # Markdown without these renders to well-formed XHTML
# Characters XML 1.0 forbids or discourages: C0/C1 controls (but tab and newline) and noncharacters.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]")


@dataclass(frozen=True)
class RenderOptions:
    """What rendering one chapter needs to know about the rest of the book."""

    manuscript_root: Path
    chapter_ids: dict[Path, str]  # chapter file (resolved) -> chapter id, for links between chapters
    keep_going: bool = False  # missing images become placeholders instead of errors


def render_book(book: Book, report: Report, keep_going: bool = False) -> RenderedBook:
    ids = {source.path.resolve(): chapter_id(source, index) for index, source in enumerate(book.chapters)}
    options = RenderOptions(book.root, ids, keep_going)
    problems: list[Problem] = []
    chapters = []
    for source in book.chapters:
        try:
            chapters.append(render_chapter(source, ids[source.path.resolve()], options, report))
        except ManuscriptError as error:
            problems.extend(error.problems)
    problems.extend(_duplicate_ids(chapters))
    if problems:
        raise ManuscriptError(problems)
    chapters = _without_dead_links(chapters, book, report)
    toc = build_toc(chapters, book.print.toc_depth)
    return RenderedBook(root=book.root, metadata=book.metadata, print=book.print,
                        chapters=tuple(chapters), toc=toc)


def _without_dead_links(chapters: list[Chapter], book: Book, report: Report) -> list[Chapter]:
    known = {element_id for chapter in chapters for element_id in chapter.ids}
    sources = {source.path: source for source in book.chapters}
    result = []
    for chapter in chapters:
        if all(target in known for target in chapter.links) and not chapter.has_file_links:
            result.append(chapter)
            continue
        root = parse_fragment(chapter.body_html)
        if unwrap_dead_links(root, sources[chapter.source], known, report):
            chapter = replace(chapter, body_html=inner_xhtml(root))
        result.append(chapter)
    return result


def chapter_id(source: ChapterSource, index: int) -> str:
    return f"ch-{slugify(source.path.stem) or index + 1}"


def markdown_to_html(text: str) -> str:
    converter = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"smarty": {"substitutions": CURLY}, "footnotes": {"SEPARATOR": "-"}},
        output_format="xhtml",
    )
    return converter.convert(text)


def render_chapter(source: ChapterSource, cid: str, options: RenderOptions, report: Report) -> Chapter:
    text = _without_control_characters(source, report)
    root = parse_fragment(markdown_to_html(text), well_formed=not RAW_HTML.search(text))
    notes = _take_footnotes(root, cid)
    for note in notes:
        if not note.ref_id:
            key = note.id.removeprefix(f"{cid}-fn-")
            report.warn(f"note [^{key}] is never referred to; add [^{key}] to the text or delete the note",
                        source.path, line_of(source, f"[^{key}]:"))
    parts = [root, *(note.element for note in notes)]
    _make_valid(parts, source, report)
    images = tuple(dict.fromkeys(image for part in parts for image in
                                 resolve_images(part, source, options.manuscript_root, report, options.keep_going)))
    links = tuple(link for part in parts for link in resolve_chapter_links(part, source, options.chapter_ids))
    _ensure_title_heading(root, source)
    headings = _name_headings(root, cid)
    if not headings or headings[0].level != 1:
        raise ManuscriptError(Problem(
            "chapter has no title: start it with a '# Title' line or set 'title:' in its front matter",
            source.path, source.first_line))
    ids = tuple(el.get("id") for part in parts for el in part.iter() if el.get("id")) + tuple(n.id for n in notes)
    _refuse_repeated_ids(ids, source)
    file_links = any(not a.get("href", "#").startswith("#") and not URL_SCHEME.match(a.get("href", ""))
                     for part in parts for a in part.iter("a"))
    present = set(ids)
    footnotes = tuple(Footnote(n.id, n.ref_id if n.ref_id in present else "", n.number, inner_xhtml(n.element).strip())
                      for n in notes)
    return Chapter(id=cid, source=source.path, role=source.role, title=headings[0].title,
                   title_html=headings[0].title_html, body_html=inner_xhtml(root), headings=tuple(headings),
                   footnotes=footnotes, ids=ids, images=images, links=links, has_file_links=file_links)


def _make_valid(parts: list[etree._Element], source: ChapterSource, report: Report) -> None:
    """Clean and repair the body and each note; warn once per kind of change, at its line."""
    removed: list[str] = []
    for part in parts:
        removed.extend(clean(part).removed)
        conform(part, removed)
    removals = sorted(((_line_of_removal(source, item), item) for item in dict.fromkeys(removed)),
                      key=lambda pair: pair[0])
    for line, item in removals:
        report.warn(f"removed {item}: an EPUB may not hold it there; delete or fix it in the Markdown",
                    source.path, line)


def _refuse_repeated_ids(ids: tuple[str, ...], source: ChapterSource) -> None:
    seen, problems = set(), []
    for element_id in ids:
        if element_id in seen:
            problems.append(Problem(f"id '{element_id}' is used twice in this chapter; ids must be unique in the book",
                                    source.path, line_of(source, element_id)))
        seen.add(element_id)
    if problems:
        raise ManuscriptError(problems)


def _without_control_characters(source: ChapterSource, report: Report) -> str:
    found = NOT_XML.search(source.text)
    if found is None:
        return source.text
    line = source.first_line + source.text.count("\n", 0, found.start())
    report.warn(f"removed invisible control character U+{ord(found.group()):04X} (and any others in the "
                "chapter); they are not allowed in EPUB", source.path, line)
    return NOT_XML.sub("", source.text)


def _line_of_removal(source: ChapterSource, removed: str) -> int:
    """Best guess at where removed markup sits in the Markdown: the first line that names it."""
    match = re.search(r"<(\w+)>|'([\w-]+)'", removed)
    return line_of(source, (match.group(1) and f"<{match.group(1)}") or match.group(2) if match else "")


def _ensure_title_heading(root: etree._Element, source: ChapterSource) -> None:
    first = next((el for el in root.iter(*HEADINGS)), None)
    if source.title and (first is None or first.tag != "h1"):
        heading = etree.Element("h1")
        heading.text = source.title
        root.insert(0, heading)
        heading.tail, root.text = root.text, None


def _name_headings(root: etree._Element, cid: str) -> list[Heading]:
    """Give every heading an id; list those with text (the chapter's first is its title)."""
    headings, used = [], set()
    for element in root.iter(*HEADINGS):
        copy = _title_copy(element)
        title = plain_text(copy)
        if not element.get("id"):
            base = f"{cid}-{slugify(title) or 'section'}" if headings else cid
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            element.set("id", candidate)
        used.add(element.get("id"))
        if title != plain_text(element):  # bookmarks and running heads use the bare title
            element.set("data-title", title)
        if title:
            headings.append(Heading(int(element.tag[1]), element.get("id"), title, inner_xhtml(copy).strip()))
    return headings


def _title_copy(element: etree._Element) -> etree._Element:
    """The heading's content as contents entries show it: no note references, links, images or ids."""
    copy = etree.fromstring(etree.tostring(element, with_tail=False))
    for ref in copy.xpath(".//*[@role='doc-noteref']"):
        parent = ref.getparent()
        if parent.tag == "sup" and len(parent) == 1 and not (parent.text or "").strip():
            ref = parent
        remove_keep_tail(ref)
    for image in list(copy.iter("img")):
        image.tail = (image.get("alt") or "") + (image.tail or "")
        remove_keep_tail(image)
    for link in list(copy.iter("a")):
        unwrap(link)
    for line_break in list(copy.iter("br")):
        line_break.tail = " " + (line_break.tail or "")
        remove_keep_tail(line_break)
    for empty in [el for el in copy.iter() if el is not copy and not "".join(el.itertext()).strip()]:
        if empty.getparent() is not None:
            remove_keep_tail(empty)
    for descendant in copy.iter():
        for attribute in ("id", "role", EPUB_TYPE, "data-title"):
            descendant.attrib.pop(attribute, None)
    return copy


@dataclass
class _Note:
    id: str
    ref_id: str
    number: int
    element: etree._Element  # the note's content, taken out of the chapter


def _take_footnotes(root: etree._Element, cid: str) -> list[_Note]:
    """Take Python-Markdown's footnote list out of the body; refs become noterefs with book-unique ids.

    Notes are numbered in the order the text first refers to them (unreferenced ones last)."""
    first_ref: dict[str, int] = {}
    for ref in root.xpath(".//a[@class='footnote-ref']"):
        key = ref.get("href").removeprefix("#fn-")
        first_ref.setdefault(key, len(first_ref) + 1)
        sup = ref.getparent()
        ref.set("id", f"{cid}-{sup.get('id')}")
        sup.attrib.pop("id", None)
        ref.set("href", f"#{cid}-fn-{key}")
        ref.set("class", "noteref")
        ref.set("role", "doc-noteref")
        ref.set(EPUB_TYPE, "noteref")
        ref.text = str(first_ref[key])
    notes = []
    # The list comes last; unclosed raw HTML before it may have swallowed it, so look everywhere.
    for container in root.xpath(".//div[@class='footnote'][ol/li[starts-with(@id, 'fn-')]]")[-1:]:
        for item in container.xpath("ol/li"):
            key = item.get("id", "").removeprefix("fn-")
            backrefs = item.xpath(".//a[@class='footnote-backref']")
            ref_id = f"{cid}-fnref-{key}" if key in first_ref else ""
            for backref in backrefs:
                _remove_backref(backref)
            notes.append(_Note(f"{cid}-fn-{key}", ref_id, first_ref.get(key, 0), item))
            item.attrib.clear()
        remove_keep_tail(container)
    notes.sort(key=lambda note: note.number or len(first_ref) + 1)
    for number, note in enumerate(notes, start=1):
        note.number = number
    return notes


def _remove_backref(backref: etree._Element) -> None:
    """Remove a back-link with the no-break space Python-Markdown puts before it; templates add their own."""
    previous, parent = backref.getprevious(), backref.getparent()
    if previous is not None and previous.tail:
        previous.tail = previous.tail.rstrip("\xa0")
    elif previous is None and parent.text:
        parent.text = parent.text.rstrip("\xa0")
    remove_keep_tail(backref)


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
