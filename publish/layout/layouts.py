"""The print layouts one build makes of its book: each printer profile laid out once, for every format that
needs it, whole or in parts; and the page starts saved for a later build, so that an EPUB built after the PDF
takes its page list without loading WeasyPrint."""

from __future__ import annotations

import json
from pathlib import Path

from publish.errors import Report
from publish.layout import parallel
from publish.layout.code import report_long_code
from publish.layout.document import PageStart, PrintLayout
from publish.layout.kept_parts import KeptForPrint, for_print_folder
from publish.layout.print_html import (
    layout_key,
    print_environment,
    print_html,
    text_measure_pt,
)
from publish.layout.profiles import PrintProfile, profile_named
from publish.layout.whole import lay_out_whole
from publish.model import RenderedBook, primary_language
from publish.output import write_atomic
from publish.progress import Stage, no_progress


class PrintLayouts:
    """What one build lays out of `book`: each profile's layout, made the first time a format asks for it.
    `cache` is the book's folder for what later builds may reuse (None: nothing is kept); `jobs` is how many
    worker processes a long book may be laid out by."""

    def __init__(self, book: RenderedBook, version: str, report: Report, stage: Stage = no_progress,
                 jobs: int = 1, cache: Path | None = None) -> None:
        self.book, self.version, self.report = book, version, report
        self.stage, self.jobs, self.cache = stage, jobs, cache
        self._html: dict[str, str] = {}
        self._made: dict[str, PrintLayout] = {}

    def layout(self, profile: PrintProfile | None = None) -> PrintLayout:
        """The book laid out for a printer profile (the book's own by default)."""
        profile = profile or profile_named(self.book.print.profile)
        if profile.name not in self._made:
            if not self._made:
                warn_without_hyphenation(self.book, self.report)
            if not self.book.print.code_wrap:
                report_long_code(self.book, text_measure_pt(self.book, profile), self.report)
            body = parallel.parts(self.book, profile, self.jobs)
            if body:
                made = parallel.lay_out_in_parts(self.book, self.version, self.report, profile, self.stage, self.jobs,
                                                 body, self.cache)
            else:
                made = lay_out_whole(self.book, self._print_html(profile), self.report, profile, self.stage)
            self._made[profile.name] = made
            if self.cache is not None:
                save_page_starts(self._starts_file(profile), self._key(profile), made)
        return self._made[profile.name]

    def page_starts(self) -> tuple[PageStart, ...]:
        """Where the pages of the book's print edition begin: saved by an earlier build of the same input (the
        PDF's, say), or laid out now. A saved one never loads WeasyPrint."""
        profile = profile_named(self.book.print.profile)
        if profile.name not in self._made and self.cache is not None:
            saved = load_page_starts(self._starts_file(profile), self._key(profile))
            if saved is not None:
                return saved
        return self.layout(profile).page_starts

    def _print_html(self, profile: PrintProfile) -> str:
        """The whole book as print HTML, made once per profile for its layout and its key, with the chapters'
        formulas and code as earlier builds kept them for print."""
        if profile.name not in self._html:
            kept = KeptForPrint(for_print_folder(self.cache, profile), self.book) if self.cache is not None else None
            env = print_environment(self.book, profile, kept=kept)
            self._html[profile.name] = print_html(env, self.book, self.version, profile, self.book.chapters)
            if kept is not None:
                kept.forget_unused()
        return self._html[profile.name]

    def _key(self, profile: PrintProfile) -> str:
        return layout_key(self.book, self._print_html(profile), self.version, profile)

    def _starts_file(self, profile: PrintProfile) -> Path:
        return page_starts_file(self.cache, profile)


UNHYPHENATED = ("ja", "zh", "ko", "th", "lo", "km", "my", "ar", "fa", "ur", "he", "yi")  # scripts never hyphenated


def warn_without_hyphenation(book: RenderedBook, report: Report) -> None:
    """Print hyphenates with Pyphen's dictionary for the book's language: say so when there is none."""
    import pyphen

    language = book.metadata.language
    if primary_language(language) in UNHYPHENATED or pyphen.language_fallback(language.replace("-", "_")):
        return
    report.warn(f"print: no hyphenation dictionary for language '{language}', so no word is hyphenated and "
                "justified lines may be loose; check the language tag, or set such lines by hand",
                book.root / "book.yaml")


def save_page_starts(path: Path, key: str, layout: PrintLayout) -> None:
    data = {"key": key, "pages": layout.page_count,
            "starts": [[s.label, s.chapter_id, list(s.path), s.words_before] for s in layout.page_starts]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data).encode("utf-8"))


def load_page_starts(path: Path, key: str) -> tuple[PageStart, ...] | None:
    """The page starts an earlier build saved for exactly this input, else None."""
    saved = last_page_starts(path)
    return saved[0] if saved is not None and saved[2] == key else None


def last_page_starts(path: Path) -> tuple[tuple[PageStart, ...], int, str] | None:
    """The page starts the last build saved, whatever its input, with its page count and key; None if none."""
    try:
        data = json.loads(path.read_bytes())
        starts = tuple(PageStart(label, chapter, tuple(place), words) for label, chapter, place, words in
                       data["starts"])
        return starts, int(data.get("pages", 0)), data["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def page_starts_file(cache: Path, profile: PrintProfile) -> Path:
    """Where a build whose cache folder for the book is `cache` saves a profile's page starts."""
    return cache / f"page-starts-{profile.name}.json"
