"""Repairs what an HTML5 parser accepts but EPUB's XHTML schema does not: elements in the wrong place, bad values."""

from __future__ import annotations

import re

import tinycss2
from lxml import etree

from publish.render.xhtml import unwrap

PHRASING = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img", "ins",
            "kbd", "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
            "wbr"}
TRANSPARENT = {"a", "ins", "del"}  # take the content model of their parent
PHRASING_ONLY = (PHRASING - TRANSPARENT) | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "summary", "rt", "dt"}
INTERACTIVE = {"a", "details"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ONLY_INSIDE = {  # element: the parents it may have
    "li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "summary": {"details"}, "figcaption": {"figure"},
    "rt": {"ruby"}, "rp": {"ruby"},
    "caption": {"table"}, "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"}, "colgroup": {"table"},
    "tr": {"table", "thead", "tbody", "tfoot"}, "td": {"tr"}, "th": {"tr"}, "col": {"colgroup"},
}
LIST_CHILDREN = {"ul": "li", "ol": "li", "dl": "dd"}
RENAMED = {"main": "div", "header": "div", "footer": "div", "hgroup": "div", "address": "div"}
# After repairs the tree is valid; the few elements that need an attribute to be valid lose their tag instead.
NEEDS = {"time": "datetime", "data": "value", "img": "src"}

MATH = "{http://www.w3.org/1998/Math/MathML}math"
INTEGER = re.compile(r"^-?\d+$")
NON_NEGATIVE = re.compile(r"^\d+$")
POSITIVE = re.compile(r"^0*[1-9]\d*$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
                      r"|^\d{2}:\d{2}(:\d{2})?$")
VALID_VALUES = {
    "dir": re.compile(r"^(ltr|rtl|auto)$"), "lang": LANGUAGE, "width": NON_NEGATIVE, "height": NON_NEGATIVE,
    "colspan": POSITIVE, "rowspan": NON_NEGATIVE, "span": POSITIVE, "start": INTEGER, "value": INTEGER,
    "datetime": DATETIME, "scope": re.compile(r"^(row|col|rowgroup|colgroup)$"),
    "hidden": re.compile(r"^(|hidden|until-found)$"), "reversed": re.compile(r"^(|reversed)$"),
    "open": re.compile(r"^(|open)$"),
    "{http://www.w3.org/XML/1998/namespace}lang": LANGUAGE,
}
ROLES = {"doc-noteref", "doc-backlink", "doc-footnote", "doc-endnotes", "doc-pagebreak", "doc-epigraph",
         "doc-credit", "doc-dedication", "doc-pullquote", "doc-subtitle", "doc-tip", "doc-example", "doc-notice",
         "doc-glossary", "doc-bibliography", "doc-biblioentry", "note", "presentation", "none", "figure", "img",
         "list", "listitem", "region", "complementary", "separator"}
