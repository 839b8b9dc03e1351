"""Footnotes: taken out of the chapter body, renumbered in reading order, linked both ways."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from publish.render.xhtml import EPUB_TYPE, remove_keep_tail


@dataclass
class Note:
    id: str
    ref_id: str
    number: int
    element: etree._Element  # the note's content, taken out of the chapter


def take_footnotes(root: etree._Element, cid: str) -> list[Note]:
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
            notes.append(Note(f"{cid}-fn-{key}", ref_id, first_ref.get(key, 0), item))
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


