"""What a layout in parts hands between its processes and keeps between builds: a part's count, a part with its
folios, and a group of parts written as one PDF."""

from __future__ import annotations

from dataclasses import dataclass

from publish.errors import Problem
from publish.layout.document import PageStart


@dataclass(frozen=True)
class Counted:
    """A part laid out, as its worker reports it before the folios are drawn."""

    worker: int | None  # None: kept from an earlier build
    pages: int
    first_pass_pages: int  # the page count of its first pass, which sets the gutter as in a single layout
    anchors: dict[str, int]  # id -> page in the part (from 1), for the ids the contents page links to


@dataclass(frozen=True)
class Finished:
    """A part with its folios: where its pages are in its group's PDF, and what it found."""

    first_page: int  # in its group's PDF, from 0
    page_starts: tuple[PageStart, ...]
    runs: tuple[tuple[int, str], ...]  # hyphen runs left: (page in the part from 1, the line's end)


@dataclass(frozen=True)
class GroupPdf:
    pdf: bytes
    parts: dict[int, Finished]
    warnings: tuple[Problem, ...]
