"""Markdown as authors write it for books (Python-Markdown with pandoc's and Quarto's habits): footnotes, tables,
attribute lists, fenced code that nests in lists and quotes (highlighted by Pygments), TeX math between `$` signs,
`@fig-label` cross-references and `{#eq-label}` on display equations."""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

CURLY = {
    "left-single-quote": "\u2018", "right-single-quote": "\u2019", "left-double-quote": "\u201c",
    "right-double-quote": "\u201d", "left-angle-quote": "\u00ab", "right-angle-quote": "\u00bb",
    "ndash": "\u2013", "mdash": "\u2014", "ellipsis": "\u2026",
}
LABEL_KINDS = {"fig": "figure", "tbl": "table", "sec": "section", "eq": "equation", "lst": "listing"}
CROSS_REFERENCE = r"(?<![\w@.])@((?:" + "|".join(LABEL_KINDS) + r")-[\w-]*[^\W_])"
FENCE_ATTRIBUTES = re.compile(r"^([ \t]*(?:>[ \t]*)*(?:`{3,}|~{3,})[ \t]*)([\w#+.-]+),[\w,= -]*$", re.MULTILINE)
EQUATION_LABEL = re.compile(r"\$\$[ \t]*\{#(eq-[\w-]*[^\W_])\}[ \t]*$", re.MULTILINE)
EXTENSIONS = ["footnotes", "tables", "attr_list", "def_list", "smarty", "sane_lists", "pymdownx.superfences",
              "pymdownx.highlight", "pymdownx.arithmatex"]
SETTINGS = {
    "smarty": {"substitutions": CURLY},
    "footnotes": {"SEPARATOR": "-"},
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "pygments_lang_class": True,
                           "linenums_style": "pymdownx-inline", "guess_lang": False},
    "pymdownx.arithmatex": {"generic": True, "smart_dollar": True},
}


class CrossReference(InlineProcessor):
    """`@fig-label` (also tbl, sec, eq, lst): a link whose text the book-wide numbering fills in."""

    def handleMatch(self, match: re.Match, data: str):  # noqa: N802 (the name Python-Markdown calls)
        link = Element("a", {"class": "xref", "href": f"#{match.group(1)}"})
        link.text = match.group(1)
        return link, match.start(0), match.end(0)


class FenceLanguages(Preprocessor):
    """A fence opening with mdBook's comma-separated attributes (```` ```rust,ignore ````) keeps only its language,
    which the fence extension reads (it takes no comma, and would leave the block as text)."""

    def run(self, lines: list[str]) -> list[str]:
        return [FENCE_ATTRIBUTES.sub(r"\1\2", line) if "," in line else line for line in lines]


class EquationLabels(Preprocessor):
    """`$$ {#eq-label}` closing a display equation becomes `\\label{eq-label}$$`, which the math step reads
    (runs after fenced code is set aside, so code keeps its text)."""

    def run(self, lines: list[str]) -> list[str]:
        return EQUATION_LABEL.sub(lambda match: f"\\label{{{match.group(1)}}}$$", "\n".join(lines)).split("\n")


class BookExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(CrossReference(CROSS_REFERENCE, md), "cross-reference", 165)
        md.preprocessors.register(FenceLanguages(md), "fence-languages", 29)  # before the fences are read
        md.preprocessors.register(EquationLabels(md), "equation-labels", 24)


_converters = threading.local()  # one converter per thread, reset between chapters: making one costs more
                                 # than converting a short chapter


class OutOfTime(Exception):
    """Converting took longer than its budget."""


def markdown_to_html(text: str, seconds: float | None = None) -> str:
    """`text` as HTML; OutOfTime if that takes over `seconds` (some inputs, such as thousands of '[' in one
    paragraph, make Python-Markdown's inline patterns quadratic)."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=[*EXTENSIONS, BookExtension()], extension_configs=SETTINGS, output_format="xhtml")
    with _time_budget(seconds):
        return converter.reset().convert(text)


@contextmanager
def _time_budget(seconds: float | None):
    """Raise OutOfTime in the code run within, once `seconds` have passed. An interval timer can only interrupt
    the main thread, so elsewhere (the live preview's threads) nothing is bounded; the alarm signal's handler is
    put back as it was after."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
