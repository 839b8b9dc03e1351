"""Books in other languages (tests/data/french): the fixed strings from the language's catalogue in every
format, book.yaml's overrides of them, and the language's typography (French spacing; dashes held to their
word in every language) read back from the EPUB's XML and the PDF's lines."""

from __future__ import annotations

import random
import shutil

import pytest

from publish.build import BuildOptions, build
from publish.errors import ConfigError, Report
from publish.manuscript.strings import catalogue, languages
from tests.conftest import assert_epubcheck_and_ace_pass
from tests.helpers import DATA, NS, Epub, in_chromium, installed_font_or_skip, pdf_pages

BOOK = DATA / "french"
ENGLISH_FURNITURE = ("Contents", "Title page", "Copyright", "Published", "Cover", "Figure 1.1:",
                     "Back to the text", "Translated by", "Print edition", "Ebook edition", "List of Figures")
XHTML = f"{{{NS['xhtml']}}}"


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    out = tmp_path_factory.mktemp("french")
    report = Report()
    return dict(zip(("epub", "pdf", "html"), build(BOOK, out, ["epub", "pdf", "html"], report))), report


def _texts(epub: Epub) -> dict[str, str]:
    """Each XHTML document's text, with its attributes' values (labels, alternative text)."""
    texts = {}
    for name in epub.zip.namelist():
        if name.endswith(".xhtml"):
            root = epub.xml(name)
            values = [value for element in root.iter() for key, value in element.attrib.items()
                      if key in ("alt", "title", "aria-label")]
            texts[name] = " ".join(["".join(root.itertext()), *values])
    return texts


def test_every_catalogue_has_every_string_with_the_same_placeholders():
    english = catalogue("en")
    assert len(languages()) >= 8 and {"en", "fr", "de", "es", "it", "pt", "nl", "ja"} <= set(languages())
    for language in languages():
        strings = catalogue(language)
        assert set(strings) == set(english), language
        for key, text in strings.items():
            assert set(_fields(text)) == set(_fields(english[key])), (language, key)
            assert text, (language, key)


def _fields(text: str) -> list[str]:
    import string
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_the_ebook_s_furniture_is_french(french):
    epub = Epub(french[0]["epub"])
    texts = _texts(epub)
    assert texts and not [(name, word) for name, text in texts.items() for word in ENGLISH_FURNITURE if word in text]
    nav = epub.xml(f"{epub.base}nav.xhtml")
    assert nav.find(".//xhtml:h1", NS).text == "Table des matières"
    landmarks = [a.text for a in nav.findall(".//xhtml:nav[@id='landmarks']//xhtml:a", NS)]
    assert landmarks == ["Couverture", "Page de titre", "Table des matières", "Début du texte", "Mentions légales"]
    copyright_page = texts[f"{epub.base}copyright.xhtml"]
    assert "Édition numérique" in copyright_page and "urn:uuid:" not in copyright_page  # only an ISBN is shown
    assert "Publié par Éditions d’Essai, 2024." in copyright_page
    assert "Traduit par Paul Traducteur" in texts[f"{epub.base}titlepage.xhtml"]
    assert "Couverture de La Nuit des guillemets, par Jeanne Exemple" in texts[f"{epub.base}cover.xhtml"]
    summary = epub.opf.find(".//opf:meta[@property='schema:accessibilitySummary']", NS).text
    assert summary.startswith("Texte recomposable") and "Chaque image a une alternative textuelle." in summary
    assert "Figure 1.1\u202f: Une rue sous la pluie" in texts[f"{epub.base}ch-01-la-nuit.xhtml"]


def test_the_print_and_web_furniture_is_french(french):
    lines = [line.text for page in pdf_pages(french[0]["pdf"]) for line in page.lines]
    text = " ".join(lines)
    assert lines and not [word for word in ENGLISH_FURNITURE if word in text]
    for expected in ("Table des matières", "Table des figures", "Traduit par Paul Traducteur", "Édition imprimée",
                     "Composé en Source Serif Pro"):
        assert expected in text, expected
    web = french[0]["html"].read_text(encoding="utf-8")
    assert "Aller au texte" in web and "Édition web" in web and ">Contents<" not in web


