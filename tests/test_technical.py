"""A technical book as authors write one (tests/data/technical): TeX math, highlighted code nested in lists and
quotes, figures and tables with captions, @-references, links between chapter files and to heading slugs, an
SVG diagram. Each is checked in the outputs: the EPUB's XML, the PDF's text and positions, the web edition."""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from publish.build import BuildOptions, build
from publish.errors import ManuscriptError, Report
from publish.layout import parallel as parallel_layout
from publish.render.math import MathError, mathml
from tests.conftest import assert_epubcheck_and_ace_pass
from tests.helpers import DATA, NS, Epub, in_chromium, pdf_pages, print_warnings

BOOK = DATA / "technical"
MATHML = "http://www.w3.org/1998/Math/MathML"
CODE_STARTS = ("def ", "↪", "return ", '"""', "#[derive", "struct ", "publish build")


@pytest.fixture(scope="module")
def technical(tmp_path_factory):
    out = tmp_path_factory.mktemp("technical")
    report = Report()
    paths = dict(zip(("epub", "pdf", "html"), build(BOOK, out, ["epub", "pdf", "html"], report)))
    paths["screen"] = build(BOOK, out, ["pdf"], report, BuildOptions(profile="screen"))[0]
    return paths, report


def _chapter(epub: Epub, name: str) -> etree._Element:
    return epub.xml(f"{epub.base}{name}.xhtml")


def test_tex_becomes_mathml_with_its_tex_as_alttext(technical):
    epub = Epub(technical[0]["epub"])
    basics = _chapter(epub, "ch-01-basics")
    formulas = basics.findall(f".//{{{MATHML}}}math")
    assert len(formulas) == 6  # four inline (one pasted as MathML), two displayed
    assert [f.get("alttext") for f in formulas][:2] == ["E = mc^2", "a^2 + b^2 = c^2"]
    assert basics.find(f".//{{{MATHML}}}msqrt") is not None  # the pasted MathML kept
    displays = [f for f in formulas if f.get("display") == "block"]
    assert len(displays) == 2
    item = next(i for i in epub.manifest().values() if i.get("href") == "ch-01-basics.xhtml")
    assert "mathml" in item.get("properties").split()
    results = next(i for i in epub.manifest().values() if i.get("href") == "ch-02-results.xhtml")
    assert "mathml" not in (results.get("properties") or "")
    features = [m.text for m in epub.opf.findall(".//opf:meta[@property='schema:accessibilityFeature']", NS)]
    assert "MathML" in features


def test_a_price_is_not_math(technical):
    text = " ".join(_chapter(Epub(technical[0]["epub"]), "ch-01-basics").itertext())
    assert "a price such as $5 and $10 stays text" in re.sub(r"\s+", " ", text)


def test_the_pdf_draws_formulas_and_shows_no_tex(technical):
    for key in ("pdf", "screen"):
        text = "\n".join(line.text for page in pdf_pages(technical[0][key]) for line in page.lines)
        assert text
        for tex in ("\\frac", "\\sum", "\\int", "mc^2", "\\(", "\\[", "$$", "\\label"):
            assert tex not in text, (key, tex)
        assert "(1.1)" in text  # the labelled equation's number
    with pikepdf.open(technical[0]["screen"]) as pdf:
        alternatives = [str(obj["/Alt"]) for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                        and "/Alt" in obj and obj.get("/S") == "/Figure"]
    assert "\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}" in alternatives  # the tagged PDF says the TeX


def test_code_is_highlighted_and_nests_in_lists_and_quotes(technical):
    epub = Epub(technical[0]["epub"])
    basics = _chapter(epub, "ch-01-basics")
    blocks = basics.findall(".//xhtml:div[@class]", NS)
    languages = [b.get("class").split()[0] for b in blocks if "highlight" in b.get("class")]
    assert languages == ["language-python", "language-rust", "language-sh"]
    assert basics.find(".//xhtml:li//xhtml:div[@class='language-rust highlight']", NS) is not None
    assert basics.find(".//xhtml:blockquote//xhtml:div[@class='language-sh highlight']", NS) is not None
    assert not basics.findall(".//xhtml:h1", NS)[1:]  # '#[derive(Debug)]' did not become a heading
    code = "".join(basics.find(".//xhtml:div[@class='language-python highlight']", NS).itertext())
    assert '"it\'s"' in code  # no curly quotes in code
    assert basics.findall(".//xhtml:span[@class='k']", NS)  # Pygments' token classes
    assert f"{epub.base}fonts/IBMPlexMono-Regular.ttf" in epub.zip.namelist()
    assert b"IBM Plex Mono" in epub.zip.read(f"{epub.base}css/fonts.css")


