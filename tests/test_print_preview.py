"""The live preview's print pages: a chapter laid out alone draws the pages the whole book's layout has, and
`publish serve` shows them at /print, refreshed after a save."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops
from weasyprint.text.fonts import FontConfiguration

from publish import __version__
from publish.build import CACHE, BuildOptions, Pipeline, build
from publish.errors import Report
from publish.layout.excerpt import excerpt_pdf
from publish.layout.layouts import last_page_starts, page_starts_file
from publish.layout.profiles import profile_named
from publish.manuscript.loading import load_book
from publish.proofing.print_preview import _chapter_page_indexes
from tests.helpers import DATA, PROJECT


def _rendered_and_starts(manuscript: Path, out: Path):
    book = Pipeline(load_book(manuscript), Report(), BuildOptions(jobs=1), cache=out / CACHE).rendered
    profile = profile_named(book.print.profile)
    starts, pages, _ = last_page_starts(page_starts_file(out / CACHE / book.metadata.slug, profile))
    return book, starts, pages


def _images(pdf: bytes, indexes) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[index].render(scale=1).to_pil().convert("RGB") for index in indexes]
    finally:
        document.close()


def _same_pages(a: list[Image.Image], b: list[Image.Image]) -> bool:
    return len(a) == len(b) and all(x.size == y.size and ImageChops.difference(x, y).getbbox() is None
                                    for x, y in zip(a, b))


def _assert_excerpts_match(manuscript: Path, pdf: Path, chapter_ids: list[str]) -> list[str]:
    """Each chapter laid out alone has the pixels of its pages in the book's PDF; returns their first folios."""
    book, starts, pages = _rendered_and_starts(manuscript, pdf.parent)
    font_config, firsts = FontConfiguration(), []
    for chapter in (chapter for chapter in book.chapters if chapter.id in chapter_ids):
        first = next(start.label for start in starts if start.chapter_id == chapter.id)
        indexes = _chapter_page_indexes(pdf.read_bytes(), starts, (chapter.id,))
        assert indexes
        verso = indexes[0] % 2 == 1
        alone = excerpt_pdf(book, __version__, (chapter,), int(first), verso, pages, font_config, Report())
        laid_alone = _images(alone, range(len(pypdfium2.PdfDocument(alone))))
        in_book = _images(pdf.read_bytes(), indexes)
        assert _same_pages(laid_alone, in_book[:len(laid_alone)]), f"{chapter.id} from folio {first}"
        blank = Image.new("RGB", in_book[0].size, "white")
        assert _same_pages(in_book[len(laid_alone):], [blank] * (len(in_book) - len(laid_alone)))  # before a recto
        firsts.append((first, verso))
    return firsts


def test_a_chapter_laid_out_alone_draws_its_pages_in_the_book(manifesto):
    """Two chapters of a book laid out in parts, each opening on a recto."""
    book, starts, _ = _rendered_and_starts(manifesto.manuscript, manifesto.pdf.parent)
    body = list(dict.fromkeys(start.chapter_id for start in starts if start.label.isdigit()))
    firsts = _assert_excerpts_match(manifesto.manuscript, manifesto.pdf, [body[1], body[-1]])
    assert len(firsts) == 2 and [verso for _, verso in firsts] == [False, False]


def test_a_chapter_opening_on_a_verso_laid_out_alone(tmp_path):
    """With chapters that start on any page, a chapter opening on a left-hand page is laid out as one (two short
    chapters then a long one: one of them opens on a verso, whichever side the body begins)."""
    manuscript = tmp_path / "book"
    manuscript.mkdir()
    (manuscript / "book.yaml").write_text("title: Three Chapters\nlanguage: en\nchapters: [one.md, two.md, three.md]\n"
                                          "print:\n  chapter_start: page\n", encoding="utf-8")
    (manuscript / "one.md").write_text("# One\n\nA short first chapter, on one page.\n", encoding="utf-8")
    (manuscript / "two.md").write_text("# Two\n\nA short second chapter, on one page.\n", encoding="utf-8")
    sentence = "The third chapter runs on over a page, from one side of a spread to the other. "
    (manuscript / "three.md").write_text("# Three\n\n" + "\n\n".join([sentence * 6] * 9) + "\n", encoding="utf-8")
    pdf = build(manuscript, tmp_path / "out", ["pdf"], Report())[0]
    sides = _assert_excerpts_match(manuscript, pdf, ["ch-one", "ch-two", "ch-three"])
    assert len(sides) == 3 and True in [verso for _, verso in sides]


def _get(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=10).read()


def _wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return found


def test_live_preview_shows_the_print_pages_of_the_chapter_saved(tmp_path):
    manuscript = tmp_path / "book"
    shutil.copytree(DATA / "noir", manuscript)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    server = subprocess.Popen([sys.executable, "-m", "publish", "serve", "-m", str(manuscript), "-o", str(out),
                               "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline()).group(0)
        state = lambda: json.loads(_get(url + "/__build"))["print"]  # noqa: E731
        _wait_for(lambda: "As the printer gets them" in _get(url + "/print").decode(), "no print pages")
        shown = _get(url + "/print").decode()
        pdf = out / "la-nuit-sur-le-port.pdf"
        assert pdf.exists() and str(pdf) in shown
        before, first_page = state(), _get(url + "/print/page-1.png")
        assert Image.open(io.BytesIO(first_page)).width > 300
        chapter = manuscript / "02-le-rapport.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\nUn paragraphe de plus, écrit à la fin.\n",
                           encoding="utf-8")
        _wait_for(lambda: state() >= before + 2, "the save was not laid out twice (alone, then in the book)")
        shown = _get(url + "/print").decode()
        assert "As the printer gets them" in shown and "<h1>" in shown
        labels = re.findall(r'alt="Page (\d+)"', shown)
        book, starts, _ = _rendered_and_starts(manuscript, out)
        edited = next(chapter.id for chapter in book.chapters if chapter.source.name == "02-le-rapport.md")
        expected = _chapter_page_indexes(pdf.read_bytes(), starts, (edited,))
        assert labels and len(labels) == len(expected)
        assert _get(url + f"/print/page-{len(labels)}.png").startswith(b"\x89PNG")
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
