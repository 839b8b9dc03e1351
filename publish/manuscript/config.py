"""book.yaml: its declared schema, and validation that reports every problem with its line."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publish.errors import ConfigError, Problem
from publish.model import Creator, EpubOptions, LintOptions, Metadata, PrintOptions


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # what the writer must give, in their words
    description: str
    required: bool = False


BOOK_FIELDS = {f.name: f for f in (
    Field("title", "text", "The book's title.", required=True),
    Field("subtitle", "text", "A subtitle, shown under the title."),
    Field("author", "a name or a list of names", "Shorthand for creators with role 'aut'."),
    Field("creators", "a list of {name, role, file_as}", "Everyone credited, with MARC relator roles."),
    Field("language", "a BCP 47 tag such as en or en-GB", "The language of the text.", required=True),
    Field("identifier", "a URN, UUID, ISBN or URL", "The book's unique identifier."),
    Field("publisher", "text", "The publisher's name."),
    Field("date", "a date such as 2024 or 2024-05-31", "Publication date."),
    Field("rights", "text", "Copyright or licence statement."),
    Field("description", "text", "A short description (blurb)."),
    Field("subjects", "a list of texts", "Subject headings or keywords."),
    Field("cover", "a path to a JPEG or PNG image", "Cover image; one is generated when absent."),
    Field("version", "text (quote numbers: '1.0')", "Edition or version label."),
    Field("slug", "lowercase letters, digits and hyphens", "Output file name; made from the title when absent."),
    Field("chapters", "a list of Markdown file names", "Chapter files in reading order; all *.md when absent."),
    Field("print", "a mapping", "Print (PDF) options, see below."),
    Field("epub", "a mapping", "Ebook options, see below."),
    Field("lint", "a mapping", "Proofreading checks (publish lint), see below."),
    Field("jobs", "a whole number, 1 or more", "Worker processes for long builds; default: every core (-j overrides)."),
)}

EPUB_FIELDS = {f.name: f for f in (
    Field("page_list", "true or false", "Mark the print edition's page breaks in the ebook; default true."),
    Field("notes", "chapter or book", "Where notes go: end of each chapter (default) or end of the book."),
)}

LINT_FIELDS = {f.name: f for f in (
    Field("disable", "a list of rule names", "Lint rules switched off for this book (publish lint --rules lists them)."),
    Field("sentence_words", "a whole number", "Report sentences longer than this many words; default 60."),
)}

PRINT_FIELDS = {f.name: f for f in (
    Field("trim_size", "a preset (5x8, 5.25x8, 5.5x8.5, 6x9, a5, 129x198mm) or 'W x H in|mm'",
          "Trimmed page size; default 5.5x8.5."),
    Field("chapter_start", "recto, page or flow", "Where each chapter starts; default recto."),
    Field("toc_depth", "1 to 3", "Heading levels listed in the contents; default 2."),
    Field("profile", "screen, kdp, ingram or lulu", "The printer the PDF is made for; default kdp."),
    Field("bleed", "true or false", "Add 0.125 in of bleed around the page; default: what the profile needs."),
    Field("crop_marks", "true or false", "Draw crop marks outside the bleed (not for kdp, lulu or screen)."),
    Field("pad_to", "an even number", "Pad the page count with blank pages to a multiple of this; default 2."),
    Field("opener", "small-caps, drop-cap or plain", "How a chapter's first paragraph begins; default small-caps."),
    Field("section_start", "flow, page or recto", "Where each second-level section starts; default flow."),
    Field("paper", "white or cream", "The paper, for the cover's spine width; default white."),
    Field("page_thickness", "a number of inches", "Thickness of one page (leaf side), overriding the paper's."),
)}

# The rules `publish lint` has (proofing/lint.py defines them; a test keeps the two lists the same).
LINT_RULES = ("straight-quotes", "double-space", "space-before-punctuation", "hyphen-as-dash", "unbalanced",
              "repeated-word", "ellipsis", "inconsistent-spelling", "long-sentence", "image-alt", "dead-link",
              "markup", "spelling")

TRIM_PRESETS_MM = {
    "5x8": (127.0, 203.2),
    "5.25x8": (133.35, 203.2),
    "5.5x8.5": (139.7, 215.9),
    "6x9": (152.4, 228.6),
    "a5": (148.0, 210.0),
    "129x198mm": (129.0, 198.0),
}
DEFAULT_TRIM = "5.5x8.5"
CHAPTER_STARTS = ("recto", "page", "flow")
PROFILES = ("screen", "kdp", "ingram", "lulu")
NO_MARKS_PROFILES = ("screen", "kdp", "lulu")  # their printers refuse crop marks
OPENERS = ("small-caps", "drop-cap", "plain")
PAPERS = ("white", "cream")

MARC_ROLES = {
    "aut": "author", "edt": "editor", "trl": "translator", "ill": "illustrator", "aui": "foreword author",
    "aft": "afterword author", "ann": "annotator", "art": "artist", "bkd": "book designer",
    "cov": "cover designer", "ctb": "contributor", "com": "compiler", "nrt": "narrator", "pht": "photographer",
    "pbl": "publisher", "red": "redactor", "pfr": "proofreader", "prf": "performer", "wst": "writer of supplementary textual content",
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


class YamlDocument:
    """Parsed YAML plus the line of every key, so problems can say where they are."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else {}
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else None
            where = f" at column {mark.column + 1}" if mark else ""
            raise ConfigError(Problem(
                f"invalid YAML{where}: {error.problem or error.context}; check the indentation and quoting",
                path, line)) from None
        finally:
            loader.dispose()
        if node is not None:
            self._record_lines(node, ())

    def _record_lines(self, node: yaml.Node, key_path: tuple) -> None:
        self.lines[key_path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.problems.append(Problem(
                        f"key '{key}' is given twice; keep one", self.path, key_node.start_mark.line + 1))
                seen.add(key)
                self._record_lines(value_node, key_path + (key,))
                self.lines[key_path + (key,)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._record_lines(item, key_path + (index,))

    def line(self, *key_path) -> int | None:
        while key_path and key_path not in self.lines:
            key_path = key_path[:-1]
        return self.lines.get(key_path)


class Validator:
    def __init__(self, document: YamlDocument) -> None:
        self.doc = document
        self.problems = list(document.problems)

    def problem(self, message: str, *key_path) -> None:
        self.problems.append(Problem(message, self.doc.path, self.doc.line(*key_path)))

    def check_keys(self, mapping: dict, fields: dict[str, Field], *key_path) -> None:
        suggested = set()
        for key in mapping:
            if key in fields:
                continue
            close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
            hint = f" — did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(fields)}"
            suggested.update(close)
            self.problem(f"unknown key '{key}'{hint}", *key_path, key)
        for field in fields.values():
            if field.required and mapping.get(field.name) in (None, "") and field.name not in suggested:
                self.problem(f"missing required key '{field.name}' ({field.kind})", *key_path)

    def text(self, value: Any, *key_path) -> str | None:
        if value is None:
            return None
        if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
            return self._date_or_number(value, *key_path)
        if not isinstance(value, str):
            self.problem(f"'{key_path[-1]}' must be {_kind(key_path)}, not {_type_name(value)}", *key_path)
            return None
        return value.strip() or None

    def _date_or_number(self, value: Any, *key_path) -> str | None:
        if key_path[-1] == "date" and isinstance(value, dt.date):
            return value.isoformat()[:10]
        if key_path[-1] == "date" and isinstance(value, int) and 1000 <= value <= 9999:
            return str(value)
        if isinstance(value, (int, float)):
            self.problem(f"'{key_path[-1]}' must be text: write it in quotes, e.g. '{value}'", *key_path)
            return None
        self.problem(f"'{key_path[-1]}' must be {_kind(key_path)}, not a date", *key_path)
        return None

    def text_list(self, value: Any, *key_path) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(f"'{key_path[-1]}' must be {_kind(key_path)}, not {_type_name(value)}", *key_path)
            return ()
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"item {index + 1} of '{key_path[-1]}' must be a non-empty text", *key_path, index)
            else:
                items.append(item.strip())
        return tuple(items)


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            type(None): "empty"}.get(type(value), type(value).__name__)


