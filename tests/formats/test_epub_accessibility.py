"""The EPUB beyond validity: accessibility metadata and checks, semantics, notes, print page numbers, styles, fonts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from fontTools.ttLib import TTFont

from publish.build import build
from publish.errors import Report
from publish.manuscript.fonts import shipped_typefaces
from publish.release.verify import run_ace, run_epubcheck
from tests.conftest import _chromium_or_skip, _java_or_skip
from tests.helpers import DATA, NS, PROJECT, Epub, letters, pdf_pages

EPUB_TYPE = f"{{{NS['epub']}}}type"


def meta(book: Epub, name: str) -> list[str]:
    return [m.text for m in book.opf.findall(f".//opf:meta[@property='{name}']", NS)]


def test_ace_reports_no_violation(ace_verdicts):
    for name, verdict in ace_verdicts.items():
        assert verdict.errors == (), name


def test_accessibility_metadata_claims_what_the_review_has(review):
    book = Epub(review.epub)
    assert meta(book, "schema:accessMode") == ["textual"]
    assert meta(book, "schema:accessModeSufficient") == ["textual"]
    assert meta(book, "schema:accessibilityFeature") == [
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    assert meta(book, "schema:accessibilityHazard") == ["none"]
    assert meta(book, "schema:accessibilitySummary")[0].startswith("Reflowable text")
    assert meta(book, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert meta(book, "a11y:certifiedBy")
    assert book.dc("source") == ["Never Let Me Go (2010), print edition"]
    assert book.opf.find(".//opf:meta[@property='source-of']", NS).text == "pagination"


def test_images_add_visual_mode_and_alternative_text(features):
    book = Epub(features.epub)
    assert meta(book, "schema:accessMode") == ["textual", "visual"]
    assert "alternativeText" in meta(book, "schema:accessibilityFeature")


def test_no_page_features_claimed_without_a_page_list(tmp_path):
    book_dir = tmp_path / "book"
    shutil.copytree(DATA / "minimal", book_dir)
    with open(book_dir / "book.yaml", "a") as config:
        config.write("epub:\n  page_list: false\n")
    book = Epub(build(book_dir, tmp_path / "out", ["epub"], Report())[0])
    assert not {"pageBreakMarkers", "pageNavigation"} & set(meta(book, "schema:accessibilityFeature"))
    assert book.nav().find(".//xhtml:nav[@epub:type='page-list']", NS) is None
    assert book.dc("source") == []


def test_semantics(manifesto):
    book = Epub(manifesto.epub)
    chapter = book.xml(book.base + "ch-003-chapter-1.xhtml")
    section = chapter.find(".//xhtml:body/xhtml:section", NS)
    assert (section.get(EPUB_TYPE), section.get("role")) == ("chapter", "doc-chapter")
    assert section.get("aria-labelledby") == section.find("xhtml:h1", NS).get("id")
    assert chapter.xpath("//xhtml:a[@epub:type='noteref'][@role='doc-noteref']", namespaces=NS)
    assert chapter.xpath("//xhtml:aside[@epub:type='footnote'][@role='doc-footnote']", namespaces=NS)
    assert chapter.xpath("//xhtml:a[@role='doc-backlink']", namespaces=NS)
    assert chapter.xpath("//xhtml:span[@epub:type='pagebreak'][@role='doc-pagebreak'][@aria-label]", namespaces=NS)
    cover = book.xml(book.base + "cover.xhtml")
    assert cover.xpath("//xhtml:section[@epub:type='cover']/xhtml:img[@role='doc-cover']", namespaces=NS)
    assert book.xml(book.base + "titlepage.xhtml").xpath("//*[@epub:type='titlepage']", namespaces=NS)
    assert book.xml(book.base + "copyright.xhtml").xpath("//*[@epub:type='copyright-page']", namespaces=NS)


def test_subsections_are_sections_labelled_by_their_heading(manifesto):
    book = Epub(manifesto.epub)
    chapter = book.xml(book.base + "ch-005-chapter-3.xhtml")
    sections = chapter.xpath("//xhtml:section/xhtml:section[@aria-labelledby]", namespaces=NS)
    assert len(sections) == 6  # three ## sections, the first holding three ###
    for section in sections:
        heading = section.find("*")
        assert heading.tag in {f"{{{NS['xhtml']}}}h{n}" for n in range(2, 7)}
        assert section.get("aria-labelledby") == heading.get("id")


def test_heading_levels_have_no_gaps(features, manifesto):
    for built in (features, manifesto):
        book = Epub(built.epub)
        for name in book.spine_documents():
            levels = [int(h.tag[-1]) for h in book.xml(name).iter() if re.fullmatch(r"\{.*\}h[1-6]", str(h.tag))]
            for previous, level in zip([1] + levels, levels):
                assert level <= previous + 1, name
    story = Epub(features.epub).xml("EPUB/ch-02-story.xhtml")
    assert story.xpath("//xhtml:h2[@id='custom-anchor']", namespaces=NS)  # was ### after # in the Markdown


def _page_list(book: Epub) -> list[tuple[str, str]]:
    nav = book.nav().find(".//xhtml:nav[@epub:type='page-list']", NS)
    return [(a.text, a.get("href")) for a in nav.iter(f"{{{NS['xhtml']}}}a")]


@pytest.mark.parametrize("name", ["review", "manifesto"])
def test_page_list_matches_the_pdf_pages(name, request):
    built = request.getfixturevalue(name)
    _assert_page_list_matches(built, minimum=5 if name == "review" else 40)


@pytest.mark.slow
def test_page_list_matches_the_pdf_pages_of_a_long_book(big_books):
    _assert_page_list_matches(big_books["pride-and-prejudice"], minimum=300)


def _assert_page_list_matches(built, minimum: int) -> None:
    book = Epub(built.epub)
    pages = {page.label: page for page in pdf_pages(built.pdf)}
    entries = _page_list(book)
    assert len(entries) >= minimum
    for label, href in entries:
        page = pages[label]
        assert page.folio() == label
        # A list item's number is not text in the EPUB: in the text layer it is a line of its own, or opens the line.
        lines = [line.text for line in page.body_lines() if not re.fullmatch(r"\d+\.?", line.text)]
        first_line = letters(re.sub(r"^\d+\.\s+", "", lines[0]))
        following = "".join(_following_text(book, href))
        # The page may begin inside a hyphenated word; the marker then stands before that word.
        assert first_line[:12] in following[:40], (label, first_line, following[:60])


def _following_text(book: Epub, href: str):
    """The text after the marker `href` points to, in reading order, as letters."""
    file_name, fragment = href.split("#")
    marker = book.xml(book.base + file_name).xpath(f"//*[@id='{fragment}']")[0]
    yield letters("".join(marker.xpath("following::text()")[:40]))


def test_notes_can_be_gathered_at_the_end_of_the_book(tmp_path):
    book_dir = tmp_path / "book"
    shutil.copytree(DATA / "features", book_dir)
    with open(book_dir / "book.yaml", "a") as config:
        config.write("epub:\n  notes: book\n")
    path = build(book_dir, tmp_path / "out", ["epub"], Report())[0]
    book = Epub(path)
    assert book.spine_documents()[-1] == "EPUB/endnotes.xhtml"
    notes = book.xml("EPUB/endnotes.xhtml")
    assert notes.xpath("//xhtml:section[@epub:type='endnotes'][@role='doc-endnotes']", namespaces=NS)
    story = book.xml("EPUB/ch-02-story.xhtml")
    assert not story.xpath("//xhtml:aside", namespaces=NS)
    refs = story.xpath("//xhtml:a[@epub:type='noteref']", namespaces=NS)
    backlinks = notes.xpath("//xhtml:a[@role='doc-backlink']", namespaces=NS)
    assert refs and len(backlinks) >= len(refs)  # the other chapters' notes are gathered there too
    for ref in refs:
        target = ref.get("href").split("#")
        assert target[0] == "endnotes.xhtml" and notes.xpath(f"//*[@id='{target[1]}']")
    for backlink in backlinks:
        file_name, fragment = backlink.get("href").split("#")
        assert book.xml(f"EPUB/{file_name}").xpath(f"//*[@id='{fragment}']")
    _java_or_skip()
    assert run_epubcheck(path).ok


def test_styles_leave_the_reader_in_charge(review):
    book = Epub(review.epub)
    css = book.zip.read("EPUB/css/epub.css").decode()
    assert not re.search(r"font-size:\s*[\d.]+(px|pt)", css)
    assert not re.search(r"(^|[;{\s])(color|background(-color)?):", css)
    assert "!important" not in css
    assert re.search(r"img\s*{[^}]*max-width:\s*100%", css)
    options = book.zip.read("META-INF/com.apple.ibooks.display-options.xml")
    assert b'<option name="specified-fonts">true</option>' in options


def test_embedded_typeface_is_cut_to_the_characters_used(review):
    book = Epub(review.epub)
    text = set(book.text()) - {" "}
    faces = shipped_typefaces().body[0].faces
    assert len(faces) == 6
    for face in faces:
        data = book.zip.read(f"EPUB/fonts/{face.path.name}")
        assert len(data) < face.path.stat().st_size / 2
        font = TTFont(__import__("io").BytesIO(data))
        if face.path.name == "SourceSerifPro-Regular.otf":
            assert text <= {chr(code) for code in font.getBestCmap()}
        assert "Source Serif Pro" in font["name"].getDebugName(1)
    assert b"SIL Open Font License" in book.zip.read("EPUB/fonts/LICENSE.txt")


def test_modified_date_is_the_newest_manuscript_file_without_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    book_dir = tmp_path / "book"
    shutil.copytree(DATA / "minimal", book_dir)
    import os
    os.utime(book_dir / "one.md", (1600000000, 1600000000))
    os.utime(book_dir / "two.md", (1650000000, 1650000000))
    os.utime(book_dir / "book.yaml", (1500000000, 1500000000))
    book = Epub(build(book_dir, tmp_path / "out", ["epub"], Report())[0])
    assert meta(book, "dcterms:modified") == ["2022-04-15T05:20:00Z"]


@pytest.mark.slow
def test_a_long_corpus_book_passes_epubcheck_and_ace(big_books):
    _java_or_skip()
    _chromium_or_skip()
    epub = big_books["pride-and-prejudice"].epub
    with ThreadPoolExecutor(max_workers=2) as pool:
        checks = list(pool.map(lambda check: check(epub), (run_epubcheck, run_ace)))
    for verdict in checks:
        assert (verdict.errors, verdict.warnings) == ((), ()), verdict.summary()


@pytest.mark.slow
@pytest.mark.exhaustive
def test_the_longest_corpus_book_passes_epubcheck(middlemarch):
    _java_or_skip()
    verdict = run_epubcheck(middlemarch.epub)
    assert (verdict.errors, verdict.warnings) == ((), ()), verdict.summary()


def test_corpus_book_builds_are_byte_identical(manifesto, tmp_path):
    again = build(manifesto.manuscript, tmp_path, ["epub", "pdf"], Report())
    assert [path.read_bytes() for path in again] == [manifesto.epub.read_bytes(), manifesto.pdf.read_bytes()]


def test_epub_after_the_pdf_reuses_its_layout_without_weasyprint(tmp_path):
    """The PDF's build saves where its pages begin (build/.cache); an EPUB of the same input reads them back
    instead of laying the book out again, and is byte-identical to one built alone."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    alone = build(PROJECT / "manuscript", tmp_path / "alone", ["epub"], Report())[0]
    build(PROJECT / "manuscript", tmp_path / "both", ["pdf"], Report())
    script = ("import sys; from pathlib import Path; from publish.build import build; from publish.errors import "
              "Report; build(Path(sys.argv[1]), Path(sys.argv[2]), ['epub'], Report()); "
              "print(any(name.startswith('weasyprint') for name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script, str(PROJECT / "manuscript"), str(tmp_path / "both")],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False"
    assert (tmp_path / "both" / alone.name).read_bytes() == alone.read_bytes()
    # A changed input is laid out again rather than read from the cache.
    changed = tmp_path / "changed"
    shutil.copytree(PROJECT / "manuscript", changed)
    text = (changed / "review.md").read_text(encoding="utf-8")
    (changed / "review.md").write_text(text.replace("quietly devastating film", "quietly shattering film"),
                                       encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", script, str(changed), str(tmp_path / "both")],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "True"
