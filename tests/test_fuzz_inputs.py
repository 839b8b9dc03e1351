"""Property tests for what a manuscript holds besides its prose: book.yaml values, deeply nested and
pathological Markdown, and template overrides. Each case must give its result or a one-line error naming its file
(and line), within a time bound; nothing may raise anything else. Cheap enough for hundreds of cases per run
(FUZZ_EXAMPLES raises the count; the derandomised examples make CI repeatable)."""

from __future__ import annotations

import os
import string
import time
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from publish.errors import FormatError, PublishError, Report
from publish.manuscript.config import BOOK_KEYS, parse_book_yaml
from publish.manuscript.loading import load_book
from publish.manuscript.options import SECTIONS
from publish.model import settings as declared_settings
from publish.render.book import render_book
from publish.theme import templates
from tests.helpers import DATA

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SECONDS = 10  # no case may take longer
FUZZ = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate], database=None,
                derandomize=True, suppress_health_check=list(HealthCheck))

KEYS = [*BOOK_KEYS, "titel", "print.trim_size", *(f"{section}.{key.key or name}" for section, (options, _) in
                                                   SECTIONS.items() for name, key in declared_settings(options))]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["en", "fr-CA", "xx-invalid tag", "6x9", "5 x 8 in", "recto", "kdp", "screen", "2024-13-45",
                     "urn:isbn:9780000000000", "978-3-16-148410-0", "\x01", "\ud800", "\ufffe", "../../etc/passwd",
                     "/dev/zero", "cover.png", "one.md", "", " ", "*alias", "&anchor", "{{ 7*7 }}"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
                      max_leaves=12)


def _document(entries: dict) -> dict:
    """Dotted keys ('print.trim_size') as nested sections."""
    data: dict = {}
    for key, value in entries.items():
        section, _, name = key.partition(".")
        if name:
            target = data.setdefault(section, {})
            if isinstance(target, dict):
                target[name] = value
        else:
            data[key] = value
    return data


BOOK_YAML = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=10).map(
        lambda entries: yaml.safe_dump(_document(entries), allow_unicode=True)),
    st.text(alphabet=string.printable + "&*[]{}:-!|>'\"\u00e9\u2014\x01", max_size=200),
)


def _one_line_errors(error: PublishError, path: Path) -> None:
    assert error.problems
    for problem in error.problems:
        assert "\n" not in str(problem) and problem.path == path, str(problem)


@FUZZ
@given(text=BOOK_YAML)
def test_any_book_yaml_is_a_book_or_one_line_errors_at_its_lines(text):
    path = Path("/books/fuzz/book.yaml")
    started = time.monotonic()
    try:
        parse_book_yaml(text, path)
    except PublishError as error:
        _one_line_errors(error, path)
    assert time.monotonic() - started < SECONDS


NESTED = st.one_of(
    st.integers(1, 120).map(lambda depth: "> " * depth + "deep"),
    st.integers(1, 120).map(lambda depth: "".join("    " * level + "- item" + "\n" for level in range(depth))),
    st.integers(1, 120).map(lambda depth: "1. " * depth + "item"),
    st.integers(1, 120).map(lambda depth: "<div>" * depth + "deep" + "</div>" * depth),
    st.integers(1, 120).map(lambda depth: "<span>" * depth + "deep"),
    st.integers(1, 3000).map(lambda count: "[" * count),
    st.integers(1, 3000).map(lambda count: "*" * count + "a" + "_" * count),
    st.integers(1, 2000).map(lambda count: "[a](" * count),
    st.integers(1, 500).map(lambda count: "".join(f"Text.[^{i}]\n\n[^{i}]: Note [^{i + 1}]\n\n" for i in range(count))),
    st.integers(1, 200_000).map(lambda length: "x" * length),
    st.sampled_from(["```\n" + "<div>" * 200 + "\n```", "`" * 500, "$" * 300, "\\" * 1000, "<!--" * 100,
                     "<![CDATA[" * 50, "&#" * 500, "|" * 1000 + "\n|---|\n", "---\ntitle: [\n---\n"]),
)


@FUZZ
@given(blocks=st.lists(NESTED, min_size=1, max_size=3))
def test_deep_or_pathological_markdown_renders_or_is_refused_at_its_line(blocks, tmp_path_factory):
    root = tmp_path_factory.mktemp("nested")
    (root / "book.yaml").write_text("title: Deep\nlanguage: en\n")
    (root / "one.md").write_text("# One\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    started = time.monotonic()
    try:
        render_book(load_book(root), Report())
    except PublishError as error:
        _one_line_errors(error, root / "one.md")
    assert time.monotonic() - started < SECONDS


TEMPLATE_PIECES = st.sampled_from([
    "{{ book.metadata.title }}", "{{ book.metadata.title | upper }}", "{% for c in book.chapters %}{{ c.title }}"
    "{% endfor %}", "{{ book.strings.contents }}", "{{ book.__class__ }}", "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}", "{{ lipsum.__globals__ }}", "{{ book.metadata.__dict__ }}",
    "{{ 'x' * 10 ** 8 }}", "{{ [1] * 10 ** 8 }}", "{{ 10 ** 10 ** 3 }}", "{{ range(10 ** 9) | list }}",
    "{{ 1 / 0 }}", "{{ nothing.at.all }}", "{{ book.nothing }}", "{% if %}", "{{", "{% for %}", "{% raw %}",
    "{% include 'missing.html' %}", "{% include '../../../etc/passwd' %}", "{% extends 'epub-page.xhtml' %}",
    "{% import 'macros.html' as m %}", "{{ self }}", "{{ '%s' % book }}", "{{ '{0.__class__}'.format(book) }}",
    "{% set x = x %}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "<p>plain</p>", "&amp;", "\x01",
])


@pytest.fixture(scope="module")
def rendered_book():
    return render_book(load_book(DATA / "minimal"), Report())


@FUZZ
@given(pieces=st.lists(TEMPLATE_PIECES, min_size=1, max_size=5))
def test_any_template_renders_or_is_a_one_line_error(pieces, rendered_book, tmp_path_factory):
    """A template override made of anything: text, or an error naming the template (an escape is 'template
    refused', a mistake 'template error'), never Python's internals, never a traceback."""
    root = tmp_path_factory.mktemp("templates")
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text("".join(pieces), encoding="utf-8")
    env = templates.environment(root)
    started = time.monotonic()
    try:
        text = templates.render(env, "page.html", book=rendered_book)
        assert "<class" not in text and "__globals__" not in text and len(text) < 10**6
    except FormatError as error:
        message = str(error.problems[0])
        assert len(error.problems) == 1 and "\n" not in message and "template" in message, message
    except jinja2.TemplateError as error:  # pragma: no cover - a Jinja error that escaped the one-line message
        raise AssertionError(f"Jinja error not turned into a message: {error!r}") from error
    assert time.monotonic() - started < SECONDS
