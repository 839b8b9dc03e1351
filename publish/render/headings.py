"""Headings: ids, levels without gaps, the section each opens, and the contents built from them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from lxml import etree

from publish.errors import Report
from publish.manuscript.identifiers import slugify
from publish.model import Chapter, ChapterSource, Heading, Strings, TocEntry
from publish.render.references import line_of
from publish.render.xhtml import (
    EPUB_TYPE,
    inner_xhtml,
    parse_fragment,
    plain_text,
    remove_keep_tail,
    unwrap,
)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def ensure_title_heading(root: etree._Element, source: ChapterSource) -> None:
    first = next((el for el in root.iter(*HEADINGS)), None)
    if source.title and (first is None or first.tag != "h1"):
        heading = etree.Element("h1")
        heading.text = source.title
        root.insert(0, heading)
        heading.tail, root.text = root.text, None


def close_level_gaps(root: etree._Element, source: ChapterSource, report: Report) -> None:
    """A heading may go at most one level deeper than the one before it (h1 then h3 becomes h1 then h2)."""
    previous = 1
    for element in root.iter(*HEADINGS):
        level = int(element.tag[1])
        if level > previous + 1:
            report.warn(f"heading '{plain_text(element)}' jumps from level {previous} to {level}; it is set as "
                        f"level {previous + 1} ({'#' * (previous + 1)})", source.path, line_of(source, plain_text(element)))
            level = previous + 1
            element.tag = f"h{level}"
        previous = level


def name_headings(root: etree._Element, cid: str) -> list[Heading]:
    """Give every heading an id; list those with text (the chapter's first is its title)."""
    headings, used = [], set()
    for element in root.iter(*HEADINGS):
        copy = title_copy(element)
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


def title_copy(element: etree._Element) -> etree._Element:
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


def sectionize(root: etree._Element) -> None:
    """Wrap each heading below the title, with what follows it, in a <section> labelled by the heading. A labelled
    section is a landmark, and two landmarks of one page may not share a name, so sections whose titles repeat in
    the chapter ('Exercises' in each part) are left unlabelled."""
    titles = Counter(_text(child) for child in root if child.tag in HEADINGS[1:])
    open_sections: list[tuple[int, etree._Element]] = [(1, root)]
    for child in list(root):
        if child.tag in HEADINGS[1:]:
            level = int(child.tag[1])
            while open_sections[-1][0] >= level:
                open_sections.pop()
            label = {"aria-labelledby": child.get("id")} if titles[_text(child)] == 1 else {}
            section = etree.SubElement(open_sections[-1][1], "section", label)
            open_sections.append((level, section))
        open_sections[-1][1].append(child)


def _text(heading: etree._Element) -> str:
    return " ".join("".join(heading.itertext()).split())


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


def labelled_chapters(chapters: list[Chapter], strings: Strings) -> list[Chapter]:
    """Each chapter (not front matter, parts or back matter) with 'Chapter 3' in the book's language at the head
    of its title, in a span of its own; bookmarks and running heads keep the bare title (data-title)."""
    result, number = [], 0
    for chapter in chapters:
        if chapter.role != "chapter":
            result.append(chapter)
            continue
        number += 1
        body = parse_fragment(chapter.body_html)
        heading = next(body.iter("h1"), None)
        if heading is None:
            result.append(chapter)
            continue
        heading.set("data-title", heading.get("data-title") or chapter.title)
        label = etree.Element("span", {"class": "chapter-label"})
        label.text, label.tail, heading.text = strings("chapter", number=str(number)), " " + (heading.text or ""), None
        heading.insert(0, label)
        result.append(replace(chapter, body_html=inner_xhtml(body)))
    return result
