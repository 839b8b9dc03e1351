"""The proof kit: a proof PDF stamped on every page, PNG images of its pages, a diff against the previous proof,
and an HTML report tying them to the lint and spelling findings, chapter by chapter."""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from publish import __version__
from publish.build import CACHE, BuildOptions, Pipeline
from publish.errors import Report
from publish.manuscript.loading import load_book
from publish.manuscript.strings import catalogue, languages
from publish.output import output_folder, write_atomic
from publish.proofing.lint import Finding, lint_book
from publish.proofing.prose import WORD
from publish.proofing.spelling import spelling_findings
from publish.theme import templates

PROOF_PDF, PREVIOUS_PDF, REPORT = "proof.pdf", "previous-proof.pdf", "index.html"
DIGESTS = "digests.json"  # beside a folder's page images: a digest of each page below the stamp's strip
NOT_TEXT = re.compile("[\x02\xad\ufffe]")  # PDFium's marks where a word was hyphenated
IMAGE_DPI = 60
STAMP_BAND_PT = 22  # the stamp sits 16 pt below the top edge; running heads start lower
WORDS_PER_MINUTE = 230


@dataclass
class PageChange:
    index: int  # from 0
    label: str
    before: str | None  # image file names inside the proof folder
    after: str | None


@dataclass
class ChapterProof:
    id: str
    title: str
    source: Path
    words: int
    first_page: str
    last_page: str
    pages: tuple[int, int] = (0, 0)  # first and last sheet, from 0
    findings: list[Finding] = field(default_factory=list)
    text_changes: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


def make_proof(manuscript: Path, folder: Path, report: Report, strict: bool = False) -> Path:
    """Write the proof folder; a proof already there becomes the one this proof is compared with."""
    book = load_book(manuscript)
    output_folder(folder)
    built = _build_time()
    stamp = _stamp(book, built)
    # Laid out like the PDF build (in parts, on every core), with what it keeps in the proof folder's own cache
    pipeline = Pipeline(book, report, BuildOptions(strict=strict, stamp=stamp), cache=folder / CACHE)
    rendered = pipeline.rendered
    # Linted beside the layout, in a process started fresh: a thread would be running while the layout forks
    # its workers, and a lock it held then would stay held in them.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as beside:
        linted = beside.submit(lint_book, book, spelling_findings)
        data = pipeline.make("pdf")  # built before anything in the folder is touched
        findings = linted.result()
    folder.mkdir(parents=True, exist_ok=True)
    previous = folder / PREVIOUS_PDF
    old_pages = None
    if (folder / PROOF_PDF).exists():
        os.replace(folder / PROOF_PDF, previous)
        old_pages = _pages_of_previous(folder, previous)
    proof = write_atomic(folder / PROOF_PDF, data)
    layout = pipeline.context.layouts.layout()
    labels = list(layout.labels)
    pages = render_pages(proof, folder / "pages", "page")
    changes = []
    if previous.exists():
        old_pages = old_pages or render_pages(previous, folder / "previous", "page")
        changes = changed_pages(folder, old_pages, pages, labels)
    chapters = _chapters(rendered, layout, labels)
    for finding in findings:
        chapter = next((c for c in chapters if c.source == finding.path), None)
        if chapter is not None:
            chapter.findings.append(finding)
    if previous.exists():
        _text_changes(chapters, previous, proof, {change.index for change in changes})
    env = templates.environment(rendered.root)
    env.filters["source_anchor"] = source_anchor
    page = templates.render(env, "proof-report.html", book=rendered, chapters=chapters, pages=list(zip(pages, labels)),
                            changes=changes, compared=previous.exists(), stamp=stamp,
                            sources=_sources(book),
                            stylesheet=templates.inline_stylesheet(rendered.root, ["proof.css"]))
    write_atomic(folder / REPORT, page.encode("utf-8"))
    return folder / REPORT


def _stamp(book, built: datetime) -> str:
    """The line printed on every proof page, in the book's language when the stamp's face (the PDF's standard
    Helvetica, Western European letters only) can draw it, else in English."""
    values = dict(version=book.metadata.version or __version__, built=f"{built:%Y-%m-%d %H:%M}")
    stamp = book.strings("proof_stamp", **values)
    try:
        stamp.encode("cp1252")
    except UnicodeEncodeError:
        return catalogue("en")["proof_stamp"].format(**values)
    return stamp