def _kind(key_path: tuple) -> str:
    fields = {"print": PRINT_FIELDS, "epub": EPUB_FIELDS, "lint": LINT_FIELDS}.get(key_path[0], BOOK_FIELDS) if key_path else BOOK_FIELDS
    field = fields.get(key_path[-1]) if key_path and isinstance(key_path[-1], str) else None
    return field.kind if field else "text"


def parse_book_yaml(text: str, path: Path) -> BookConfig:
    """Validate book.yaml; raise ConfigError listing every problem found."""
    document = YamlDocument(text, path)
    data = document.data
    check = Validator(document)
    if not isinstance(data, dict):
        raise ConfigError(Problem(
            f"book.yaml must be a mapping of keys such as 'title:' and 'language:', not {_type_name(data)}", path, 1))
    check.check_keys(data, BOOK_FIELDS)
    metadata = _metadata(data, check)
    print_options = _print_options(data.get("print"), check)
    epub_options = _epub_options(data.get("epub"), check)
    lint_options = _lint_options(data.get("lint"), check)
    chapters = _chapter_refs(data.get("chapters"), check)
    jobs = data.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        check.problem(f"jobs must be a whole number of worker processes, 1 or more, not {jobs!r}", "jobs")
    if check.problems:
        raise ConfigError(check.problems)
    return BookConfig(metadata, print_options, chapters, document.line("cover") if "cover" in data else None,
                      epub_options, lint_options, jobs)


