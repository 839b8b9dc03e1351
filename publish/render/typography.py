"""Typography that depends on the book's language, in the text of every format: French spacing (a narrow no-break
space inside « » and before ; ! ?, a no-break space before a colon; none doubled when the author typed one; the
narrow one is not stretched when a line is justified), and in every language an em dash that follows its word or
its punctuation held to it (a word joiner) and a spaced dash held to the word before it (a no-break space), so
that no line opens with it, and a dialogue dash kept with the words it introduces. Code, math and preformatted
text are left as typed."""

from __future__ import annotations

import re

from lxml import etree

from publish.model import primary_language

NBSP, NARROW_NBSP, WORD_JOINER = "\u00a0", "\u202f", "\u2060"
LEFT_AS_TYPED = {"code", "pre", "kbd", "samp", "var", "script", "style", "math"}
SPACES = "[ \t\n\u00a0\u202f]*"
FRENCH = [  # (pattern, replacement), applied in order to each run of text
    (re.compile(f"«{SPACES}"), f"«{NARROW_NBSP}"),
    (re.compile(f"(?<=[^\\s«]){SPACES}»"), f"{NARROW_NBSP}»"),
    (re.compile(f"(?<=[^\\s!?;:«(\\[]){SPACES}([!?;])(?=[\\s»)\\].,…!?;:]|$)"), f"{NARROW_NBSP}\\1"),
    (re.compile(f"(?<=[^\\s!?;:«(\\[/]){SPACES}:(?=\\s|$)"), f"{NBSP}:"),
]
FRENCH_AFTER_ELEMENT = re.compile(f"^{SPACES}([»!?;]|:(?=\\s|$))")  # a tail: the punctuation follows a word
WORD_DASH = re.compile(r"(?<=[^\s\u2060—(\[{«„“‘])—")  # after a word or its punctuation (";—to"), not after a space
SPACED_DASH = re.compile(r"(?<=\S) ([—–])(?= )")
SPACED_DASH_AFTER_ELEMENT = re.compile(r"^ ([—–])(?= )")  # a tail: the dash follows the element's last word
WORD_DASH_AFTER_ELEMENT = re.compile(r"^—")  # a tail: "<em>semper</em>—that"
DIALOGUE_DASH = re.compile(r"^(\s*)—[ \t]+")


def apply_typography(root: etree._Element, language: str, direction: str = "ltr") -> None:
    """Set the text under `root` (a chapter's body or a note) as the book's language wants it; in a book written
    right to left, code is marked as reading left to right (EPUB forbids `direction` in CSS)."""
    french = primary_language(language) == "fr"
    if direction == "rtl":
        for code in root.iter("pre", "code"):
            code.set("dir", "ltr")
    for block in root.iter("p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "blockquote",
                           *(f"h{level}" for level in range(1, 7))):
        if block.text:
            block.text = DIALOGUE_DASH.sub(f"\\1—{NBSP}", block.text, count=1)
    for node, slot in list(_text_slots(root)):
        text = getattr(node, slot)
        if not text:
            continue
        text = WORD_DASH.sub(f"{WORD_JOINER}—", text)
        text = SPACED_DASH.sub(f"{NBSP}\\1", text)
        if slot == "tail":
            text = SPACED_DASH_AFTER_ELEMENT.sub(f"{NBSP}\\1", text, count=1)
            if node.tag != "br":
                text = WORD_DASH_AFTER_ELEMENT.sub(f"{WORD_JOINER}—", text, count=1)
        if french:
            if slot == "tail":
                text = FRENCH_AFTER_ELEMENT.sub(lambda m: _spaced(m.group(1)), text, count=1)
            for pattern, replacement in FRENCH:
                text = pattern.sub(replacement, text)
        setattr(node, slot, text)


def _spaced(mark: str) -> str:
    return (NBSP if mark == ":" else NARROW_NBSP) + mark


def _text_slots(root: etree._Element):
    """(element, 'text' or 'tail') for every run of text under `root` outside code and math."""
    stack = [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str) or etree.QName(element).localname in LEFT_AS_TYPED:
            continue
        yield element, "text"
        for child in element:
            yield child, "tail"
        stack.extend(reversed(element))