def test_every_code_line_in_print_is_whole_and_inside_the_text_block(technical):
    pages = pdf_pages(technical[0]["pdf"])
    code = [(page, line) for page in pages for line in page.body_lines()
            if line.text.lstrip().startswith(CODE_STARTS)]
    assert len(code) >= 6
    assert any(line.text.startswith("↪") for _, line in code)  # a long line went on after a mark
    for page, line in code:
        assert not line.text.endswith(("-", "\u2010")), line.text
        assert line.x_min >= 0.25 * 72 and line.x_max <= page.width - 0.5 * 72, (page.number, line.text)


def test_captions_and_numbers_and_references(technical):
    epub = Epub(technical[0]["epub"])
    basics, results = _chapter(epub, "ch-01-basics"), _chapter(epub, "ch-02-results")
    captions = ["".join(c.itertext()) for c in basics.findall(".//xhtml:figcaption", NS)]
    assert captions == ["Figure 1.1: Bars rising from left to right", "Figure 1.2: From Markdown to a book"]
    table = results.find(".//xhtml:table[@id='tbl-numbers']", NS)
    assert "".join(table.find("xhtml:caption", NS).itertext()) == "Table 2.1: Pages and words of two books"
    references = {"".join(a.itertext()): a.get("href") for a in
                  [*basics.iter(f"{{{NS['xhtml']}}}a"), *results.iter(f"{{{NS['xhtml']}}}a")]
                  if a.get("class") == "xref"}
    assert references == {"Section 1.1": "ch-01-basics.xhtml#sec-setup",
                          "Equation 1.1": "ch-01-basics.xhtml#eq-gauss",
                          "Figure 1.1": "ch-01-basics.xhtml#fig-bars", "Figure 1.2": "ch-01-basics.xhtml#fig-flow",
                          "Table 2.1": "ch-02-results.xhtml#tbl-numbers",
                          "Table 2.2": "ch-02-results.xhtml#tbl-chapters",
                          "Listing 2.1": "ch-02-results.xhtml#lst-count"}
    listing = results.find(".//xhtml:figure[@id='lst-count']", NS)
    assert "".join(listing.find("xhtml:figcaption", NS).itertext()) == "Listing 2.1: Counting pages"
    assert listing.find("xhtml:div[@class='language-python highlight']", NS) is not None
    assert "wide" in results.findall(".//xhtml:table", NS)[1].get("class").split()  # ten columns, set smaller
    turned = results.find(".//xhtml:table[@id='tbl-chapters']", NS)  # `{#tbl-chapters .landscape}`
    assert turned.get("class").split() == ["landscape", "wide"]
    assert "".join(turned.find("xhtml:caption", NS).itertext()) == "Table 2.2: Pages per chapter, long names and all"
    assert "".join(basics.find(".//xhtml:div[@id='eq-gauss']/xhtml:span", NS).itertext()) == "(1.1)"


LISTED = {"figures": [("Figure 1.1", "Bars rising from left to right", "ch-01-basics.xhtml#fig-bars"),
                       ("Figure 1.2", "From Markdown to a book", "ch-01-basics.xhtml#fig-flow")],
          "tables": [("Table 2.1", "Pages and words of two books", "ch-02-results.xhtml#tbl-numbers"),
                     ("Table 2.2", "Pages per chapter, long names and all", "ch-02-results.xhtml#tbl-chapters")],
          "listings": [("Listing 2.1", "Counting pages", "ch-02-results.xhtml#lst-count")]}


def test_the_ebook_navigation_lists_figures_tables_and_listings(technical):
    epub = Epub(technical[0]["epub"])
    nav = epub.xml(f"{epub.base}nav.xhtml")
    for kind, expected in LISTED.items():
        found = nav.find(f".//xhtml:nav[@id='list-of-{kind}']", NS)
        entries = [(a.find("xhtml:span", NS).text, a.find("xhtml:span", NS).tail.strip(), a.get("href"))
                   for a in found.iter(f"{{{NS['xhtml']}}}a")]
        assert entries == expected
        for _, _, href in entries:
            target, _, fragment = href.partition("#")
            assert _chapter(epub, target.removesuffix(".xhtml")).xpath(f"//*[@id='{fragment}']")
    types = {nav_element.get(f"{{{NS['epub']}}}type") for nav_element in nav.iter(f"{{{NS['xhtml']}}}nav")}
    assert {"toc", "loi", "lot"} <= types


