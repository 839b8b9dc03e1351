"""A long book laid out for print on several cores, with the pages a single layout gives.

The body is cut into parts at chapters that open on a recto with their title, so that no page of a part depends
on another part's layout. Worker processes take the parts in reading order and lay each out as a document of its
own, again while hyphenated line-ends run three in a row (as a single layout does, but only for the parts that
have such runs). Folios are the one thing a part takes from the parts before it: WeasyPrint's margin boxes are
made only once the main process has sent each part the number of body pages before it. A laid-out page cannot
leave its process, so each worker writes the pages of all its parts as one PDF. The front matter is laid out last
in the main process, followed by one empty stand-in page holding the ids of the body's headings it lists, each
given the folio it has in the body (hooks.py), so that the contents page prints them; the stand-in is then
dropped. The PDF format joins the pages in reading order. The workers' side is worker.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
from pathlib import Path

from publish.errors import FormatError, Problem, PublishError, Report
from publish.layout.document import (
    PrintLayout,
    estimated_pages,
    front_matter,
    padded,
    page_of_anchor,
    page_starts,
    report_page_problems,
    roman,
)
from publish.layout.kept_parts import KeptForPrint, LayoutCache, for_print_folder
from publish.layout.parts import Counted, GroupPdf
from publish.layout.passes import (
    GutterCheck,
    first_geometry,
    hyphen_passes,
    warn_hyphen_runs,
)
from publish.layout.print_html import lay_out_html, print_environment, print_html
from publish.layout.profiles import PrintProfile, page_multiple
from publish.layout.worker import title_css, work
from publish.model import Chapter, RenderedBook
from publish.progress import Stage

MIN_PARTS = 4  # fewer, and the book is laid out whole
PART_PAGES = 10  # pages a part should have, about: small enough that a run of hyphens re-lays little
GROUP_PAGES = 16  # pages of consecutive parts written as one PDF (each embeds its own font subsets): an edit
# lays out its group again (Pride and Prejudice at 84cf7c7, three one-word edits, twice: 32 pages, 2.74-3.02 s,
# 1.46 MB; 16, 1.99-2.69 s, 1.62 MB; cold builds alike)
# The stand-in page only carries ids for the contents to find; it is never drawn, so it makes no running head
# or folio of its own (which took a third of the front matter's layout).
NO_MARGIN_BOXES = " ".join(f"@{box} {{ content: none; }}" for box in (
    "top-left", "top-center", "top-right", "bottom-left", "bottom-center", "bottom-right"))
POLL_SECONDS = 1.0  # how often the main process checks that no worker died while it waits for a message


def parts(book: RenderedBook, profile: PrintProfile, jobs: int) -> list[tuple[Chapter, ...]]:
    """The body's chapters in parts of about PART_PAGES pages, or [] when the book is better laid out whole:
    one worker, a short book, a profile that links pages across the book, chapters that do not open on a recto
    (a part must begin on a fresh recto to be laid out on its own), or a print.html of the book's own (it may
    not know how to make a part)."""
    if (jobs < 2 or profile.interactive or book.print.chapter_start != "recto"
            or "fork" not in multiprocessing.get_all_start_methods()
            or (book.root / "templates" / "print.html").exists()):  # a book's own template lays out the whole book
        return []
    front_ids, _ = front_matter(book)
    found: list[list[Chapter]] = []
    pages = 0.0
    for chapter in (chapter for chapter in book.chapters if chapter.id not in front_ids):
        if not found or (pages >= PART_PAGES and _opens_with_title(chapter)):
            found.append([])
            pages = 0.0
        found[-1].append(chapter)
        pages += estimated_pages(book, chapter)
    return [tuple(part) for part in found] if len(found) >= MIN_PARTS else []


def _opens_with_title(chapter: Chapter) -> bool:
    """The chapter's first element is its h1, which sets the running head: a part may begin there."""
    return chapter.body_html.lstrip().startswith("<h1")


def groups(book: RenderedBook, body: list[tuple[Chapter, ...]]) -> list[list[int]]:
    """Consecutive parts in groups of about GROUP_PAGES pages: what one PDF holds. The groups depend on the
    book alone, so that the joined PDF's bytes do not depend on how many workers laid it out."""
    found: list[list[int]] = [[]]
    pages = 0.0
    for index, part in enumerate(body):
        if pages >= GROUP_PAGES:
            found.append([])
            pages = 0.0
        found[-1].append(index)
        pages += sum(estimated_pages(book, chapter) for chapter in part)
    return found


