"""Reading built outputs the way a validator or reader would: the EPUB's zip and XML, the PDF's pages."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
}
DATA = Path(__file__).parent / "data"
PROJECT = Path(__file__).parent.parent
SHARED = Path(os.environ.get("PUBLISH_SHARED", PROJECT.parent / "shared"))  # the corpus and the review's source
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "review.txt"


class Epub:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = self.xml("META-INF/container.xml")
        self.opf_path = container.find(".//container:rootfile", NS).get("full-path")
        self.opf = self.xml(self.opf_path)
        self.base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.findall(".//opf:manifest/opf:item", NS)}

    def spine_documents(self) -> list[str]:
        items = self.manifest()
        return [self.base + items[ref.get("idref")].get("href") for ref in self.opf.findall(".//opf:spine/opf:itemref", NS)]

    def dc(self, name: str) -> list[str]:
        return [el.text for el in self.opf.findall(f".//opf:metadata/dc:{name}", NS)]

    def nav(self) -> etree._Element:
        nav_item = next(i for i in self.manifest().values() if "nav" in (i.get("properties") or "").split())
        return self.xml(self.base + nav_item.get("href"))

    def toc_titles(self, nested: bool = True) -> list[str]:
        toc = self.nav().find(".//xhtml:nav[@epub:type='toc']", NS)
        return [normalise(" ".join(a.itertext())) for a in toc.iter(f"{{{NS['xhtml']}}}a")]

    def text(self) -> str:
        """The reading-order text of every spine document."""
        parts = []
        for name in self.spine_documents():
            body = self.xml(name).find("xhtml:body", NS)
            parts.append(" ".join(body.itertext()))
        return normalise(" ".join(parts))


def print_warnings(report) -> list[str]:
    """A build's warnings but the printer's page minimum, which every book of a few pages gets under the default
    profile (kdp: 24 pages or more)."""
    return [str(warning) for warning in report.warnings if "this printer takes at least" not in warning.message]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def letters(text: str) -> str:
    """Only letters and digits: compares text across line breaks, hyphenation and markup."""
    return re.sub(r"[\W_]+", "", text).lower()


@dataclass
class PdfLine:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    words: tuple[tuple[float, float], ...] = ()  # each word's left and right edge

    def gaps(self) -> list[float]:
        """The spaces between the line's words, in points."""
        return [right[0] - left[1] for left, right in zip(self.words, self.words[1:])]


@dataclass
class PdfPage:
    number: int  # physical, from 1
    width: float
    height: float
    lines: list[PdfLine]
    label: str = ""  # the page label the PDF declares (the printed folio)

    def body_lines(self, margin: float = 45.0) -> list[PdfLine]:
        """Lines outside the head and foot margins (no running heads or folios)."""
        return [line for line in self.lines if margin < line.y_min and line.y_max < self.height - margin]

    def folio(self) -> str | None:
        feet = [line for line in self.lines if line.y_min > self.height - 45.0]
        return feet[-1].text if feet else None


def pdf_pages(path: Path) -> list[PdfPage]:
    """Every page's text lines with their positions, read by poppler's pdftotext."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext is missing: install poppler-utils (.ci/run does)")
    output = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(output, etree.XMLParser(huge_tree=True))
    pages = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        lines = []
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            words = list(line.iter("{http://www.w3.org/1999/xhtml}word"))
            lines.append(PdfLine(" ".join(w.text or "" for w in words), float(line.get("xMin")),
                                 float(line.get("yMin")), float(line.get("xMax")), float(line.get("yMax")),
                                 tuple((float(w.get("xMin")), float(w.get("xMax"))) for w in words)))
        pages.append(PdfPage(number, float(page.get("width")), float(page.get("height")), lines))
    with pikepdf.open(path) as pdf:
        for page, pdf_page in zip(pages, pdf.pages):
            page.label = str(pdf_page.label)
            _to_trim_box(page, [float(v) for v in pdf_page.mediabox], [float(v) for v in pdf_page.trimbox])
    return pages


def word_boxes(path: Path) -> list[tuple[str, float, float]]:
    """Each word of the PDF in reading order, with its printed width and height in points."""
    output = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout
    return [(word.text or "", float(word.get("xMax")) - float(word.get("xMin")),
             float(word.get("yMax")) - float(word.get("yMin")))
            for word in etree.fromstring(output, etree.XMLParser(huge_tree=True)).iter(
                "{http://www.w3.org/1999/xhtml}word")]


def word_widths(path: Path) -> dict[str, float]:
    """The printed width of each word of the PDF where it first occurs, in points."""
    widths: dict[str, float] = {}
    for text, width, _ in word_boxes(path):
        widths.setdefault(text, width)
    return widths


def installed_font_or_skip(pattern: str) -> str:
    """The first installed family fontconfig lists for `pattern` (':lang=ja', ':family=Amiri'), else skip; CI
    fails instead, since .ci/run installs the fonts the tests need."""
    found = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True).stdout.split("\n")
    families = [line.split(",")[0].strip() for line in found if line.strip()]
    if not families:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no font for '{pattern}': .ci/run installs fonts-hosny-amiri and fonts-ipafont-mincho")
        pytest.skip(f"no font for '{pattern}' on this machine")
    return families[0]


def _to_trim_box(page: PdfPage, media: list[float], trim: list[float]) -> None:
    """Positions measured from the trimmed page's corner, whatever bleed or marks surround it."""
    dx, dy = trim[0] - media[0], media[3] - trim[3]
    page.width, page.height = trim[2] - trim[0], trim[3] - trim[1]
    page.lines = [PdfLine(line.text, line.x_min - dx, line.y_min - dy, line.x_max - dx, line.y_max - dy,
                          tuple((left - dx, right - dx) for left, right in line.words)) for line in page.lines]


def seed_paragraphs() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_review_text_in_order(text: str) -> None:
    """Every paragraph and heading of the review's source appears in `text`, in order (compared as letters)."""
    text, position = letters(text), 0
    for paragraph in seed_paragraphs():
        found = text.find(letters(paragraph), position)
        assert found >= 0, paragraph[:60]
        position = found


def in_chromium(page: Path, expression: str, tmp_path: Path) -> str:
    """What a JavaScript expression gives on the page as headless Chromium lays it out."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is missing")
    probe = page.with_name("probe-" + page.name)
    script = f"<script>document.title = String({expression});</script>"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,1200", "--dump-dom",
                             probe.as_uri()], capture_output=True, text=True, timeout=120)
    return html.unescape(re.search(r"<title>(.*?)</title>", result.stdout, re.DOTALL).group(1))
