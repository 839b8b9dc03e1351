"""The live preview's print pages: the pages of the chapter being edited, drawn as the printer will get them.

A layout process of its own (started fresh, so that it may fork the workers of a layout in parts) keeps
WeasyPrint and the book's fonts loaded. After each save it first lays out the edited chapter alone, with the
folios and gutter of the last whole layout (layout/excerpt.py), and sends those pages; then it builds the PDF as
`publish build pdf` does, into the same folder, which reuses the parts of the layout an edit did not touch
(kept_parts.py), and sends the chapter's pages from that PDF: the printer's pages, with every folio right. A save
during that build stops it and starts again. The server's side is PrintSide; preview.py serves the pages."""

from __future__ import annotations

import io
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from publish import __version__
from publish.build import CACHE, BuildOptions, Pipeline
from publish.errors import PublishError, Report
from publish.layout.excerpt import excerpt_pdf
from publish.layout.layouts import last_page_starts, page_starts_file
from publish.layout.profiles import profile_named
from publish.layout.sheets import right_hand
from publish.manuscript.loading import load_book
from publish.model import FRONT_ROLES, RenderedBook
from publish.proofing.proof import page_labels

PAGE_SCALE = 1.5  # pixels per PDF point of the page images: 108 dpi
BACKGROUND_NICENESS = 10  # the print build after each save runs below the preview's own work


@dataclass(frozen=True)
class PrintPages:
    """Some pages of a PDF of the print edition, and what they are. They are drawn when a browser asks for them
    (PrintSide.image), so that a layout is seen as soon as it is written."""

    title: str  # the chapter's
    labels: tuple[str, ...]  # their folios
    pdf: bytes
    indexes: tuple[int, ...]  # the pages' indexes in `pdf`
    exact: bool  # from the book's PDF; False: the chapter laid out alone, while the book's PDF is made
    problems: tuple[str, ...] = ()  # why the book's PDF was not made (the pages shown are the last good ones)
    source: str = ""  # the path of the book's PDF, for the exact pages
    anchor: str = ""  # the chapter's id in the web edition
    direction: str = "ltr"  # the book's: a recto is on the right of a book read left to right


class PrintSide:
    """The server's side of the layout process: tells it what was saved, and keeps the latest pages it sent."""

    def __init__(self, manuscript: Path, out_dir: Path) -> None:
        context = multiprocessing.get_context("spawn")
        requests, self._requests = context.Pipe(duplex=False)  # (the end that receives, the end that sends)
        self._incoming, replies = context.Pipe(duplex=False)
        self._process = context.Process(target=lay_out_on_request, args=(requests, replies, manuscript, out_dir),
                                        daemon=True)
        self._process.start()
        self._lock = threading.Lock()
        self.pages: PrintPages | None = None
        self.build = 0
        self._drawn: dict[tuple[int, int], bytes] = {}  # (build, page number from 1) -> PNG, for the latest build
        self._receiver = threading.Thread(target=self._receive, daemon=True)
        self._receiver.start()

    def saved(self, paths: list[Path]) -> None:
        """Lay out again after `paths` were saved (the first call: the chapter saved last)."""
        self._requests.send([str(path) for path in paths])

    def current(self) -> tuple[int, PrintPages | None]:
        with self._lock:
            return self.build, self.pages

    def image(self, number: int) -> bytes | None:
        """The PNG of the `number`th page shown (from 1), or None if there is no such page."""
        with self._lock:  # PDFium is not thread-safe: the server's threads draw one page at a time
            pages = self.pages
            if pages is None or not 1 <= number <= len(pages.indexes):
                return None
            if (self.build, number) not in self._drawn:
                self._drawn = {key: png for key, png in self._drawn.items() if key[0] == self.build}
                self._drawn[self.build, number] = page_image(pages.pdf, pages.indexes[number - 1])
            return self._drawn[self.build, number]

    def close(self) -> None:
        try:
            self._requests.send(None)
        except OSError:
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def _receive(self) -> None:
        while True:
            try:
                pages = self._incoming.recv()
            except (EOFError, OSError):
                return
            with self._lock:
                if pages.problems and self.pages is not None:  # keep the last good pages, with the problems
                    pages = replace(self.pages, problems=pages.problems)
                self.pages, self.build = pages, self.build + 1


def lay_out_on_request(requests, replies, manuscript: Path, out_dir: Path) -> None:
    """The layout process: for each list of saved paths (None: stop), the quick pages then the exact ones."""
    import weasyprint  # noqa: F401  loaded once, before the first save
    from weasyprint.text.fonts import FontConfiguration

    layouts = _Layouts(manuscript, out_dir, replies, FontConfiguration())
    try:
        while True:
            if layouts.building is None or requests.poll(0.05):
                saved = _saved_since(requests)
                if saved is None:
                    return
                layouts.stop_building()
                layouts.lay_out_saved([Path(path) for path in saved])
            elif layouts.building.poll() is not None:
                layouts.built()
    except (EOFError, OSError):  # the server is gone
        return
    finally:
        layouts.stop_building()


def _in_the_background() -> None:
    """(In the print build's process, before it starts.) Yield the processors to the preview's own work: drawing
    the pages just laid out for the browser, building the web edition."""
    os.nice(BACKGROUND_NICENESS)


def _saved_since(requests) -> list[str] | None:
    """The paths of the next request and of those that came meanwhile (the latest pages are all that is
    wanted); None: stop."""
    saved = requests.recv()
    while saved is not None and requests.poll():
        more = requests.recv()
        saved = None if more is None else saved + more
    return saved