def _lint_options(raw: Any, check: Validator) -> LintOptions:
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        check.problem(f"'lint' must be a mapping (e.g. 'lint:' then '  disable: [long-sentence]'), not "
                      f"{_type_name(raw)}", "lint")
        return LintOptions()
    check.check_keys(raw, LINT_FIELDS, "lint")
    disabled = check.text_list(raw.get("disable"), "lint", "disable")
    names = list(LINT_RULES)
    for name in disabled:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" — did you mean '{close[0]}'?" if close else f"; rules: {', '.join(names)}"
            check.problem(f"unknown lint rule '{name}'{hint}", "lint", "disable")
    words = raw.get("sentence_words", 60)
    if not isinstance(words, int) or isinstance(words, bool) or words < 10:
        check.problem(f"sentence_words must be a whole number of 10 or more, not {words!r}", "lint", "sentence_words")
        words = 60
    return LintOptions(disabled, words)


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
    identifier = _identifier(check.text(data.get("identifier"), "identifier"), title, creators, check)
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
        check.problem(f"'creators' must be a list of {{name, role}} entries, not {_type_name(raw)}", "creators")
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
            hint = f" — did you mean '{close[0]}'?" if close else f"; use a MARC relator code such as {', '.join(list(MARC_ROLES)[:4])}"
            check.problem(f"unknown role '{role}' for creator {index + 1}{hint}", "creators", index, "role")
        file_as = entry.get("file_as")
        creators.append(Creator(entry["name"].strip(), role, str(file_as).strip() if file_as else None))
    return tuple(creators)


ISBN = re.compile(r"^(?:urn:isbn:|isbn:?\s*)?([0-9][0-9 -]{8,15}[0-9Xx])$", re.IGNORECASE)