def _listed_pages(pdf: Path) -> dict[str, str]:
    """'Figure 1.1' -> the folio its list prints, from the PDF's list pages."""
    listed = {}
    for page in pdf_pages(pdf):
        if page.lines and page.lines[0].text.startswith("List of "):
            for line in page.lines[1:]:
                found = re.match(r"^((?:Figure|Table|Listing) [\d.]+\d) .*?[ .]+(\d+)$", line.text)
                if found:
                    listed[found.group(1)] = found.group(2)
    return listed


def test_the_print_lists_name_the_page_each_figure_table_and_listing_is_on(technical):
    listed = _listed_pages(technical[0]["pdf"])
    assert set(listed) == {label for entries in LISTED.values() for label, _, _ in entries}
    pages = pdf_pages(technical[0]["pdf"])
    for label, folio in listed.items():
        holders = [page for page in pages if any(line.text.startswith(label + ":") for line in page.lines)]
        assert [page.label for page in holders] == [folio], label


@pytest.mark.slow
def test_the_lists_print_the_same_pages_when_the_book_is_laid_out_in_parts(technical, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_layout, "PART_PAGES", 1)
    monkeypatch.setattr(parallel_layout, "MIN_PARTS", 2)
    calls = []
    original = parallel_layout.lay_out_in_parts
    monkeypatch.setattr(parallel_layout, "lay_out_in_parts", lambda *args: calls.append(1) or original(*args))
    in_parts = build(BOOK, tmp_path, ["pdf"], Report(), BuildOptions(jobs=2))[0]
    assert calls, "the book was not laid out in parts"
    assert _listed_pages(in_parts) == _listed_pages(technical[0]["pdf"])


def test_every_link_resolves_in_the_ebook(technical):
    epub = Epub(technical[0]["epub"])
    checked = 0
    for name in ("ch-01-basics", "ch-02-results"):
        for anchor in _chapter(epub, name).iter(f"{{{NS['xhtml']}}}a"):
            href = anchor.get("href", "")
            if href.startswith("http"):
                continue
            target, _, fragment = href.partition("#")
            document = _chapter(epub, target.removesuffix(".xhtml") or name)
            assert document.xpath(f"//*[@id='{fragment}']"), (name, href)
            checked += 1
    assert checked >= 10
    texts = {" ".join(a.itertext()): a.get("href") for a in _chapter(epub, "ch-01-basics").iter(
        f"{{{NS['xhtml']}}}a")}
    assert texts["method"] == "ch-02-results.xhtml#ch-02-results-method"  # parts/02-results.md#method
    assert texts["overview"] == "ch-01-basics.xhtml#ch-01-basics-overview"  # the GitHub-style #overview


def test_the_svg_is_packaged_cleaned(technical):
    epub = Epub(technical[0]["epub"])
    item = next(i for i in epub.manifest().values() if i.get("href") == "images/flow.svg")
    assert item.get("media-type") == "image/svg+xml"
    svg = epub.zip.read(f"{epub.base}images/flow.svg").decode()
    assert "<script" not in svg and "onclick" not in svg and "example.com" not in svg
    assert "Markdown" in svg
    warnings = [str(w) for w in technical[1].warnings]
    assert any("flow.svg': removed <script>, 'onclick' on <rect>" in w for w in warnings)


def test_the_sample_passes_epubcheck_and_ace(technical):
    assert_epubcheck_and_ace_pass(technical[0]["epub"])


def test_the_web_edition_holds_mathml_and_its_styles_unescaped(technical):
    page = technical[0]["html"].read_text(encoding="utf-8")
    assert page.count("<math ") == 6
    style = page[page.index("<style>"):page.index("</style>")]
    assert "&#34;" not in style and "&gt;" not in style and '"IBM Plex Mono"' in style
    assert ".highlight .k" in style


def test_the_web_edition_is_styled_in_a_browser(technical, tmp_path):
    page = tmp_path / "page.html"
    shutil.copy(technical[0]["html"], page)
    title = in_chromium(page, "[getComputedStyle(document.body).fontFamily, "
                         "getComputedStyle(document.querySelector('pre')).fontFamily].join('|')", tmp_path)
    body_font, code_font = title.split("|")
    assert "Iowan Old Style" in body_font and "Times" not in body_font
    assert "IBM Plex Mono" in code_font


