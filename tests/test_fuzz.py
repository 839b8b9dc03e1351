"""Property tests: manuscripts mixing every Markdown construct with random raw HTML give a valid book or a clean error.

Each example is a book of 25 generated chapters, so one EPUBCheck run (seconds of JVM start-up) checks 25 cases.
A chapter that gives a clean error (PublishError) is dropped and the rest rebuilt. Examples are derandomised so CI
is repeatable; explore new ones with `pytest tests/test_fuzz.py --hypothesis-profile=explore`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from publish.build import build
from publish.errors import PublishError, Report
from publish.release.verify import run_epubcheck
from tests.conftest import _java_or_skip
from tests.fuzz_strategies import chapter
from tests.helpers import DATA

CHAPTERS_PER_BOOK = 25
BOOKS = 4



def write_book(root: Path, chapters: list[str], names: list[str]) -> None:
    (root / "book.yaml").write_text("title: Fuzz\nlanguage: en\nchapters:\n" + "".join(f"  - {n}\n" for n in names))


def build_dropping_bad_chapters(root: Path, out: Path, names: list[str]) -> tuple[list[Path], list[str], int]:
    """Build; chapters that give a clean error are dropped (and counted) until the rest builds."""
    errors = 0
    for _ in range(len(names) + 1):  # each failed attempt drops at least one chapter
        write_book(root, [], names)
        try:
            return build(root, out, ["epub", "pdf"], Report()), names, errors
        except PublishError as error:
            assert all("\n" not in str(problem) for problem in error.problems)
            bad = {problem.path.name for problem in error.problems if problem.path is not None} & set(names)
            assert bad, f"an error that names no chapter of the book: {error}"
            errors += len(bad)
            names = [name for name in names if name not in bad]
    raise AssertionError("unreachable: every chapter was dropped and the book still did not build")


@pytest.mark.slow
@settings(max_examples=BOOKS, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=list(HealthCheck))
@given(chapters=st.lists(chapter(), min_size=CHAPTERS_PER_BOOK, max_size=CHAPTERS_PER_BOOK))
def test_any_markdown_gives_a_valid_book_or_a_clean_error(chapters, tmp_path_factory):
    _java_or_skip()
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(DATA / "features" / "images", root / "images")
    names = []
    for index, text in enumerate(chapters):
        name = f"c{index:02}.md"
        (root / name).write_text(text, encoding="utf-8")
        names.append(name)
    paths, kept, errors = build_dropping_bad_chapters(root, root / "out", names)
    assert len(kept) + errors == CHAPTERS_PER_BOOK
    verdict = run_epubcheck(paths[0])
    failing = {name: (root / name).read_text() for name in kept}
    assert (verdict.errors, verdict.warnings) == ((), ()), failing
    with pikepdf.open(paths[1]) as pdf:
        assert len(pdf.pages) > CHAPTERS_PER_BOOK // 2 or not kept