ARIA = {"aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "aria-details"}


def conform(root: etree._Element, removed: list[str]) -> None:
    """Make the tree under `root` (a flow container) valid, noting each change in `removed`."""
    _repair(root, phrasing_only=False, in_interactive=False, removed=removed)


def _repair(parent: etree._Element, phrasing_only: bool, in_interactive: bool, removed: list[str]) -> None:
    if parent.tag in LIST_CHILDREN:
        _wrap_stray_content(parent, LIST_CHILDREN[parent.tag])
    if parent.tag in STRUCTURE_RULES and not STRUCTURE_RULES[parent.tag](parent):
        removed.append(f"<{parent.tag}> with parts missing or out of order")
        parent.tag = "span" if phrasing_only else "div"
        parent.attrib.pop("open", None)
    index = 0
    while index < len(parent):
        child = parent[index]
        name = child.tag
        if name == MATH:  # phrasing content, valid wherever text is; cleaning checked what is inside
            index += 1
            continue
        if name in RENAMED:
            child.tag = name = RENAMED[name]
        _check_values(child, removed)
        if _misplaced(parent.tag, name, phrasing_only, in_interactive) or _missing_attribute(child):
            removed.append(f"<{name}> where it is not allowed")
            unwrap(child)
            continue  # its children now stand at `index`: check them in this context
        own_phrasing = phrasing_only and name in TRANSPARENT or name in PHRASING_ONLY
        _repair(child, own_phrasing, in_interactive or name in INTERACTIVE, removed)
        index += 1


def _misplaced(parent: str, name: str, phrasing_only: bool, in_interactive: bool) -> bool:
    if phrasing_only and name not in PHRASING and not (parent == "ruby" and name in ("rt", "rp")):
        return True
    if in_interactive and name in INTERACTIVE:
        return True
    if name in ONLY_INSIDE and parent not in ONLY_INSIDE[name]:
        return True
    if parent in LIST_CHILDREN and name not in ("li", "dt", "dd", "div"):
        return False  # wrapped already
    return parent == "dt" and name in HEADINGS


def _children_pattern(element: etree._Element) -> str:
    return " ".join(child.tag for child in element if isinstance(child.tag, str))


def _valid_definition_list(element: etree._Element) -> bool:
    return re.fullmatch(r"((dt )+(dd ?)+ ?)+|(div ?)+", _children_pattern(element) + " ") is not None


def _valid_details(element: etree._Element) -> bool:
    return len(element) > 0 and element[0].tag == "summary" and not (element.text or "").strip()


def _valid_ruby(element: etree._Element) -> bool:
    """Base text, then annotations: <ruby>漢<rt>kan</rt></ruby>, optionally with <rp> around each <rt>."""
    tags = _children_pattern(element).split()
    starts_with_base = bool((element.text or "").strip()) or (tags and tags[0] not in ("rt", "rp"))
    return starts_with_base and "rt" in tags


STRUCTURE_RULES = {"dl": _valid_definition_list, "details": _valid_details, "ruby": _valid_ruby}


def _missing_attribute(element: etree._Element) -> bool:
    needed = NEEDS.get(element.tag)
    return needed is not None and not element.get(needed)


def _check_values(element: etree._Element, removed: list[str]) -> None:
    for attribute, value in list(element.attrib.items()):
        pattern = VALID_VALUES.get(attribute)
        bad = (pattern is not None and not pattern.match(value.strip())) \
            or (attribute == "role" and value not in ROLES) \
            or (attribute.startswith("aria-") and attribute not in ARIA) \
            or (attribute == "style" and not _safe_style(value))
        if bad:
            removed.append(f"attribute {_short(attribute)}=\"{value}\" on <{element.tag}>")
            del element.attrib[attribute]
    if element.tag == "ol" and element.get("type", "1") not in ("1", "a", "A", "i", "I"):
        removed.append(f"attribute type=\"{element.get('type')}\" on <ol>")
        del element.attrib["type"]


def _safe_style(declarations: str) -> bool:
    """Inline CSS that parses cleanly and loads nothing (no url(), no @import)."""
    if "url(" in declarations.lower() or "@" in declarations or "\\" in declarations:
        return False
    parsed = tinycss2.parse_declaration_list(declarations, skip_whitespace=True, skip_comments=True)
    return all(node.type == "declaration" for node in parsed)


def _short(attribute: str) -> str:
    return "xml:lang" if attribute.endswith("}lang") else attribute


def _wrap_stray_content(parent: etree._Element, wrapper: str) -> None:
    """Text and elements directly inside a list go into a list item (a definition, in a <dl>)."""
    allowed = {"li"} if wrapper == "li" else {"dt", "dd", "div"}
    if (parent.text or "").strip():
        item = etree.Element(wrapper)
        item.text, parent.text = parent.text, None
        parent.insert(0, item)
    elif parent.text:
        parent.text = None
    index = 0
    while index < len(parent):
        child = parent[index]
        if child.tag in allowed:
            if (child.tail or "").strip():
                item = etree.Element(wrapper)
                item.text, child.tail = child.tail, None
                parent.insert(index + 1, item)
            else:
                child.tail = None
            index += 1
            continue
        item = etree.Element(wrapper)
        parent.replace(child, item)
        item.append(child)
        while index + 1 < len(parent) and parent[index + 1].tag not in allowed:
            item.append(parent[index + 1])
        index += 1
