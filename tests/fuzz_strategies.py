"""Hypothesis strategies for manuscripts that mix every Markdown construct with random raw HTML."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = st.sampled_from([
    "word", "Ünïcödé", "naïve", "“curly”", "'single'", '"double"', "--", "---", "...", "&", "&amp;", "&nbsp;",
    "&copy;", "&#8212;", "&bogus;", "<", ">", "<3", "a*b", "_x_", "`tick`", "\\", "[", "]", "(", ")", "{", "}",
    "#", "!", "|", "~", "^", "\u00a0", "\u200b", "\u2060", "日本語", "עברית", "😀", "\t", "x\x0by", "\x00",
    "http://example.org", "<http://example.org>", "[^1]", "[^missing]", "{#id}", "{: .c }", "***", "==",
])
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
TAGS = st.sampled_from([
    "p", "div", "span", "b", "i", "em", "strong", "a", "img", "br", "hr", "table", "tr", "td", "th", "ul", "ol",
    "li", "dl", "dt", "dd", "blockquote", "pre", "code", "h1", "h2", "h4", "section", "aside", "nav", "figure",
    "figcaption", "sup", "sub", "small", "center", "font", "marquee", "blink", "script", "style", "iframe",
    "object", "embed", "form", "input", "button", "textarea", "select", "option", "link", "meta", "base",
    "video", "audio", "svg", "math", "foo", "custom-element", "o:p", "xml", "body", "html", "head", "title",
    "frameset", "noscript", "template", "details", "summary", "ruby", "rt", "q", "abbr", "time", "label", "main",
    "header", "footer", "article", "caption", "col", "colgroup", "thead", "tbody", "tfoot", "wbr", "kbd", "u",
    "mrow", "mi", "mfrac", "msqrt", "mtable", "mtr", "mtd", "annotation-xml", "semantics", "mglyph",
])
ATTRIBUTES = st.sampled_from([
    'id="x"', 'id="x y"', 'id="1"', 'id=""', 'class="c"', 'style="color: red"', 'style="}{"', 'onclick="alert(1)"',
    'onload=x', 'href="javascript:alert(1)"', 'href="#x"', 'href="#nowhere"', 'href="http://example.org/"',
    'href="other.md"', 'src="images/square.png"', 'src="http://127.0.0.1:1/x.png"', 'src="javascript:x"',
    'src=""', 'alt="alt"', 'title="t"', 'lang="fr"', 'lang="not a lang"', 'dir="rtl"', 'dir="sideways"',
    'role="button"', 'role="nonsense"', 'aria-hidden="true"', 'aria-bogus="1"', 'data-x="1"', 'data-="bad"',
    'width="10"', 'width="ten"', 'height="-5"', 'colspan="2"', 'colspan="x"', 'rowspan="0"', 'start="3"',
    'start="x"', 'align="center"', 'bgcolor="red"', 'border="1"', 'epub:type="noteref"', 'xml:lang="en"',
    'xmlns="http://www.w3.org/1999/xhtml"', 'tabindex="1"', 'contenteditable', 'hidden', 'value="2"', 'scope="col"',
    'datetime="2020-01-01"', 'datetime="yesterday"', 'cite="http://x"', 'type="1"', 'reversed', 'open',
])


@st.composite
def raw_html(draw, depth: int = 0) -> str:
    tag = draw(TAGS)
    attributes = " ".join(draw(st.lists(ATTRIBUTES, max_size=3)))
    inner = draw(st.lists(st.one_of(TEXT, raw_html(depth + 1)) if depth < 2 else TEXT, max_size=3))
    closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}>", "</p>", "</div>"]))
    return f"<{tag}{' ' if attributes else ''}{attributes}>{''.join(inner)}{closing}"


BLOCKS = st.one_of(
    TEXT,
    TEXT.map(lambda t: f"## {t}"), TEXT.map(lambda t: f"### {t}"), TEXT.map(lambda t: f"###### {t}"),
    TEXT.map(lambda t: f"*{t}* and **{t}**"),
    st.lists(TEXT, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(TEXT, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    TEXT.map(lambda t: f"> {t}\n> > {t}"),
    TEXT.map(lambda t: f"```\n{t}\n```"), TEXT.map(lambda t: f"    {t}"),
    TEXT.map(lambda t: f"| a | b |\n|---|---|\n| {t} | x |"),
    TEXT.map(lambda t: f"{t}[^n]\n\n[^n]: {t}"),
    TEXT.map(lambda t: f"[{t}](#somewhere) [link](http://example.org) <http://example.org/auto>"),
    TEXT.map(lambda t: f"![{t}](images/square.png)"),
    TEXT.map(lambda t: f"Term {t}\n:   Definition"),
    st.just("---"), st.just("* * *"),
    TEXT.map(lambda t: f"{t}\n{{: #custom .klass }}"),
    raw_html(), raw_html().map(lambda h: f"{h}\n\n{h}"), raw_html().map(lambda h: f"Text {h} inline."),
    TEXT.map(lambda t: f"Math ${t}$ and \\({t}\\) cost $5 each."), TEXT.map(lambda t: f"$$\n{t}\n$$ {{#eq-f}}"),
    TEXT.map(lambda t: f"```python\n{t}\n```"), TEXT.map(lambda t: f"- item\n\n    ```\n    {t}\n    ```"),
    TEXT.map(lambda t: f"![{t}](images/square.png){{#fig-f}}\n\nSee @fig-f and @tbl-none."),
    TEXT.map(lambda t: f"| a |\n|---|\n| {t} |\n\n: {t} {{#tbl-t}}"), st.just("[TOC]"),
)


@st.composite
def chapter(draw) -> str:
    title = draw(TEXT)
    blocks = draw(st.lists(BLOCKS, min_size=1, max_size=8))
    return f"# {title}\n\n" + "\n\n".join(blocks) + "\n"
