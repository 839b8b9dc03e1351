"""The pieces of spread balancing (publish/layout/spreads.py) on pages WeasyPrint lays out here."""

from __future__ import annotations

import pytest

from publish.layout import spreads


def _page(html: str):
    weasyprint = pytest.importorskip("weasyprint")
    css = weasyprint.CSS(string="@page { size: 100mm 80mm; margin: 10mm } p { margin: 0; line-height: 14px; "
                                "font-size: 10px; orphans: 2; widows: 2 } h2 { margin: 9px 0 0; font-size: 10px; "
                                "line-height: 14px }")
    return weasyprint.HTML(string=html).render(stylesheets=[css]).pages[0]._page_box


def test_a_difference_under_a_line_is_made_up_before_the_pages_last_heading():
    page = _page("<p>One</p><p>Two</p><h2>Head</h2><p>Three</p><p>Four</p>")
    before = sorted(line.position_y for line in spreads._lines(page.children[0]))
    assert spreads.spread_gap(page, 5.0)
    after = sorted(line.position_y for line in spreads._lines(page.children[0]))
    assert len(after) == 5 and [b - a for a, b in zip(before, after)] == pytest.approx([0, 0, 5, 5, 5])


def test_a_page_of_plain_paragraphs_has_no_gap_to_open():
    page = _page("<p>One</p><p>Two</p><p>Three</p>")
    before = spreads.depth(page)
    assert not spreads.spread_gap(page, 5.0) and spreads.depth(page) == before


def test_the_pages_are_run_short_where_no_paragraph_is_split_below_its_orphans_and_widows():
    verso = spreads.Made(0, _page("".join(f"<p>Line {n}</p>" for n in range(8)) + "<p>A<br>B<br>C</p>"), {})
    recto = spreads.Made(1, _page("<p>D<br>E<br>F</p>" + "".join(f"<p>Line {n}</p>" for n in range(6))), {})
    verso_bottom, recto_bottom = spreads._short_pair(verso, recto)
    # Not after B (C alone overleaf) nor after A (A alone at the foot): after the eighth line, where both end.
    eighth = spreads._flow(verso.page)[7].bottom
    assert verso_bottom == pytest.approx(eighth) and recto_bottom == pytest.approx(eighth)


def test_the_paragraph_set_a_line_longer_is_the_one_whose_lines_give_up_least():
    """Its last line leaves room that the lines before it share: the paragraph whose last line is nearly full;
    not one whose last line leaves more than its lines can take up, nor one of fewer lines than LENGTHEN_LINES,
    nor one not justified."""
    words = "word " * 34
    page = _page("<style>p { text-align: justify }</style>" f"<p>{words}</p><p>{words * 2}end of it</p>"
                 f"<p>{'word ' * 12}</p><p style='text-align: left'>{'word ' * 14}</p>")
    blocks = spreads._blocks(page.children[0])
    assert [len(lines) for _, lines in blocks] == [4, 7, 2, 2]
    element, narrower = spreads._paragraph_to_lengthen(page, set())
    assert element is blocks[1][0].element and 0 < narrower < spreads.LENGTHEN_EM * 10
    assert spreads._paragraph_to_lengthen(page, {element}) is None
