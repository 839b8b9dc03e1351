"""Code as print needs it: a line longer than the measure is broken before layout and goes on after a
continuation mark (↪), so that no code runs past the text block and the reader sees where a line goes on; or,
when the book asks for no wrapping (print.code_wrap: false), left whole and named in a warning. The measure is
the narrowest the book's trim can have (the widest gutter), in characters of the code face, less what quotes and
lists indent: print.css sets the sizes below."""

from __future__ import annotations

import re

from lxml import etree

from publish.errors import Report
from publish.model import RenderedBook
from publish.render.xhtml import parse_fragment

MARK = "\u21aa "  # ↪ and a space, in IBM Plex Mono
BODY_PT = 10.5  # html's font-size in print.css
CODE_EM = 0.8  # pre's font-size
PADDING_EM = 0.5  # pre's left and right padding, in its own em
ADVANCE_EM = 0.6  # IBM Plex Mono's advance width
INDENTS_PT = {"blockquote": 2 * 1.5 * 0.95 * BODY_PT, "li": 1.5 * BODY_PT}  # what each holds its content in by
BREAK_AFTER = " ,;)]}>"
LOOK_BACK = 12  # characters back from the measure to find a better place to break
CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
UNWRAPPED = "publish-unwrapped"


def code_columns(measure_pt: float, indent_pt: float = 0.0) -> int:
    """How many characters of code fit on a line of a text block `measure_pt` wide, `indent_pt` in from its
    left edge."""
    code_pt = BODY_PT * CODE_EM
    width = measure_pt - 2 * PADDING_EM * code_pt - indent_pt
    return max(20, int(width // (ADVANCE_EM * code_pt)))


def wrap_code(root: etree._Element, measure_pt: float) -> None:
    """Break every line of every <pre> under `root` that is longer than its measure."""
    for block in list(root.iter("pre")):
        breaks = _breaks("".join(block.itertext()), _block_columns(block, measure_pt))
        if breaks:
            _insert_marks(block, breaks)


def styled_classes(css_texts: list[str]) -> frozenset[str]:
    """Every class name the stylesheets mention (a superset of those they style)."""
    return frozenset(name for css in css_texts for name in CLASS_NAME.findall(css))


def unwrap_plain_spans(root: etree._Element, styled: frozenset[str]) -> None:
    """Inside each <pre>, the spans of the highlighter's tokens that no print style dresses are taken out, their
    text kept: they draw the same, and each inline box costs WeasyPrint's layout time (code laid out with every
    token a span took twice as long)."""
    for block in root.iter("pre"):
        plain = [span for span in block.iter("span")
                 if set(span.attrib) == {"class"} and not styled.intersection(span.get("class").split())]
        for span in plain:
            span.tag = UNWRAPPED
        if plain:
            etree.strip_tags(block, UNWRAPPED)


def report_long_code(book: RenderedBook, measure_pt: float, report: Report) -> None:
    """A warning at the line of each code line of the body too long for the measure, for a book that leaves them
    whole; a chapter's lines after its first five are counted in one warning."""
    for chapter in book.chapters:
        if "<pre" not in chapter.body_html:
            continue
        found = []
        for index, block in enumerate(parse_fragment(chapter.body_html).iter("pre")):
            columns = _block_columns(block, measure_pt)
            lines = "".join(block.itertext()).split("\n")
            first = next((number for number, line in enumerate(lines) if line.strip()), 0)
            start = chapter.code_lines[index] if index < len(chapter.code_lines) else None
            found += [(None if start is None else start + number - first, len(line), columns)
                      for number, line in enumerate(lines) if len(line) > columns]
        for line, length, columns in found[:5]:
            report.warn(f"PDF layout: this code line of {length} characters runs past the text block (it holds "
                        f"{columns}): shorten it, or set print.code_wrap: true to break it with a mark",
                        chapter.source, line)
        if len(found) > 5:
            report.warn(f"PDF layout: {len(found) - 5} more code lines run past the text block in this chapter",
                        chapter.source, found[5][0])


def _block_columns(block: etree._Element, measure_pt: float) -> int:
    indent = sum(INDENTS_PT.get(etree.QName(ancestor).localname, 0.0) for ancestor in block.iterancestors())
    return code_columns(measure_pt, indent)


def _breaks(text: str, columns: int) -> list[int]:
    """Offsets in `text` where a continuation begins."""
    found, start = [], 0
    for line in text.split("\n"):
        position = 0
        while len(line) - position > columns:
            cut = position + columns - len(MARK) * (position > 0)
            better = max((line.rfind(mark, cut - LOOK_BACK, cut) for mark in BREAK_AFTER), default=-1)
            cut = better + 1 if better > position else cut
            found.append(start + cut)
            position = cut
        start += len(line) + 1
    return found


def _insert_marks(block: etree._Element, breaks: list[int]) -> None:
    """A new line and the mark at each offset, in whichever text node holds it."""
    pending, seen = breaks, 0
    for node, slot in list(_text_slots(block)):  # listed first: marking adds nodes
        text = getattr(node, slot) or ""
        here = [offset - seen for offset in pending if seen <= offset < seen + len(text)]
        seen += len(text)
        if not here:
            continue
        pending = [offset for offset in pending if offset >= seen]
        _mark(node, slot, text, sorted(here))


def _text_slots(element: etree._Element):
    yield element, "text"
    for child in element:
        yield from _text_slots(child)
        yield child, "tail"


def _mark(node: etree._Element, slot: str, text: str, offsets: list[int]) -> None:
    """Split `text` (node.text or node.tail) at `offsets`, a mark span before each continuation."""
    pieces = [text[start:end] for start, end in zip([0, *offsets], [*offsets, len(text)])]
    setattr(node, slot, pieces[0] + "\n")
    parent, index = (node, 0) if slot == "text" else (node.getparent(), node.getparent().index(node) + 1)
    for number, piece in enumerate(pieces[1:], start=1):
        mark = etree.Element("span", {"class": "continued", "aria-hidden": "true"})
        mark.text = MARK
        mark.tail = piece + ("\n" if number < len(pieces) - 1 else "")
        parent.insert(index, mark)
        index += 1