def _build_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch else datetime.now(timezone.utc)


def _pages_of_previous(folder: Path, previous: Path) -> list[str] | None:
    """The images of the proof that has just become the previous one, moved to "previous/": they were drawn
    from it. None when they are not all there (that proof stopped before drawing them)."""
    import pypdfium2

    pages = folder / "pages"
    drawn = sorted(pages.glob("page-*.png")) if pages.is_dir() else []
    document = pypdfium2.PdfDocument(str(previous))
    try:
        if not drawn or len(drawn) != len(document):
            return None
    finally:
        document.close()
    shutil.rmtree(folder / "previous", ignore_errors=True)
    os.replace(pages, folder / "previous")
    return [f"previous/{path.name}" for path in drawn]


def render_pages(pdf: Path, folder: Path, prefix: str) -> list[str]:
    """Every page as a PNG (file names relative to the proof folder). PDFium draws one page at a time (it
    cannot draw two at once); the PNGs are compressed in threads meanwhile (zlib lets go of the GIL)."""
    import pypdfium2

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    names = []
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as threads:
            digests, saved = [], []
            for index, page in enumerate(document):
                name = f"{prefix}-{index + 1:04d}.png"
                bitmap = page.render(scale=IMAGE_DPI / 72)
                below_stamp = memoryview(bitmap.buffer).cast("B")[bitmap.stride * _stamp_band_px():]
                digests.append(hashlib.sha256(f"{bitmap.width}x{bitmap.height}".encode() + below_stamp).hexdigest())
                saved.append(threads.submit(_save, bitmap, bitmap.to_pil(), folder / name))
                names.append(f"{folder.name}/{name}")
            for done in saved:
                done.result()
    finally:
        document.close()
    write_atomic(folder / DIGESTS, json.dumps(digests).encode("utf-8"))
    return names


def _save(bitmap, image, path: Path) -> None:
    """Write a page's PNG (`bitmap`, PDFium's, holds the image's pixels until then): in grey when the page has no
    colour, which halves the time; zlib's fastest level, which is also the smallest for pages of text."""
    from PIL import ImageChops

    if image.mode == "RGB":
        red, green, blue = image.split()
        if ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None:
            image = image.convert("L")
    image.save(path, compress_level=1)


def _stamp_band_px() -> int:
    return round(STAMP_BAND_PT * IMAGE_DPI / 72)


def changed_pages(folder: Path, before: list[str], after: list[str], labels: list[str]) -> list[PageChange]:
    """The pages whose rendering differs, compared sheet by sheet; pages only one of the two has count too."""
    from PIL import Image, ImageChops

    changes = []
    old_digests, new_digests = _digests(folder, before), _digests(folder, after)
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        if old and new and old_digests and new_digests:
            if old_digests[index] == new_digests[index]:
                continue
        elif old and new:
            with Image.open(folder / old) as a, Image.open(folder / new) as b:
                if a.size == b.size and ImageChops.difference(_unstamped(a), _unstamped(b)).getbbox() is None:
                    continue
        label = labels[index] if index < len(labels) else str(index + 1)
        changes.append(PageChange(index, label, old, new))
    return changes


def _digests(folder: Path, names: list[str]) -> list[str] | None:
    """The digests render_pages kept beside these page images, None if there are none for exactly them."""
    if not names:
        return None
    try:
        digests = json.loads((folder / Path(names[0]).parent / DIGESTS).read_bytes())
    except (OSError, ValueError):
        return None
    return digests if isinstance(digests, list) and len(digests) == len(names) else None


def _unstamped(image):
    """The page without the proof stamp's strip at the top, which changes with every build."""
    from PIL import ImageDraw

    image = image.convert("RGB")
    ImageDraw.Draw(image).rectangle([0, 0, image.width, _stamp_band_px()], fill="white")
    return image


def pdf_page_changes(old_pdf: Path, new_pdf: Path, folder: Path) -> list[PageChange]:
    """`publish diff`: the changed pages of two PDFs, with their images written to `folder`."""

    labels = page_labels(new_pdf)
    before = render_pages(old_pdf, folder / "before", "page")
    after = render_pages(new_pdf, folder / "after", "page")
    return changed_pages(folder, before, after, labels)


