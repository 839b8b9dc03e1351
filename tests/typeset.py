"""Typesetting faults read from a PDF's line positions (poppler's text layer), as a proofreader would see them:
widows, orphans, headings stranded at a page foot, lines running past the measure, runs of hyphenated lines; and
what a book designer marks besides (`design_report`): facing pages that end at different depths, loose lines,
lines opening with a dash or closing punctuation that belongs to the line before, a hyphen leaving a stub.
`python -m tests.typeset BOOK.pdf ...` prints the counts."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import PdfLine, PdfPage

HYPHENS = ("-", "\u2010")
DASHES = ("\u2014", "\u2013")
CLOSING = tuple(",.;:!?)]»”’")
LOOSE = 2.5  # a justified line is loose when a space in it is wider than this many times the book's median space
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
        display_only = all(line.y_max - line.y_min > measure.line_height + 0.6 for line in lines)  # a part's title
        if is_heading(last, measure) and not display_only:
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


def design_report(pages: list[PdfPage], first_body_page: int) -> dict[str, int]:
    """The counts a book designer's marks come to, over the body pages."""
    edges = measures(pages)
    body = pages[first_body_page - 1:]
    flow = [(page, line) for page in body for line in text_lines(page, edges[page.number % 2])]
    kinds = Counter(fault.kind for fault in faults(pages, first_body_page))
    return {
        "pages": len(pages),
        "blank pages": sum(1 for page in pages if not page.lines),
        "unbalanced spreads": len(unbalanced_spreads(pages, first_body_page)),
        "loose lines": len(loose_lines(flow, edges)),
        "lines that are only a dash": sum(1 for _, line in flow if line.text.strip() in DASHES),
        "lines opening with a dash or closing punctuation": len(bad_line_starts(flow, edges)),
        "hyphen before a paragraph's last line": len(stubs(flow, edges)),
        "hyphen at a recto's foot": sum(1 for page in body if page.number % 2 and text_lines(page, edges[1])
                                        and text_lines(page, edges[1])[-1].text.rstrip().endswith(HYPHENS)),
        "widows": kinds["widow"], "orphans": kinds["orphan"], "stranded headings": kinds["stranded heading"],
        "hyphen runs over 2": kinds["three hyphens in a row"], "overfull lines": kinds["overfull"],
    }


def unbalanced_spreads(pages: list[PdfPage], first_body_page: int) -> list[Fault]:
    """Facing pages (an even page and the odd one after it) whose text ends at depths more than 2 pt apart,
    where neither ends a chapter (the page after it is blank or opens lower, as a chapter does)."""
    tops = [min(line.y_min for line in page.body_lines()) for page in pages if page.body_lines()]
    usual_top = statistics.median(tops) if tops else 0.0
    found = []
    for verso, recto in zip(pages[first_body_page - 1:], pages[first_body_page:]):
        if verso.number % 2 or not verso.body_lines() or not recto.body_lines():
            continue
        if _ends_chapter(verso, pages, usual_top) or _ends_chapter(recto, pages, usual_top):
            continue
        depths = [max(line.y_max for line in page.body_lines()) for page in (verso, recto)]
        if abs(depths[0] - depths[1]) > 2.0:
            found.append(Fault("unbalanced spread", verso.number, f"{depths[0]:.1f} / {depths[1]:.1f}"))
    return found


def _ends_chapter(page: PdfPage, pages: list[PdfPage], usual_top: float) -> bool:
    if page.number >= len(pages):
        return True
    lines = pages[page.number].body_lines()  # the next page (physical numbers start at 1)
    return not lines or min(line.y_min for line in lines) > usual_top + 30


def loose_lines(flow: list[tuple[PdfPage, PdfLine]], edges: dict[int, Measure]) -> list[Fault]:
    justified = [(page, line) for page, line in flow if is_full(line, edges[page.number % 2]) and line.gaps()]
    spaces = [gap for _, line in justified for gap in line.gaps() if gap > 0.5]
    if not spaces:
        return []
    usual = statistics.median(spaces)
    return [Fault("loose line", page.number, line.text) for page, line in justified if max(line.gaps()) > LOOSE * usual]


def bad_line_starts(flow: list[tuple[PdfPage, PdfLine]], edges: dict[int, Measure]) -> list[Fault]:
    """Lines that open with a dash or closing punctuation and go on a paragraph (the line before is full): what
    opens them belongs to the word before. A dialogue dash opens its paragraph and is not counted."""
    found = []
    for (_, before), (page, line) in zip(flow, flow[1:]):
        text = line.text.lstrip()
        elided = text[:1] == "’" and text[1:2].isalpha()  # ’em, ’tis: the apostrophe is the word's own
        if is_full(before, edges[page.number % 2]) and not is_indented(line, edges[page.number % 2]) \
                and text.startswith((*DASHES, *CLOSING)) and not elided:
            found.append(Fault("bad line start", page.number, line.text))
    return found


def stubs(flow: list[tuple[PdfPage, PdfLine]], edges: dict[int, Measure]) -> list[Fault]:
    """A hyphenated word broken onto a paragraph's last line (fret-/fully.)."""
    found = []
    for (_, line), (page, last), (_, after) in zip(flow, flow[1:], [*flow[2:], (None, None)]):
        measure = edges[page.number % 2]
        ends_paragraph = not is_full(last, measure) and (after is None or is_indented(after, measure)
                                                         or is_heading(after, measure))
        if line.text.rstrip().endswith(HYPHENS) and ends_paragraph:
            found.append(Fault("stub", page.number, f"{line.text} / {last.text}"))
    return found


if __name__ == "__main__":
    from tests.helpers import pdf_pages

    for name in sys.argv[1:]:
        read = pdf_pages(Path(name))
        first = next((page.number for page in read if page.label == "1"), 1)
        print(name, design_report(read, first))
