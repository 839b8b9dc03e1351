"""The data handed between stages: metadata, the loaded book and the rendered book."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Creator:
    name: str
    role: str = "aut"  # a MARC relator code: aut, edt, trl, ill, ...
    file_as: str | None = None


@dataclass(frozen=True)
class PrintOptions:
    trim_width_mm: float
    trim_height_mm: float
    chapter_start: str  # "recto", "page" or "flow"
    toc_depth: int
    profile: str = "kdp"  # the printer the PDF is made for: screen, kdp, ingram or lulu (see profiles.py)
    bleed: bool | None = None  # None: what the profile asks for
    crop_marks: bool = False
    pad_to: int = 2  # the page count is padded with blank pages to a multiple of this
    opener: str = "small-caps"  # how a chapter's first paragraph begins: small-caps, drop-cap or plain
    section_start: str = "flow"  # where a second-level section starts: flow, page or recto
    paper: str = "white"  # white or cream: the page thickness the cover's spine is measured from
    page_thickness_in: float | None = None  # overrides the paper's thickness per page (inches)


@dataclass(frozen=True)
class EpubOptions:
    page_list: bool = True  # mark where the print edition's pages begin (needs the print layout)
    notes: str = "chapter"  # "chapter": notes at the end of each chapter; "book": all in one endnotes document


@dataclass(frozen=True)
class LintOptions:
    disabled: tuple[str, ...] = ()  # rule names switched off for the whole book
    sentence_words: int = 60  # a sentence longer than this is reported


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    identifier: str
    slug: str
    subtitle: str | None = None
    creators: tuple[Creator, ...] = ()
    publisher: str | None = None
    date: str | None = None
    rights: str | None = None
    description: str | None = None
    subjects: tuple[str, ...] = ()
    cover: Path | None = None
    version: str | None = None

    @property
    def authors(self) -> tuple[Creator, ...]:
        return tuple(c for c in self.creators if c.role == "aut")


@dataclass(frozen=True)
class ChapterSource:
    """A chapter file as read from disk, before Markdown conversion."""

    path: Path
    text: str  # the Markdown body, front matter removed
    first_line: int  # line number of `text`'s first line in the file
    title: str | None = None  # from front matter
    role: str = "chapter"


@dataclass(frozen=True)
class Book:
    """The manuscript as loaded: validated metadata and the chapters in reading order."""

    root: Path
    metadata: Metadata
    print: PrintOptions
    chapters: tuple[ChapterSource, ...]
    epub: EpubOptions = EpubOptions()
    lint: LintOptions = LintOptions()
    jobs: int | None = None  # worker processes for long builds; None: every core


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str  # plain text
    title_html: str


@dataclass(frozen=True)
class Footnote:
    id: str
    ref_id: str
    number: int
    html: str


@dataclass(frozen=True)
class Chapter:
    """A chapter rendered to format-neutral (X)HTML, ids unique across the book."""

    id: str
    source: Path
    role: str
    title: str
    title_html: str
    body_html: str
    headings: tuple[Heading, ...]
    footnotes: tuple[Footnote, ...] = ()
    ids: tuple[str, ...] = ()  # every id the chapter defines, for mapping links in split formats
    images: tuple[str, ...] = ()  # image paths relative to the manuscript folder, as the HTML names them
    links: tuple[str, ...] = ()  # ids that the chapter's '#id' links point to
    has_file_links: bool = False  # links to local files that are not chapters (checked once all ids are known)


@dataclass(frozen=True)
class TocEntry:
    chapter_id: str
    heading: Heading
    children: tuple[TocEntry, ...] = field(default=())


@dataclass(frozen=True)
class RenderedBook:
    root: Path
    metadata: Metadata
    print: PrintOptions
    chapters: tuple[Chapter, ...]
    toc: tuple[TocEntry, ...]
    epub: EpubOptions = EpubOptions()
