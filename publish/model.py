"""The data handed between stages: metadata, the loaded book and the rendered book."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Creator:
    name: str
    role: str = "aut"  # a MARC relator code: aut, edt, trl, ill, ...
    file_as: str | None = None


@dataclass(frozen=True)
class Setting:
    """How a book.yaml key of an options section is written: what it means, what the writer must give (in their
    words), and the values it may take. The dataclass field that declares it holds its type and default."""

    description: str
    kind: str
    choices: tuple[str, ...] = ()
    key: str | None = None  # the book.yaml key, when it is not the field's name
    minimum: float | None = None
    maximum: float | None = None
    even: bool = False


def setting(default: Any, description: str, kind: str, **rules: Any) -> Any:
    """A field of book.yaml's schema: its default, and the Setting that validation and the README read."""
    return field(default=default, metadata={"setting": Setting(description, kind, **rules)})


def settings(options: type) -> list[tuple[str, Setting]]:
    """(field name, Setting) for each book.yaml key of an options section, in declaration order."""
    return [(item.name, item.metadata["setting"]) for item in fields(options) if "setting" in item.metadata]


CHAPTER_STARTS = ("recto", "page", "flow")
PROFILE_NAMES = ("screen", "kdp", "ingram", "lulu")  # layout/profiles.py says what each printer asks for
TRIM_PRESETS_MM = {
    "5x8": (127.0, 203.2),
    "5.25x8": (133.35, 203.2),
    "5.5x8.5": (139.7, 215.9),
    "6x9": (152.4, 228.6),
    "a5": (148.0, 210.0),
    "129x198mm": (129.0, 198.0),
}


@dataclass(frozen=True)
class PrintOptions:
    """book.yaml's `print:` section."""

    trim_width_mm: float = setting(
        139.7, "Trimmed page size; default 5.5x8.5.", f"a preset ({', '.join(TRIM_PRESETS_MM)}) or 'W x H in|mm'",
        key="trim_size")
    trim_height_mm: float = 215.9  # set with the width, from trim_size
    chapter_start: str = setting("recto", "Where each chapter starts; default recto.", "recto, page or flow",
                                 choices=CHAPTER_STARTS)
    toc_depth: int = setting(2, "Heading levels listed in the contents; default 2.", "1, 2 or 3",
                             minimum=1, maximum=3)
    profile: str = setting("kdp", "The printer the PDF is made for (see profiles.py); default kdp.",
                           "screen, kdp, ingram or lulu", choices=PROFILE_NAMES)
    bleed: bool | None = setting(None, "Add 0.125 in of bleed around the page; default: what the profile needs.",
                                 "true or false")
    crop_marks: bool = setting(False, "Draw crop marks outside the bleed (not for kdp, lulu or screen).",
                               "true or false")
    pad_to: int = setting(2, "Pad the page count with blank pages to a multiple of this; default 2.",
                          "an even whole number such as 2, 16 or 32", minimum=2, even=True)
    opener: str = setting("small-caps", "How a chapter's first paragraph begins; default small-caps.",
                          "small-caps, drop-cap or plain", choices=("small-caps", "drop-cap", "plain"))
    section_start: str = setting("flow", "Where each second-level section starts; default flow.",
                                 "flow, page or recto", choices=CHAPTER_STARTS)
    paper: str = setting("white", "The paper, for the cover's spine width; default white.", "white or cream",
                         choices=("white", "cream"))
    code_wrap: bool = setting(True, "A code line longer than the text block goes on on the next line after a mark "
                                    "(↪); false: it is left whole, with a warning naming its line; default true.",
                              "true or false")
    xref_pages: bool = setting(False, "A reference to a figure, table, section or equation also names its page in "
                                      "print ('Figure 3.2 on page 57'); default false.", "true or false")
    page_thickness_in: float | None = setting(
        None, "Thickness of one page (leaf side), overriding the paper's.",
        "inches per page between 0.001 and 0.01 (white paper is about 0.0023)", key="page_thickness",
        minimum=0.001, maximum=0.01)


@dataclass(frozen=True)
class EpubOptions:
    """book.yaml's `epub:` section."""

    page_list: bool = setting(True, "Mark the print edition's page breaks in the ebook (needs the print layout); "
                                    "default true.", "true or false")
    notes: str = setting("chapter", "Where notes go: end of each chapter (default) or end of the book.",
                         "chapter or book", choices=("chapter", "book"))