EQUATION_GEOMETRY = ("(() => { const e = document.querySelector('.equation.numbered'); "
                     "const m = e.querySelector('math').getBoundingClientRect(); "
                     "const n = e.querySelector('.equation-number').getBoundingClientRect(); "
                     "const b = e.getBoundingClientRect(); "
                     "const u = document.querySelector('.equation:not(.numbered) math').getBoundingClientRect(); "
                     "return [m.left + m.width / 2 - (b.left + b.width / 2), b.right - n.right, "
                     "n.top + n.height / 2 - (m.top + m.height / 2), u.left + u.width / 2 - (b.left + b.width / 2)]"
                     ".map(Math.round).join(' '); })()")


@pytest.mark.parametrize("edition", ["web", "epub"])
def test_equations_are_centred_and_a_number_sits_flush_right_on_its_line(technical, tmp_path, edition):
    if edition == "web":
        page = tmp_path / "page.html"
        shutil.copy(technical[0]["html"], page)
    else:
        with zipfile.ZipFile(technical[0]["epub"]) as epub:
            epub.extractall(tmp_path / "epub")
        page = next(path for path in (tmp_path / "epub").rglob("*.xhtml")
                    if 'class="equation numbered"' in path.read_text(encoding="utf-8"))
    geometry = in_chromium(page, EQUATION_GEOMETRY, tmp_path)
    off_centre, number_gap, number_drop, unnumbered_off_centre = map(int, geometry.split())
    assert abs(off_centre) <= 2 and abs(number_gap) <= 2 and abs(number_drop) <= 4, geometry
    assert abs(unnumbered_off_centre) <= 2, geometry


def test_a_reference_to_no_label_names_the_closest(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    chapter = book / "parts" / "02-results.md"
    chapter.write_text(chapter.read_text().replace("see @fig-bars again", "see @fig-barz again"))
    with pytest.raises(ManuscriptError) as error:
        build(book, tmp_path / "out", ["epub"], Report())
    assert [str(p) for p in error.value.problems] == [
        f"{chapter}:5: '@fig-barz' refers to no figure of the book; did you mean '@fig-bars'?"]


def test_tex_that_cannot_be_read_is_an_error_or_a_placeholder(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: T\nlanguage: en\n")
    (book / "one.md").write_text("# One\n\nFine $x^2$ and broken $\\frac{a}$ here.\n")
    with pytest.raises(ManuscriptError) as error:
        build(book, tmp_path / "out", ["epub"], Report())
    assert str(error.value) == (f"{book / 'one.md'}:3: math '\\frac{{a}}' cannot be read: a command is missing an "
                                "argument (<mfrac> has 1 of 2); check the TeX")
    report = Report()
    epub = Epub(build(book, tmp_path / "out", ["epub"], report, BuildOptions(keep_going=True))[0])
    assert _chapter(epub, "ch-one").find(".//xhtml:code[@class='math-error']", NS).text == "\\frac{a}"
    assert "shown as its TeX because of --keep-going" in str(report.warnings[-1])


def test_a_table_too_wide_for_the_page_is_named_with_its_line(tmp_path):
    (tmp_path / "book.yaml").write_text("title: W\nlanguage: en\n")
    cells = range(14)
    (tmp_path / "one.md").write_text("# Wide\n\nText.\n\n" + "|" + "|".join(f"heading{i}" for i in cells) + "|\n|"
                                     + "|".join("---" for _ in cells) + "|\n|"
                                     + "|".join(f"longervalue{i}" for i in cells) + "|\n")
    report = Report()
    build(tmp_path, tmp_path / "out", ["pdf"], report)
    assert print_warnings(report) == [
        f"{tmp_path / 'one.md'}:5: warning: PDF layout: this table runs 193 pt past the text block on page 1: give "
        "it fewer columns or shorter cells, or its caption {.landscape} for a page of its own"]


def test_references_can_name_their_page_in_print(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    config = (book / "book.yaml").read_text()
    (book / "book.yaml").write_text(config.replace("print:\n", "print:\n  xref_pages: true\n"))
    text = " ".join(line.text for page in pdf_pages(build(book, tmp_path / "out", ["pdf"], Report())[0])
                    for line in page.lines)
    assert re.search(r"Figure 1\.2 on page \d+", text) and re.search(r"Table 2\.1 on page \d+", text)


def test_a_chapter_with_a_second_top_heading_is_numbered(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\n")
    (tmp_path / "one.md").write_text("# One\n\nText.\n\n# Again {#sec-again}\n\nMore, see @sec-again.\n")
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], Report())[0])
    references = [a for a in _chapter(epub, "ch-one").iter(f"{{{NS['xhtml']}}}a") if a.get("class") == "xref"]
    assert [a.text for a in references] == ["Section 1.1"]


def test_a_chapter_labelled_as_quarto_labels_it_is_referred_to_by_its_number(tmp_path):
    """`# Introduction {#sec-intro}` then `@sec-intro`, a Quarto book's habit: "Chapter 2" in the body, a front
    chapter's title in front matter."""
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\nchapters: [preface.md, one.md, two.md]\n")
    (tmp_path / "preface.md").write_text("---\nrole: preface\n---\n# Preface {#sec-preface}\n\nRead @sec-two.\n")
    (tmp_path / "one.md").write_text("# Introduction {#sec-intro}\n\nSee @sec-two and @sec-preface.\n")
    (tmp_path / "two.md").write_text("# Methods {#sec-two}\n\n## Setup {#sec-setup}\n\n"
                                     "Back to @sec-intro, @sec-setup.\n")
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], Report())[0])
    found = {chapter: [(a.text, a.get("href")) for a in _chapter(epub, chapter).iter(f"{{{NS['xhtml']}}}a")
                       if a.get("class") == "xref"] for chapter in ("ch-preface", "ch-one", "ch-two")}
    assert found == {"ch-preface": [("Chapter 2", "ch-two.xhtml#sec-two")],
                     "ch-one": [("Chapter 2", "ch-two.xhtml#sec-two"), ("Preface", "ch-preface.xhtml#sec-preface")],
                     "ch-two": [("Chapter 1", "ch-one.xhtml#sec-intro"), ("Section 2.1", "ch-two.xhtml#sec-setup")]}


