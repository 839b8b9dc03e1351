"""Line ends in the laid-out book: the lines of each page as text, runs of hyphenated line-ends (hooks.py keeps
WeasyPrint from making a third in a row; typed hyphens still can), and the words kept whole (in a no-break span)
so that the next layout pass does not end a third line in a row with a hyphen."""

from __future__ import annotations

import re
from dataclasses import dataclass

HYPHEN = "\u2010"  # what WeasyPrint adds at a hyphenated line end
HYPHENS = (HYPHEN, "-")
XHTML = "http://www.w3.org/1999/xhtml"
# Words are runs of letters and digits: a line may break after a dash or a hyphen, and the
# text layer then no longer shows whether a space was there, so neither may count.
WORD = re.compile(r"[^\W_]+")
COMPOUND = re.compile(r"[^\W_]+(?:[-\u2010][^\W_]+)*")
GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")  # not ::first-line


@dataclass(frozen=True)
class Protected:
    """A word that must not be broken across lines: the n-th word of the block at this path in the document."""

    block: tuple[int, ...]
    word: int


@dataclass(frozen=True)
class HyphenRun:
    page: int
    block: tuple[int, ...]
    word: int  # index in its block of the first word of the compound the run's third line ends in
    text: str


def hyphen_runs(document, root) -> list[HyphenRun]:
    """The third (fifth, ...) line of every run of hyphenated line-ends in a block."""
    paths = _paths(root)
    words: dict[int, int] = {}
    run: dict[int, int] = {}
    found = []
    for number, page in enumerate(document.pages, start=1):
        for block, text in page_lines(page):
            key = id(block)
            before = words.get(key, 0)
            words[key] = before + whole_words(text)
            line = text.rstrip()
            run[key] = run.get(key, 0) + 1 if line.endswith(HYPHENS) else 0
            if run[key] >= 3 and key in paths:
                # The whole compound the line ends in: "gray-besprin‐" is kept whole from "gray" on.
                compound_words = len(WORD.findall(line.split()[-1]))
                found.append(HyphenRun(number, paths[key], before + len(WORD.findall(line)) - compound_words,
                                       line[-30:]))
                run[key] = 0
    return found


def keep_whole(root, protected: set[Protected]) -> None:
    """Wrap each protected word (with the rest of a hyphenated compound) in a span that never breaks."""
    if not protected:
        return
    blocks = {path: element for element, path in _elements_by_path(root)}
    for item in sorted(protected, key=lambda p: (p.block, -p.word)):
        block = blocks.get(item.block)
        if block is not None:
            _wrap_word(block, item.word)


def _wrap_word(block, index: int) -> None:
    from xml.etree.ElementTree import Element

    seen = 0
    for parent, owner, slot in _text_slots(block):
        text = getattr(owner, slot) or ""
        matches = list(WORD.finditer(text))
        if seen + len(matches) <= index:
            seen += len(matches)
            continue
        match = COMPOUND.match(text, matches[index - seen].start())
        span = Element(f"{{{XHTML}}}span", {"class": "keep-whole"})
        span.text, span.tail = match.group(0), text[match.end():]
        setattr(owner, slot, text[:match.start()])
        parent.insert(0 if slot == "text" else list(parent).index(owner) + 1, span)
        return


def _text_slots(element):
    """(parent, element, "text" | "tail") for each piece of text in the element's own flow, in reading order:
    floated footnotes are left out, as they are from the lines laid out, and so is a drop cap, whose letter
    the line's text joins to the rest of its word."""
    yield element, element, "text"
    for child in element:
        if not {"footnote", "drop-cap"} & set((child.get("class") or "").split()):
            yield from _text_slots(child)
        yield element, child, "tail"


def _paths(root) -> dict[int, tuple[int, ...]]:
    return {id(element): path for element, path in _elements_by_path(root)}


def _elements_by_path(root):
    pending = [(root, ())]
    while pending:
        element, path = pending.pop()
        yield element, path
        pending.extend((child, path + (index,)) for index, child in enumerate(elements(element)))


def whole_words(line: str) -> int:
    """Words that end on this line: a word hyphenated at the line end is counted on the line where it ends."""
    return len(WORD.findall(line)) - (1 if line.rstrip().endswith(HYPHEN) else 0)


def page_lines(page):
    """(block element, text) for each line in the page's main flow, in order."""
    html_box = next(child for child in page._page_box.children if getattr(child, "element_tag", None) == "html")
    pending = [html_box]
    while pending:
        box = pending.pop()
        if type(box).__name__ == "LineBox":
            yield box.element, line_text(box)
            continue
        pending.extend(reversed(getattr(box, "children", None) or []))


def line_text(box) -> str:
    """The text a line box shows, without list markers and other generated content."""
    return "".join(_texts(box))


def _texts(box):
    if (getattr(box, "element_tag", "") or "").endswith(GENERATED):  # list markers, ::after... are not text
        return
    if hasattr(box, "text"):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


PRINT_ONLY = {"keep-whole", "drop-cap", "footnote", "continued"}  # spans print adds (the ebook has none)


def elements(element):
    """The element's children as the book's structure has them: without the spans only print adds, so that a
    path means the same element in every layout pass and in the ebook."""
    return [child for child in element
            if isinstance(child.tag, str) and not PRINT_ONLY & set((child.get("class") or "").split())]
