"""TeX formulas as MathML (latex2mathml), the TeX kept as each formula's `alttext`: inline `$...$` and `\\(...\\)`,
display `$$...$$` and `\\[...\\]`, a display equation's `\\label{eq-x}` as its id (numbered book-wide later)."""

from __future__ import annotations

import re

from lxml import etree

from publish.errors import ManuscriptError, Problem, Report
from publish.model import ChapterSource
from publish.render.references import line_of

MATHML = "http://www.w3.org/1998/Math/MathML"
DELIMITERS = re.compile(r"^\\[(\[](.*)\\[)\]]$", re.DOTALL)
LABEL = re.compile(r"\\label\{(eq-[\w-]*[^\W_])\}")
ARGUMENTS = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3}


def convert_math(root: etree._Element, source: ChapterSource, report: Report, keep_going: bool) -> bool:
    """Replace the TeX that Markdown marked with MathML; True if the chapter holds any math (pasted MathML too).
    A formula that cannot be read is an error, or with `keep_going` a visible placeholder and a warning."""
    problems = []
    for marked in [element for element in root.iter("span", "div") if element.get("class") == "arithmatex"]:
        found = DELIMITERS.match((marked.text or "").strip())
        tex = found.group(1).strip() if found else (marked.text or "").strip()
        display = marked.tag == "div"
        label = LABEL.search(tex)
        tex = LABEL.sub("", tex).strip()
        try:
            formula = mathml(tex, display)
        except MathError as error:
            message = f"math '{_short(tex)}' cannot be read: {error}; check the TeX"
            if not keep_going:
                problems.append(Problem(message, source.path, line_of(source, tex)))
                continue
            report.warn(f"{message} (shown as its TeX because of --keep-going)", source.path, line_of(source, tex))
            formula = etree.Element("code", {"class": "math-error"})
            formula.text = tex
        _replace(marked, formula, display, label.group(1) if label else None)
    if problems:
        raise ManuscriptError(problems)
    pasted = [formula for formula in root.iter(f"{{{MATHML}}}math") if formula.nsmap.get(None) != MATHML]
    for formula in pasted:
        _declare_namespace(formula)
    return next(root.iter(f"{{{MATHML}}}math"), None) is not None


def _declare_namespace(formula: etree._Element) -> None:
    """MathML an HTML parser read is written with a prefix (ns0:math): give it the default namespace instead,
    as EPUB and browsers expect."""
    written = etree.Element(formula.tag, dict(formula.attrib), nsmap={None: MATHML})
    written.text, written.tail = formula.text, formula.tail
    written.extend(list(formula))
    etree.cleanup_namespaces(written)
    formula.getparent().replace(formula, written)


class MathError(ValueError):
    pass


def mathml(tex: str, display: bool) -> etree._Element:
    """The formula as a MathML <math> element, with its TeX as alttext."""
    if not tex:
        raise MathError("the formula is empty")
    # imported here: most books have no formula, and importing it takes 20 ms
    from latex2mathml.converter import convert

    try:
        markup = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds, all meaning "not TeX it can read"
        raise MathError(_reason(error)) from None
    try:
        element = etree.fromstring(markup.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:  # latex2mathml writes a stray '&' or control character through unescaped
        if re.search(r"(?<!\\)&", tex):
            raise MathError("an '&' outside an aligned or array environment; write \\& for an ampersand") from None
        raise MathError("it holds characters a formula cannot hold") from None
    _check(element, tex)
    element.set("alttext", tex)
    return element


def _check(element: etree._Element, tex: str) -> None:
    """What latex2mathml lets through but is not TeX: unbalanced braces, unknown commands, missing arguments."""
    braces = re.sub(r"\\[{}]", "", tex)
    if braces.count("{") != braces.count("}"):
        raise MathError("its braces { } do not pair up")
    for node in element.iter():
        name = etree.QName(node).localname
        if name == "merror" or (name in ("mi", "mo") and (node.text or "").startswith("\\")):
            raise MathError(f"unknown command {(node.text or '').strip() or name}")
        if name in ARGUMENTS and len(node) != ARGUMENTS[name]:
            raise MathError(f"a command is missing an argument (<{name}> has {len(node)} of {ARGUMENTS[name]})")


def _reason(error: Exception) -> str:
    """latex2mathml's message, else the words of its exception's name (MissingSuperScriptOrSubscriptError)."""
    text = str(error).strip()
    if not text or text == type(error).__name__:
        text = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).lower().removesuffix(" error")
    return re.sub(r"\s+", " ", text)[:120]


def _short(tex: str) -> str:
    flat = re.sub(r"\s+", " ", tex)
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _replace(marked: etree._Element, formula: etree._Element, display: bool, label: str | None) -> None:
    if display:
        block = etree.Element("div", {"class": "equation"})
        if label:
            block.set("id", label)
        block.append(formula)
        formula = block
    formula.tail = marked.tail
    marked.getparent().replace(marked, formula)
