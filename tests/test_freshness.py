"""A build with nothing changed writes nothing; a change to anything the output is made from builds it again."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from publish.build import build, fresh_outputs
from publish.cache.digest import LIBRARIES, library_version
from publish.errors import Report
from publish.formats import FORMATS
from tests.helpers import PROJECT


def publish(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True, text=True, env=env)


@pytest.fixture
def book(manuscript_copy: Path) -> Path:
    with (manuscript_copy / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("\nepub:\n  page_list: false\n")
    return manuscript_copy


def build_epub(book: Path, out: Path, *flags: str) -> tuple[subprocess.CompletedProcess, int]:
    result = publish("build", "epub", "-m", str(book), "-o", str(out), *flags)
    assert result.returncode == 0, result.stderr
    return result, (out / "a-small-book.epub").stat().st_mtime_ns


def test_nothing_changed_nothing_written(book, tmp_path):
    _, built = build_epub(book, tmp_path / "out")
    result, again = build_epub(book, tmp_path / "out")
    assert again == built
    assert "up to date:" in result.stderr and "render" not in result.stderr
    result, forced = build_epub(book, tmp_path / "out", "--rebuild")
    assert forced != built and "wrote" in result.stderr


@pytest.mark.parametrize("change", ["chapter", "book.yaml", "stylesheet", "output"])
def test_any_change_builds_again(book, tmp_path, change):
    out = tmp_path / "out"
    _, built = build_epub(book, out)
    if change == "chapter":
        (book / "one.md").write_text((book / "one.md").read_text(encoding="utf-8") + "\nOne more line.\n")
    elif change == "book.yaml":
        (book / "book.yaml").write_text((book / "book.yaml").read_text(encoding="utf-8") + "subtitle: New\n")
    elif change == "stylesheet":
        (book / "styles").mkdir()
        (book / "styles" / "epub.css").write_text((PROJECT / "styles" / "epub.css").read_text() + "\np { }\n")
    else:
        (out / "a-small-book.epub").write_bytes(b"damaged by hand")
    result, again = build_epub(book, out)
    assert again != built and "wrote" in result.stderr


def test_an_up_to_date_output_reports_its_warnings_again(book, tmp_path):
    (book / "two.md").write_text("# Two\n\nText.\n\n[^lonely]: A note nobody calls.\n", encoding="utf-8")
    first, _ = build_epub(book, tmp_path / "out")
    second, _ = build_epub(book, tmp_path / "out")
    warnings = [line for line in first.stderr.splitlines() if "warning:" in line]
    assert warnings and [line for line in second.stderr.splitlines() if "warning:" in line] == warnings
    strict = publish("build", "epub", "-m", str(book), "-o", str(tmp_path / "out"), "--strict")
    assert strict.returncode == 1 and "--strict: nothing written" in strict.stderr


def test_another_source_date_builds_again(book, tmp_path):
    _, built = build_epub(book, tmp_path / "out")
    env = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1800000000"
    try:
        result, again = build_epub(book, tmp_path / "out")
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = env
    assert again != built and "wrote" in result.stderr


def test_outputs_and_hidden_folders_inside_the_manuscript_are_not_inputs(book):
    out = book / "build"
    _, built = build_epub(book, out)
    (book / ".git").mkdir()
    (book / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result, again = build_epub(book, out)
    assert again == built and "up to date:" in result.stderr


def test_a_chapter_saved_during_the_build_leaves_the_output_out_of_date(book, tmp_path, monkeypatch):
    """The inputs are read before building: an edit made while the build runs must not be taken as built."""
    epub = FORMATS.get("epub")

    def build_then_edit(rendered, context):
        data = epub.build(rendered, context)
        (book / "one.md").write_text((book / "one.md").read_text(encoding="utf-8") + "\nSaved mid-build.\n")
        return data

    monkeypatch.setitem(FORMATS._formats, "epub", replace(epub, build=build_then_edit))
    build(book, tmp_path / "out", ["epub"], Report())
    monkeypatch.setitem(FORMATS._formats, "epub", epub)
    assert fresh_outputs(book, tmp_path / "out", ["epub"], Report()) is None
    build(book, tmp_path / "out", ["epub"], Report())
    assert fresh_outputs(book, tmp_path / "out", ["epub"], Report()) == [tmp_path / "out" / "a-small-book.epub"]


@pytest.mark.parametrize("library", [*LIBRARIES, "weasyprint", "Jinja2"])
def test_a_library_version_read_from_its_folder_is_the_installed_one(library, monkeypatch):
    import importlib.metadata

    installed = importlib.metadata.version(library)
    monkeypatch.setattr(importlib.metadata, "version", None)  # read from the folder's name, not asked of it
    assert library_version(library) == installed
