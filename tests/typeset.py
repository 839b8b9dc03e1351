"""Typesetting faults read from a PDF's line positions (poppler's text layer), as a proofreader would see them:
widows, orphans, headings stranded at a page foot, lines running past the measure, runs of hyphenated lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.helpers import PdfLine, PdfPage

HYPHENS = ("-", "\u2010")
TOLERANCE = 0.3  # points: the text layer rounds positions


@dataclass(frozen=True)
class Fault:
    kind: str
    page: int
    text: str


@dataclass
class Measure:
    left: float
    right: float
    line_height: float


def measures(pages: list[PdfPage]) -> dict[int, Measure]:
    """The text block of rectos (1) and versos (0): the edges most full lines share, and the body line height."""
    result = {}
    for parity in (0, 1):
        lines = [line for page in pages if page.number % 2 == parity for line in page.body_lines()]
        lefts = Counter(round(line.x_min, 1) for line in lines)
        rights = Counter(round(line.x_max, 1) for line in lines)
        heights = Counter(round(line.y_max - line.y_min, 1) for line in lines)
        result[parity] = Measure(lefts.most_common(1)[0][0], rights.most_common(1)[0][0],
                                 heights.most_common(1)[0][0])
    return result


def text_lines(page: PdfPage, measure: Measure) -> list[PdfLine]:
    """The page's running text: body lines at the body size (footnotes are smaller)."""
    return [line for line in page.body_lines() if line.y_max - line.y_min >= measure.line_height - 0.6]


def is_heading(line: PdfLine, measure: Measure) -> bool:
    """Headings are centred (and often larger); a centred short last line of a paragraph is not indented alike."""
    left_gap, right_gap = line.x_min - measure.left, measure.right - line.x_max
    return left_gap > 6 and right_gap > 6 and abs(left_gap - right_gap) < 2 and \
        line.y_max - line.y_min > measure.line_height + 0.6


def is_full(line: PdfLine, measure: Measure) -> bool:
    return line.x_max >= measure.right - 1.0


def is_indented(line: PdfLine, measure: Measure) -> bool:
    return 8 < line.x_min - measure.left < 20


def faults(pages: list[PdfPage], first_body_page: int) -> list[Fault]:
    found = []
    edges = measures(pages)
    previous_last = None
    for page in pages[first_body_page - 1:]:
        measure = edges[page.number % 2]
        lines = text_lines(page, measure)
        for line in page.body_lines():
            if line.x_max > measure.right + TOLERANCE:
                found.append(Fault("overfull", page.number, line.text))
        found += _hyphen_runs(page, lines)
        if not lines:
            previous_last = None
            continue
        first, last = lines[0], lines[-1]
        if previous_last is not None and is_full(previous_last, measure) and not is_full(first, measure) \
                and not is_indented(first, measure) and not is_heading(first, measure) and len(lines) > 1:
            found.append(Fault("widow", page.number, first.text))
        before_last = lines[-2] if len(lines) > 1 else None
        starts_paragraph = is_indented(last, measure) or (before_last is not None and is_heading(before_last, measure))
        if starts_paragraph and is_full(last, measure) and not is_heading(last, measure):
            found.append(Fault("orphan", page.number, last.text))
        if is_heading(last, measure):
            found.append(Fault("stranded heading", page.number, last.text))
        previous_last = last
    return found


def _hyphen_runs(page: PdfPage, lines: list[PdfLine]) -> list[Fault]:
    found, run = [], 0
    for line in lines:
        run = run + 1 if line.text.rstrip().endswith(HYPHENS) else 0
        if run == 3:
            found.append(Fault("three hyphens in a row", page.number, line.text))
    return found
