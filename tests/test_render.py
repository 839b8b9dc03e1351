"""Markdown to format-neutral XHTML: extensions, ids, headings, notes, cleaning of raw HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from publish.errors import ManuscriptError, Report
from publish.manuscript.loading import load_book
from publish.model import ChapterSource
from publish.render.book import RenderOptions, render_book, render_chapter

ROOT = Path("/books/novel")


def chapter(text: str, report: Report | None = None, title: str | None = None):
    source = ChapterSource(path=ROOT / "one.md", text=text, first_line=1, title=title)
    return render_chapter(source, "ch-one", RenderOptions(ROOT), report or Report())


def tree(html: str) -> etree._Element:
    return etree.fromstring(f"<div>{html}</div>")


def test_smart_punctuation_makes_curly_quotes_and_dashes():
    body = chapter('# T\n\nShe said "yes" -- and \'no\' --- it\'s done...\n').body_html
    # a spaced dash is held to the word before it (render/typography.py)
    assert "She said \u201cyes\u201d\u00a0\u2013 and \u2018no\u2019\u00a0\u2014 it\u2019s done\u2026" in body


def test_existing_typography_is_kept():
    text = "Booker Prize\u2013nominated film \u2014 \u201ccarers\u201d and \u2018donors\u2019"
    assert text.replace(" \u2014", "\u00a0\u2014") in chapter(f"# T\n\n{text}\n").body_html


def test_title_is_the_first_level_one_heading():
    rendered = chapter("# The *Title*\n\nText.\n\n## Part One\n\n### Deeper\n")
    assert (rendered.title, rendered.title_html) == ("The Title", "The <em>Title</em>")
    assert [(h.level, h.id, h.title) for h in rendered.headings] == [
        (1, "ch-one", "The Title"), (2, "ch-one-part-one", "Part One"), (3, "ch-one-deeper", "Deeper")]


def test_repeated_heading_titles_get_distinct_ids():
    rendered = chapter("# T\n\n## Notes\n\n## Notes\n")
    assert [h.id for h in rendered.headings] == ["ch-one", "ch-one-notes", "ch-one-notes-2"]


def test_explicit_heading_id_is_kept():
    rendered = chapter("# T\n\n## Part {#part-one}\n")
    assert rendered.headings[1].id == "part-one"


def test_front_matter_title_becomes_the_heading():
    rendered = chapter("Just text.\n", title="Foreword")
    assert rendered.title == "Foreword"
    assert tree(rendered.body_html)[0].tag == "h1"


def test_chapter_without_title_is_an_error():
    with pytest.raises(ManuscriptError) as error:
        chapter("Just text, no heading.\n")
    assert str(error.value) == ("/books/novel/one.md:1: chapter has no title: start it with a '# Title' line or "
                                "set 'title:' in its front matter")


def test_footnotes_become_noterefs_and_notes_with_book_unique_ids():
    rendered = chapter("# T[^h]\n\nText.[^1]\n\n[^1]: The *note*.\n[^h]: Heading note.\n")
    body = tree(rendered.body_html)
    refs = body.xpath(".//a[@role='doc-noteref']")
    assert [r.get("href") for r in refs] == ["#ch-one-fn-h", "#ch-one-fn-1"]
    assert [r.get("{http://www.idpf.org/2007/ops}type") for r in refs] == ["noteref", "noteref"]
    assert [(n.id, n.ref_id, n.number) for n in rendered.footnotes] == [
        ("ch-one-fn-h", "ch-one-fnref-h", 1), ("ch-one-fn-1", "ch-one-fnref-1", 2)]
    assert rendered.footnotes[1].html == "<p>The <em>note</em>.</p>"
    assert rendered.title == "T"  # the note reference is not part of the title
    assert not body.xpath(".//div[@class='footnote']")


def test_tables_definition_lists_code_and_attributes():
    body = tree(chapter("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTerm\n:   Def\n\n"
                        "```python\nx = 1\n```\n\nStyled\n{: .special }\n").body_html)
    assert body.find(".//table/tbody/tr/td").text == "1"
    assert body.find(".//dl/dd").text == "Def"
    assert body.find(".//div[@class='language-python highlight']/pre/code") is not None  # highlighted by Pygments
    assert body.find(".//p[@class='special']").text == "Styled"


def test_raw_html_is_cleaned_with_warnings_naming_the_line():
    report = Report()
    body = tree(chapter('# T\n\nSafe.\n\n<script>alert(1)</script>\n\n<p onclick="x()">Click <font>me</font>'
                        '&nbsp;<br></p>\n', report).body_html)
    assert not body.xpath(".//script") and not body.xpath(".//font") and not body.xpath(".//@onclick")
    assert "Click me\u00a0" in "".join(body.itertext())
    fix = "an EPUB may not hold it there; delete or fix it in the Markdown"
    assert [str(w) for w in report.warnings] == [
        f"/books/novel/one.md:5: warning: removed <script>: {fix}",
        f"/books/novel/one.md:7: warning: removed event handler 'onclick': {fix}",
        f"/books/novel/one.md:7: warning: removed obsolete <font>: {fix}",
    ]


def test_remote_image_is_an_error():
    with pytest.raises(ManuscriptError) as error:
        chapter("# T\n\n![x](https://example.org/a.png)\n")
    assert str(error.value) == ("/books/novel/one.md:3: image 'https://example.org/a.png' is not a local file; builds "
                                "never fetch from the network, so save it in the manuscript folder and use its "
                                "relative path")


def test_missing_image_is_an_error(manuscript_copy):
    (manuscript_copy / "two.md").write_text("# Two\n\nText.\n\n![A map](map.png)\n")
    with pytest.raises(ManuscriptError) as error:
        render_book(load_book(manuscript_copy), Report())
    assert str(error.value) == f"{manuscript_copy}/two.md:5: image 'map.png' not found; check the file name " \
                               "(relative to manuscript/)"


def test_duplicate_explicit_ids_across_chapters(manuscript_copy):
    (manuscript_copy / "one.md").write_text("# One {#same}\n")
    (manuscript_copy / "two.md").write_text("# Two {#same}\n")
    with pytest.raises(ManuscriptError) as error:
        render_book(load_book(manuscript_copy), Report())
    assert str(error.value) == f"{manuscript_copy}/two.md: id 'same' is also used in one.md; ids must be unique " \
                               "in the book"


def test_toc_nests_headings_down_to_the_depth(manuscript_copy):
    book = render_book(load_book(manuscript_copy), Report())
    assert [(e.heading.title, [c.heading.title for c in e.children]) for e in book.toc] == [
        ("The First Chapter", ["A Section"]), ("The Second Chapter", [])]


def test_chapters_with_the_same_file_name_in_different_folders_get_distinct_ids(manuscript_copy):
    (manuscript_copy / "part-2").mkdir()
    (manuscript_copy / "part-2" / "one.md").write_text("# One Again\n\nText.\n")
    (manuscript_copy / "book.yaml").write_text("title: A\nlanguage: en\nchapters: [one.md, part-2/one.md]\n")
    book = render_book(load_book(manuscript_copy), Report())
    assert [c.id for c in book.chapters] == ["ch-one", "ch-one-2"]