def test_french_spacing_in_the_ebook(french):
    chapter = "".join(Epub(french[0]["epub"]).xml("EPUB/ch-01-la-nuit.xhtml").itertext())
    for typed, set_as in (("Tu viens ? »", "Tu viens\u202f?\u202f»"), ("«Tant pis»", "«\u202fTant pis\u202f»"),
                          ("elle; puis", "elle\u202f; puis"), ("bas: «Nous", "bas\u00a0: «\u202fNous"),
                          ("demain!»", "demain\u202f!\u202f»"), ("— Rien", "—\u00a0Rien")):
        assert set_as in chapter, typed
    assert not [pair for pair in ("\u202f ", " \u202f", "\u00a0 ", " \u00a0", "\u202f\u202f") if pair in chapter]


def _long_chapter(words: list[str], marks: list[str], count: int = 900) -> str:
    """Prose whose sentences end in every kind of mark the language's typography holds to its word."""
    chance = random.Random(7)
    sentences = []
    for _ in range(count):
        sentence = " ".join(chance.choice(words) for _ in range(chance.randint(3, 14)))
        sentences.append(chance.choice(marks).format(sentence))
    return "# Long\n\n" + "\n\n".join(" ".join(sentences[i:i + 12]) for i in range(0, count, 12)) + "\n"


def test_no_printed_line_opens_with_french_closing_punctuation(tmp_path):
    (tmp_path / "book.yaml").write_text("title: Long\nlanguage: fr\n")
    words = "la pluie tombait sans bruit sur les toits de la ville endormie et personne ne venait".split()
    marks = ["{} ?", "{} !", "{} ;", "Il dit : {}.", "« {} »", "«{}»", "{} !»", "{}—dit-il."]
    (tmp_path / "long.md").write_text(_long_chapter(words, marks), encoding="utf-8")
    pages = pdf_pages(build(tmp_path, tmp_path / "out", ["pdf"], Report())[0])
    lines = [line.text for page in pages for line in page.body_lines()]
    assert len(lines) > 200
    opening = [line for line in lines if line.startswith(("»", "!", "?", ";", ":", "—"))]
    closing = [line for line in lines if line.endswith("«")]
    assert opening == [] and closing == []


def test_an_english_dash_stays_with_the_word_before_it(tmp_path):
    (tmp_path / "book.yaml").write_text("title: Long\nlanguage: en\n")
    words = "the rain fell without a sound on the roofs of the sleeping town and nobody came".split()
    marks = ["{}—she said.", "{}—", "“{}—”", "{}.", "*{}*—so."]  # the last: after an element, in its tail
    (tmp_path / "long.md").write_text(_long_chapter(words, marks), encoding="utf-8")
    pages = pdf_pages(build(tmp_path, tmp_path / "out", ["pdf"], Report())[0])
    lines = [line.text for page in pages for line in page.body_lines()]
    assert len(lines) > 200 and not [line for line in lines if line.startswith("—")]


def test_a_spaced_dash_stays_with_the_word_before_it(tmp_path):
    """The review's habit: " — " between clauses; the dash ends its line, never opens the next."""
    (tmp_path / "book.yaml").write_text("title: Long\nlanguage: en\n")
    words = "the rain fell without a sound on the roofs of the sleeping town and nobody came".split()
    (tmp_path / "long.md").write_text(_long_chapter(words, ["{} — she said.", "{} – then.", "*{}* — so."]),
                                      encoding="utf-8")
    pages = pdf_pages(build(tmp_path, tmp_path / "out", ["pdf"], Report())[0])
    lines = [line.text for page in pages for line in page.body_lines()]
    ending = [line for line in lines if line.endswith(("—", "–"))]
    assert len(lines) > 200 and len(ending) > 10
    assert not [line for line in lines if line.startswith(("—", "–"))]


