"""The pipeline: load the manuscript, render it, make each format from the rendering, write the files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from publish import __version__
from publish.cache.chapters import ChapterCache
from publish.cache.freshness import Inputs, Record, Warnings, source_digest
from publish.errors import ConfigError, Problem, PublishError, Report
from publish.formats import FORMATS
from publish.formats.context import BuildContext
from publish.layout.layouts import PrintLayouts
from publish.manuscript.loading import load_book
from publish.model import Book, RenderedBook
from publish.output import output_folder, write_atomic
from publish.progress import Stage, no_progress
from publish.render.book import render_book

CACHE = ".cache"  # inside the output folder: what later builds may reuse (safe to delete)


@dataclass(frozen=True)
class BuildOptions:
    """What the command line (or the command that builds) chooses; book.yaml says the rest."""

    strict: bool = False  # a warning fails the build, and nothing is written
    keep_going: bool = False  # missing or broken images become placeholders (with a warning)
    profile: str | None = None  # a printer profile other than the book's, for the formats that have them
    jobs: int | None = None  # worker processes for long books; None: book.yaml's, else every core
    stage: Stage = field(default=no_progress, compare=False)  # where progress is shown
    stamp: str | None = None  # printed small at the top of every PDF page (proofs)
    source_date: datetime | None = None  # the time stamped into outputs; None: see source_date()


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


class Pipeline:
    """One build of one book: rendered once, then each format made from that rendering, the print layouts shared
    by the formats that need them. `cache` is a folder for what later builds may reuse (None: keep nothing);
    `version` replaces the book's own (a release names its version)."""

    def __init__(self, book: Book, report: Report, options: BuildOptions = BuildOptions(),
                 cache: Path | None = None, version: str | None = None) -> None:
        self.report, self.options = report, options
        jobs = options.jobs or book.jobs or available_cores()
        book_cache = cache / book.metadata.slug if cache is not None else None
        self.chapters = ChapterCache(book_cache / "chapters") if book_cache is not None else None
        with options.stage("render", len(book.chapters)) as advance:
            rendered = render_book(book, report, options.keep_going, self.chapters, jobs, advance)
        if version is not None:
            rendered = replace(rendered, metadata=replace(rendered.metadata, version=version))
        self.rendered: RenderedBook = rendered
        self.rendering_warnings = tuple(report.warnings)
        layouts = PrintLayouts(rendered, __version__, report, options.stage, jobs, book_cache)
        self.context = BuildContext(report, source_date(book, options.source_date), __version__, layouts,
                                    options.profile, book_cache, options.stamp)

    def make(self, name: str, profile: str | None = None) -> bytes:
        """The bytes of the format `name`, for `profile` if given (else the options' or the book's)."""
        context = self.context if profile is None else replace(self.context, profile=profile)
        with self.options.stage(name):
            data = FORMATS.get(name).build(self.rendered, context)
        if self.options.strict and self.report.warnings:
            raise PublishError(f"{len(self.report.warnings)} warnings and --strict: nothing written")
        return data

    def file_name(self, name: str, stem: str | None = None, profile: str | None = None) -> str:
        return FORMATS.get(name).file_name(stem or self.rendered.metadata.slug, self.rendered.print.profile,
                                           profile or self.options.profile)

    def finish(self) -> None:
        """Keep the chapters rendered for the next build: only a build that succeeded gets here."""
        if self.chapters is not None:
            self.chapters.save()


def build(manuscript: Path, out_dir: Path, format_names: list[str], report: Report,
          options: BuildOptions = BuildOptions(), sources: Sources | None = None) -> list[Path]:
    """Build each named format; nothing is written unless it was built whole (and, if strict, without warnings).
    `sources`, when given, is what fresh_outputs read just before."""
    output_folder(out_dir)
    with options.stage("load"):  # already read when the caller checked whether the outputs were up to date
        sources = sources or Sources.read(manuscript, out_dir)
    pipeline = Pipeline(sources.book, report, options, cache=out_dir / CACHE)
    outputs = []
    for name in format_names:
        before = len(report.warnings)
        path = write_atomic(out_dir / pipeline.file_name(name), pipeline.make(name))
        _record(out_dir, pipeline.rendered.metadata.slug, path).save(
            path, _inputs(sources.digest, path, pipeline.context.modified, options),
            Warnings(pipeline.rendering_warnings, tuple(report.warnings[before:])))
        outputs.append(path)
    pipeline.finish()
    return outputs


def fresh_outputs(manuscript: Path, out_dir: Path, format_names: list[str], report: Report,
                  options: BuildOptions = BuildOptions(), sources: Sources | None = None) -> list[Path] | None:
    """The outputs, if every one is still what a build would write (their warnings are reported again), else None."""
    sources = sources or Sources.read(manuscript, out_dir)
    book = sources.book
    paths = _output_paths(book, out_dir, format_names, options.profile)
    modified = source_date(book, options.source_date)
    found = [_record(out_dir, book.metadata.slug, path).fresh(path, _inputs(sources.digest, path, modified, options))
             for path in paths]
    if not found or any(warnings is None for warnings in found):
        return None
    for warning in (*found[0].render, *(warning for warnings in found for warning in warnings.own)):
        report.add(warning)
    if options.strict and report.warnings:
        raise PublishError(f"{len(report.warnings)} warnings and --strict: nothing written")
    return paths


def _inputs(sources: str, output: Path, modified: datetime, options: BuildOptions) -> Inputs:
    return Inputs.of(sources, output.name, modified, f"profile={options.profile} keep_going={options.keep_going}")


def _record(out_dir: Path, slug: str, output: Path) -> Record:
    return Record(out_dir / CACHE / slug / f"{output.name}.inputs.json")


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def output_paths(manuscript: Path, out_dir: Path, format_names: list[str], profile: str | None = None) -> list[Path]:
    return _output_paths(load_book(manuscript), out_dir, format_names, profile)


def _output_paths(book: Book, out_dir: Path, format_names: list[str], profile: str | None) -> list[Path]:
    return [out_dir / FORMATS.get(name).file_name(book.metadata.slug, book.print.profile, profile)
            for name in format_names]


def check(manuscript: Path, report: Report, strict: bool = False) -> RenderedBook:
    """Everything a build does short of laying out and writing: load, validate and render."""
    rendered = render_book(load_book(manuscript), report)
    if strict and report.warnings:
        raise PublishError(f"{len(report.warnings)} warnings and --strict")
    return rendered


def source_date(book: Book, chosen: datetime | None = None) -> datetime:
    """The time stamped into outputs: `chosen` when given (a release's commit time), else SOURCE_DATE_EPOCH when
    set (reproducible builds), else the newest manuscript file's time."""
    if chosen is not None:
        return chosen
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError):
            raise ConfigError(Problem(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{epoch}'")) from None
    files = [book.root / "book.yaml", *(chapter.path for chapter in book.chapters)]
    newest = max(path.stat().st_mtime for path in files)
    return datetime.fromtimestamp(int(newest), tz=timezone.utc)
