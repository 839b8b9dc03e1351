"""HTML fragments as trees: parsing any HTML5, cleaning it to what an EPUB allows, and writing it as XHTML."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from lxml import etree

EPUB_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
etree.register_namespace("epub", EPUB_NS)

REMOVED_WITH_CONTENT = {"script", "iframe", "object", "embed", "form", "input", "button", "select", "textarea",
                        "frame", "frameset", "applet", "link", "meta", "base", "style", "noscript", "template",
                        "canvas", "video", "audio", "source", "track", "param", "dialog", "title", "head"}
OBSOLETE = {"center": "div", "font": "span", "big": "span", "tt": "code", "strike": "s", "acronym": "abbr",
            "blink": "span", "marquee": "span", "nobr": "span", "xmp": "pre", "listing": "pre",
            "plaintext": "pre", "dir": "ul", "basefont": None, "spacer": None, "isindex": None}
ALLOWED = {
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite",
    "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd",
    "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul", "var", "wbr",
}
GLOBAL_ATTRIBUTES = {"id", "class", "title", "lang", "dir", "role", "style", "hidden", EPUB_TYPE,
                     "{http://www.w3.org/XML/1998/namespace}lang"}
ELEMENT_ATTRIBUTES = {
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"}, "colgroup": {"span"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "data": {"value"}, "details": {"open"}, "abbr": set(), "bdo": set(),
}
MATHML = "http://www.w3.org/1998/Math/MathML"
MATHML_ELEMENTS = {  # MathML 3 presentation markup, as EPUB 3 allows it
    "math", "mi", "mn", "mo", "ms", "mspace", "mtext", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror",
    "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover",
    "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr", "maligngroup", "malignmark",
    "semantics", "annotation",
}
MATHML_TEXT_ELEMENTS = {"mi", "mn", "mo", "ms", "mtext", "annotation"}
XMLNS = "{http://www.w3.org/2000/xmlns/}"
MATHML_LINKS = {"href", "src", "{http://www.w3.org/1999/xlink}href", "definitionurl", "altimg"}
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
URL_WITH_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")
NOT_IN_URLS = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')
XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
DATA_ATTRIBUTE = re.compile(r"^data-[a-z0-9_.-]+$")


@dataclass
class Cleaning:
    """What cleaning changed, so the caller can warn with the file and line."""

    removed: list[str] = field(default_factory=list)


NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")


def _xml_safe_reference(match: re.Match) -> str:
    """Character references to code points XML cannot hold (controls, surrogates, noncharacters) become U+FFFD."""
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
        or 0x10000 <= code <= 0x10FFFF
    return match.group(0) if allowed and not 0x7F <= code <= 0x9F else "\ufffd"


def parse_fragment(html: str, well_formed: bool = True) -> etree._Element:
    """Parse an HTML fragment into a <div> root: as XML when known well-formed (fast), else with an HTML5 parser."""
    if "&#" in html:
        html = NUMERIC_REFERENCE.sub(_xml_safe_reference, html)
    if well_formed:
        try:
            return etree.fromstring(f"<div>{html}</div>", etree.XMLParser(
                resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True))
        except etree.XMLSyntaxError:
            pass
    import html5lib  # only Markdown holding raw HTML needs it; importing it costs more than most chapters
    from html5lib.constants import DataLossWarning

    with warnings.catch_warnings():
        # html5lib warns when it renames attributes such as 'xml:lang' to XML-safe names; cleaning drops them.
        warnings.simplefilter("ignore", DataLossWarning)
        fragment = html5lib.parseFragment(html, treebuilder="lxml", namespaceHTMLElements=False)
    root = etree.Element("div")
    root.text = fragment.text if isinstance(fragment, etree._Element) else None
    children = fragment if isinstance(fragment, list) else list(fragment)
    for child in children:
        if isinstance(child, str):
            _append_text(root, child)
        else:
            root.append(child)
    return root


def _append_text(parent: etree._Element, text: str) -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def clean(root: etree._Element) -> Cleaning:
    """Reduce the tree to elements and attributes valid in EPUB 3 XHTML, dropping anything active or remote."""
    report = Cleaning()
    pending = list(reversed(root))  # a stack, popped in document order
    while pending:
        element = pending.pop()
        if not isinstance(element.tag, str):  # comments, processing instructions
            remove_keep_tail(element)
            continue
        qualified = etree.QName(element)
        if qualified.namespace == MATHML:
            _clean_mathml(element, qualified.localname, report, pending)
            continue
        name = qualified.localname.lower()
        if name in REMOVED_WITH_CONTENT:
            report.removed.append(f"<{name}>")
            remove_keep_tail(element)
            continue
        pending.extend(reversed(element))
        if name in OBSOLETE:
            report.removed.append(f"obsolete <{name}>")
            if OBSOLETE[name] is None or (OBSOLETE[name] == "pre" and len(element)):  # <Listing> around a code
                unwrap(element)                                                      # block (mdBook's books)
            else:
                element.tag = OBSOLETE[name]
                element.attrib.clear()
        elif name not in ALLOWED:
            report.removed.append(f"unknown element <{name}>")
            unwrap(element)
        else:
            element.tag = name
            _clean_attributes(element, name, report)
            if name == "p" and not len(element) and not (element.text or "").strip() and not element.attrib:
                remove_keep_tail(element)  # left by raw HTML that closed a paragraph (`<p><div>`): it holds nothing
    _wrap_loose_math_text(root)
    return report


def _clean_mathml(element: etree._Element, name: str, report: Cleaning, pending: list) -> None:
    """Formulas stay MathML: its presentation elements are kept, links and event handlers dropped, and what may
    hold other markup (annotation-xml, maction) removed or unwrapped."""
    if name == "annotation-xml":
        remove_keep_tail(element)
        return
    pending.extend(reversed(element))
    if name not in MATHML_ELEMENTS:
        report.removed.append(f"MathML element <{name}>")
        unwrap(element)
        return
    if name == "math" and _inside_mathml(element):  # an unclosed <math> swallows the next one
        report.removed.append("<math> inside another <math>")
        unwrap(element)
        return
    for attribute in list(element.attrib):
        local = attribute.lower()
        if attribute.startswith(XMLNS):  # html5lib keeps xmlns="..." as an attribute: the element has its namespace
            del element.attrib[attribute]
        elif local.startswith("on") or local in MATHML_LINKS:
            report.removed.append(f"attribute '{local}' on MathML <{name}>")
            del element.attrib[attribute]


def _wrap_loose_math_text(root: etree._Element) -> None:
    """MathML holds text only in its token elements: text typed straight into <math> or <mrow> becomes <mtext>."""
    for element in root.iter(f"{{{MATHML}}}*"):
        if etree.QName(element).localname in MATHML_TEXT_ELEMENTS:
            continue
        if element.text and element.text.strip():
            text, element.text = element.text, None
            element.insert(0, _mtext(text))
        for child in list(element):
            if child.tail and child.tail.strip():
                text, child.tail = child.tail, None
                child.addnext(_mtext(text))


def _mtext(text: str) -> etree._Element:
    wrapped = etree.Element(f"{{{MATHML}}}mtext")
    wrapped.text = text.strip()
    return wrapped


def _inside_mathml(element: etree._Element) -> bool:
    return any(etree.QName(ancestor).namespace == MATHML for ancestor in element.iterancestors())


def _clean_attributes(element: etree._Element, name: str, report: Cleaning) -> None:
    allowed = GLOBAL_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(name, set())
    for attribute, value in list(element.attrib.items()):
        local = attribute if attribute.startswith("{") else attribute.lower()
        if local.startswith("on"):
            report.removed.append(f"event handler '{local}'")
            del element.attrib[attribute]
        elif local in ("href", "src") and UNSAFE_URL.match(value):
            report.removed.append(f"script URL in '{local}'")
            del element.attrib[attribute]
        elif local not in allowed and not DATA_ATTRIBUTE.match(local) and not local.startswith("aria-"):
            report.removed.append(f"attribute '{local}' on <{name}>")
            del element.attrib[attribute]
        elif local == "id" and not XML_NAME.match(value.strip()):
            report.removed.append(f"id '{value}' (ids are a letter followed by letters, digits, '-', '_' or '.')")
            del element.attrib[attribute]
        elif local == "href" and URL_WITH_SCHEME.match(value) and NOT_IN_URLS.search(value):
            element.set(attribute, percent_encoded(value))  # (a link inside the book is resolved to an id later)


def percent_encoded(url: str) -> str:
    """`url` with the characters a URL may not hold as written (a space, <, >, ", {, }, |, \\, ^, `) encoded, as
    a browser sends them: 'a b' is 'a%20b'."""
    return NOT_IN_URLS.sub(lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), url.strip())


def unwrap(element: etree._Element) -> None:
    """Remove the element's tags, keeping its text and children where it stood."""
    children = list(element)
    parent, index = element.getparent(), element.getparent().index(element)
    _give_text_before(element, element.text or "")
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
        element.tail = None
    remove_keep_tail(element)


def remove_keep_tail(element: etree._Element) -> None:
    """Remove the element and everything in it, keeping the text that follows it."""
    _give_text_before(element, element.tail or "")
    element.getparent().remove(element)


def _give_text_before(element: etree._Element, text: str) -> None:
    """Append `text` to whatever comes just before `element` in document order."""
    if not text:
        return
    previous, parent = element.getprevious(), element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def inner_xhtml(element: etree._Element) -> str:
    """The element's content (not the element itself) as XHTML that HTML parsers read the same way.

    An empty non-void element is written <span></span>, never <span/>: an HTML parser (WeasyPrint's) would
    take <span/> as an opening tag and put everything after it inside."""
    for descendant in element.iter():
        if descendant.text is None and not len(descendant) and descendant.tag not in VOID:
            descendant.text = ""
    parts = [_escape(element.text or "")]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", method="xml", with_tail=True))
    return "".join(parts)


def plain_text(element: etree._Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