def test_chapter_labels_in_the_books_language(tmp_path):
    """contents: chapter_labels: 'Chapitre 1' heads the chapter's title in the ebook and in print; the contents,
    the bookmarks and the running heads keep the bare title."""
    import pikepdf

    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    with (book / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("  chapter_labels: true\n")
    epub_path, pdf = build(book, tmp_path / "out", ["epub", "pdf"], Report(), BuildOptions(profile="screen"))
    epub = Epub(epub_path)
    heading = epub.xml(f"{epub.base}ch-01-la-nuit.xhtml").find(".//xhtml:h1", NS)
    assert " ".join("".join(heading.itertext()).split()) == "Chapitre 1 La nuit"
    assert heading.find("xhtml:span[@class='chapter-label']", NS) is not None
    assert epub.toc_titles()[:1] == ["La nuit"]
    lines = [line.text for page in pdf_pages(pdf) for line in page.body_lines()]
    assert lines[lines.index("Chapitre 1") + 1] == "La nuit"
    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        assert [item.title for item in outline.root] == ["La nuit"]
    assert_epubcheck_and_ace_pass(epub_path)


def test_code_and_math_keep_their_spacing(tmp_path):
    (tmp_path / "book.yaml").write_text("title: C\nlanguage: fr\n")
    (tmp_path / "un.md").write_text("# Un\n\nVoir `a; b ? c!` et $a:b$ ici.\n\n```\nx = y ? 1 : 2;\n```\n")
    chapter = Epub(build(tmp_path, tmp_path / "out", ["epub"], Report())[0]).xml("EPUB/ch-un.xhtml")
    codes = ["".join(code.itertext()) for code in chapter.iter(f"{XHTML}code")]
    assert codes and codes[0] == "a; b ? c!" and "x = y ? 1 : 2;" in codes[1]
    math = chapter.find(".//{http://www.w3.org/1998/Math/MathML}math")
    assert math is not None and "\u00a0" not in "".join(math.itertext())


def test_book_yaml_overrides_a_string_and_is_checked(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    config = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(config + "strings:\n  contents: Sommaire\n  figure: Fig. {number}\n",
                                    encoding="utf-8")
    epub = Epub(build(book, tmp_path / "out", ["epub"], Report())[0])
    nav = epub.xml(f"{epub.base}nav.xhtml")
    assert nav.find(".//xhtml:h1", NS).text == "Sommaire"
    assert "Fig. 1.1" in "".join(epub.xml(f"{epub.base}ch-01-la-nuit.xhtml").itertext())
    (book / "book.yaml").write_text(config + "strings:\n  contens: Sommaire\n  figure: Fig. {numero}\n",
                                    encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        build(book, tmp_path / "out", ["epub"], Report())
    assert [str(problem) for problem in error.value.problems] == [
        f"{book / 'book.yaml'}:17: unknown key 'contens' — did you mean 'contents'?",
        f"{book / 'book.yaml'}:18: strings: figure may hold only these placeholders: {{number}} (write {{{{ and "
        "}} for a brace)"]


def test_a_language_without_a_catalogue_is_set_in_english_with_a_warning(tmp_path):
    (tmp_path / "book.yaml").write_text("title: E\nlanguage: eo\n")
    (tmp_path / "unu.md").write_text("# Unu\n\nTeksto.\n")
    report = Report()
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], report)[0])
    assert epub.xml(f"{epub.base}nav.xhtml").find(".//xhtml:h1", NS).text == "Contents"
    warnings = [str(w) for w in report.warnings if "catalogue" in str(w)]
    assert warnings == [f"{tmp_path / 'book.yaml'}: warning: language 'eo' has no catalogue of the book's fixed "
                        "strings (contents, notes, landmarks...), so they are in English; translate them in "
                        f"book.yaml's 'strings:' section (catalogues: {', '.join(languages())})"]


def test_a_japanese_book_has_japanese_furniture(tmp_path):
    (tmp_path / "book.yaml").write_text("title: 夜\nlanguage: ja\nauthor: [山田 花子, 佐藤 太郎]\n", encoding="utf-8")
    (tmp_path / "one.md").write_text("# 一\n\n雨が降っていた。\n\n![雨の通り](rain.png){#fig-rain}\n\n@fig-rain を見よ。\n",
                                     encoding="utf-8")
    shutil.copy(DATA / "technical" / "images" / "bars.png", tmp_path / "rain.png")
    epub = Epub(build(tmp_path, tmp_path / "out", ["epub"], Report())[0])
    assert epub.xml(f"{epub.base}nav.xhtml").find(".//xhtml:h1", NS).text == "目次"
    texts = _texts(epub)
    chapter = texts[f"{epub.base}ch-one.xhtml"]
    assert "図1.1\u3000雨の通り" in chapter and "図1.1 を見よ" in chapter
    assert "山田 花子、佐藤 太郎『夜』の表紙" in texts[f"{epub.base}cover.xhtml"]