class _GutterMoved(Exception):
    pass


def lay_out_in_parts(book: RenderedBook, version: str, report: Report, profile: PrintProfile, stage: Stage,
                     jobs: int, body: list[tuple[Chapter, ...]], cache: Path | None = None) -> PrintLayout:
    """`cache`: a folder where the parts and groups laid out are kept for the next build (kept_parts.py). What
    every attempt at a gutter laid out is kept: when the estimated gutter moves, the next build takes both
    attempts' parts, and lays out again only what an edit changed, with each gutter."""
    geometry = first_geometry(book, profile)
    for_print = KeptForPrint(for_print_folder(cache, profile), book) if cache is not None else None
    env = print_environment(book, profile, kept=for_print)
    htmls = [print_html(env, book, version, profile, part, front=False) for part in body]
    if for_print is not None:
        for_print.forget_unused()
    used: set[str] = set()  # the kept files every attempt read or wrote
    for last_round in (False, True):  # the gutter is chosen again at most once, as in a single layout
        gutter = GutterCheck(profile, book.print, geometry, accept=last_round)
        kept = _kept(cache, book, profile, gutter.geometry, used)
        layout = _Layout(book, version, report, profile, gutter, body, htmls, kept)
        try:
            laid_out = layout.run(jobs, stage)
        except _GutterMoved:
            geometry = gutter.settled
            continue
        if kept is not None:
            kept.forget_unused()
        return laid_out
    raise AssertionError("unreachable")


def _kept(cache: Path | None, book: RenderedBook, profile: PrintProfile, geometry, used: set[str]):
    if cache is None:
        return None
    return LayoutCache(cache / f"layout-{profile.name}", book,
                       repr((profile, geometry, book.print, title_css(book))), used)