def page_labels(pdf: Path | bytes) -> list[str]:
    """Each page's label (its folio), in order; [] if there is no such PDF."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(pdf) if isinstance(pdf, Path) else pdf)
    except (pypdfium2.PdfiumError, FileNotFoundError):
        return []
    try:
        return [document.get_page_label(index) or str(index + 1) for index in range(len(document))]
    finally:
        document.close()


def page_texts(pdf: Path | bytes, sheets: Collection[int] | None = None) -> list[str]:
    """Each page's text, without the proof stamp (which changes with every build); only the `sheets` given (from
    0) are read, if any are, and the others left empty."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf) if isinstance(pdf, Path) else pdf)
    try:
        texts = [""] * len(document)
        for index in range(len(document)) if sheets is None else sorted(set(sheets) & set(range(len(document)))):
            text = document[index].get_textpage().get_text_bounded()
            texts[index] = NOT_TEXT.sub("", text.replace("\r\n", "\n"))
    finally:
        document.close()
    stamp = _stamp_line()
    return ["\n".join(line for line in text.split("\n") if not stamp.fullmatch(line)) for text in texts]


def _stamp_line() -> re.Pattern:
    """The proof stamp in any language, as the text layer gives it (its runs of spaces read as one)."""
    forms = []
    for language in languages():
        pieces = re.split(r"\{\w+\}", catalogue(language)["proof_stamp"])
        forms.append(".+?".join(r"\s*".join(map(re.escape, piece.split(" "))) for piece in pieces))
    return re.compile("|".join(f"(?:{form})" for form in forms))


def text_diff(old: str, new: str) -> list[str]:
    """Changed lines, as a unified diff without its header."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    return [line for line in lines if not line.startswith(("---", "+++", "@@"))]


def _chapters(book, layout, labels: list[str]) -> list[ChapterProof]:
    starts = [_first_page(chapter.id, layout, labels) for chapter in book.chapters]
    proofs = []
    for position, chapter in enumerate(book.chapters):
        end = starts[position + 1] - 1 if position + 1 < len(starts) else len(labels) - 1
        words = len(WORD.findall(html.unescape(_strip_tags(chapter.body_html))))
        last = max(end, starts[position])
        proofs.append(ChapterProof(chapter.id, chapter.title, chapter.source, words, labels[starts[position]],
                                   labels[last], (starts[position], last)))
    return proofs


def _first_page(chapter_id: str, layout, labels: list[str]) -> int:
    """The sheet (from 0) a chapter opens on: where its heading's anchor is in the laid-out document (the whole
    book, or the front matter of one laid out in parts), else the first page that begins inside it."""
    anchor = f"section-{chapter_id}"
    found = next((i for i, page in enumerate(layout.document.pages) if anchor in page.anchors), None)
    if found is None:
        sheet = {label: index for index, label in enumerate(labels)}
        found = next((sheet[start.label] for start in layout.page_starts if start.chapter_id == chapter_id), 0)
    return found


def _text_changes(chapters: list[ChapterProof], old_pdf: Path, new_pdf: Path, changed: set[int]) -> None:
    """The text each chapter gained or lost since the previous proof (pages grouped by the new layout); only a
    chapter with a `changed` page can have any."""
    touched = [c for c in chapters if any(c.pages[0] <= sheet <= c.pages[1] for sheet in changed)]
    if not touched:
        return
    sheets = {sheet for chapter in touched for sheet in range(chapter.pages[0], chapter.pages[1] + 1)}
    old, new = page_texts(old_pdf, sheets), page_texts(new_pdf, sheets)
    for chapter in touched:
        first, last = chapter.pages
        chapter.text_changes = text_diff("\n".join(old[first:last + 1]), "\n".join(new[first:last + 1]))


def _strip_tags(markup: str) -> str:
    return re.sub(r"<[^>]+>", " ", markup)


def _sources(book) -> dict[Path, list[tuple[int, str]]]:
    """Each chapter file's lines with their numbers, for the report's excerpts."""
    return {chapter.path: [(chapter.first_line + i, text) for i, text in enumerate(chapter.text.splitlines())]
            for chapter in book.chapters}


def source_anchor(path: Path, line: int) -> str:
    return f"{path.stem}-L{line}"
