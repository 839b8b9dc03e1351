"""A chapter's body as print needs it: footnotes at the place that first refers to them, for WeasyPrint's
`float: footnote`, the opening letter in a span of its own for a drop cap, formulas drawn (math.py) and long
code lines broken (code.py).

A note becomes a <span> so that an HTML parser keeps it inside the paragraph; its paragraphs and lists become
spans styled as blocks. A note holding anything else (a table, a figure) keeps the whole chapter's notes at the
chapter's end, as the ebook has them."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from pathlib import Path

from lxml import etree
from markupsafe import Markup, escape

from publish.layout.code import unwrap_plain_spans, wrap_code
from publish.layout.math import Formulas, draw_math
from publish.layout.running_heads import with_running_heads
from publish.model import Chapter, Footnote, Typeface
from publish.render.svg import image_bytes
from publish.render.xhtml import inner_xhtml, parse_fragment

PRINT_CHANGES = ("<math", "<pre", '.svg"', "<table")  # what _printable changes, as it shows in the HTML
SPACE_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")
BLOCKS_AS_SPANS = {"p", "blockquote", "ul", "ol", "li", "div"}
OPENING_LETTER = re.compile(r"[\"'“‘«(\[]?[^\W\d_]")
LEAD_IN_CHARACTERS, LEAD_IN_WORDS = 22, 5  # a small-caps lead-in: a phrase, never more than about a third of a line
WORD = re.compile(r"\S+")
PHRASING = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
            "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}


def note_as_span(note: Footnote) -> etree._Element | None:
    """The note as a span that floats to the page foot, or None when it holds more than paragraphs and lists."""
    content = parse_fragment(note.html)
    for element in content.iter():
        if element is content or not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in BLOCKS_AS_SPANS:
            element.attrib["class"] = " ".join(filter(None, [element.get("class"), f"fn-{name}"]))
            element.tag = "span"
        elif name not in PHRASING and not (name == "img" and "math" in (element.get("class") or "").split()):
            return None
    content.tag = "span"
    content.attrib.update({"class": "footnote", "id": note.id, "data-number": str(note.number)})
    for element in content.iter():  # WeasyPrint fails on a space before a newline in a footnote ("Got ' \n'")
        element.text = _no_space_before_newline(element.text)
        element.tail = _no_space_before_newline(element.tail) if element is not content else element.tail
    return content


def _no_space_before_newline(text: str | None) -> str | None:
    return SPACE_BEFORE_NEWLINE.sub("\n", text) if text else text


def print_body(chapter: Chapter, opener: str, root: Path, measure_pt: float, code_wrap: bool,
               notes_label: str, body_typeface: Typeface, styled: frozenset[str] = frozenset(),
               kept=None) -> Markup:
    """The chapter's body with its notes at their references, or followed by them (named `notes_label` for
    assistive technology) when they cannot float; `root` is the manuscript folder its images are named from,
    `measure_pt` the width of the text block (long code lines are broken to it unless `code_wrap` is false), running
    heads measured in `body_typeface`; `styled`: the classes the print stylesheets mention (code's other token
    spans are taken out). `kept`: what earlier builds kept of the chapters' formulas drawn and code broken
    (kept_parts.KeptForPrint), or None."""
    measure = measure_pt if code_wrap else None
    printable = kept.for_print(chapter, (measure, sorted(styled)),
                               lambda formulas: _for_print(chapter, root, measure, styled, formulas)) \
        if kept is not None else _for_print(chapter, root, measure, styled)
    chapter = with_running_heads(printable, measure_pt, body_typeface)
    notes = [(note, note_as_span(note)) for note in chapter.footnotes]
    if not notes and opener == "plain":
        return Markup(chapter.body_html)
    body = parse_fragment(chapter.body_html)
    if opener == "drop-cap":
        _drop_cap(body)
    elif opener == "small-caps":
        _lead_in(body)
    if any(span is None for _, span in notes):
        return Markup(inner_xhtml(body) + _notes_at_end(chapter, notes_label))
    refs = {ref.get("id"): ref for ref in body.iter("{*}a", "a") if "noteref" in (ref.get("class") or "").split()}
    for note, span in notes:
        ref = refs.get(note.ref_id)
        if ref is None:  # an unreferenced note still prints: after the body
            body.append(span)
            continue
        anchor = ref.getparent() if etree.QName(ref.getparent()).localname == "sup" else ref
        span.tail, anchor.tail = anchor.tail, None
        anchor.addnext(span)
    return Markup(inner_xhtml(body))


def _opening_paragraph(body: etree._Element) -> etree._Element | None:
    """The paragraph after the chapter's title, or after its epigraph (a quotation right under the title)."""
    heading = next((child for child in body if etree.QName(child).localname == "h1"), None)
    following = heading.getnext() if heading is not None else None
    if following is not None and etree.QName(following).localname == "blockquote":
        following = following.getnext()
    return following if following is not None and etree.QName(following).localname == "p" else None


