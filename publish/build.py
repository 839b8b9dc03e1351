"""The pipeline: load the manuscript, render it, build each format, write the files."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from publish import __version__
from publish.errors import ConfigError, Problem, PublishError, Report
from publish.formats import FORMATS
from publish.manuscript import load_book
from publish.model import Book, RenderedBook
from publish.output import write_atomic
from publish.registry import BuildContext
from publish.render import render_book

Stage = Callable[[str], AbstractContextManager]
CACHE = ".cache"  # inside the output folder: page starts of the last layout, for the next build (safe to delete)


def build(manuscript: Path, out_dir: Path, format_names: list[str], report: Report,
          stage: Stage = lambda name: nullcontext(), strict: bool = False, keep_going: bool = False,
          profile: str | None = None) -> list[Path]:
    """Build each named format; nothing is written unless it was built whole (and, if strict, without warnings).
    `profile` names a printer profile other than the book's for the formats that have them."""
    rendered, context = prepare(manuscript, report, stage, keep_going, profile, cache=out_dir / CACHE)
    outputs = []
    for name in format_names:
        output_format = FORMATS.get(name)
        with stage(name):
            data = output_format.build(rendered, context)
            if strict and report.warnings:
                raise PublishError(f"{len(report.warnings)} warnings and --strict: nothing written")
            file_name = output_format.file_name(rendered.metadata.slug, rendered.print.profile, profile)
            outputs.append(write_atomic(out_dir / file_name, data))
    return outputs


def prepare(manuscript: Path, report: Report, stage: Stage = lambda name: nullcontext(),
            keep_going: bool = False, profile: str | None = None,
            cache: Path | None = None) -> tuple[RenderedBook, BuildContext]:
    """Load and render the manuscript; what every format is built from."""
    with stage("load"):
        book = load_book(manuscript)
    with stage("render"):
        rendered = render_book(book, report, keep_going)
    return rendered, BuildContext(report=report, modified=source_date(book), version=__version__, profile=profile,
                                  cache=cache)


def output_paths(manuscript: Path, out_dir: Path, format_names: list[str], profile: str | None = None) -> list[Path]:
    book = load_book(manuscript)
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
