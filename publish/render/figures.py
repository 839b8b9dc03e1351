"""Figures and captions as pandoc and Quarto authors write them: an image alone in its paragraph becomes a figure
captioned with its alt text (`![Caption](file.png){#fig-label}`), and a `: Caption {#tbl-label}` line next to a
table becomes the table's caption. Once the book is rendered, what is labelled is numbered per chapter
("Figure 3.2") and each `@label` reference gets its number."""

from __future__ import annotations

import difflib
import re
from collections import Counter

from lxml import etree

from publish.errors import Problem
from publish.model import (
    FRONT_ROLES,
    Chapter,
    ChapterSource,
    FloatList,
    ListEntry,
    Strings,
)
from publish.render.references import line_of
from publish.render.xhtml import inner_xhtml, parse_fragment, remove_keep_tail, unwrap

KINDS = {"fig": "figure", "tbl": "table", "sec": "section", "eq": "equation", "lst": "listing"}  # the catalogue's keys
COUNTED = ("fig", "tbl", "eq", "lst")  # numbered in the order they come; sections by their place
ATTRIBUTES = re.compile(r"\s*\{((?:\s*(?:#[\w-]*[^\W_]|\.[\w-]+))+)\s*\}\s*$")  # `{#tbl-x .landscape}` ending a caption
LISTED = {"figures": ("fig", "figure", "figcaption"), "tables": ("tbl", "table", "caption"),
          "listings": ("lst", "figure", "figcaption")}  # list kind -> label prefix, element, its caption
WIDE_COLUMNS = 7  # a table of this many columns or more is set smaller


def make_figures(root: etree._Element) -> None:
    """Each paragraph holding only an image becomes a figure; its alt text (or title) is the caption."""
    for paragraph in list(root.iter("p")):
        children = [child for child in paragraph if isinstance(child.tag, str)]
        if (len(children) != 1 or children[0].tag != "img" or (paragraph.text or "").strip()
                or (children[0].tail or "").strip()):
            continue
        image = children[0]
        figure = etree.Element("figure")
        label = image.attrib.pop("id", None) or paragraph.get("id")
        if label:
            figure.set("id", label)
        image.tail = None
        figure.append(image)
        caption = image.get("title") or image.get("alt")
        if caption:
            etree.SubElement(figure, "figcaption").text = caption
        figure.tail = paragraph.tail
        paragraph.getparent().replace(paragraph, figure)


def caption_tables(root: etree._Element) -> None:
    """A `: Caption {#tbl-label}` line right after (or before) a table is its caption. Python-Markdown reads such a
    line as a definition without a term, or as a paragraph. A table of many columns is marked wide (set smaller)."""
    for table in list(root.iter("table")):
        for neighbour in (table.getnext(), table.getprevious()):
            content = _caption_content(neighbour)
            if content is not None:
                _caption(table, neighbour, content)
                break
        first_row = next(table.iter("tr"), None)
        if first_row is not None and len(first_row) >= WIDE_COLUMNS:
            table.set("class", " ".join(filter(None, [table.get("class"), "wide"])))


def caption_listings(root: etree._Element) -> None:
    """A `: Caption {#lst-label}` line right after a code block makes it a listing: a figure with its caption.
    Python-Markdown reads the pair as a definition list whose term is the code."""
    for item in list(root.iter("dl")):
        terms, definitions = item.findall("dt"), item.findall("dd")
        if len(terms) != 1 or len(definitions) != 1 or len(terms[0]) != 1:
            continue
        block = terms[0][0]
        if block.tag != "div" or "highlight" not in (block.get("class") or "").split():
            continue
        content = definitions[0][0] if len(definitions[0]) == 1 and definitions[0][0].tag == "p" else definitions[0]
        figure = etree.Element("figure", {"class": "listing"})
        caption = etree.SubElement(figure, "figcaption")
        caption.text = content.text
        caption.extend(list(content))
        label, classes = _take_attributes(caption, "lst-")
        label = label or block.attrib.pop("id", None)
        figure.set("class", " ".join(["listing", *classes]))
        if label:
            figure.set("id", label)
        block.tail = None
        figure.append(block)
        figure.tail = item.tail
        item.getparent().replace(item, figure)