def _drop_cap(body: etree._Element) -> None:
    """The first letter of the opening paragraph (with any opening quote) in a span."""
    paragraph = _opening_paragraph(body)
    if paragraph is None:
        return
    match = OPENING_LETTER.match(paragraph.text or "")
    if match:
        span = etree.Element("span", {"class": "drop-cap"})
        span.text, span.tail = match.group(0), paragraph.text[match.end():]
        paragraph.text = ""
        paragraph.insert(0, span)


def _lead_in(body: etree._Element) -> None:
    """The opening paragraph's first few whole words in a span, for small capitals: a word is whole when a space
    follows it, so the lead-in never stops inside a word that runs on into emphasis or a link."""
    paragraph = _opening_paragraph(body)
    text = paragraph.text if paragraph is not None else None
    if not text:
        return
    whole = [word for word in WORD.finditer(text) if word.end() < len(text) or len(paragraph) == 0]
    end = 0
    for count, word in enumerate(whole, start=1):
        if count > LEAD_IN_WORDS or (end and word.end() > LEAD_IN_CHARACTERS):
            break
        end = word.end()
    if end:
        span = etree.Element("span", {"class": "lead-in"})
        span.text, span.tail = text[:end], text[end:]
        paragraph.text = ""
        paragraph.insert(0, span)


def _notes_at_end(chapter: Chapter, label: str) -> str:
    items = "".join(f'<aside class="endnote" id="{note.id}"><p class="note-label">{note.number}.</p>{note.html}</aside>'
                    for note in chapter.footnotes)
    return f'<section class="footnotes" aria-label="{escape(label)}">{items}</section>'


def changed_for_print(chapter: Chapter) -> bool:
    """Whether print changes the chapter's HTML (formulas, code, SVG images, tables)."""
    return any(marker in html for html in (chapter.body_html, *(note.html for note in chapter.footnotes))
               for marker in PRINT_CHANGES)


def _for_print(chapter: Chapter, root: Path, measure_pt: float | None, styled: frozenset[str],
               formulas: Formulas | None = None) -> Chapter:
    """The chapter with every formula of its body and notes drawn as an image (taken from `formulas` where drawn
    before), long code lines broken to `measure_pt` (None: left whole) and SVG images cleaned."""
    if not changed_for_print(chapter):
        return chapter
    return replace(chapter, body_html=_printable(chapter.body_html, root, measure_pt, styled, formulas, chapter.id),
                   footnotes=tuple(replace(note, html=_printable(note.html, root, measure_pt, styled, formulas))
                                   for note in chapter.footnotes))


def _printable(html: str, root: Path, measure_pt: float | None, styled: frozenset[str], formulas: Formulas | None,
               chapter_id: str | None = None) -> str:
    if not any(marker in html for marker in PRINT_CHANGES):
        return html
    tree = parse_fragment(html)
    if chapter_id is not None:  # so that a table too wide for the page can be found in the Markdown
        for index, table in enumerate(tree.iter("table")):
            table.set("data-table", f"{chapter_id}/{index}")
    draw_math(tree, formulas)
    if measure_pt is not None:
        wrap_code(tree, measure_pt)
    else:
        for block in tree.iter("pre"):
            block.set("class", " ".join(filter(None, [block.get("class"), "unwrapped"])))
    unwrap_plain_spans(tree, styled)
    for image in tree.iter("img"):
        if image.get("src", "").lower().endswith(".svg"):
            data = base64.b64encode(image_bytes(root / image.get("src"))).decode("ascii")
            image.set("src", f"data:image/svg+xml;base64,{data}")
    return inner_xhtml(tree)
