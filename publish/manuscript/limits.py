"""The limits of book.yaml's `limits:` section, checked on the Markdown as written before anything parses it: each
scan is one pass over the text, so that input built to make a parser slow or deep is refused in time, at its line."""

from __future__ import annotations

import re
from pathlib import Path

from publish.errors import Problem
from publish.model import ChapterSource, LimitOptions

FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"`[^`\n]*`")
FOOTNOTE_DEFINITION = re.compile(r"^[ \t]{0,3}\[\^[^\]\n]+\]:", re.MULTILINE)
# One container a line opens: a block quote marker, or a list marker followed by a space.
CONTAINER = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))[ \t]?")
# HTML elements (only these count: `List<Integer>` in code is not one); the void ones never nest.
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b(?:[^<>\"']|\"[^\"<>\n]*\"|'[^'<>\n]*')*?(/?)>")
HTML_ELEMENTS = frozenset("""a abbr address article aside audio b bdi bdo blockquote body button canvas caption cite
code colgroup data datalist dd del details dfn dialog div dl dt em fieldset figcaption figure font footer form h1 h2
h3 h4 h5 h6 head header hgroup html i iframe ins kbd label legend li main map mark menu meter nav noscript object
ol optgroup option output p picture pre progress q rp rt ruby s samp script section select small span strike strong
style sub summary sup svg table tbody td template textarea tfoot th thead time title tr u ul var video center big
tt math mrow mi mo mn msup msub mfrac""".split())
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


def limit_problems(source: ChapterSource, limits: LimitOptions) -> list[Problem]:
    """The first limit one chapter is past, at the first line past it (one is enough to refuse the chapter)."""
    text = source.text
    for scan in (_long_line, _deep_containers, _deep_html, _many_footnotes):
        found = scan(text, limits)
        if found is not None:
            message, offset = found
            return [Problem(message, source.path, source.first_line + text.count("\n", 0, offset))]
    return []


def word_problem(sources: tuple[ChapterSource, ...], limits: LimitOptions, config_path: Path) -> Problem | None:
    words = sum(len(source.text.split()) for source in sources)
    if words <= limits.words:
        return None
    return Problem(f"the book has {words:,} words, over the limit of {limits.words:,}: split it into volumes, or "
                   f"{raise_it('words')}", config_path, None)


def raise_it(key: str) -> str:
    return f"raise limits.{key} in book.yaml"


def _long_line(text: str, limits: LimitOptions) -> tuple[str, int] | None:
    start = 0
    for line in text.split("\n"):
        if len(line) > limits.line_characters:
            return (f"this line is {len(line):,} characters long, over the limit of {limits.line_characters:,}: "
                    f"break it into paragraphs, or {raise_it('line_characters')}", start)
        start += len(line) + 1
    return None


def _deep_containers(text: str, limits: LimitOptions) -> tuple[str, int] | None:
    """Block quotes and lists: the containers a line opens at its start, and its indentation (four columns a
    level, as Markdown nests lists)."""
    start = 0
    for line in _without_code(text).split("\n"):
        depth, position = 0, 0
        while depth <= limits.nesting:
            match = CONTAINER.match(line, position)
            if match is None or match.end() == position:
                break
            depth, position = depth + 1, match.end()
        indent = len(line) - len(line.lstrip(" \t"))
        depth += line[:indent].expandtabs(4).count(" ") // 4 if indent else 0
        if depth > limits.nesting:
            return (f"block quotes and lists nest over {limits.nesting} deep here: nest them less deeply, or "
                    f"{raise_it('nesting')}", start)
        start += len(line) + 1
    return None


def _deep_html(text: str, limits: LimitOptions) -> tuple[str, int] | None:
    depth = 0
    for match in TAG.finditer(_without_code(text)):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name not in HTML_ELEMENTS or name in VOID_ELEMENTS or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > limits.nesting:
            return (f"HTML elements nest over {limits.nesting} deep here: nest them less deeply (or close the ones "
                    f"left open), or {raise_it('nesting')}", match.start())
    return None


def _many_footnotes(text: str, limits: LimitOptions) -> tuple[str, int] | None:
    for count, match in enumerate(FOOTNOTE_DEFINITION.finditer(text), 1):
        if count > limits.footnotes:
            return (f"this chapter has over {limits.footnotes:,} footnotes: split it into several chapters, or "
                    f"{raise_it('footnotes')}", match.start())
    return None


def _without_code(text: str) -> str:
    """The text with fenced code blocks and code spans blanked (same length and lines, so offsets still hold)."""
    lines, fence = [], None
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and opening and opening.group(1).startswith(fence) and not line[opening.end():].strip():
            fence = None
        elif fence is None:
            lines.append(CODE_SPAN.sub(lambda match: " " * len(match.group()), line))
            continue
        lines.append(" " * len(line))
    return "\n".join(lines)
