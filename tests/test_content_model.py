"""The repairs that turn what an HTML5 parser accepts into what EPUB's XHTML schema accepts."""

from __future__ import annotations

from lxml import etree

from publish.render.content_model import conform
from publish.render.xhtml import clean, inner_xhtml, parse_fragment


def repaired(html: str) -> tuple[str, list[str]]:
    root = parse_fragment(html, well_formed=False)
    removed = clean(root).removed
    conform(root, removed)
    return inner_xhtml(root), removed


def test_block_inside_inline_is_unwrapped():
    assert repaired("<span>a <div>b</div> c</span>")[0] == "<span>a b c</span>"


def test_stray_text_in_a_list_becomes_an_item():
    assert repaired("<ul>loose<li>item</li><br>x</ul>")[0] == "<ul><li>loose</li><li>item</li><li><br/>x</li></ul>"


def test_list_item_outside_a_list_is_unwrapped():
    assert repaired("<div><li>alone</li></div>")[0] == "<div>alone</div>"


def test_definition_list_out_of_order_becomes_a_div():
    html, removed = repaired("<dl><dd>no term</dd></dl>")
    assert html == "<div>no term</div>"
    assert "<dl> with parts missing or out of order" in removed


def test_details_without_summary_becomes_a_div():
    assert repaired("<details>text</details>")[0] == "<div>text</div>"
    assert repaired("<details><summary>S</summary>body</details>")[0] == \
        "<details><summary>S</summary>body</details>"


def test_ruby_without_annotation_is_unwrapped():
    assert repaired("<p><ruby>漢</ruby></p>")[0] == "<p><span>漢</span></p>"
    assert repaired("<p><ruby>漢<rt>kan</rt></ruby></p>")[0] == "<p><ruby>漢<rt>kan</rt></ruby></p>"


def test_invalid_attribute_values_are_dropped():
    html, removed = repaired('<p dir="sideways" lang="not a lang" style="}{">x</p><ol start="x" type="q"><li>y</li></ol>')
    assert html == "<p>x</p><ol><li>y</li></ol>"
    assert 'attribute dir="sideways" on <p>' in removed


def test_inline_style_that_loads_something_is_dropped():
    assert repaired('<p style="background: url(http://x/y.png)">x</p>')[0] == "<p>x</p>"
    assert repaired('<p style="color: red">x</p>')[0] == '<p style="color: red">x</p>'


def test_no_link_inside_a_link():
    root = etree.fromstring("<div>" + repaired('<div><a href="#a">one <span><a href="#b">two</a></span></a></div>')[0]
                            + "</div>")
    assert root.xpath(".//a//a") == [] and "".join(root.itertext()) == "one two"


def test_time_without_datetime_and_image_without_source_lose_their_tags():
    assert repaired("<p><time>yesterday</time><img alt='x'></p>")[0] == "<p>yesterday</p>"


def test_empty_elements_are_written_with_a_closing_tag():
    html = inner_xhtml(etree.fromstring("<div><p><span/></p><br/></div>"))
    assert html == "<p><span></span></p><br/>"


def test_an_unclosed_math_does_not_nest_a_second_one_and_its_text_is_mtext():
    html, removed = repaired("<math></div> <math>x<mi>y</mi> z</math>")
    math = etree.fromstring(f"<div>{html}</div>")[0]
    assert [etree.QName(child).localname for child in math] == ["mtext", "mi", "mtext"]
    assert [child.text for child in math] == ["x", "y", "z"]
    assert "<math> inside another <math>" in removed