LIST_KINDS = ("figures", "tables", "listings")


@dataclass(frozen=True)
class ContentsOptions:
    """book.yaml's `contents:` section."""

    lists: tuple[str, ...] = setting((), "Lists of the labelled figures, tables or listings after the contents, "
                                         "in print (with page numbers) and in the ebook's navigation.",
                                     "a list of figures, tables and listings", choices=LIST_KINDS)
    chapter_labels: bool = setting(False, "A label such as 'Chapter 3' (in the book's language) above each "
                                          "chapter's title, in every format; default false.", "true or false")


@dataclass(frozen=True)
class Strings:
    """The book's fixed strings (contents, title page, notes, "Figure 3.2"...) in its language, from the tool's
    catalogue for it (manuscript/catalogues/) with book.yaml's `strings:` over it. `strings["contents"]` is a
    text as it is; `strings("figure", number="3.2")` fills in its `{number}`."""

    language: str  # the catalogue's language: 'en' when the book's has none
    entries: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.entries[key]

    def __hash__(self) -> int:  # as the other parts of a Book, which are hashed when cached
        return hash((self.language, tuple(self.entries.items())))

    def __call__(self, key: str, **values: str) -> str:
        return self.entries[key].format(**values)

    def names(self, names: Sequence[str]) -> str:
        """'A', 'A and B', 'A, B and C' in the book's language."""
        if len(names) < 2:
            return "".join(names)
        return self("and_pair", first=self["series_separator"].join(names[:-1]), last=names[-1])


# The rules `publish lint` has (proofing/lint.py defines them; a test keeps the two lists the same).
LINT_RULES = ("straight-quotes", "double-space", "space-before-punctuation", "hyphen-as-dash", "unbalanced",
              "repeated-word", "ellipsis", "inconsistent-spelling", "long-sentence", "image-alt", "dead-link",
              "markup", "spelling")


@dataclass(frozen=True)
class LintOptions:
    """book.yaml's `lint:` section."""

    disabled: tuple[str, ...] = setting((), "Lint rules switched off for this book (publish lint --rules lists "
                                            "them).", "a list of rule names", key="disable", choices=LINT_RULES)
    sentence_words: int = setting(60, "Report sentences longer than this many words; default 60.",
                                  "a whole number of 10 or more", minimum=10)


@dataclass(frozen=True)
class LimitOptions:
    """book.yaml's `limits:` section: how large a manuscript may be before a build refuses it with a message
    naming the limit, instead of running for hours or out of memory."""

    chapter_mb: int = setting(5, "Largest chapter file, in MB; default 5.", "a whole number from 1 to 200",
                              minimum=1, maximum=200)
    line_characters: int = setting(100_000, "Longest line (a paragraph is one line to Markdown), in characters; "
                                            "default 100000.", "a whole number from 1000 to 10000000",
                                   minimum=1000, maximum=10_000_000)
    nesting: int = setting(50, "Deepest nesting of block quotes, lists and HTML elements; default 50.",
                           "a whole number from 5 to 80", minimum=5, maximum=80)
    footnotes: int = setting(5000, "Most footnotes in one chapter; default 5000.",
                             "a whole number from 100 to 1000000", minimum=100, maximum=1_000_000)
    words: int = setting(1_000_000, "Most words in the whole book; default 1000000.",
                         "a whole number from 1000 to 20000000", minimum=1000, maximum=20_000_000)
    chapter_seconds: int = setting(60, "Longest time converting one chapter's Markdown may take, in seconds; "
                                        "default 60.", "a whole number from 10 to 3600", minimum=10, maximum=3600)


FONT_KIND = "a family name, a font file or folder in the manuscript folder, or a list of them (fallbacks after)"


@dataclass(frozen=True)
class FontOptions:
    """book.yaml's `fonts:` section: each role's typeface, then the fallbacks that draw what it lacks. A name is
    a family shipped with the tool, a .otf or .ttf file (or a folder of them) in the manuscript folder, or a
    family installed on the machine."""

    body: tuple[str, ...] = setting(("Source Serif Pro",), "The text; default Source Serif Pro (shipped).",
                                    FONT_KIND)
    display: tuple[str, ...] = setting((), "Headings, title page and cover; default: the body's.", FONT_KIND)
    mono: tuple[str, ...] = setting(("IBM Plex Mono",), "Code; default IBM Plex Mono (shipped).", FONT_KIND)