def _identifier(value: str | None, title: str, creators: tuple[Creator, ...], check: Validator) -> str:
    if value is None:
        # Stable across builds, so readers' libraries treat a rebuild as the same book.
        seed = "|".join([title, *(c.name for c in creators)])
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'publish:' + seed)}"
    isbn = ISBN.match(value)
    if isbn:
        digits = isbn.group(1).replace("-", "").replace(" ", "").upper()
        if not _isbn_checksum_ok(digits):
            check.problem(f"identifier '{value}' is not a valid ISBN (its check digit is wrong)", "identifier")
        return f"urn:isbn:{digits}"
    try:
        return f"urn:uuid:{uuid.UUID(value.removeprefix('urn:uuid:'))}"
    except ValueError:
        pass
    if re.match(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", value, re.IGNORECASE) or re.match(r"^https?://\S+$", value):
        return value
    check.problem(f"identifier '{value}' must be a URN (urn:...), a UUID, an ISBN or a URL", "identifier")
    return value


def _isbn_checksum_ok(digits: str) -> bool:
    if len(digits) == 13 and digits.isdigit():
        return sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0
    if len(digits) == 10 and digits[:9].isdigit():
        values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
    return False


def _print_options(raw: Any, check: Validator) -> PrintOptions:
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        check.problem(f"'print' must be a mapping (e.g. 'print:' then '  trim_size: 6x9'), not {_type_name(raw)}", "print")
        raw = {}
    check.check_keys(raw, PRINT_FIELDS, "print")
    width, height = _trim_size(raw.get("trim_size", DEFAULT_TRIM), check)
    chapter_start = raw.get("chapter_start", "recto")
    if chapter_start not in CHAPTER_STARTS:
        check.problem(f"chapter_start '{chapter_start}' must be one of {', '.join(CHAPTER_STARTS)}", "print", "chapter_start")
    toc_depth = raw.get("toc_depth", 2)
    if not isinstance(toc_depth, int) or isinstance(toc_depth, bool) or not 1 <= toc_depth <= 3:
        check.problem(f"toc_depth must be 1, 2 or 3, not {toc_depth!r}", "print", "toc_depth")
        toc_depth = 2
    profile = _choice(raw, "profile", PROFILES, "kdp", check)
    section_start = _choice(raw, "section_start", CHAPTER_STARTS, "flow", check)
    opener = _choice(raw, "opener", OPENERS, "small-caps", check)
    paper = _choice(raw, "paper", PAPERS, "white", check)
    bleed = _flag(raw, "bleed", None, check)
    crop_marks = _flag(raw, "crop_marks", False, check)
    if crop_marks and profile in NO_MARKS_PROFILES:
        check.problem(f"crop_marks: the {profile} profile's printer refuses crop marks; remove 'crop_marks: true' "
                      f"or choose profile: ingram", "print", "crop_marks")
    pad_to = raw.get("pad_to", 2)
    if not isinstance(pad_to, int) or isinstance(pad_to, bool) or pad_to < 2 or pad_to % 2:
        check.problem(f"pad_to must be an even whole number such as 2, 16 or 32, not {pad_to!r}", "print", "pad_to")
        pad_to = 2
    thickness = raw.get("page_thickness")
    if thickness is not None and (isinstance(thickness, bool) or not isinstance(thickness, (int, float))
                                  or not 0.001 <= thickness <= 0.01):
        check.problem(f"page_thickness must be inches per page between 0.001 and 0.01 (white paper is about "
                      f"0.0023), not {thickness!r}", "print", "page_thickness")
        thickness = None
    return PrintOptions(width, height, chapter_start, toc_depth, profile, bleed, crop_marks, pad_to, opener,
                        section_start, paper, thickness)


def _choice(raw: dict, key: str, choices: tuple[str, ...], default: str, check: Validator) -> str:
    value = raw.get(key, default)
    if value not in choices:
        check.problem(f"{key} '{value}' must be one of {', '.join(choices)}", "print", key)
        return default
    return value


def _flag(raw: dict, key: str, default: bool | None, check: Validator) -> bool | None:
    value = raw.get(key, default)
    if value is not default and not isinstance(value, bool):
        check.problem(f"{key} must be true or false, not {value!r}", "print", key)
        return default
    return value


def _epub_options(raw: Any, check: Validator) -> EpubOptions:
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        check.problem(f"'epub' must be a mapping (e.g. 'epub:' then '  notes: book'), not {_type_name(raw)}", "epub")
        return EpubOptions()
    check.check_keys(raw, EPUB_FIELDS, "epub")
    page_list = raw.get("page_list", True)
    if not isinstance(page_list, bool):
        check.problem(f"page_list must be true or false, not {page_list!r}", "epub", "page_list")
        page_list = True
    notes = raw.get("notes", "chapter")
    if notes not in ("chapter", "book"):
        check.problem(f"notes '{notes}' must be chapter or book", "epub", "notes")
        notes = "chapter"
    return EpubOptions(page_list=page_list, notes=notes)


TRIM_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(in|mm|cm)\s*$", re.IGNORECASE)
UNIT_MM = {"in": 25.4, "mm": 1.0, "cm": 10.0}


def _trim_size(value: Any, check: Validator) -> tuple[float, float]:
    text = str(value).strip().lower().replace(" ", "")
    if text in TRIM_PRESETS_MM:
        return TRIM_PRESETS_MM[text]
    if text.removesuffix("in") in TRIM_PRESETS_MM:
        return TRIM_PRESETS_MM[text.removesuffix("in")]
    custom = TRIM_CUSTOM.match(str(value))
    if custom:
        factor = UNIT_MM[custom.group(3).lower()]
        width, height = float(custom.group(1)) * factor, float(custom.group(2)) * factor
        if 76 <= width <= 432 and 76 <= height <= 432:
            return round(width, 2), round(height, 2)
    check.problem(f"trim_size '{value}' is not a preset ({', '.join(TRIM_PRESETS_MM)}) "
                  "nor a size such as '6 x 9 in' or '140 x 216 mm' between 3 and 17 in", "print", "trim_size")
    return TRIM_PRESETS_MM[DEFAULT_TRIM]


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


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