def _caption_content(element: etree._Element | None) -> etree._Element | None:
    if element is None:
        return None
    if element.tag == "dl" and len(element) == 1 and element[0].tag == "dd" and not (element.text or "").strip():
        return element[0]
    if element.tag == "p" and (element.text or "").startswith(": "):
        element.text = element.text[2:]
        return element
    return None


def _caption(table: etree._Element, holder: etree._Element, content: etree._Element) -> None:
    caption = etree.Element("caption")
    caption.text = content.text
    caption.extend(list(content))
    label, classes = _take_attributes(caption, "tbl-")
    label = label or (holder.get("id") if (holder.get("id") or "").startswith("tbl-") else None)
    if label:
        table.set("id", label)
    if classes:
        table.set("class", " ".join(filter(None, [table.get("class"), *classes])))
    if (caption.text or "").strip() or len(caption):  # `: {.landscape}` asks for the page and gives no caption
        table.insert(0, caption)
    remove_keep_tail(holder)


def _take_attributes(caption: etree._Element, prefix: str) -> tuple[str | None, list[str]]:
    """The label (an id starting with `prefix`) and the classes of the `{#tbl-label .landscape}` block ending the
    caption's text, taken out of it; a block with another id is left as text. `.landscape` asks print for a page
    of its own, turned sideways."""
    last = caption[-1] if len(caption) else None
    text = (last.tail if last is not None else caption.text) or ""
    found = ATTRIBUTES.search(text)
    tokens = found.group(1).split() if found else []
    ids = [token[1:] for token in tokens if token.startswith("#")]
    classes = [token[1:] for token in tokens if token.startswith(".")]
    if not tokens or len(ids) > 1 or any(not i.startswith(prefix) for i in ids):
        return None, []
    if last is not None:
        last.tail = text[:found.start()]
    else:
        caption.text = text[:found.start()]
    return (ids[0] if ids else None), classes


def label_numbers(chapters: list[Chapter]) -> dict[str, tuple[str, str]]:
    """label id -> (the catalogue's key for its kind, its number): ('figure', '3.2') in the third chapter of the
    body, ('figure', '2') in front matter (a part's title page is not counted). A chapter's own heading labelled
    `sec-` is ('chapter', '3') in the body (as Quarto numbers it), else ('', its title)."""
    numbers, body = {}, 0
    for chapter in chapters:
        prefix = ""
        numbered = chapter.role not in FRONT_ROLES and chapter.role != "part"
        if numbered:
            body += 1
            prefix = f"{body}."
        counts: Counter = Counter()
        for element_id in chapter.ids:
            kind = element_id.partition("-")[0]
            if kind in COUNTED and "-" in element_id:
                counts[kind] += 1
                numbers[element_id] = (KINDS[kind], f"{prefix}{counts[kind]}")
        if chapter.headings and chapter.headings[0].level == 1 and chapter.headings[0].id.startswith("sec-"):
            numbers[chapter.headings[0].id] = ("chapter", str(body)) if numbered else ("", chapter.headings[0].title)
        places: list[int] = []
        for heading in chapter.headings[1:]:
            depth = max(1, heading.level - 1)  # a second h1 in a chapter counts as one of its sections
            places = (places + [0] * depth)[:depth]
            places[-1] += 1
            if heading.id.startswith("sec-"):
                numbers[heading.id] = ("section", prefix + ".".join(map(str, places)))
    return numbers


def _label_text(label: tuple[str, str], strings: Strings) -> str:
    key, number = label
    return strings(key, number=number) if key else number


def refers(chapter: Chapter, numbers: dict[str, tuple[str, str]]) -> bool:
    """Whether the chapter labels something or refers to a label: it must be numbered."""
    return any(i in numbers for i in chapter.ids) or any(link.partition("-")[0] in KINDS for link in chapter.links)


