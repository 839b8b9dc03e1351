"""book.yaml: its top-level keys (the options sections are declared in model.py, see options.py), and validation
that reports every problem with its line."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publish.errors import ConfigError, Problem
from publish.manuscript.fonts import FontNotFound, book_typefaces, shipped_typefaces
from publish.manuscript.identifiers import identifier as make_identifier
from publish.manuscript.identifiers import slugify
from publish.manuscript.options import SECTIONS, section_options
from publish.manuscript.strings import book_strings
from publish.manuscript.yaml_document import Validator, YamlDocument, type_name
from publish.model import (
    ContentsOptions,
    Creator,
    EpubOptions,
    LimitOptions,
    LintOptions,
    Metadata,
    PrintOptions,
    Strings,
    Typefaces,
)


@dataclass(frozen=True)
class Key:
    """A top-level book.yaml key: what the writer must give (in their words) and what it is for."""

    name: str
    kind: str
    description: str
    required: bool = False


BOOK_KEYS = {key.name: key for key in (
    Key("title", "text", "The book's title.", required=True),
    Key("subtitle", "text", "A subtitle, shown under the title."),
    Key("author", "a name or a list of names", "Shorthand for creators with role 'aut'."),
    Key("creators", "a list of {name, role, file_as}", "Everyone credited, with MARC relator roles."),
    Key("language", "a BCP 47 tag such as en or en-GB", "The language of the text.", required=True),
    Key("identifier", "a URN, UUID, ISBN or URL", "The book's unique identifier."),
    Key("publisher", "text", "The publisher's name."),
    Key("date", "a date such as 2024 or 2024-05-31", "Publication date."),
    Key("rights", "text", "Copyright or licence statement."),
    Key("description", "text", "A short description (blurb)."),
    Key("subjects", "a list of texts", "Subject headings or keywords."),
    Key("cover", "a path to a JPEG or PNG image", "Cover image; one is generated when absent."),
    Key("version", "text (quote numbers: '1.0')", "Edition or version label."),
    Key("slug", "lowercase letters, digits and hyphens", "Output file name; made from the title when absent."),
    Key("chapters", "a list of Markdown file names", "Chapter files in reading order; all *.md when absent."),
    Key("print", "a mapping", "Print (PDF) options, see below."),
    Key("epub", "a mapping", "Ebook options, see below."),
    Key("lint", "a mapping", "Proofreading checks (publish lint), see below."),
    Key("contents", "a mapping", "What follows the contents page (lists of figures, tables), see below."),
    Key("fonts", "a mapping", "The typefaces: body, display and mono, each with fallbacks, see below."),
    Key("limits", "a mapping", "How large the manuscript may be (chapter size, nesting...), see below."),
    Key("strings", "a mapping of string names to texts", "The book's fixed strings (contents, notes...) in your "
        "words, over the tool's for the book's language."),
    Key("jobs", "a whole number, 1 or more", "Worker processes for long builds; default: every core (-j overrides)."),
)}

MARC_ROLES = {
    "aut": "author", "edt": "editor", "trl": "translator", "ill": "illustrator", "aui": "foreword author",
    "aft": "afterword author", "ann": "annotator", "art": "artist", "bkd": "book designer",
    "cov": "cover designer", "ctb": "contributor", "com": "compiler", "nrt": "narrator", "pht": "photographer",
    "pbl": "publisher", "red": "redactor", "pfr": "proofreader", "prf": "performer",
    "wst": "writer of supplementary textual content",
}

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ChapterRef:
    name: str
    line: int | None


@dataclass(frozen=True)
class BookConfig:
    metadata: Metadata
    print: PrintOptions
    chapters: tuple[ChapterRef, ...] | None  # None: every *.md in the folder
    cover_line: int | None = None
    epub: EpubOptions = EpubOptions()
    lint: LintOptions = LintOptions()
    jobs: int | None = None
    contents: ContentsOptions = ContentsOptions()
    strings: Strings = Strings("en")
    limits: LimitOptions = LimitOptions()
    fonts: Typefaces = Typefaces()


def parse_book_yaml(text: str, path: Path) -> BookConfig:
    """Validate book.yaml; raise ConfigError listing every problem found, in line order."""
    document = YamlDocument(text, path)
    data = document.data
    check = Validator(document, {name: key.kind for name, key in BOOK_KEYS.items()})
    if not isinstance(data, dict):
        raise ConfigError(Problem(
            f"book.yaml must be a mapping of keys such as 'title:' and 'language:', not {type_name(data)}", path, 1))
    check.check_keys(data, BOOK_KEYS)
    metadata = _metadata(data, check)
    sections = {name: section_options(name, data.get(name), check) for name in SECTIONS}
    strings = book_strings(metadata.language or "en", data.get("strings"), check)
    chapters = _chapter_refs(data.get("chapters"), check)
    jobs = data.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        check.problem(f"jobs must be a whole number of worker processes, 1 or more, not {jobs!r}", "jobs")
    fonts = _typefaces(sections["fonts"], path.parent, check)
    if check.problems:
        raise ConfigError(sorted(check.problems, key=lambda problem: problem.line or 0))
    return BookConfig(metadata, sections["print"], chapters, document.line("cover") if "cover" in data else None,
                      sections["epub"], sections["lint"], jobs, sections["contents"], strings, sections["limits"],
                      fonts)


def _typefaces(options, root: Path, check: Validator) -> Typefaces:
    try:
        return book_typefaces(options, root)
    except FontNotFound as error:
        check.problem(str(error), "fonts", error.role)
        return shipped_typefaces()


def _metadata(data: dict, check: Validator) -> Metadata:
    title = check.text(data.get("title"), "title") or ""
    language = check.text(data.get("language"), "language") or ""
    if language and not LANGUAGE_TAG.match(language):
        check.problem(f"language '{language}' is not a BCP 47 tag such as 'en', 'en-GB' or 'fr'", "language")
    creators = _creators(data, check)
    date = check.text(data.get("date"), "date")
    if date and not DATE.match(date):
        check.problem(f"date '{date}' must look like 2024, 2024-05 or 2024-05-31", "date")
    slug = check.text(data.get("slug"), "slug")
    if slug and not SLUG.match(slug):
        check.problem(f"slug '{slug}' may hold only lowercase letters, digits and single hyphens", "slug")
    cover = check.text(data.get("cover"), "cover")
    identifier, wrong = make_identifier(check.text(data.get("identifier"), "identifier"), title, creators)
    if wrong:
        check.problem(wrong, "identifier")
    return Metadata(
        title=title, language=language, identifier=identifier, slug=slug or slugify(title) or "book",
        subtitle=check.text(data.get("subtitle"), "subtitle"), creators=creators,
        publisher=check.text(data.get("publisher"), "publisher"), date=date,
        rights=check.text(data.get("rights"), "rights"), description=check.text(data.get("description"), "description"),
        subjects=check.text_list(data.get("subjects"), "subjects"), cover=Path(cover) if cover else None,
        version=check.text(data.get("version"), "version"),
    )


def _creators(data: dict, check: Validator) -> tuple[Creator, ...]:
    creators = [Creator(name) for name in check.text_list(data.get("author"), "author")]
    raw = data.get("creators")
    if raw is None:
        return tuple(creators)
    if not isinstance(raw, list):
        check.problem(f"'creators' must be a list of {{name, role}} entries, not {type_name(raw)}", "creators")
        return tuple(creators)
    for index, entry in enumerate(raw):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            check.problem(f"creator {index + 1} needs a 'name' (e.g. '- name: Jane Austen')", "creators", index)
            continue
        unknown = set(entry) - {"name", "role", "file_as"}
        for key in sorted(unknown):
            close = difflib.get_close_matches(key, ["name", "role", "file_as"], n=1)
            hint = f" — did you mean '{close[0]}'?" if close else "; use name, role and file_as"
            check.problem(f"unknown key '{key}' in creator {index + 1}{hint}", "creators", index, key)
        role = str(entry.get("role") or "aut").strip()
        if role not in MARC_ROLES:
            close = difflib.get_close_matches(role, MARC_ROLES, n=1)
            hint = (f" — did you mean '{close[0]}'?" if close
                    else f"; use a MARC relator code such as {', '.join(list(MARC_ROLES)[:4])}")
            check.problem(f"unknown role '{role}' for creator {index + 1}{hint}", "creators", index, "role")
        file_as = entry.get("file_as")
        creator = Creator(entry["name"].strip(), role, str(file_as).strip() if file_as else None)
        same = [i for i, known in enumerate(creators) if (known.name, known.role) == (creator.name, role)]
        if same:  # named under `author:` too: credited once, with what `creators:` says
            creators[same[0]] = creator
        else:
            creators.append(creator)
    return tuple(creators)


def _chapter_refs(raw: Any, check: Validator) -> tuple[ChapterRef, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        check.problem("'chapters' must be a non-empty list of Markdown files (e.g. '- 01-opening.md')", "chapters")
        return ()
    refs, seen = [], {}
    for index, item in enumerate(raw):
        line = check.doc.line("chapters", index)
        if not isinstance(item, str) or not item.strip():
            check.problem(f"chapter {index + 1} must be a file name such as '01-opening.md'", "chapters", index)
            continue
        name = item.strip()
        if name in seen:
            check.problem(f"chapter '{name}' is listed twice (also at line {seen[name]}); list it once",
                          "chapters", index)
            continue
        seen[name] = line
        refs.append(ChapterRef(name, line))
    return tuple(refs)