@dataclass(frozen=True)
class Face:
    """One font file of a typeface: `index` is the face's number inside a collection (.ttc)."""

    path: Path
    style: str  # normal or italic
    weight: int  # 100 to 900
    index: int = 0


@dataclass(frozen=True)
class Typeface:
    family: str  # as CSS names it
    faces: tuple[Face, ...]
    source: str  # shipped, manuscript or installed: an installed family is drawn by name in print
    license: Path | None = None  # the licence file to ship with an ebook that embeds it
    credit: str = ""  # "Source Serif Pro (Adobe)", for the colophon

    def regular(self) -> Face:
        """The upright face nearest to weight 400."""
        return self.nearest(400, "normal")

    def nearest(self, weight: int, style: str) -> Face:
        """The face of that style (else any) whose weight is nearest."""
        matching = [face for face in self.faces if face.style == style] or list(self.faces)
        return min(matching, key=lambda face: (abs(face.weight - weight), face.weight))


@dataclass(frozen=True)
class Typefaces:
    """The book's typefaces by role, each a first choice then its fallbacks."""

    body: tuple[Typeface, ...] = ()
    display: tuple[Typeface, ...] = ()
    mono: tuple[Typeface, ...] = ()

    def every(self) -> tuple[Typeface, ...]:
        """Each typeface once, in role order."""
        return tuple(dict.fromkeys((*self.body, *self.display, *self.mono)))


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

    @property
    def direction(self) -> str:
        """'rtl' for a language written right to left (its pages turn the other way), else 'ltr'."""
        return "rtl" if primary_language(self.language) in RIGHT_TO_LEFT else "ltr"


def primary_language(tag: str) -> str:
    """A BCP 47 tag's language without its region or script: 'pt' for 'pt-BR'."""
    return tag.split("-")[0].lower()


RIGHT_TO_LEFT = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ckb", "dv", "ug", "syr"}


# Chapter roles that come before the body: unnumbered, and the print edition's roman folios.
FRONT_ROLES = {"foreword", "preface", "introduction", "preamble", "dedication", "epigraph", "acknowledgments"}


@dataclass(frozen=True)
class ChapterSource:
    """A chapter file as read from disk, before Markdown conversion."""

    path: Path
    text: str  # the Markdown body, front matter removed
    first_line: int  # line number of `text`'s first line in the file
    title: str | None = None  # from front matter
    role: str = "chapter"
    running_head: str | None = None  # from front matter: a shorter title for the print running head


@dataclass(frozen=True)
class Book:
    """The manuscript as loaded: validated metadata and the chapters in reading order."""

    root: Path
    metadata: Metadata
    print: PrintOptions
    chapters: tuple[ChapterSource, ...]
    epub: EpubOptions = EpubOptions()
    lint: LintOptions = LintOptions()
    contents: ContentsOptions = ContentsOptions()
    jobs: int | None = None  # worker processes for long builds; None: every core
    strings: Strings = Strings("en")  # the fixed strings in the book's language
    limits: LimitOptions = LimitOptions()
    fonts: Typefaces = Typefaces()


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
    table_lines: tuple[int, ...] = ()  # the line of the Markdown where each table starts, in order
    code_lines: tuple[int, ...] = ()  # the line of the Markdown where each code block's first line is, in order
    running_head: str | None = None  # the print running head, when the front matter gives a shorter one


@dataclass(frozen=True)
class TocEntry:
    chapter_id: str
    heading: Heading
    children: tuple[TocEntry, ...] = field(default=())


@dataclass(frozen=True)
class ListEntry:
    """A labelled figure, table or listing as a list of them names it."""

    chapter_id: str
    id: str
    label: str  # "Figure 3.2"
    caption_html: str  # the caption without its label


@dataclass(frozen=True)
class FloatList:
    kind: str  # one of LIST_KINDS
    entries: tuple[ListEntry, ...]


@dataclass(frozen=True)
class RenderedBook:
    root: Path
    metadata: Metadata
    print: PrintOptions
    chapters: tuple[Chapter, ...]
    toc: tuple[TocEntry, ...]
    epub: EpubOptions = EpubOptions()
    lists: tuple[FloatList, ...] = ()  # those book.yaml's contents.lists asks for, in its order
    strings: Strings = Strings("en")
    fonts: Typefaces = Typefaces()