def test_print_says_when_the_language_has_no_hyphenation_dictionary(tmp_path):
    (tmp_path / "book.yaml").write_text("title: A\nlanguage: sw\n")
    (tmp_path / "one.md").write_text("# Moja\n\nMaandishi mafupi.\n", encoding="utf-8")
    report = Report()
    build(tmp_path, tmp_path / "out", ["pdf"], report)
    assert [str(w) for w in report.warnings if "hyphenation" in str(w)] == [
        f"{tmp_path / 'book.yaml'}: warning: print: no hyphenation dictionary for language 'sw', so no word is "
        "hyphenated and justified lines may be loose; check the language tag, or set such lines by hand"]


def test_characters_no_typeface_of_the_book_has_are_named(tmp_path, french):
    (tmp_path / "book.yaml").write_text("title: M\nlanguage: en\n")
    (tmp_path / "one.md").write_text("# One\n\nPlain.\n\nIt rained: 雨が降っていた。 Greek is covered: αβγ.\n\n"
                                     "```\nlet s = \"日本\";\n```\n", encoding="utf-8")
    report = Report()
    build(tmp_path, tmp_path / "out", ["epub"], report)
    warnings = [str(w) for w in report.warnings if "glyph" in str(w)]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"{tmp_path / 'one.md'}:5: warning: the book's typefaces (Source Serif Pro, IBM Plex Mono) have no glyph "
        "for 10 CJK characters: 雨 (U+96E8), が (U+304C), 降 (U+964D), っ (U+3063), て (U+3066), い (U+3044), "
        "た (U+305F), 。 (U+3002) and 2 more; ")
    assert warnings[0].endswith(": install Noto Serif CJK (apt-get install fonts-noto-cjk) and add it to book.yaml's "
                                "fonts: body list")
    assert not [w for w in french[1].warnings if "glyph" in str(w)]  # French: every character covered
    from publish.cli import main
    assert main(["build", "epub", "-m", str(tmp_path), "-o", str(tmp_path / "strict"), "--strict", "-q"]) == 1
    assert not (tmp_path / "strict" / "m.epub").exists()


def test_the_french_sample_passes_epubcheck_and_ace(french):
    assert_epubcheck_and_ace_pass(french[0]["epub"])


ARABIC = DATA / "arabic"


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    out = tmp_path_factory.mktemp("arabic")
    report = Report()
    return dict(zip(("epub", "pdf", "html"), build(ARABIC, out, ["epub", "pdf", "html"], report))), report


def test_a_right_to_left_book_turns_its_pages_the_other_way(arabic):
    epub = Epub(arabic[0]["epub"])
    assert epub.opf.find(".//opf:spine", NS).get("page-progression-direction") == "rtl"
    chapter = epub.xml(f"{epub.base}ch-01-one.xhtml")
    assert chapter.get("dir") == "rtl" and chapter.get("lang") == "ar"
    assert [code.get("dir") for code in chapter.iter(f"{XHTML}code")] == ["ltr"]  # code reads left to right
    assert epub.xml(f"{epub.base}nav.xhtml").find(".//xhtml:h1", NS).text == "المحتويات"
    assert ' dir="rtl"' in arabic[0]["html"].read_text(encoding="utf-8")[:400]
    import pikepdf
    with pikepdf.open(arabic[0]["pdf"]) as pdf:
        assert pdf.Root.ViewerPreferences.Direction == "/R2L"