class _Layout:
    """One attempt at laying the book out in parts with one gutter."""

    def __init__(self, book, version, report, profile, gutter: GutterCheck, body, htmls, kept) -> None:
        self.book, self.version, self.report, self.profile = book, version, report, profile
        self.gutter, self.geometry, self.body, self.htmls, self.kept = gutter, gutter.geometry, body, htmls, kept
        self.linked = set(_contents_ids(book))
        self.part_keys = [self._part_key(html, part) for html, part in zip(htmls, body)] if kept else []
        self.counted: dict[int, Counted] = {}
        self.offsets: list[int] = []  # body pages before each part, once known
        self.unsent: dict[int, int] = {}  # part -> the worker laying it out, until it has the part's offset
        self.groups = groups(book, body)
        self.written: dict[int, GroupPdf] = {}
        self.deferred: list[int] = []  # groups whose parts were all kept: laid out only if their folios moved
        self.front = None
        self.front_ahead = None  # ((html, css), laid out, its warnings): the last front matter, laid out again

    def _part_key(self, html: str, part: tuple[Chapter, ...]) -> str:
        anchors = self.linked.intersection(element_id for chapter in part for element_id in chapter.ids)
        return self.kept.part_key(html, part, sorted(anchors))

    def run(self, jobs: int, stage: Stage) -> PrintLayout:
        import weasyprint  # noqa: F401  loaded once: the workers fork with it, the front matter is laid out here

        context = multiprocessing.get_context("fork")
        tasks, results = context.Queue(), context.Queue()
        estimate = int(sum(estimated_pages(self.book, chapter) for part in self.body for chapter in part))
        with stage("layout", estimate) as advance:
            for group, members in enumerate(self.groups):
                if self._take_kept_counts(members, advance):
                    self.deferred.append(group)
                else:
                    tasks.put(group)
            inboxes = [context.SimpleQueue() for _ in range(min(jobs, len(self.groups)))]
            workers = [context.Process(target=work, daemon=True, args=(
                number, os.getpid(), self.book, self.profile, self.geometry, self.htmls, self.groups, self.linked,
                tasks, results, inbox)) for number, inbox in enumerate(inboxes)]
            for worker in workers:
                worker.start()
            try:
                self.front_ahead = self._front_ahead()
                self._counts_known(tasks, workers)
                self._collect(results, inboxes, tasks, workers, advance)
            except BaseException:
                for worker in workers:
                    worker.terminate()
                raise
            finally:
                for worker in workers:
                    worker.join()
        return self._print_layout([self.written[group] for group in range(len(self.groups))])

    def _take_kept_counts(self, members: list[int], advance) -> bool:
        """The kept counts of a group's parts, if every one was kept."""
        kept = [self.kept.counted(self.part_keys[index]) for index in members] if self.kept else [None]
        if None in kept:
            return False
        for index, counted in zip(members, kept):
            self.counted[index] = counted
            advance(counted.pages)
        return True

    def _collect(self, results, inboxes, tasks, workers, advance) -> None:
        stopped = 0
        while stopped < len(workers):
            kind, index, data = _next_message(results, workers)
            if kind == "count":
                if self.kept is not None:
                    self.kept.keep_counted(self.part_keys[index], data)
                if index not in self.counted:
                    advance(data.pages)
                elif self.counted[index].pages != data.pages:  # the folios after it were sent: they would be wrong
                    raise RuntimeError(f"part {index + 1} laid out again has {data.pages} pages, "
                                       f"{self.counted[index].pages} when it was kept")
                self.counted[index] = data
                self.unsent[index] = data.worker
                self._send_offsets(inboxes)
                self._counts_known(tasks, workers)
            elif kind == "pdf":
                self.written[index] = data
                if self.kept is not None:
                    self.kept.keep_group(self._group_key(index), data)
            elif kind == "stopped":
                stopped += 1
            elif kind == "error":
                raise FormatError(data)
            else:
                raise RuntimeError(f"layout worker {index + 1} failed:\n{data}")

    def _counts_known(self, tasks, workers) -> None:
        """Once every part's page count is known: the kept groups whose folios did not move are taken, the
        others are laid out again; then the workers are told there is nothing more, and the front matter is laid
        out while they draw the folios and write their PDFs. (Before, when the page count may still move the
        gutter: a group is laid out again only with the gutter kept.)"""
        if len(self.counted) < len(self.body) or self.front is not None:
            return
        self._advance_offsets()
        if not self.gutter.accept:
            self._lay_out_front()
        for group in self.deferred:
            kept = self.kept.group(self._group_key(group), self.groups[group])
            if kept is not None:
                self.written[group] = kept
            else:
                tasks.put(group)
        for _ in workers:
            tasks.put(None)
        if self.front is None:
            self._lay_out_front()

    def _group_key(self, group: int) -> str:
        members = self.groups[group]
        return self.kept.group_key([self.part_keys[index] for index in members], [self.offsets[i] for i in members])

    def _advance_offsets(self) -> None:
        """Offsets are known in reading order: each needs the page count of every part before it."""
        while len(self.offsets) in self.counted:
            index = len(self.offsets)
            self.offsets.append(self.offsets[-1] + padded(self.counted[index - 1].pages, 2) if index else 0)

    def _send_offsets(self, inboxes) -> None:
        """Each known offset goes to the worker laying its part out."""
        self._advance_offsets()
        for index in [index for index in self.unsent if index < len(self.offsets)]:
            inboxes[self.unsent.pop(index)].put((index, self.offsets[index]))

    def _lay_out_front(self) -> None:
        """The front matter, then one stand-in page holding the ids of the body the contents page lists, each
        given the folio it has in the body (so that the contents prints it); the stand-in is then dropped."""
        folios = {anchor: self.offsets[index] + page for index, counted in sorted(self.counted.items())
                  for anchor, page in counted.anchors.items()}
        _, first_body_id = front_matter(self.book)
        inputs = self._front_inputs(folios)
        if self.front_ahead is not None and self.front_ahead[0] == inputs:
            _, (document, root, runs), warnings = self.front_ahead
            for problem in warnings:
                self.report.add(problem)
        else:
            document, root, runs = self._lay_out_front_inputs(*inputs, self.report)
        if self.kept is not None:
            self.kept.keep_front_inputs(*inputs)
        pages = page_of_anchor(document, f"section-{first_body_id}") - 1
        if not self.gutter.keeps(pages + _body_pages([self.counted[i].first_pass_pages
                                                      for i in range(len(self.body))])):
            raise _GutterMoved
        self.front = (document.copy(document.pages[:pages]), root, runs)

    def _front_inputs(self, folios: dict[str, int]) -> tuple[str, str, str]:
        """The front matter's HTML, with a stand-in page for the body holding the ids of `folios` (id -> folio),
        its CSS, and the folios as JSON."""
        front_ids, _ = front_matter(self.book)
        env = print_environment(self.book, self.profile)
        html = print_html(env, self.book, self.version, self.profile,
                          [chapter for chapter in self.book.chapters if chapter.id in front_ids],
                          body_ids=sorted(folios, key=lambda anchor: (folios[anchor], anchor)) or ["publish-body"])
        css = f".publish-stub {{ break-before: recto; page: publish-stub; }} @page publish-stub {{ {NO_MARGIN_BOXES} }}"
        return html, css, json.dumps(folios, sort_keys=True)

    def _lay_out_front_inputs(self, html: str, css: str, folios: str, report: Report):
        from weasyprint.text.fonts import FontConfiguration

        env, font_config = print_environment(self.book, self.profile), FontConfiguration()
        return hyphen_passes(lambda protected: lay_out_html(
            self.book, env, html, self.geometry, self.profile, protected, font_config, report, [css],
            folios=json.loads(folios)))

    def _front_ahead(self):
        """The front matter as the last layout had it, laid out while the workers lay out the parts: after an
        edit that moves no folio it is the one this layout needs. (Not when no group was kept: the edit moved
        them all, or there was nothing to keep.)"""
        inputs = self.kept.front_inputs() if self.kept is not None and self.deferred else None
        if inputs is None:
            return None
        report = Report()
        try:
            laid = self._lay_out_front_inputs(*inputs, report)
        except PublishError:  # the layout that needs it says so
            return None
        return inputs, laid, tuple(report.warnings)

    def _print_layout(self, done: list[GroupPdf]) -> PrintLayout:
        front, root, front_runs = self.front
        front_pages = len(front.pages)
        counts = [self.counted[index].pages for index in range(len(self.body))]
        page_count = padded(front_pages + _body_pages(counts), page_multiple(self.profile, self.book.print))
        labels = tuple(roman(n) for n in range(1, front_pages + 1)) + tuple(
            str(n) for n in range(1, page_count - front_pages + 1))
        group_of = {index: group for group, members in enumerate(self.groups) for index in members}
        finished = [done[group_of[index]].parts[index] for index in range(len(self.body))]
        seen = set()
        for group in done:  # the stylesheets' warnings come from every group: say them once
            for problem in group.warnings:
                if problem not in seen:
                    seen.add(problem)
                    self.report.add(problem)
        warn_hyphen_runs(self.report, [(run.page, run.text) for run in front_runs] + [
            (front_pages + offset + page, text) for part, offset in zip(finished, self.offsets)
            for page, text in part.runs])
        report_page_problems(front, labels, self.book, self.report)
        starts = (*page_starts(front, root, labels), *(start for part in finished for start in part.page_starts))
        order = tuple((group_of[index], part.first_page, counts[index]) for index, part in enumerate(finished))
        return PrintLayout(front, starts, self.geometry, labels, page_count, tuple(group.pdf for group in done),
                           order)


def _body_pages(counts: list[int]) -> int:
    """Every part but the last ends with a blank verso if it ends on a recto: the next one opens on a recto."""
    return sum(padded(count, 2) for count in counts[:-1]) + counts[-1]


def _contents_ids(book: RenderedBook):
    """The ids whose page the front matter prints: the contents' headings, the lists' figures and tables."""
    yield from (entry.id for float_list in book.lists for entry in float_list.entries)
    pending = list(book.toc)
    while pending:
        entry = pending.pop()
        yield entry.heading.id
        pending.extend(entry.children)


def _next_message(results, workers):
    while True:
        try:
            return results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            dead = [worker for worker in workers if worker.exitcode not in (None, 0)]
            if dead:
                raise FormatError(Problem(f"PDF layout: a worker process stopped (exit code {dead[0].exitcode}): "
                                          f"out of memory? Build with fewer workers (-j 1 uses none)")) from None
