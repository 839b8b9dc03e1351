"""Output formats: each declares its name and suffix and is looked up here; duplicates are refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from publish.cache.chapters import ChapterCache
from publish.errors import Report
from publish.model import RenderedBook
from publish.progress import Stage, no_progress


@dataclass(frozen=True)
class BuildContext:
    report: Report
    modified: datetime  # UTC; stamped into outputs so the same input gives the same bytes
    version: str
    profile: str | None = None  # the printer profile asked for on the command line, else the book's
    cache: Path | None = None  # a folder for what later builds may reuse (build/.cache); None: keep nothing
    chapter_cache: ChapterCache | None = None  # written once the build has succeeded
    stage: Stage = field(default=no_progress, repr=False, compare=False)  # where progress is shown
    jobs: int = 1  # worker processes a long book's print layout may use
    _layouts: dict = field(default_factory=dict, repr=False, compare=False)

    def profile_for(self, book: RenderedBook) -> str:
        return self.profile or book.print.profile

    def print_layout(self, book: RenderedBook, profile=None):
        """The book laid out for a printer profile (the book's own by default), computed once per build for
        every format that needs it."""
        from publish.layout.pagination import lay_out
        from publish.layout.profiles import profile_named

        profile = profile or profile_named(book.print.profile)
        key = (id(book), profile.name)
        if key not in self._layouts:
            self._layouts[key] = lay_out(book, self.version, self.report, profile, self.stage, self.jobs,
                                         self.book_cache(book))
            if self.cache is not None:
                from publish.layout.pagination import layout_key, save_page_starts

                save_page_starts(self._starts_file(book, profile.name), layout_key(book, self.version, profile),
                                 self._layouts[key])
        return self._layouts[key]

    def page_starts(self, book: RenderedBook):
        """Where the pages of the book's print edition begin: saved by an earlier build of the same input (the
        PDF's, say), or laid out now. A hit never loads WeasyPrint."""
        from publish.layout.pagination import layout_key, load_page_starts
        from publish.layout.profiles import profile_named

        if (id(book), book.print.profile) not in self._layouts and self.cache is not None:
            key = layout_key(book, self.version, profile_named(book.print.profile))
            saved = load_page_starts(self._starts_file(book, book.print.profile), key)
            if saved is not None:
                return saved
        return self.print_layout(book).page_starts

    def _starts_file(self, book: RenderedBook, profile: str) -> Path:
        return self.book_cache(book) / f"page-starts-{profile}.json"

    def book_cache(self, book: RenderedBook) -> Path | None:
        """The book's own folder in the cache, None when nothing is kept."""
        return self.cache / book.metadata.slug if self.cache is not None else None


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str
    description: str
    build: Callable[[RenderedBook, BuildContext], bytes]
    has_profiles: bool = False  # built for a printer profile: another than the book's goes to <slug>-<profile>

    def file_name(self, slug: str, book_profile: str, chosen_profile: str | None) -> str:
        if self.has_profiles and chosen_profile and chosen_profile != book_profile:
            return f"{slug}-{chosen_profile}{self.suffix}"
        return f"{slug}{self.suffix}"


class Registry:
    def __init__(self, formats: list[OutputFormat] | tuple[OutputFormat, ...] = ()) -> None:
        self._formats: dict[str, OutputFormat] = {}
        for output_format in formats:
            self.add(output_format)

    def add(self, output_format: OutputFormat) -> None:
        if output_format.name in self._formats:
            raise ValueError(f"output format '{output_format.name}' is registered twice")
        self._formats[output_format.name] = output_format

    def get(self, name: str) -> OutputFormat:
        return self._formats[name]

    def names(self) -> list[str]:
        return list(self._formats)
