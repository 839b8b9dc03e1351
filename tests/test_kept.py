"""What an EPUB build keeps for the next one (the drawn cover, compiled templates, deflated entries), and a PDF
build's formulas drawn for print, are reused while their inputs are unchanged, made again when they change, and
never change the output's bytes."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

import publish.formats.epub.package
from publish.build import BuildOptions, build
from publish.errors import Report
from publish.formats.epub import zip_container
from publish.theme.templates import PACKAGE_TEMPLATES
from tests.test_chapter_cache import without_page_list

KEPT = Path(".cache") / "a-small-book"


@pytest.fixture
def made(monkeypatch) -> dict[str, list]:
    """The covers drawn and the entries deflated, by the builds of a test."""
    made: dict[str, list] = {"covers": [], "deflated": []}
    draw, deflate = publish.formats.epub.package.generated_cover, zip_container._deflate
    monkeypatch.setattr(publish.formats.epub.package, "generated_cover",
                        lambda metadata, fonts: made["covers"].append(metadata.title) or draw(metadata, fonts))
    monkeypatch.setattr(zip_container, "_deflate", lambda data: made["deflated"].append(data) or deflate(data))
    return made


def epub(book: Path, out: Path) -> bytes:
    return build(book, out, ["epub"], Report(), BuildOptions(jobs=1))[0].read_bytes()


def test_a_one_chapter_edit_draws_no_cover_and_deflates_one_entry(manuscript_copy, tmp_path, made):
    book = without_page_list(manuscript_copy)
    epub(book, tmp_path / "out")
    assert made["covers"] == ["A Small Book"]
    assert len(list((tmp_path / "out" / KEPT).glob("cover-*.png"))) == 1
    chapter = book / "two.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("The end.", "The finish."), encoding="utf-8")
    made["deflated"].clear()
    edited = epub(book, tmp_path / "out")
    assert made["covers"] == ["A Small Book"]
    assert len(made["deflated"]) == 1 and b"The finish." in made["deflated"][0]
    assert edited == epub(book, tmp_path / "fresh")  # the same bytes as a build with nothing kept


def test_a_new_title_draws_a_new_cover_in_place_of_the_old(manuscript_copy, tmp_path, made):
    book = without_page_list(manuscript_copy)
    epub(book, tmp_path / "out")
    config = book / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("A Small Book", "A Smaller Book"), encoding="utf-8")
    epub(book, tmp_path / "out")
    assert made["covers"] == ["A Small Book", "A Smaller Book"]
    assert len(list((tmp_path / "out" / ".cache" / "a-smaller-book").glob("cover-*.png"))) == 1


def test_a_template_changed_after_a_build_is_used_by_the_next(manuscript_copy, tmp_path):
    book = without_page_list(manuscript_copy)
    (book / "templates").mkdir()
    template = book / "templates" / "epub-copyright.xhtml"
    shutil.copy(PACKAGE_TEMPLATES / template.name, template)
    epub(book, tmp_path / "out")
    template.write_text(template.read_text(encoding="utf-8").replace("</section>", "<p>Printed with care.</p></section>"),
                        encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "out" / "a-small-book.epub") as before:
        assert b"Printed with care." not in before.read("EPUB/copyright.xhtml")
    epub(book, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "a-small-book.epub") as after:
        assert b"Printed with care." in after.read("EPUB/copyright.xhtml")


def test_the_saved_print_page_starts_follow_a_replaced_image(tmp_path):
    """The EPUB's page list reads the page starts a PDF build saved only while the layout's inputs are the same:
    an image of the same name with other proportions moves the pages after it."""
    from PIL import Image

    from tests.helpers import DATA

    book = Path(shutil.copytree(DATA / "features", tmp_path / "features"))
    story = book / "02-story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\nMore of the story, told at length.\n" * 40,
                     encoding="utf-8")
    build(book, tmp_path / "out", ["pdf"], Report(), BuildOptions(jobs=1))
    Image.new("RGB", (40, 400), "red").save(book / "images" / "square.png")  # ten times as tall as wide
    kept = build(book, tmp_path / "out", ["epub"], Report(), BuildOptions(jobs=1))[0].read_bytes()
    fresh = build(book, tmp_path / "fresh", ["epub"], Report(), BuildOptions(jobs=1))[0].read_bytes()
    assert kept == fresh


def test_compiled_templates_are_kept_in_the_user_cache(manuscript_copy, tmp_path, monkeypatch):
    """A first build into a new output folder reuses the templates an earlier build compiled; a cache folder
    that cannot be made only means compiling again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    book = without_page_list(manuscript_copy)
    epub(book, tmp_path / "first")
    (folder,) = (tmp_path / "cache" / "publish").iterdir()
    compiled = sorted(path.name for path in folder.iterdir())
    assert len(compiled) >= 5 and all(name.endswith(".cache") for name in compiled)
    epub(book, tmp_path / "second")
    assert sorted(path.name for path in folder.iterdir()) == compiled  # found, not compiled again
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    epub(book, tmp_path / "third")
    with zipfile.ZipFile(tmp_path / "third" / "a-small-book.epub") as built, \
            zipfile.ZipFile(tmp_path / "second" / "a-small-book.epub") as before:
        assert built.read("EPUB/copyright.xhtml") == before.read("EPUB/copyright.xhtml")


def test_a_one_word_edit_draws_none_of_the_chapters_formulas_again(tmp_path, monkeypatch):
    """Print draws each formula as an image: an edit to a chapter's words takes its formulas from what the last
    build drew, and the PDF has the bytes a cold build gives."""
    import publish.layout.math

    drawn: list[str] = []
    draw = publish.layout.math.formula_image
    monkeypatch.setattr(publish.layout.math, "formula_image", lambda markup: drawn.append(markup) or draw(markup))
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: Sums\nlanguage: en\n", encoding="utf-8")
    chapter = book / "sums.md"
    chapter.write_text("# Sums\n\nThe sum $\\sum_{i=1}^{n} i$ is $n(n+1)/2$, and the mean is $\\bar{x}$.\n\n"
                       "$$\\int_0^1 x^2 \\, dx = \\frac{1}{3}$$\n", encoding="utf-8")
    pdf = lambda out: build(book, out, ["pdf"], Report(), BuildOptions(jobs=1))[0].read_bytes()  # noqa: E731
    pdf(tmp_path / "out")
    assert len(drawn) == 4
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("the mean", "its mean"), encoding="utf-8")
    drawn.clear()
    again = pdf(tmp_path / "out")
    assert drawn == []
    draw.cache_clear()
    assert again == pdf(tmp_path / "cold") and len(drawn) == 4
