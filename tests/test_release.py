"""A release of the review: every file, checksums, manifest, OPDS catalog, landing page links, accessibility,
and the same bytes from two checkouts of the same commit."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile

import feedparser
import html5lib
import pikepdf
import pytest
from lxml import etree

from publish.build import CACHE, build
from publish.errors import PublishError, Report
from publish.release.dist import make_release
from tests.conftest import _chromium_or_skip
from tests.helpers import PROJECT

STEM = "never-let-me-go-2010-1.0"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return make_release(PROJECT / "manuscript", tmp_path_factory.mktemp("dist"), Report())


def test_release_holds_every_file(release):
    assert release.name == STEM
    assert sorted(p.name for p in release.iterdir()) == sorted([
        "SHA256SUMS", "catalog.xml", "cover.png", "index.html", "manifest.json",
        f"{STEM}.epub", f"{STEM}.html", f"{STEM}.pdf", f"{STEM}-screen.pdf", f"{STEM}-cover.pdf"])
    with pikepdf.open(release / f"{STEM}-screen.pdf") as screen:
        assert "/StructTreeRoot" in screen.Root and "/Outlines" in screen.Root
    with pikepdf.open(release / f"{STEM}.pdf") as interior:
        assert "/Outlines" not in interior.Root  # the book's own profile: kdp
    with zipfile.ZipFile(release / f"{STEM}.epub") as epub:
        assert b"schema:version\">1.0<" in epub.read("EPUB/content.opf")
        assert b"Version 1.0" in epub.read("EPUB/copyright.xhtml")


def test_checksums_verify(release):
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 9  # every file but SHA256SUMS itself
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_manifest_lists_files_with_true_hashes_and_metadata(release):
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["version"] == "1.0"
    assert manifest["metadata"]["title"] == "Never Let Me Go (2010)"
    assert manifest["metadata"]["creators"] == []
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs_sha256"])
    names = sorted(p.name for p in release.iterdir() if p.name not in ("manifest.json", "SHA256SUMS"))
    assert [f["name"] for f in manifest["files"]] == names
    for entry in manifest["files"]:
        data = (release / entry["name"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_opds_catalog_entries(release):
    feed = feedparser.parse((release / "catalog.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    [entry] = feed.entries
    assert entry.title == "Never Let Me Go (2010): A Film Review"
    assert entry.id == "urn:uuid:6f1c1f3e-2a39-5d1e-9a7b-3c0b7e4d2a11"
    acquisitions = [link for link in entry.links if link.rel == "http://opds-spec.org/acquisition"]
    assert sorted(link.type for link in acquisitions) == sorted(["application/epub+zip", "text/html",
                                                                  *["application/pdf"] * 3])
    for link in acquisitions:
        assert int(link.length) == (release / link.href).stat().st_size
    images = [link.href for link in entry.links if link.rel.startswith("http://opds-spec.org/image")]
    assert images and all((release / href).is_file() for href in images)
    assert "author" not in entry  # the review names no author


def test_landing_page_is_valid_html5_and_every_link_resolves(release):
    page = (release / "index.html").read_bytes()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    root = parser.parse(page)
    links = [a.get("href") for a in root.iter("a")] + [img.get("src") for img in root.iter("img")]
    assert len(links) >= 12
    web_edition = etree.fromstring((release / f"{STEM}.html").read_bytes(), etree.HTMLParser())
    for href in links:
        name, _, fragment = href.partition("#")
        assert (release / name).is_file(), href
        if fragment:
            assert web_edition.xpath(f"//*[@id='{fragment}']"), href


def test_web_edition_is_valid_html5(release):
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse((release / f"{STEM}.html").read_bytes())
    assert page.find(".//title").text == "Never Let Me Go (2010)"
    assert len(page.findall(".//h2")) >= 7  # the review's seven titled sections, and the contents


@pytest.mark.parametrize("page", ["index.html", f"{STEM}.html"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_pass_the_accessibility_check(release, page, width):
    _chromium_or_skip()
    result = subprocess.run(["node", str(PROJECT / "tools" / "axe-page.js"), str(release / page), str(width)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert json.loads(result.stdout) == []


def test_an_existing_release_is_not_overwritten_unless_forced(release):
    before = (release / "SHA256SUMS").read_bytes()
    with pytest.raises(PublishError) as error:
        make_release(PROJECT / "manuscript", release.parent, Report())
    assert str(error.value) == (f"release {release} exists already; change 'version' in book.yaml or pass --force "
                                "to replace it")
    assert make_release(PROJECT / "manuscript", release.parent, Report(), force=True) == release
    assert (release / "SHA256SUMS").read_bytes() == before


def test_a_release_reusing_a_build_folder_has_the_bytes_of_one_made_from_scratch(release, tmp_path):
    build(PROJECT / "manuscript", tmp_path / "build", ["pdf", "epub"], Report())
    reused = make_release(PROJECT / "manuscript", tmp_path / "dist", Report(), cache=tmp_path / "build" / CACHE)
    files = {path.name: path.read_bytes() for path in reused.iterdir()}
    assert files and files == {path.name: path.read_bytes() for path in release.iterdir()}
    assert (tmp_path / "build" / CACHE).is_dir()


def test_same_commit_twice_in_two_folders_at_two_times_gives_identical_releases(tmp_path, monkeypatch):
    if not (PROJECT / ".git").exists():
        pytest.skip("not a git checkout")
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    releases = []
    for name in ("first", "second"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
        result = subprocess.run([sys.executable, "-m", "publish", "dist", "-q", "-o", "dist"], cwd=clone,
                                env={**environment, "PYTHONPATH": str(clone)}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        [folder] = (clone / "dist").iterdir()
        releases.append({p.name: p.read_bytes() for p in folder.iterdir()})
        time.sleep(1.1)
    assert releases[0] == releases[1]
    shutil.rmtree(tmp_path)


def test_a_french_release_speaks_french(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(PROJECT / "tests" / "data" / "french", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as config:
        config.write("description: Une nuit de pluie.\nversion: '1.0'\n")
    index = (make_release(book, tmp_path / "dist", Report()) / "index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(index)
    for french in ("<title>La Nuit des guillemets — téléchargements</title>", "À propos de ce livre", "Télécharger",
                   "Livre numérique EPUB", "PDF pour écran", "Couverture imprimée", "Édition web",
                   '<a href="catalog.xml">catalogue OPDS</a>', "<code>sha256sum -c SHA256SUMS</code>",
                   "Identifiant : urn:uuid:", "Table des matières", "Version 1.0"):
        assert french in index, french
    for english in ("Download", "About this book", "EPUB ebook", "Identifier:", "OPDS catalog"):
        assert english not in index, english
