"""Code for print: the highlighter's token spans no print style dresses are taken out before layout (they draw
the same and cost layout time), and what print makes of a chapter's formulas and code is kept between builds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from publish.build import BuildOptions, Pipeline
from publish.errors import Report
from publish.layout.code import styled_classes, unwrap_plain_spans
from publish.layout.kept_parts import KeptForPrint
from publish.layout.print_html import print_environment
from publish.layout.profiles import profile_named
from publish.manuscript.loading import load_book
from publish.render.xhtml import inner_xhtml, parse_fragment
from tests.helpers import DATA


def test_only_the_token_spans_a_style_dresses_are_kept():
    tree = parse_fragment('<pre><code><span class="k">def</span><span class="w"> </span><span class="n">f</span>'
                          '<span class="p">(</span>x<span class="p">)</span><span class="n" id="here">y</span>'
                          '</code></pre><p><span class="n">prose</span></p>')
    unwrap_plain_spans(tree, styled_classes([".highlight .k { font-weight: bold } /* Keyword */"]))
    assert inner_xhtml(tree) == ('<pre><code><span class="k">def</span> f(x)<span class="n" id="here">y</span>'
                                 '</code></pre><p><span class="n">prose</span></p>')


def _printed(manuscript: Path):
    book = Pipeline(load_book(manuscript), Report(), BuildOptions(jobs=1)).rendered
    env = print_environment(book, profile_named(book.print.profile))
    return book, env


def test_the_technical_books_code_keeps_its_text_and_its_dressed_spans():
    book, env = _printed(DATA / "technical")
    chapter = next(chapter for chapter in book.chapters if "<pre" in chapter.body_html)
    printed = parse_fragment(str(env.filters["print_body"](chapter)))
    source = parse_fragment(chapter.body_html)
    blocks = list(printed.iter("pre"))
    assert blocks and len(blocks) == len(list(source.iter("pre")))
    classes = [span.get("class") for block in blocks for span in block.iter("span")]
    assert "k" in classes and "n" not in classes and "p" not in classes  # keywords are bold in print; names plain
    before = "".join("".join(block.itertext()) for block in source.iter("pre"))
    assert "".join("".join(block.itertext()).replace("\u21aa ", "") for block in blocks).replace("\n", "") == \
        before.replace("\n", "")  # the same text (long lines broken after a ↪ mark)


def test_what_print_makes_of_a_chapter_is_kept_until_the_chapter_changes(tmp_path):
    book, _ = _printed(DATA / "technical")
    chapter = next(chapter for chapter in book.chapters if "<math" in chapter.body_html)
    made = []

    def make(of):
        made.append(of.id)
        return replace(of, body_html="<p>printed</p>")

    first = KeptForPrint(tmp_path, book)
    assert first.for_print(chapter, 300.0, lambda _: make(chapter)).body_html == "<p>printed</p>"
    again = KeptForPrint(tmp_path, book)
    assert again.for_print(chapter, 300.0, lambda _: make(chapter)).body_html == "<p>printed</p>"
    assert made == [chapter.id]  # the second build took it as kept
    edited = replace(chapter, body_html=chapter.body_html.replace("<math", "<p>new</p><math", 1))
    assert again.for_print(edited, 300.0, lambda _: make(edited)) and made == [chapter.id, chapter.id]
    assert again.for_print(chapter, 250.0, lambda _: make(chapter)) and len(made) == 3  # another measure
    plain = replace(chapter, body_html="<p>no formula</p>")
    assert again.for_print(plain, 300.0, lambda _: make(plain)) is plain and len(made) == 3  # nothing to change
    assert len(list(tmp_path.iterdir())) == 3
    third = KeptForPrint(tmp_path, book)
    assert third.for_print(edited, 300.0, lambda _: make(edited)) and len(made) == 3
    third.forget_unused()  # a build that used only the edited chapter's: the others are gone
    assert len(list(tmp_path.iterdir())) == 1
