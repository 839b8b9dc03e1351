"""Rendered chapters are reused while their inputs are unchanged, converted again when anything they read changes,
and converting in worker processes gives what converting in one process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import publish.render.book
from publish.build import BuildOptions, build
from publish.errors import ManuscriptError, PublishError, Report
from publish.manuscript.loading import load_book
from publish.render.book import PARALLEL_CHARACTERS, render_book
from tests.helpers import DATA, Epub


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    """The chapters converted from Markdown (in this process: the builds below use one job)."""
    converted = []
    real = publish.render.book.render_chapter

    def counting(source, chapter_id, options, report):
        converted.append(source.path.name)
        return real(source, chapter_id, options, report)

    monkeypatch.setattr(publish.render.book, "render_chapter", counting)
    return converted


def epub(book: Path, out: Path, report: Report | None = None) -> bytes:
    return build(book, out, ["epub"], report or Report(), BuildOptions(jobs=1))[0].read_bytes()


def without_page_list(book: Path) -> Path:
    with (book / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("\nepub:\n  page_list: false\n")
    return book


@pytest.fixture
def features(tmp_path) -> Path:
    return without_page_list(Path(shutil.copytree(DATA / "features", tmp_path / "features")))


def test_an_unchanged_chapter_is_converted_once(manuscript_copy, tmp_path, conversions):
    book = without_page_list(manuscript_copy)
    first = epub(book, tmp_path / "out")
    assert conversions == ["one.md", "two.md"]
    assert epub(book, tmp_path / "out") == first
    assert conversions == ["one.md", "two.md"]
    chapter = book / "two.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("The end.", "The finish."), encoding="utf-8")
    edited = epub(book, tmp_path / "out")
    assert conversions == ["one.md", "two.md", "two.md"]
    assert edited == epub(book, tmp_path / "fresh")  # the same bytes as a build with nothing cached
    assert len(list((tmp_path / "out" / ".cache" / "a-small-book" / "chapters").glob("*.json"))) == 2


def test_a_changed_image_converts_its_chapter_again(features, tmp_path, conversions):
    epub(features, tmp_path / "out")
    conversions.clear()
    Image.new("RGB", (40, 30), "red").save(features / "images" / "square.png")
    epub(features, tmp_path / "out")
    assert conversions == ["02-story.md"]


def test_a_deleted_image_is_reported_as_without_the_cache(features, tmp_path):
    epub(features, tmp_path / "out")
    (features / "images" / "square.png").unlink()
    with pytest.raises(PublishError) as cached:
        epub(features, tmp_path / "out")
    with pytest.raises(PublishError) as uncached:
        epub(features, tmp_path / "fresh")
    assert [str(p) for p in cached.value.problems] == [str(p) for p in uncached.value.problems]
    assert any("images/square.png" in str(p) for p in cached.value.problems)


def test_a_cached_chapter_reports_its_warnings_again(manuscript_copy, tmp_path, conversions):
    book = without_page_list(manuscript_copy)
    (book / "two.md").write_text("# Two\n\nText.\n\n[^lonely]: A note nobody calls.\n", encoding="utf-8")
    reports = [Report(), Report()]
    for report in reports:
        epub(book, tmp_path / "out", report)
    assert conversions == ["one.md", "two.md"]
    assert [str(w) for w in reports[1].warnings] == [str(w) for w in reports[0].warnings]
    assert any("[^lonely]" in str(w) for w in reports[1].warnings)
    with pytest.raises(PublishError, match="--strict"):
        build(book, tmp_path / "out", ["epub"], Report(), BuildOptions(strict=True, jobs=1))


def test_a_failed_build_caches_nothing(manuscript_copy, tmp_path):
    (manuscript_copy / "two.md").write_text("# Two\n\n![a picture](missing.png)\n", encoding="utf-8")
    with pytest.raises(ManuscriptError):
        epub(manuscript_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def long_book(folder: Path, chapters: int = 24) -> Path:
    """A book long enough to be converted in worker processes, some chapters with warnings."""
    folder.mkdir()
    (folder / "book.yaml").write_text("title: Long\nlanguage: en\nepub:\n  page_list: false\n", encoding="utf-8")
    paragraph = "It was the best of times, it was the worst of times, it was the age of wisdom. " * 12
    for number in range(1, chapters + 1):
        note = f"\n\n[^unused{number}]: Never called.\n" if number % 5 == 0 else ""
        body = "\n\n".join(f"{paragraph} Paragraph {n}." for n in range(12))
        (folder / f"{number:03d}.md").write_text(f"# Chapter {number}\n\n{body}{note}", encoding="utf-8")
    return folder


def test_workers_convert_what_one_process_converts(tmp_path, monkeypatch):
    book = long_book(tmp_path / "long")
    assert sum(len(source.text) for source in load_book(book).chapters) > PARALLEL_CHARACTERS
    pools = []
    real_pool = publish.render.book.ProcessPoolExecutor
    monkeypatch.setattr(publish.render.book, "ProcessPoolExecutor", lambda *a, **k: pools.append(a) or real_pool(*a, **k))
    serial, parallel = Report(), Report()
    one = build(book, tmp_path / "one", ["epub"], serial, BuildOptions(jobs=1))[0]
    assert pools == []
    two = build(book, tmp_path / "two", ["epub"], parallel, BuildOptions(jobs=2))[0]
    assert pools == [(2,)]
    assert two.read_bytes() == one.read_bytes()
    assert [str(w) for w in parallel.warnings] == [str(w) for w in serial.warnings]
    assert len(serial.warnings) == 4  # chapters 5, 10, 15 and 20, in reading order
    assert [w.path.name for w in serial.warnings] == ["005.md", "010.md", "015.md", "020.md"]


def test_a_short_book_is_converted_in_this_process(manuscript_copy, monkeypatch):
    monkeypatch.setattr(publish.render.book, "ProcessPoolExecutor", lambda *a, **k: pytest.fail("no workers needed"))
    assert len(render_book(load_book(manuscript_copy), Report(), jobs=4).chapters) == 2


def test_keep_going_placeholders_are_not_cached(manuscript_copy, tmp_path):
    book = without_page_list(manuscript_copy)
    (book / "two.md").write_text("# Two\n\n![a picture](picture.png)\n", encoding="utf-8")
    build(book, tmp_path / "out", ["epub"], Report(), BuildOptions(keep_going=True, jobs=1))
    Image.new("RGB", (20, 20), "blue").save(book / "picture.png")
    report = Report()
    path = build(book, tmp_path / "out", ["epub"], report, BuildOptions(jobs=1))[0]
    assert report.warnings == []
    assert any(name.endswith("/picture.png") for name in Epub(path).zip.namelist())
