"""Print page numbers in the EPUB: invisible page-break markers where the print edition's pages begin."""

from __future__ import annotations

from lxml import etree

from publish.layout.document import PageStart
from publish.layout.line_breaks import WORD
from publish.render.xhtml import EPUB_TYPE, MATHML, VOID

MATH = f"{{{MATHML}}}math"


def insert_page_markers(root: etree._Element, starts: list[PageStart]) -> list[PageStart]:
    """Put a marker for each page start into a chapter body (`root`'s children are the body's elements).

    Returns the starts that got a marker."""
    placed = []
    body = [child for child in root if isinstance(child.tag, str)]
    for start in starts:
        marker = etree.Element("span", {"id": marker_id(start), "role": "doc-pagebreak", EPUB_TYPE: "pagebreak",
                                        "aria-label": start.label})
        if start.path[0] >= len(body):  # the page begins in the notes after the text: mark the text's end
            root.append(marker)
        else:
            _insert_at_word(_element_at(body[start.path[0]], start.path[1:]), start.words_before, marker)
        placed.append(start)
    return placed


def marker_id(start: PageStart) -> str:
    return f"page-{start.label}"


def _element_at(element: etree._Element, path: tuple[int, ...]) -> etree._Element:
    """Follow the path as far as this document's structure allows."""
    for index in path:
        children = [child for child in element if isinstance(child.tag, str)]
        if index >= len(children):
            break
        element = children[index]
    return element


def _insert_at_word(element: etree._Element, words_before: int, marker: etree._Element) -> None:
    if element.tag in VOID or not "".join(element.itertext()).strip():
        element.addprevious(marker) if element.getparent() is not None else element.append(marker)
        return
    segments = _text_segments(element)
    joined = "".join(text for _, _, text in segments)
    matches = list(WORD.finditer(joined))
    if words_before >= len(matches):
        element.append(marker)
        return
    position = matches[words_before].start()
    for node, kind, text in segments:
        if position <= len(text):
            _split(node, kind, text, position, marker)
            return
        position -= len(text)


def _text_segments(element: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """(node, 'text' or 'tail', string) in reading order for all text inside `element`."""
    segments = [(element, "text", element.text or "")]
    for child in element:
        if isinstance(child.tag, str) and child.tag != MATH:  # print draws a formula: it has no words there
            segments.extend(_text_segments(child))
        segments.append((child, "tail", child.tail or ""))
    return segments


def _split(node: etree._Element, kind: str, text: str, position: int, marker: etree._Element) -> None:
    marker.tail = text[position:]
    if kind == "text":
        node.text = text[:position]
        node.insert(0, marker)
    else:
        node.tail = text[:position]
        node.addnext(marker)
