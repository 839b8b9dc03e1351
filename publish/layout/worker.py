"""The worker processes of a print layout in parts (parallel_layout.py): each lays out the parts it is given,
reports their page counts, and draws their folios and writes their PDF once it knows how many body pages come
before each part. The margin boxes (folios, running heads) are put off while a part is laid out (hooks.py) and
made once its first folio is known.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback

from publish.errors import PublishError, Report
from publish.layout.document import page_starts, report_page_problems
from publish.layout.hooks import MarginsLater
from publish.layout.parts import Counted, Finished, GroupPdf
from publish.layout.passes import hyphen_passes
from publish.layout.print_html import lay_out_html, print_environment
from publish.layout.sheets import parts_pdf


def work(number, parent, book, profile, geometry, htmls, groups, linked, tasks, results, inbox) -> None:
    """`parent`: the build's process id; `htmls`: each part's HTML document; `linked`: the ids whose pages the
    contents page shows."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the main process, which stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _exit_with(parent)
    try:
        _Worker(number, book, profile, geometry, htmls, linked, results, inbox).run(groups, tasks)
        results.put(("stopped", number, None))
    except PublishError as error:
        results.put(("error", number, error.problems))
    except Exception:  # an unexpected failure: the main process shows its traceback
        results.put(("crash", number, traceback.format_exc()))


def _exit_with(parent: int, every_seconds: float = 0.5) -> None:
    """Stop when the build's process is gone: killed (kill -9, or for want of memory), it could not stop us."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_seconds)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class _Worker:
    """Lays out the groups of parts it takes; writes each group's PDF once the offsets of its parts came."""

    def __init__(self, number, book, profile, geometry, htmls, linked, results, inbox) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.number, self.book, self.profile, self.geometry = number, book, profile, geometry
        self.htmls, self.linked, self.results, self.inbox = htmls, linked, results, inbox
        self.font_config = FontConfiguration()
        self.env = print_environment(book, profile)
        self.title_css = title_css(book)
        self.offsets: dict[int, int] = {}

    def run(self, groups: list[list[int]], tasks) -> None:
        pending: dict[int, dict] = {}  # group -> its parts laid out, waiting for their offsets
        while (group := tasks.get()) is not None:
            pending[group] = {index: self._lay_out(index) for index in groups[group]}
            while not self.inbox.empty():
                self._take_offset()
            self._write_ready(pending)
        while pending:
            self._take_offset()
            self._write_ready(pending)

    def _take_offset(self) -> None:
        index, offset = self.inbox.get()
        self.offsets[index] = offset

    def _write_ready(self, pending: dict[int, dict]) -> None:
        for group in [group for group, parts in pending.items() if all(index in self.offsets for index in parts)]:
            self.results.put(("pdf", group, self._group_pdf(pending.pop(group))))

    def _lay_out(self, index: int):
        book, env, first_pass = self.book, self.env, []
        report = Report()
        document_html = self.htmls[index]

        render = part_pass(book, env, document_html, self.geometry, self.profile, self.font_config, report)

        def first_pass_seen(laid) -> bool:
            first_pass.append(len(laid.pages))
            return True  # the main process judges the gutter once every part's first pass is in

        document, root, runs = hyphen_passes(render, first_pass_seen)
        anchors: dict[str, int] = {}
        for page_number, page in enumerate(document.pages, start=1):
            for anchor in page.anchors:
                if anchor in self.linked:
                    anchors.setdefault(anchor, page_number)
        self.results.put(("count", index, Counted(self.number, len(document.pages), first_pass[0], anchors)))
        return document, root, runs, report

    def _group_pdf(self, parts: dict) -> GroupPdf:
        finished, documents, first_page, warnings = {}, [], 0, []
        for index, (document, root, runs, report) in sorted(parts.items()):
            document.margins_later.make(self.offsets[index])
            labels = tuple(str(self.offsets[index] + page) for page in range(1, len(document.pages) + 1))
            report_page_problems(document, labels, self.book, report)
            finished[index] = Finished(first_page, tuple(page_starts(document, root, labels)),
                                       tuple((run.page, run.text) for run in runs))
            documents.append(document)
            first_page += len(document.pages)
            warnings += report.warnings
        return GroupPdf(parts_pdf(documents, self.profile, self.geometry, self.book.metadata.direction), finished,
                        tuple(warnings))


def part_pass(book, env, html: str, geometry, profile, font_config, report: Report, extra_css=()):
    """A layout pass of a part's HTML, `render(protected words) -> (document, tree)` for hyphen_passes: the
    running head's book title set, the margin boxes left to `document.margins_later` (a MarginsLater) to make
    once the part's first folio is known."""
    def render(protected):
        margins = MarginsLater()
        document, root = lay_out_html(book, env, html, geometry, profile, protected, font_config, report,
                                      [title_css(book), *extra_css], margins)
        document.margins_later = margins
        return document, root
    return render


def title_css(book) -> str:
    """The running head's book title, which a part's document would otherwise take from the title page."""
    return f'html {{ string-set: book-title "{_css_string(book.metadata.title)}"; }}'


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
