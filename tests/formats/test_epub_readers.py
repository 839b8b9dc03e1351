"""The EPUB in an independent reading system's parser: Calibre (Debian's calibre) reads its metadata, contents
and text."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.formats.test_epub import SECTIONS
from tests.helpers import letters, seed_paragraphs

CALIBRE_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
TOC_SCRIPT = """
import sys
from calibre.ebooks.oeb.polish.container import get_container
from calibre.ebooks.oeb.polish.toc import get_toc
for node in get_toc(get_container(sys.argv[-1], tweak_mode=True)).iterdescendants():
    print(node.title)
"""


@pytest.fixture(autouse=True)
def calibre_or_skip():
    if shutil.which("ebook-meta") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Calibre is missing: CI must check the EPUB with it (Debian's calibre)")
        pytest.skip("Calibre is missing (Debian: calibre)")


def calibre(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=CALIBRE_ENV, timeout=300)
    assert result.returncode == 0, result.stderr[-500:]
    return result.stdout


def test_calibre_reads_the_metadata(review):
    fields = {key.strip(): value.strip() for key, _, value in
              (line.partition(":") for line in calibre("ebook-meta", str(review.epub)).splitlines())}
    assert fields["Title"] == "Never Let Me Go (2010): A Film Review"
    assert fields["Languages"] == "eng"
    assert fields["Author(s)"] == "Unknown"  # the review names no author, and none is invented


def test_calibre_shows_the_contents(review):
    titles = calibre("calibre-debug", "-c", TOC_SCRIPT, str(review.epub)).split("\n")
    assert [t.strip() for t in titles if t.strip()] == ["Never Let Me Go (2010)", *SECTIONS]


def test_calibre_converts_the_text(review, tmp_path):
    calibre("ebook-convert", str(review.epub), str(tmp_path / "review.txt"))
    text = letters((tmp_path / "review.txt").read_text(encoding="utf-8"))
    for paragraph in seed_paragraphs():
        assert letters(paragraph) in text
