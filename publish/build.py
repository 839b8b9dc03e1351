"""The pipeline: load the manuscript, render it, build each format, write the files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from publish import __version__
from publish.cache.chapters import ChapterCache
from publish.errors import ConfigError, Problem, PublishError, Report
from publish.formats import FORMATS
from publish.cache.freshness import Inputs, Record, Warnings, source_digest
from publish.manuscript.loading import load_book
from publish.model import Book, RenderedBook
from publish.output import write_atomic
from publish.progress import Stage, no_progress
from publish.formats.registry import BuildContext
from publish.render.book import render_book

CACHE = ".cache"  # inside the output folder: what later builds may reuse (safe to delete)


@dataclass(frozen=True)
class Sources:
    """The manuscript as a build reads it: the hash of every input, taken first (a file saved later makes the
    outputs out of date, never wrongly up to date), then the book."""

    digest: str
    book: Book

    @classmethod
    def read(cls, manuscript: Path, out_dir: Path) -> Sources:
        digest = source_digest(manuscript, out_dir)
        return cls(digest, load_book(manuscript))


def build(manuscript: Path, out_dir: Path, format_names: list[str], report: Report,
          stage: Stage = no_progress, strict: bool = False, keep_going: bool = False,
          profile: str | None = None, jobs: int | None = None, sources: Sources | None = None) -> list[Path]:
    """Build each named format; nothing is written unless it was built whole (and, if strict, without warnings).
    `profile` names a printer profile other than the book's for the formats that have them; `jobs` is how many
    worker processes long books may use (default: book.yaml's, else every core); `sources`, when given, is what
    fresh_outputs read just before."""
    sources = sources or Sources.read(manuscript, out_dir)
    rendered, context = prepare(manuscript, report, stage, keep_going, profile, cache=out_dir / CACHE, jobs=jobs,
                                book=sources.book)
    rendering_warnings = tuple(report.warnings)
    outputs = []
    for name in format_names:
        output_format = FORMATS.get(name)
        before = len(report.warnings)
        with stage(name):
            data = output_format.build(rendered, context)
            if strict and report.warnings:
                raise PublishError(f"{len(report.warnings)} warnings and --strict: nothing written")
            path = write_atomic(out_dir / output_format.file_name(rendered.metadata.slug, rendered.print.profile,
                                                                  profile), data)
        inputs = _inputs(sources.digest, path, context.modified, profile, keep_going)
        _record(out_dir, rendered.metadata.slug, path).save(
            path, inputs, Warnings(rendering_warnings, tuple(report.warnings[before:])))
        outputs.append(path)
    if context.chapter_cache is not None:
        context.chapter_cache.save()
    return outputs


def fresh_outputs(manuscript: Path, out_dir: Path, format_names: list[str], report: Report, strict: bool = False,
                  keep_going: bool = False, profile: str | None = None,
                  sources: Sources | None = None) -> list[Path] | None:
    """The outputs, if every one is still what a build would write (their warnings are reported again), else None."""
    sources = sources or Sources.read(manuscript, out_dir)
    book = sources.book
    paths = _output_paths(book, out_dir, format_names, profile)
    modified = source_date(book)
    found = [_record(out_dir, book.metadata.slug, path).fresh(
        path, _inputs(sources.digest, path, modified, profile, keep_going)) for path in paths]
    if not found or any(warnings is None for warnings in found):
        return None
    for warning in (*found[0].render, *(warning for warnings in found for warning in warnings.own)):
        report.warn(warning.message, warning.path, warning.line)
    if strict and report.warnings:
        raise PublishError(f"{len(report.warnings)} warnings and --strict: nothing written")
    return paths


def _inputs(sources: str, output: Path, modified: datetime, profile: str | None, keep_going: bool) -> Inputs:
    return Inputs.of(sources, output.name, modified, f"profile={profile} keep_going={keep_going}")


def _record(out_dir: Path, slug: str, output: Path) -> Record:
    return Record(out_dir / CACHE / slug / f"{output.name}.inputs.json")


def prepare(manuscript: Path, report: Report, stage: Stage = no_progress,
            keep_going: bool = False, profile: str | None = None,
            cache: Path | None = None, jobs: int | None = None,
            book: Book | None = None) -> tuple[RenderedBook, BuildContext]:
    """Load (unless `book` is given) and render the manuscript; what every format is built from. With a `cache`
    folder, chapters rendered by an earlier build of the same input are taken from it."""
    with stage("load"):  # already read when the caller checked whether the outputs were up to date
        book = book or load_book(manuscript)
    jobs = jobs or book.jobs or available_cores()
    chapters = ChapterCache(cache / book.metadata.slug / "chapters") if cache is not None else None
    with stage("render", len(book.chapters)) as advance:
        rendered = render_book(book, report, keep_going, chapters, jobs, advance)
    return rendered, BuildContext(report=report, modified=source_date(book), version=__version__, profile=profile,
                                  cache=cache, stage=stage, chapter_cache=chapters, jobs=jobs)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def output_paths(manuscript: Path, out_dir: Path, format_names: list[str], profile: str | None = None) -> list[Path]:
    return _output_paths(load_book(manuscript), out_dir, format_names, profile)


def _output_paths(book: Book, out_dir: Path, format_names: list[str], profile: str | None) -> list[Path]:
    return [out_dir / FORMATS.get(name).file_name(book.metadata.slug, book.print.profile, profile)
            for name in format_names]


def check(manuscript: Path, report: Report) -> RenderedBook:
    """Everything a build does short of writing outputs: load, validate and render."""
    return render_book(load_book(manuscript), report)


def source_date(book: Book) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the newest manuscript file's time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError):
            raise ConfigError(Problem(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{epoch}'")) from None
    files = [book.root / "book.yaml", *(chapter.path for chapter in book.chapters)]
    newest = max(path.stat().st_mtime for path in files)
    return datetime.fromtimestamp(int(newest), tz=timezone.utc)
