"""book.yaml's fonts: section: body, display and mono typefaces with fallbacks, from the tool, the manuscript
folder or the machine, embedded and subset in the PDF and the EPUB."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from publish.build import build
from publish.errors import ConfigError, Report
from publish.release.verify import run_epubcheck
from tests.conftest import assert_epubcheck_and_ace_pass
from tests.helpers import DATA, Epub, installed_font_or_skip, pdf_pages

JAPANESE = "雨が降っていた。"


def _pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def _installed(family: str) -> Path:
    """The regular file of an installed family, else skip (fontconfig's own fonts-dejavu-core has DejaVu)."""
    found = subprocess.run(["fc-match", "-f", "%{family}|%{file}", f"{family}:style=Book"],
                           capture_output=True, text=True).stdout
    if not found.startswith(f"{family}|"):
        pytest.skip(f"{family} is not installed")
    return Path(found.split("|", 1)[1])


def test_a_cjk_fallback_draws_and_ships_what_the_body_typeface_lacks(tmp_path):
    japanese = installed_font_or_skip(":lang=ja")
    (tmp_path / "book.yaml").write_text(f"title: Rain\nlanguage: en\nfonts:\n  body: [Source Serif Pro, {japanese}]\n")
    (tmp_path / "one.md").write_text(f"# One\n\nThe sign said: {JAPANESE} Then it rained.\n", encoding="utf-8")
    report = Report()
    epub_path, pdf = build(tmp_path, tmp_path / "out", ["epub", "pdf"], report)
    assert not [str(warning) for warning in report.warnings if "glyph" in str(warning)]
    assert JAPANESE in " ".join(line.text for page in pdf_pages(pdf) for line in page.lines)
    fonts = _pdf_fonts(pdf)
    assert "Source-Serif-Pro" in fonts and ("IPA" in fonts or "Noto" in fonts), fonts
    epub = Epub(epub_path)
    css = epub.zip.read(f"{epub.base}css/fonts.css").decode()
    assert f'html {{ font-family: "Source Serif Pro", "{japanese}", serif; }}' in css
    shipped = [name for name in epub.zip.namelist() if name.startswith(f"{epub.base}fonts/")
               and not name.startswith(f"{epub.base}fonts/SourceSerifPro") and not name.endswith(".txt")]
    assert len(shipped) == 1, shipped
    fallback = TTFont(io.BytesIO(epub.zip.read(shipped[0])))
    assert set(JAPANESE) <= {chr(code) for code in fallback.getBestCmap()}
    assert len(fallback.getBestCmap()) < 200  # cut to what the book uses, not the font's thousands of kanji
    verdict = run_epubcheck(epub_path)
    assert verdict.errors == () and verdict.warnings == (), verdict


def test_a_font_folder_in_the_manuscript_sets_the_body(tmp_path):
    regular = _installed("DejaVu Serif")
    book = tmp_path / "book"
    (book / "fonts").mkdir(parents=True)
    for name in ("DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-Bold.ttf"):
        shutil.copy(regular.parent / name, book / "fonts" / name)
    (book / "book.yaml").write_text("title: Own Face\nlanguage: en\nfonts:\n  body: fonts\n")
    (book / "one.md").write_text("# One\n\nPlain, *italic* and **bold** words.\n\n```\ncode()\n```\n")
    epub_path, pdf = build(book, tmp_path / "out", ["epub", "pdf"], Report())
    fonts = _pdf_fonts(pdf)
    assert "DejaVu-Serif " in fonts and "DejaVu-Serif-Italic" in fonts and "DejaVu-Serif-Bold" in fonts, fonts
    assert "IBM-Plex-Mono" in fonts and "Source-Serif-Pro" not in fonts, fonts
    epub = Epub(epub_path)
    names = {name.removeprefix(f"{epub.base}fonts/") for name in epub.zip.namelist() if "/fonts/" in name}
    assert {"DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-Bold.ttf", "IBMPlexMono-Regular.ttf"} <= names
    css = epub.zip.read(f"{epub.base}css/fonts.css").decode()
    assert 'html { font-family: "DejaVu Serif", serif; }' in css
    assert 'pre, code, kbd, samp { font-family: "IBM Plex Mono", monospace; }' in css
    # the colophon credits the typefaces, and claims no licence for one that is not the tool's
    assert "Set in DejaVu Serif and IBM Plex Mono (IBM)." in epub.text() and "Open Font" not in epub.text()


def test_installed_display_and_mono_families_by_name(tmp_path):
    _installed("DejaVu Sans")
    _installed("DejaVu Sans Mono")
    (tmp_path / "book.yaml").write_text("title: Names\nlanguage: en\nfonts:\n  display: DejaVu Sans\n"
                                        "  mono: [DejaVu Sans Mono]\n")
    (tmp_path / "one.md").write_text("# A Heading\n\nBody text with `inline code` in it.\n")
    epub_path, pdf = build(tmp_path, tmp_path / "out", ["epub", "pdf"], Report())
    fonts = _pdf_fonts(pdf)
    assert "DejaVu-Sans-Bold" in fonts and "DejaVu-Sans-Mono " in fonts and "Source-Serif-Pro " in fonts, fonts
    assert "IBM-Plex-Mono" not in fonts
    epub = Epub(epub_path)
    css = epub.zip.read(f"{epub.base}css/fonts.css").decode()
    assert '.display { font-family: "DejaVu Sans", serif; }' in css
    assert 'pre, code, kbd, samp { font-family: "DejaVu Sans Mono", monospace; }' in css
    assert f"{epub.base}fonts/DejaVuSansMono.ttf" in epub.zip.namelist()


def _problems(tmp_path, fonts: str) -> list[str]:
    (tmp_path / "book.yaml").write_text(f"title: Bad\nlanguage: en\nfonts:\n{fonts}")
    with pytest.raises(ConfigError) as error:
        build(tmp_path, tmp_path / "out", ["epub"], Report())
    return [str(problem) for problem in error.value.problems]


def test_a_font_that_cannot_be_found_is_named_with_its_line(tmp_path):
    (tmp_path / "one.md").write_text("# One\n\nText.\n")
    (tmp_path / "broken.ttf").write_bytes(b"not a font at all")
    (tmp_path / "empty").mkdir()
    yaml = tmp_path / "book.yaml"
    assert _problems(tmp_path, "  body: No Such Family Anywhere\n") == [
        f"{yaml}:4: fonts.body: no font 'No Such Family Anywhere': name a family installed on this machine "
        "(fc-list : family lists them), a .otf or .ttf file or a folder of them in the manuscript folder, or "
        "Source Serif Pro or IBM Plex Mono (shipped)"]
    assert _problems(tmp_path, "  mono: ../outside.ttf\n") == [
        f"{yaml}:4: fonts.mono: '../outside.ttf' is outside the manuscript folder: copy the font into it"]
    (problem,) = _problems(tmp_path, "  display: broken.ttf\n")
    assert problem.startswith(f"{yaml}:4: fonts.display: 'broken.ttf': broken.ttf is not a font fontTools can read")
    assert _problems(tmp_path, "  mono: fonts/missing.ttf\n") == [
        f"{yaml}:4: fonts.mono: no file 'fonts/missing.ttf' in the manuscript folder: check the name (relative to "
        f"{tmp_path.name}/)"]
    assert _problems(tmp_path, "  body: empty\n") == [f"{yaml}:4: fonts.body: the folder 'empty' holds no .otf or "
                                                      ".ttf file"]
    assert _problems(tmp_path, "  body: [Source Serif Pro, 3]\n") == [
        f"{yaml}:4: item 2 of 'body' must be a non-empty text"]


def test_the_japanese_quoting_sample_is_covered_by_its_fallbacks(tmp_path):
    """tests/data/japanese-quoting: an English text quoting Japanese, with IPAMincho after each role's face."""
    installed_font_or_skip(":family=IPAMincho")
    report = Report()
    epub_path, pdf = build(DATA / "japanese-quoting", tmp_path / "out", ["epub", "pdf"], report)
    assert not [str(warning) for warning in report.warnings if "glyph" in str(warning)]
    text = " ".join(line.text for page in pdf_pages(pdf) for line in page.lines)
    assert "出口" in text and "コーヒー" in text and "『こころ』" in text
    assert "IPAMincho" in _pdf_fonts(pdf)
    assert_epubcheck_and_ace_pass(epub_path)


def test_an_arabic_book_names_its_face_and_gets_no_glyph_warning(tmp_path):
    installed_font_or_skip(":family=Amiri")
    book = tmp_path / "book"
    shutil.copytree(DATA / "arabic", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("fonts:\n  body: [Amiri, Source Serif Pro]\n")
    unconfigured, configured = Report(), Report()
    build(DATA / "arabic", tmp_path / "before", ["epub"], unconfigured)
    epub_path, pdf = build(book, tmp_path / "out", ["epub", "pdf"], configured)
    assert [w for w in unconfigured.warnings if "glyph" in str(w)]
    assert not [w for w in configured.warnings if "glyph" in str(w)]
    assert "Amiri " in _pdf_fonts(pdf) and "DejaVu" not in _pdf_fonts(pdf)
    epub = Epub(epub_path)
    assert f"{epub.base}fonts/Amiri-Regular.ttf" in epub.zip.namelist()
