"""Line ends in WeasyPrint's layout while the print layout runs: no third hyphenated line-end in a row, and a loose
line evened with the line above it."""

from __future__ import annotations

import shutil

import weasyprint.layout as layout
import weasyprint.layout.inline as inline
import weasyprint.text.line_break as line_break
from weasyprint import CSS, HTML

from publish.build import BuildOptions, build
from publish.errors import Report
from publish.layout.hooks import print_layout_hooks
from publish.layout.line_breaks import hyphen_runs
from tests.helpers import CORPUS, PROJECT, pdf_pages
from tests.typeset import design_report

WORDS = ("extraordinarily incomprehensibility unquestionably characteristically disproportionately "
         "institutionalisation interdisciplinary misunderstanding counterrevolutionary ") * 6
NARROW = CSS(string="@page { size: 90mm 200mm; margin: 10mm; } "
                    "p { hyphens: auto; text-align: justify; font-size: 11pt; width: 48mm; }")


def _runs(paragraph: str) -> list:
    source = HTML(string=f'<html lang="en"><body><p>{paragraph}</p></body></html>')
    document = source.render(stylesheets=[NARROW])
    return hyphen_runs(document, source.etree_element)


def test_without_the_limit_long_words_hyphenate_three_lines_in_a_row():
    assert _runs(WORDS)  # the text below would need a second pass without the limit


def test_with_the_limit_no_third_line_in_a_row_is_hyphenated():
    with print_layout_hooks():
        assert _runs(WORDS) == []
    assert _runs(WORDS)  # and only while it is on


def test_runs_of_typed_hyphens_are_still_found():
    typed = " ".join(["well-to-do up-to-date mother-in-law"] * 12)
    with print_layout_hooks():
        assert _runs(typed)  # a later pass keeps such a word whole


def test_the_hooks_are_gone_after_a_build_and_plain_weasyprint_behaves_as_without_them(tmp_path):
    own = (inline.get_next_linebox, inline.avoid_collisions, line_break.pyphen, layout.make_margin_boxes)
    plain = HTML(string=f'<html lang="en"><body><p>{WORDS}</p></body></html>')
    before = plain.write_pdf(stylesheets=[NARROW])
    assert _runs(WORDS)  # WeasyPrint left alone hyphenates three lines in a row here
    build(PROJECT / "manuscript", tmp_path, ["pdf"], Report(), BuildOptions(jobs=1))
    assert (inline.get_next_linebox, inline.avoid_collisions, line_break.pyphen, layout.make_margin_boxes) == own
    assert plain.write_pdf(stylesheets=[NARROW]) == before
    assert _runs(WORDS)


def test_a_line_before_a_word_that_cannot_break_is_evened_with_the_line_above(tmp_path):
    """Middlemarch breaks its lines loose before the words nothing splits ("Mr. Casaubon", "Wordsworth"): the
    greedy line breaker leaves 15 lines of its first ten chapters loose at a 3.75 in measure; the line laid out
    with the next one ahead gives that one its last word and leaves 9."""
    book = tmp_path / "book"
    book.mkdir()
    chapters = sorted((CORPUS / "middlemarch").glob("0[01][0-9]-chapter-*.md"))[:10]
    for chapter in chapters:
        shutil.copy(chapter, book)
    listed = "".join(f"- {chapter.name}\n" for chapter in chapters)
    (book / "book.yaml").write_text(f"title: Middlemarch\nlanguage: en\nchapters:\n{listed}"
                                    "print:\n  trim_size: 5 x 8 in\n", encoding="utf-8")
    pdf = build(book, tmp_path / "out", ["pdf"], Report())[0]
    report = design_report(pdf_pages(pdf), 1)
    assert report["pages"] > 100
    assert report["loose lines"] <= 10