def test_a_right_to_left_book_bleeds_at_the_outside_edge_of_each_page(tmp_path):
    """Its rectos are left-hand pages: the bleed (KDP: outside edges only) is on their left."""
    import pikepdf

    book = tmp_path / "book"
    shutil.copytree(ARABIC, book)
    (book / "book.yaml").write_text((book / "book.yaml").read_text(encoding="utf-8") + "print:\n  bleed: true\n",
                                    encoding="utf-8")
    with pikepdf.open(build(book, tmp_path / "out", ["pdf"], Report())[0]) as pdf:
        sides = []
        for page in pdf.pages:
            trim, bleed = [float(v) for v in page.TrimBox], [float(v) for v in page.BleedBox]
            sides.append("left" if bleed[0] < trim[0] else "right" if bleed[2] > trim[2] else "none")
    assert len(sides) >= 4 and sides == ["left", "right"] * (len(sides) // 2)


def test_arabic_and_japanese_print_with_real_glyphs(arabic, tmp_path):
    import subprocess

    installed_font_or_skip(":lang=ar")
    installed_font_or_skip(":lang=ja")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(arabic[0]["pdf"])  # PDFium reads right-to-left text in its logical order
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert "السماء" in text and "تمطر" in text and "المحتويات" in text
    (tmp_path / "book.yaml").write_text("title: 夜\nlanguage: ja\n", encoding="utf-8")
    (tmp_path / "one.md").write_text("# 一\n\n雨が降っていた。\n", encoding="utf-8")
    pdf = build(tmp_path, tmp_path / "out", ["pdf"], Report())[0]
    assert "雨が降っていた。" in " ".join(line.text for page in pdf_pages(pdf) for line in page.lines)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "IPA" in fonts or "Noto" in fonts, fonts  # a CJK face drew them, not boxes


def test_the_right_to_left_web_edition_opens_on_its_text(arabic, tmp_path):
    """Chromium lays the page out without a horizontal overflow (a skip link moved off to the left once widened
    a right-to-left page to a blank first view), the text set from the right."""
    found = in_chromium(arabic[0]["html"], "[document.documentElement.scrollWidth <= innerWidth, "
                        "getComputedStyle(document.querySelector('main p')).direction, "
                        "document.querySelector('a.skip').getBoundingClientRect().width]", tmp_path)
    assert found == "true,rtl,1"


def test_the_arabic_sample_passes_epubcheck_and_ace(arabic):
    assert_epubcheck_and_ace_pass(arabic[0]["epub"])


def test_a_cover_image_too_small_for_print_is_named(tmp_path):
    from PIL import Image

    (tmp_path / "book.yaml").write_text("title: C\nlanguage: en\ncover: cover.png\n")
    (tmp_path / "one.md").write_text("# One\n\nText.\n")
    Image.new("RGB", (600, 900), "navy").save(tmp_path / "cover.png")
    report = Report()
    build(tmp_path, tmp_path / "out", ["cover"], report)
    assert [str(w) for w in report.warnings] == [
        f"{tmp_path / 'book.yaml'}: warning: cover 'cover.png' (600 x 900 px) prints at 103 ppi on the front of the "
        "printed cover (5.62 x 8.75 in with the bleed); printers want 300: use an image of at least 1688 x 2625 px"]
    Image.new("RGB", (1688, 2625), "navy").save(tmp_path / "cover.png")
    report = Report()
    build(tmp_path, tmp_path / "out", ["cover"], report)
    assert report.warnings == []


def test_the_german_sample(tmp_path):
    """tests/data/german: German furniture, „…“ and »…« kept with their words in print, EPUBCheck and Ace clean."""
    report = Report()
    epub_path, pdf = build(DATA / "german", tmp_path / "out", ["epub", "pdf"], report)
    epub = Epub(epub_path)
    nav = epub.xml(f"{epub.base}nav.xhtml")
    assert nav.find(".//xhtml:h1", NS).text == "Inhalt"
    landmarks = ["".join(a.itertext()) for a in nav.findall(".//xhtml:nav[@epub:type='landmarks']//xhtml:a", NS)]
    assert landmarks == ["Umschlag", "Titelseite", "Inhalt", "Textbeginn", "Impressum"]
    lines = [line.text for page in pdf_pages(pdf) for line in page.body_lines()]
    assert len(lines) > 30 and "Inhalt" in lines
    assert not [line for line in lines if line.startswith(("“", "«", "—", "!", "?", ";", ":"))]
    assert not [line for line in lines if line.endswith(("„", "»"))]
    assert not [str(warning) for warning in report.warnings if "glyph" in str(warning)]
    assert_epubcheck_and_ace_pass(epub_path)
