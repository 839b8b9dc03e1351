"""The Markdown of a chapter as prose: each line with what is not prose (code, math, tables, tags, URLs,
cross-references, markers) blanked out, columns kept, and the lines grouped in paragraphs. What the lint rules and
the spelling check read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from publish.model import ChapterSource


@dataclass(frozen=True)
class Line:
    """A line of prose with everything that is not prose (code, tags, URLs) blanked out, columns kept."""

    path: Path
    number: int
    text: str
    raw: str



FENCE = re.compile(r"^\s*(```|~~~)")
DISPLAY_MATH = re.compile(r"^\s*(\$\$|\\\[|\\\])\s*$")  # a line holding only $$, \[ or \] opens or closes display math
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")  # |---|:--:| under a table's head
LINE_MARKERS = [  # blanked with spaces: what follows starts the prose
    re.compile(r"^(\s*>)+"),  # blockquote markers
    re.compile(r"^\s*(?:[-*+]|\d+[.)]|#{1,6})\s+"),  # list markers and heading marks, with their spaces
]
NOT_PROSE = [  # blanked with NUL, which is neither a space nor a letter, so no rule sees spaces that are not there
    re.compile(r"`[^`]*`"),  # code spans
    re.compile(r"\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)(?:[^$\\]|\\.)+?(?<=\S)\$(?![\w$])"),  # TeX math, $x$ and $$x$$
    re.compile(r"\\\(.+?\\\)|\\\[.+?\\\]"),  # TeX math, \(x\) and \[x\]
    re.compile(r"<!--.*?-->"),  # comments
    re.compile(r"</?[A-Za-z][^>]*>"),  # HTML tags
    re.compile(r"(?<=\])\([^)]*\)"),  # link and image targets (the link text stays prose)
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$"),  # reference definitions
    re.compile(r"<?https?://\S+>?"),  # bare URLs
    re.compile(r"\{[:#.][^}]*\}"),  # attribute lists
    re.compile(r"(?<![\w.@])@[A-Za-z][\w:-]*\w"),  # cross-references and citations: @fig-rue, [@sec-intro]
    re.compile(r"(?<!\S)[:;=8]['-]?[()\[\]DPp](?![\w(\[])"),  # emoticons: ;) :-( are no brackets
]
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def prose_lines(chapter: ChapterSource) -> list[Line]:
    lines, in_fence, in_math = [], False, False
    raws = chapter.text.splitlines()
    tables = _table_lines(raws)
    for index, raw in enumerate(raws):
        if FENCE.match(raw) and not in_math:
            in_fence = not in_fence
            continue
        if DISPLAY_MATH.match(raw) and not in_fence:
            in_math = not in_math
            continue
        if in_fence or in_math or index in tables:
            continue
        if raw.startswith(("    ", "\t")) and not raw.strip().startswith(("-", "*", "+")):
            continue
        text = raw
        for pattern in LINE_MARKERS:
            text = pattern.sub(lambda match: " " * len(match.group(0)), text)
        for pattern in NOT_PROSE:
            text = pattern.sub(lambda match: "\0" * len(match.group(0)), text)
        lines.append(Line(chapter.path, chapter.first_line + index, text, raw))
    return lines


def _table_lines(raws: list[str]) -> set[int]:
    """The indexes of the lines of pipe tables: the head above a |---| rule and the rows down to a blank line."""
    found: set[int] = set()
    for index, raw in enumerate(raws):
        if TABLE_RULE.match(raw) and index > 0 and "|" in raws[index - 1]:
            found.update((index - 1, index))
            row = index + 1
            while row < len(raws) and raws[row].strip() and "|" in raws[row]:
                found.add(row)
                row += 1
    return found


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    groups, current, previous = [], [], None
    for line in lines:
        if not line.text.strip() or (previous is not None and line.number != previous + 1):
            if current:
                groups.append(current)
            current = []
        if line.text.strip():
            current.append(line)
        previous = line.number
    if current:
        groups.append(current)
    return groups