@pytest.mark.parametrize("tex, reason", [
    ("a & b", "an '&' outside an aligned or array environment; write \\& for an ampersand"),
    ("\\frac{a}{b", "its braces { } do not pair up"),
])
def test_tex_latex2mathml_mistranslates_is_refused_with_its_reason(tex, reason):
    with pytest.raises(MathError, match=re.escape(reason)):
        mathml(tex, display=False)
    assert mathml("a \\& b", display=False).get("alttext") == "a \\& b"


def test_a_link_to_the_html_page_of_a_chapter_leads_to_that_chapter(tmp_path):
    (tmp_path / "book.yaml").write_text("title: L\nlanguage: en\n")
    (tmp_path / "one.md").write_text("# One\n\nSee [details](two.html#details) and [two](two.htm).\n")
    (tmp_path / "two.md").write_text("# Two\n\n## Details\n\nText.\n")
    report = Report()
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], report)[0])
    links = {a.text: a.get("href") for a in _chapter(epub, "ch-one").iter(f"{{{NS['xhtml']}}}a")}
    assert links == {"details": "ch-two.xhtml#ch-two-details", "two": "ch-two.xhtml#ch-two"}
    assert not [warning for warning in report.warnings if "leads nowhere" in str(warning)]


def _pages_holding(pdf: Path, needle: str) -> list[tuple[tuple[float, float], float, tuple[float, ...]]]:
    """Each page whose text holds `needle`: its size, the angle its first letter is drawn at (in turns), and the
    box of the page's text (left, bottom, right, top), read by PDFium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    found = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        text = page.get_textpage()
        start = text.get_text_range().find(needle)
        if start >= 0:
            boxes = [text.get_charbox(index) for index in range(text.count_chars())]
            extent = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                      max(b[3] for b in boxes))
            found.append((page.get_size(), pdfium_c.FPDFText_GetCharAngle(text.raw, start) / (2 * math.pi), extent))
    document.close()
    return found


def test_a_landscape_table_is_turned_onto_a_page_of_the_book_s_size(technical):
    """`{.landscape}`: in print the table has a page of its own, drawn sideways on an upright page of the book's
    size (printers take one page size); the screen PDF keeps that page landscape."""
    pages = _pages_holding(technical[0]["pdf"], "Manifesto of the Communist Party")
    upright = _pages_holding(technical[0]["pdf"], "Pages and words of two books")
    assert len(pages) == 1 and upright  # the turned table's row; the upright table's caption
    (size, turn, (left, bottom, right, top)), = pages
    assert size == upright[0][0] and size[0] < size[1]
    assert abs(turn - 0.75) < 0.01  # a quarter turn: the table's top at the page's left edge
    assert upright[0][1] == 0
    assert left >= 0.4 * 72 and right <= size[0] - 0.4 * 72 and bottom >= 0.4 * 72 and top <= size[1] - 0.4 * 72
    (screen_size, screen_turn, _), = _pages_holding(technical[0]["screen"], "Manifesto of the Communist Party")
    assert screen_size[0] > screen_size[1] and screen_turn == 0


def test_a_caption_line_of_classes_alone_gives_no_caption(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\n")
    (tmp_path / "one.md").write_text("# One\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: {.landscape .numbers}\n\n"
                                     "| c | d |\n|---|---|\n| 3 | 4 |\n\n: Kept as typed {#fig-wrong}\n")
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], Report())[0])
    first, second = _chapter(epub, "ch-one").findall(".//xhtml:table", NS)
    assert first.get("class") == "landscape numbers" and first.find("xhtml:caption", NS) is None
    assert "".join(second.find("xhtml:caption", NS).itertext()) == "Kept as typed {#fig-wrong}"  # not a table's id


def test_a_book_may_leave_long_code_lines_whole_and_hear_of_each(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\nprint:\n  code_wrap: false\n")
    long_line = "total = " + " + ".join(f"value_{i}" for i in range(12))
    (tmp_path / "one.md").write_text(f"# One\n\nText.\n\n```python\nshort = 1\n{long_line}\n```\n\n"
                                     f"> ```\n> {long_line}\n> ```\n")
    report = Report()
    pdf = build(tmp_path, tmp_path / "out", ["pdf"], report)[0]
    assert print_warnings(report) == [
        f"{tmp_path / 'one.md'}:{line}: warning: PDF layout: this code line of {len(long_line)} characters runs past "
        f"the text block (it holds {columns}): shorten it, or set print.code_wrap: true to break it with a mark"
        for line, columns in ((7, 59), (11, 53))]
    text = [line.text for page in pdf_pages(pdf) for line in page.lines]
    whole = [line for line in text if line.startswith(long_line[:62])]  # runs on past the measure, to the edge
    assert len(whole) == 2 and not any("↪" in line or "value_11" in line for line in text)


def test_mdbook_fences_and_listing_elements_keep_their_code(tmp_path):
    """mdBook books write ```` ```rust,ignore ```` and wrap code blocks in `<Listing>`: the code stays a highlighted
    block, the obsolete element is unwrapped with a warning at its line, and no empty paragraph is left."""
    (tmp_path / "book.yaml").write_text("title: T\nlanguage: en\n")
    (tmp_path / "one.md").write_text("# One\n\nText.\n\n<Listing number=\"1-1\" caption=\"Hello\">\n\n"
                                     "```rust,ignore\nfn main() {}\n```\n\n</Listing>\n\n"
                                     "> ```rust,no_run,edition2021\n> let x = 1;\n> ```\n")
    report = Report()
    chapter = _chapter(Epub(build(tmp_path, tmp_path / "out", ["epub"], report)[0]), "ch-one")
    blocks = chapter.findall(".//xhtml:div[@class='language-rust highlight']", NS)
    assert ["".join(block.itertext()).strip() for block in blocks] == ["fn main() {}", "let x = 1;"]
    assert not [p for p in chapter.iter(f"{{{NS['xhtml']}}}p") if not "".join(p.itertext()).strip()]
    assert [str(w) for w in report.warnings] == [
        f"{tmp_path / 'one.md'}:5: warning: removed obsolete <listing>: an EPUB may not hold it there; delete or "
        "fix it in the Markdown"]


def test_a_wide_table_over_several_pages_is_named_once(tmp_path):
    (tmp_path / "book.yaml").write_text("title: W\nlanguage: en\n")
    cells = range(14)
    rows = "".join("|" + "|".join(f"longervalue{i}" for i in cells) + "|\n" for _ in range(120))
    (tmp_path / "one.md").write_text("# Wide\n\nText.\n\n" + "|" + "|".join(f"heading{i}" for i in cells) + "|\n|"
                                     + "|".join("---" for _ in cells) + "|\n" + rows)
    report = Report()
    build(tmp_path, tmp_path / "out", ["pdf"], report)
    warnings = print_warnings(report)
    assert len(warnings) == 1 and re.search(r"one\.md:5: .* past the text block on pages 1–\d+: ", warnings[0])