class _Layouts:
    def __init__(self, manuscript: Path, out_dir: Path, replies, font_config) -> None:
        self.manuscript, self.out_dir, self.replies, self.font_config = manuscript, out_dir, replies, font_config
        self.shown: tuple[str, ...] = ()  # the ids of the chapters shown
        self.title = ""
        self.building: subprocess.Popen | None = None
        self.errors = None  # the running build's stderr
        self.book: RenderedBook | None = None

    def lay_out_saved(self, saved: list[Path]) -> None:
        try:
            pipeline = Pipeline(load_book(self.manuscript), Report(), BuildOptions(jobs=1),
                                cache=self.out_dir / CACHE)
        except PublishError as error:
            self._send_problems([str(problem) for problem in error.problems])
            return
        pipeline.finish()  # the build that follows renders nothing again
        self.book = pipeline.rendered
        self._choose_shown(saved)
        try:
            quick = self._quick_pages()
        except Exception as error:  # a fault of the tool's: the build after it still gives the pages
            quick = None
            self._send_problems([f"print preview: laying the chapter out alone failed ({error!r})"])
        if quick is not None:
            self.replies.send(quick)
        self.errors = tempfile.TemporaryFile()  # not a pipe: a build's many warnings would fill it and stop it
        self.building = subprocess.Popen(
            [sys.executable, "-m", "publish", "build", "pdf", "-q", "-m", str(self.manuscript), "-o",
             str(self.out_dir)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
            preexec_fn=_in_the_background)

    def stop_building(self) -> None:
        if self.building is not None:
            self.building.terminate()  # a build stopped cleans up its partial files and keeps the last good ones
            self.building.wait()
            self.building = None
            self.errors.close()

    def built(self) -> None:
        building, self.building = self.building, None
        self.errors.seek(0)
        errors = self.errors.read().decode("utf-8", "replace").strip()
        self.errors.close()
        if building.returncode != 0:
            self._send_problems(errors.splitlines()[-3:] or [f"publish build pdf failed ({building.returncode})"])
            return
        saved, pdf = self._saved_layout(), self._pdf_path()
        if saved is None or not pdf.exists():
            return
        starts, _ = saved
        data = pdf.read_bytes()
        indexes = _chapter_page_indexes(data, starts, self.shown)
        labels = page_labels(data)
        self.replies.send(PrintPages(self.title, tuple(labels[index] for index in indexes), data, tuple(indexes),
                                     exact=True, source=str(pdf), **self._placing()))

    def _choose_shown(self, saved: list[Path]) -> None:
        """The body chapters of the file saved last; else those shown before; else the first chapter."""
        body = [chapter for chapter in self.book.chapters if chapter.role not in FRONT_ROLES]
        for path in reversed(saved):
            found = [chapter for chapter in body if chapter.source.resolve() == path.resolve()]
            if found:
                self.shown = tuple(chapter.id for chapter in found)
                break
        known = {chapter.id for chapter in body}
        if not self.shown or not set(self.shown) <= known:
            self.shown = tuple(chapter.id for chapter in body[:1])
        self.title = next((chapter.title for chapter in body if chapter.id in self.shown), "")

    def _quick_pages(self) -> PrintPages | None:
        """The shown chapters laid out alone, if the last whole layout says where they start."""
        saved = self._saved_layout()
        chapters = tuple(chapter for chapter in self.book.chapters if chapter.id in self.shown)
        if saved is None or not chapters:
            return None
        starts, pages = saved
        first = next((start.label for start in starts if start.chapter_id == chapters[0].id), None)
        sheets = {label: index for index, label in enumerate(page_labels(self._pdf_path()))}
        if first is None or not first.isdigit() or first not in sheets:
            return None
        verso = right_hand(sheets[first], self.book.metadata.direction) is False
        try:
            pdf = excerpt_pdf(self.book, __version__, chapters, int(first), verso, pages or None, self.font_config,
                              Report())
        except PublishError:
            return None  # the build after it says why
        count = len(page_labels(pdf))
        return PrintPages(self.title, tuple(str(int(first) + index) for index in range(count)), pdf,
                          tuple(range(count)), exact=False, **self._placing())

    def _placing(self) -> dict[str, str]:
        return {"anchor": f"section-{self.shown[0]}" if self.shown else "",
                "direction": self.book.metadata.direction}

    def _pdf_path(self) -> Path:
        return self.out_dir / f"{self.book.metadata.slug}.pdf"

    def _saved_layout(self):
        profile = profile_named(self.book.print.profile)
        saved = last_page_starts(page_starts_file(self.out_dir / CACHE / self.book.metadata.slug, profile))
        return None if saved is None else saved[:2]

    def _send_problems(self, problems: list[str]) -> None:
        self.replies.send(PrintPages(self.title, (), b"", (), False, tuple(problems)))


def _chapter_page_indexes(pdf: bytes, starts, shown: tuple[str, ...]) -> list[int]:
    """The indexes of the PDF's pages that belong to the shown chapters: from the first page one of them starts,
    to the page before the next chapter's first."""
    labels = page_labels(pdf)
    index_of = {label: index for index, label in enumerate(labels)}
    owner = {index_of[start.label]: start.chapter_id for start in starts if start.label in index_of}
    pages, inside = [], False
    for index in range(len(labels)):
        if index in owner:
            inside = owner[index] in shown
        if inside:
            pages.append(index)
    return pages


def page_image(pdf: bytes, index: int) -> bytes:
    """The PNG of one page of the PDF."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = io.BytesIO()
        document[index].render(scale=PAGE_SCALE).to_pil().save(image, format="PNG", compress_level=1)
        return image.getvalue()
    finally:
        document.close()
