"""The print PDF, read back from the file: page size, fonts, outline, contents page numbers, text, metadata."""

from __future__ import annotations

import re

import pikepdf
import pytest

from publish.build import build
from publish.errors import Report
from publish.manuscript.strings import catalogue, languages
from publish.release.verify import check_pdf
from tests.formats.test_epub import SECTIONS
from tests.helpers import assert_review_text_in_order, pdf_pages, print_warnings

POINTS_PER_MM = 72 / 25.4
CONTENTS_TITLES = {catalogue(language)["contents"] for language in languages()}  # the features sample is French


def outline(path) -> list[tuple[str, int]]:
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        entries = []
        with pdf.open_outline() as tree:
            stack = list(reversed(tree.root))
            while stack:
                item = stack.pop()
                entries.append((item.title, pages[item.destination[0].objgen]))
                stack.extend(reversed(item.children))
        return entries


def contents(pages) -> list[tuple[str, str]]:
    """(title, page number) for each line of the printed contents, joined when a title wraps."""
    start = next(i for i, p in enumerate(pages) if any(line.text in CONTENTS_TITLES for line in p.lines))
    entries, pending = [], ""
    for page in pages[start:]:
        if entries and not any(re.search(r"\.\s*\d+$", line.text) for line in page.lines):
            break
        for line in page.body_lines():
            if line.text in CONTENTS_TITLES:
                continue
            match = re.match(r"^(.*?)[ .]*?(\d+|[ivxlc]+)$", line.text)
            if match and re.search(r"\. ?\.", line.text):
                entries.append(((pending + " " + match.group(1)).strip(" ."), match.group(2)))
                pending = ""
            else:
                pending = (pending + " " + line.text).strip()
    return entries


def start_folio(pages, title: str, after: int) -> tuple[int, str]:
    """The page (physical number and printed folio) whose body first shows `title` as a line, after page `after`.

    A heading may wrap onto up to three lines and end in a note mark, which the text layer shows as digits."""
    pattern = re.compile(re.escape(title) + r"( ?\d+)?")
    for page in pages[after:]:
        texts = [line.text for line in page.body_lines()]
        for start in range(len(texts)):
            if any(pattern.fullmatch(" ".join(texts[start:start + n])) for n in (1, 2, 3)):
                return page.number, page.folio()
    raise AssertionError(f"heading {title!r} not found")


def test_page_size_is_the_trim_size(review, features):
    with pikepdf.open(review.pdf) as pdf:
        assert {tuple(round(float(v), 1) for v in page.mediabox) for page in pdf.pages} == {(0, 0, 396.0, 612.0)}
    with pikepdf.open(features.pdf) as pdf:
        assert [round(float(v), 1) for v in pdf.pages[0].mediabox] == [0, 0, 432.0, 648.0]


def test_every_font_is_embedded_and_the_file_is_sound(review, manifesto):
    for built in (review, manifesto):
        verdict = check_pdf(built.pdf)
        assert verdict.errors == ()
        assert any("Source-Serif-Pro" in name for name in verdict.details["fonts"])


def test_screen_pdf_has_one_bookmark_per_contents_entry_at_its_start_page(profile_builds):
    review, manifesto = profile_builds["review", "screen"], profile_builds["manifesto", "screen"]
    assert [title for title, _ in outline(review)] == ["Never Let Me Go (2010)", *SECTIONS]
    pages = pdf_pages(manifesto)
    entries = contents(pages)
    assert [title for title, _ in outline(manifesto)] == [title for title, _ in entries]
    toc_page = next(p.number for p in pages if any(line.text in CONTENTS_TITLES for line in p.lines))
    outline_pages = dict(outline(manifesto))
    for title, _ in entries:
        physical, _ = start_folio(pages, title, toc_page)
        assert outline_pages[title] == physical, title


def test_contents_numbers_are_the_real_start_pages(features):
    """(The review and the Manifesto are checked in every profile in test_pdf_profiles.py.)"""
    pages = pdf_pages(features.pdf)
    entries = contents(pages)
    assert len(entries) >= 3
    toc_page = next(p.number for p in pages if any(line.text in CONTENTS_TITLES for line in p.lines))
    for title, printed in entries:
        _, folio = start_folio(pages, title, toc_page)
        assert folio == printed, title


def test_review_text_is_complete_and_in_order(review):
    assert_review_text_in_order(" ".join(line.text for page in pdf_pages(review.pdf) for line in page.body_lines()))


def test_front_matter_is_numbered_in_roman_and_the_body_from_1(review):
    pages = pdf_pages(review.pdf)
    first_body = next(p for p in pages if any(line.text == "Never Let Me Go (2010)" for line in p.body_lines())
                      and p.number > 4)
    assert [p.folio() for p in pages[:first_body.number - 1]] == [None, None, None, None, "v", None]
    assert [p.label for p in pages[:first_body.number - 1]] == ["i", "ii", "iii", "iv", "v", "vi"]
    assert all(p.folio() == p.label == str(p.number - first_body.number + 1) for p in pages[first_body.number - 1:])


def test_metadata(review, manifesto):
    with pikepdf.open(review.pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Never Let Me Go (2010): A Film Review"
        assert "/Author" not in info
        assert str(info["/Keywords"]) == "Never Let Me Go (Motion picture), Film reviews, Science fiction films"
        assert str(info["/Subject"]).startswith("A review of Mark Romanek")
        assert str(pdf.Root.Lang) == "en-US"
        assert str(info["/CreationDate"]) == "D:20231114221320Z"
    with pikepdf.open(manifesto.pdf) as pdf:
        assert str(pdf.docinfo["/Author"]) == "Karl Marx, Friedrich Engels"
        assert str(pdf.Root.Lang) == "en-GB"


def test_chapters_start_on_a_recto(manifesto):
    pages = pdf_pages(manifesto.pdf)
    for title in ("Preface", "Introduction", "I: Bourgeois and Proletarians"):
        physical, _ = start_folio(pages, title, 5)
        assert physical % 2 == 1, title


def test_hyphenation_in_the_book_language(manifesto):
    lines = [line.text for page in pdf_pages(manifesto.pdf) for line in page.body_lines()]
    assert sum(1 for text in lines if re.search(r"[a-z][-\u2010]$", text)) > 10


def test_same_input_gives_identical_bytes(review, tmp_path):
    again = build(review.manuscript, tmp_path, ["pdf"], Report())[0]
    assert again.read_bytes() == review.pdf.read_bytes()


def test_build_logs_no_warnings(review, manifesto):
    assert manifesto.report.warnings == []
    assert print_warnings(review.report) == [] and len(review.report.warnings) == 1  # 12 pages, under kdp's 24


@pytest.mark.parametrize("book", ["review", "manifesto"])
def test_no_heading_is_stranded_at_the_foot_of_a_page(book, request):
    pages = pdf_pages(request.getfixturevalue(book).pdf)
    toc_page = next(p.number for p in pages if any(line.text in CONTENTS_TITLES for line in p.lines))
    titles = [title for title, _ in contents(pages)]
    assert len(titles) >= 6 and len(pages) > toc_page
    for page in pages[toc_page:]:
        texts = [line.text for line in page.body_lines()]
        for title in titles:
            pattern = re.compile(re.escape(title) + r"( ?\d+)?")
            for start in range(len(texts)):
                for size in (1, 2, 3):
                    if pattern.fullmatch(" ".join(texts[start:start + size])):
                        assert start + size < len(texts), f"'{title}' ends page {page.number}"