def number_labels(root: etree._Element, numbers: dict[str, tuple[str, str]], source: ChapterSource,
                  strings: Strings) -> list[Problem]:
    """Put the numbers into captions, equations and `@label` references ("Figure 3.2" in the book's language);
    the problems of references to no label."""
    for element in root.iter():
        element_id = element.get("id", "")
        if element_id not in numbers:
            continue
        kind = element_id.partition("-")[0]
        label = _label_text(numbers[element_id], strings)
        if kind in ("fig", "lst") and element.tag == "figure":
            _prefix(element.find("figcaption"), element, label, strings["caption_separator"])
        elif kind == "tbl" and element.tag == "table":
            _prefix(element.find("caption"), element, label, strings["caption_separator"])
        elif kind == "eq" and "equation" in (element.get("class") or ""):
            element.set("class", "equation numbered")
            etree.SubElement(element, "span", {"class": "equation-number"}).text = f"({numbers[element_id][1]})"
    problems = []
    for reference in [a for a in root.iter("a") if a.get("class") == "xref"]:
        label = reference.get("href", "#")[1:]
        if label in numbers:
            reference.text = _label_text(numbers[label], strings)
            continue
        close = difflib.get_close_matches(label, [key for key in numbers if key.startswith(label[:3])], n=1)
        hint = f"; did you mean '@{close[0]}'?" if close else "; label it with {#" + label + "}"
        problems.append(Problem(f"'@{label}' refers to no {KINDS[label.partition('-')[0]]} of the "
                                f"book{hint}", source.path, line_of(source, f"@{label}")))
    return problems


def _prefix(caption: etree._Element | None, owner: etree._Element, label: str, separator: str) -> None:
    """'Figure 3.2: ' before the caption (or as the caption, when there is none)."""
    if caption is None:
        caption = etree.Element("figcaption" if owner.tag == "figure" else "caption")
        owner.insert(len(owner) if owner.tag == "figure" else 0, caption)
    span = etree.Element("span", {"class": "label"})
    span.text = label
    has_text = bool((caption.text or "").strip() or len(caption))
    span.tail = (separator if has_text else "") + (caption.text or "")
    caption.text = None
    caption.insert(0, span)


def float_lists(chapters: list[Chapter], kinds: tuple[str, ...], strings: Strings) -> tuple[FloatList, ...]:
    """The lists book.yaml asks for: each labelled (so numbered) figure, table or listing with its caption."""
    entries: dict[str, list[ListEntry]] = {kind: [] for kind in kinds}
    prefixes = {LISTED[kind][0] + "-": kind for kind in kinds}
    for chapter in chapters:
        if not any(element_id.startswith(tuple(prefixes)) for element_id in chapter.ids):
            continue
        for element in parse_fragment(chapter.body_html).iter("figure", "table"):
            kind = prefixes.get(element.get("id", "").partition("-")[0] + "-")
            if kind is not None and element.tag == LISTED[kind][1]:
                label, caption = _caption_parts(element.find(LISTED[kind][2]), strings["caption_separator"])
                entries[kind].append(ListEntry(chapter.id, element.get("id"), label, caption))
    return tuple(FloatList(kind, tuple(entries[kind])) for kind in kinds)


def _caption_parts(caption: etree._Element | None, separator: str) -> tuple[str, str]:
    """('Figure 3.2', the rest of the caption as XHTML without links, note references or ids)."""
    if caption is None:
        return "", ""
    label = caption.find("span[@class='label']")
    number = label.text if label is not None else ""
    if label is not None:
        label.tail = (label.tail or "").removeprefix(separator)
        remove_keep_tail(label)
    for ref in caption.xpath(".//a[@class='noteref']"):
        remove_keep_tail(ref.getparent() if ref.getparent().tag == "sup" else ref)
    for link in caption.xpath(".//a"):
        unwrap(link)
    for element in caption.iter():
        element.attrib.pop("id", None)
    return number, inner_xhtml(caption)
