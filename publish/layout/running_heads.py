"""Running heads are one line: a chapter or section title too long for the head is cut at a word and ended with
an ellipsis, for the head alone (the heading, the contents and the bookmarks keep it whole)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from publish.model import Chapter, Face, Typeface
from publish.render.xhtml import inner_xhtml, parse_fragment

# As print.css sets the head (@top-center: italic 8.5pt, letter-spacing 0.02em); a little room is kept besides.
HEAD_SIZE_PT = 8.5
HEAD_LETTER_SPACING_EM = 0.02
ROOM = 0.92
ELLIPSIS = "\u2026"


def with_running_heads(chapter: Chapter, measure_pt: float, body: Typeface) -> Chapter:
    """The chapter with a shortened head (data-running-head) on each heading whose title would not fit in one line
    of `measure_pt` in the `body` typeface's italic, and on its title when the front matter gives a
    `running_head`; the chapter itself when every title fits (the common case, with nothing parsed)."""
    face = body.nearest(400, "italic")
    shortened = {heading.id: short for heading in chapter.headings if heading.level <= 2
                 for short in [fitted(heading.title, measure_pt * ROOM, face)] if short is not None}
    if chapter.running_head is not None:  # the author's own, cut too if it is still too long
        shortened[chapter.headings[0].id] = (fitted(chapter.running_head, measure_pt * ROOM, face)
                                             or chapter.running_head)
    if not shortened:
        return chapter
    body = parse_fragment(chapter.body_html)
    for heading in body.iter("h1", "h2"):
        if heading.get("id") in shortened:
            heading.set("data-running-head", shortened[heading.get("id")])
    return replace(chapter, body_html=inner_xhtml(body))


def fitted(title: str, width_pt: float, face: Face) -> str | None:
    """`title` cut after its last word that leaves room for an ellipsis within `width_pt` in `face`; None if it
    fits whole."""
    if head_width_pt(title, face) <= width_pt:
        return None
    words = title.split()
    for count in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:count]).rstrip(",;:.–—-") + ELLIPSIS
        if head_width_pt(shorter, face) <= width_pt:
            return shorter
    return words[0] + ELLIPSIS


def head_width_pt(text: str, face: Face) -> float:
    """How wide `text` sets in the running head's face, size and spacing."""
    import uharfbuzz as harfbuzz

    font, units = _head_font(face)
    buffer = harfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    harfbuzz.shape(font, buffer, {"kern": True, "liga": True})
    advance = sum(position.x_advance for position in buffer.glyph_positions)
    return advance / units * HEAD_SIZE_PT + len(text) * HEAD_LETTER_SPACING_EM * HEAD_SIZE_PT


@cache
def _head_font(face: Face):
    import uharfbuzz as harfbuzz

    shaped = harfbuzz.Face(harfbuzz.Blob.from_file_path(str(face.path)), face.index)
    return harfbuzz.Font(shaped), shaped.upem
