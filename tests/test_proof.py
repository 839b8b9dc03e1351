"""The proof kit: the stamped proof PDF, page images and report, the page diff, and the live preview."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import html5lib
import pytest

from publish.build import build
from publish.errors import Report
from publish.proofing.proof import make_proof, page_texts, pdf_page_changes
from tests.helpers import CORPUS, DATA, PROJECT, pdf_pages
from tests.test_cli import run


@pytest.fixture
def review_copy(tmp_path) -> Path:
    target = tmp_path / "manuscript"
    shutil.copytree(PROJECT / "manuscript", target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_proof_folder_report_stamp_and_contact_sheet(review_copy, tmp_path):
    folder = tmp_path / "proof"
    report_page = make_proof(review_copy, folder, Report())
    pdf = folder / "proof.pdf"
    pages = pdf_pages(pdf)
    assert all(any(line.text.startswith("PROOF | version 1.0 | built 2023-11-14 22:13 UTC") for line in page.lines)
               for page in pages)  # every page, blank ones too (SOURCE_DATE_EPOCH is set by the tests)
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(report_page.read_bytes())
    assert document.find(".//title").text.startswith("Proof: Never Let Me Go (2010)")
    text = report_page.read_text(encoding="utf-8")
    images = re.findall(r'<img src="(pages/page-\d+\.png)"', text)
    assert len(images) == len(pages) and all((folder / image).is_file() for image in images)
    row = re.search(r"<tr><td><a href=\"#chapter-[^\"]+\">(.*?)</a></td><td>([\d,]+)</td><td>(\d+) min</td>\s*"
                    r"<td><a href=\"#page-7\">1</a>–6</td>\s*<td>0</td></tr>", text)
    assert row and int(row.group(2).replace(",", "")) > 1400 and row.group(3) == "6"
    assert "Never Let Me Go (2010)" in text and "urn:uuid:6f1c1f3e-2a39-5d1e-9a7b-3c0b7e4d2a11" in text
    assert "This is the first proof in this folder" in text


def test_a_proof_of_a_book_laid_out_in_parts_is_stamped_and_paged_like_its_pdf(tmp_path):
    """The Manifesto's body is laid out in parts, joined after: every page carries the stamp, each chapter's row
    points at the page its heading opens, and a second proof after a one-word edit shows that page alone."""
    book = tmp_path / "manifesto"
    shutil.copytree(CORPUS / "the-communist-manifesto", book)
    folder = tmp_path / "proof"
    text = make_proof(book, folder, Report()).read_text(encoding="utf-8")
    pages = pdf_pages(folder / "proof.pdf")
    assert len(pages) > 40 and all(page.lines[0].text.startswith("PROOF | version") for page in pages)
    rows = re.findall(r'<tr><td><a href="#chapter-[^"]+">([^<]+)</a></td><td>[\d,]+</td><td>\d+ min</td>\s*'
                      r'<td><a href="#page-(\d+)">', text)
    assert len(rows) == len(list(book.glob("*.md"))) == 6
    for title, sheet in rows:
        heading = pages[int(sheet) - 1].lines[1].text  # the line below the stamp (a long title wraps)
        assert heading.split()[:3] == title.split()[:3], (title, sheet)
    _replace(book / "005-chapter-3.md", "Owing to their historical position", "Owing to their historical station")
    text = make_proof(book, folder, Report()).read_text(encoding="utf-8")
    assert "1 page changed: recheck only this one." in text
    assert len(list((folder / "previous").glob("page-*.png"))) == len(pages)
    assert '<span class="added">+' in text and "historical station" in text


def test_a_french_book_gets_a_french_proof_report(tmp_path):
    book = tmp_path / "noir"
    shutil.copytree(PROJECT / "tests" / "data" / "noir", book)
    text = make_proof(book, tmp_path / "proof", Report()).read_text(encoding="utf-8")
    first_page = pdf_pages(tmp_path / "proof" / "proof.pdf")[0].lines
    assert any(line.text.startswith("ÉPREUVE | version") for line in first_page)
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    assert document.get("lang") == "fr" and document.find(".//title").text == "Épreuve : La Nuit sur le port"
    for french in ("Les métadonnées telles qu’elles paraîtront", "Chapitres", "Temps de lecture",
                   "ligne 3, colonne 74", "avertissement", "Première épreuve dans ce dossier"):
        assert french in text, french
    for english in ("Metadata", ">Chapters<", "Reading time", "line 3, column", ">warning<", "first proof"):
        assert english not in text, english


def test_second_proof_shows_only_the_changed_page_and_links_findings(review_copy, tmp_path):
    folder = tmp_path / "proof"
    make_proof(review_copy, folder, Report())
    _replace(review_copy / "review.md", "the futility of his existence", "the futility of his existance")
    text = make_proof(review_copy, folder, Report()).read_text(encoding="utf-8")
    assert "1 page changed: recheck only this one." in text
    figures = re.findall(r'<img src="(previous/page-\d+\.png)" alt="Page (\w+) before"/>\s*'
                         r'<img src="(pages/page-\d+\.png)" alt="Page \w+ now"/>', text)
    assert len(figures) == 1 and all((folder / name).is_file() for name in (figures[0][0], figures[0][2]))
    assert '<span class="added">+' in text and "existance" in text
    # The misspelling is a finding linked to its source line, shown in the report.
    finding = re.search(r'<a href="#(review-L\d+)">line (\d+), column \d+</a>: <strong>warning</strong> '
                        r"&#39;existance&#39; is not in the en-US dictionary", text)
    assert finding and f'id="{finding.group(1)}" value="{finding.group(2)}"' in text


def test_diff_finds_exactly_the_page_changed_by_a_one_word_edit(manifesto, tmp_path):
    manuscript = tmp_path / "manifesto"
    shutil.copytree(CORPUS / "the-communist-manifesto", manuscript)
    before = manifesto.pdf
    chapter = manuscript / "005-chapter-3.md"
    _replace(chapter, "Owing to their historical position", "Owing to their historical station")
    after = build(manuscript, tmp_path / "after", ["pdf"], Report())[0]
    changes = pdf_page_changes(before, after, tmp_path / "images")
    holding = [page.number for page in pdf_pages(after) if any("historical station" in line.text for line in page.lines)]
    assert [change.index + 1 for change in changes] == holding and len(holding) == 1
    assert (tmp_path / "images" / changes[0].after).is_file()
    result = run("diff", str(before), str(after))
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == f"page {changes[0].label} (sheet {holding[0]}) changed"
    assert any(line.startswith("  +") and "station" in line for line in result.stdout.splitlines())
    assert result.stderr.strip().endswith(f"1 of {len(pdf_pages(after))} pages changed")


def test_diff_of_a_missing_file_is_a_one_line_error(tmp_path):
    result = run("diff", str(tmp_path / "old.pdf"), str(tmp_path / "new.pdf"))
    assert (result.returncode, result.stderr.strip()) == (1, f"{tmp_path}/old.pdf: no such PDF")


def test_live_preview_serves_rebuilds_and_stops(review_copy, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    server = subprocess.Popen([sys.executable, "-m", "publish", "serve", "-m", str(review_copy), "-o",
                               str(tmp_path / "out"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
        page = urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
        assert "quietly devastating film" in page and "/__build" in page  # the page reloads itself
        _replace(review_copy / "review.md", "quietly devastating film", "quietly shattering film")
        deadline = time.monotonic() + 30
        while "quietly shattering film" not in page:
            assert time.monotonic() < deadline, "the edit never reached the preview"
            time.sleep(0.3)
            page = urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0
        assert "preview stopped" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()


def test_the_proof_stamp_is_no_text_change_in_any_language(tmp_path, monkeypatch):
    """Two proofs built at different times differ in their stamps only: the pages' text leaves the stamp out, in
    the book's language too (it was left in, the text layer reading its runs of spaces as one)."""
    texts, stamps = [], []
    for number, epoch in enumerate((1700000000, 1700040000)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        make_proof(DATA / "french", tmp_path / f"proof{number}", Report())
        pdf = tmp_path / f"proof{number}" / "proof.pdf"
        stamps.append([line.text for page in pdf_pages(pdf) for line in page.lines
                       if line.text.startswith("ÉPREUVE | version")])
        texts.append(page_texts(pdf))
    assert stamps[0] and len(stamps[0]) == len(texts[0]) and stamps[0] != stamps[1]
    assert texts[0] == texts[1] and not any("ÉPREUVE" in text for text in texts[0])
    assert sum(len(text.split()) for text in texts[0]) > 100  # the book's own text is still there
