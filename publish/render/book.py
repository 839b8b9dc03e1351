"""Markdown to format-neutral XHTML: each chapter's body, headings and notes, with ids unique across the book."""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from lxml import etree

from publish.cache.chapters import ChapterCache, Rendered
from publish.errors import ManuscriptError, Problem, Report
from publish.manuscript.files import NOT_XML
from publish.manuscript.identifiers import slugify
from publish.manuscript.limits import raise_it
from publish.manuscript.strings import catalogue_language, languages
from publish.model import (
    Book,
    Chapter,
    ChapterSource,
    Footnote,
    Heading,
    RenderedBook,
    primary_language,
)
from publish.render.content_model import conform
from publish.render.figures import (
    LISTED,
    caption_listings,
    caption_tables,
    float_lists,
    label_numbers,
    make_figures,
    number_labels,
    refers,
)
from publish.render.glyphs import warn_missing_glyphs
from publish.render.headings import (
    HEADINGS,
    build_toc,
    close_level_gaps,
    ensure_title_heading,
    labelled_chapters,
    name_headings,
    sectionize,
)
from publish.render.links import Targets, needs_resolving, resolve_links
from publish.render.markdown import OutOfTime, markdown_to_html
from publish.render.math import convert_math
from publish.render.notes import take_footnotes
from publish.render.references import URL_SCHEME, line_of, local_targets, resolve_images
from publish.render.typography import apply_typography
from publish.render.xhtml import clean, inner_xhtml, parse_fragment, remove_keep_tail

RAW_HTML = re.compile(r"<[A-Za-z!?/]|&[A-Za-z]")  # Markdown without these renders to well-formed XHTML
# Characters XML 1.0 forbids or discourages: C0/C1 controls (but tab and newline) and noncharacters.


@dataclass(frozen=True)
class RenderOptions:
    """What rendering one chapter needs to know about the rest of the book."""

    manuscript_root: Path
    keep_going: bool = False  # missing images become placeholders instead of errors
    language: str = "en"  # the book's, for its typography
    direction: str = "ltr"
    seconds: float | None = None  # the longest converting a chapter's Markdown may take (limits.chapter_seconds)


PARALLEL_CHARACTERS = 200_000  # below this much Markdown to convert, starting worker processes costs more than it saves


def render_book(book: Book, report: Report, keep_going: bool = False, cache: ChapterCache | None = None,
                jobs: int = 1, progress: Callable[[int], None] = lambda count: None) -> RenderedBook:
    """Convert every chapter: from `cache` when its inputs are unchanged, the rest in `jobs` worker processes
    when the book is long enough for that to pay. Warnings come out in reading order however the work was split."""
    _warn_untranslated(book, report)
    warn_missing_glyphs(book.chapters, book.fonts, report)
    ids = chapter_ids(book.chapters)
    options = RenderOptions(book.root, keep_going, book.metadata.language, book.metadata.direction,
                            book.limits.chapter_seconds)
    cache = None if keep_going else cache  # placeholders for missing images must not outlive the missing files
    results = _convert(book.chapters, ids, options, cache, jobs, progress)
    problems: list[Problem] = []
    chapters = []
    for result in results:
        for warning in result.warnings:
            report.add(warning)
        problems.extend(result.problems)
        if result.chapter is not None:
            chapters.append(result.chapter)
    if problems:
        raise ManuscriptError(problems)
    chapters = _resolved(_without_duplicate_ids(chapters, book, report), book, ids, report)
    if book.contents.chapter_labels:
        chapters = labelled_chapters(chapters, book.strings)
    toc = build_toc(chapters, book.print.toc_depth)
    lists = float_lists(chapters, book.contents.lists, book.strings)
    for empty in (float_list for float_list in lists if not float_list.entries):
        report.warn(f"contents.lists asks for a list of {empty.kind}, but none is labelled, so none is printed; "
                    f"label one with {{#{LISTED[empty.kind][0]}-name}}", book.root / "book.yaml")
    return RenderedBook(root=book.root, metadata=book.metadata, print=book.print, chapters=tuple(chapters), toc=toc,
                        epub=book.epub, lists=lists, strings=book.strings, fonts=book.fonts)


def _warn_untranslated(book: Book, report: Report) -> None:
    """The tool has no catalogue for the book's language: its fixed strings are in English."""
    language = book.metadata.language
    if catalogue_language(language) == primary_language(language):
        return
    report.warn(f"language '{language}' has no catalogue of the book's fixed strings (contents, notes, "
                f"landmarks...), so they are in English; translate them in book.yaml's 'strings:' section "
                f"(catalogues: {', '.join(languages())})", book.root / "book.yaml")


def _convert(sources: tuple[ChapterSource, ...], ids: dict[Path, str], options: RenderOptions,
             cache: ChapterCache | None, jobs: int, progress: Callable[[int], None]) -> list[Rendered]:
    context = f"{options.manuscript_root}\n{options.language}"  # links to other chapters: resolved later
    keys = [cache.key(source, ids[source.path.resolve()], context) if cache else "" for source in sources]
    results: list[Rendered | None] = [cache.get(key, options.manuscript_root) if cache else None for key in keys]
    progress(sum(result is not None for result in results))
    missing = [index for index, result in enumerate(results) if result is None]
    work = [(sources[index], ids[sources[index].path.resolve()], options) for index in missing]
    forking = "fork" in multiprocessing.get_all_start_methods()  # workers start as copies of this process
    if forking and jobs > 1 and sum(len(source.text) for source, _, _ in work) >= PARALLEL_CHARACTERS:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as workers:
            converted = workers.map(_render_reporting, work, chunksize=max(1, len(work) // (4 * jobs)))
            for index, result in zip(missing, converted):
                results[index] = result
                progress(1)
    else:
        for index, arguments in zip(missing, work):
            results[index] = _render_reporting(arguments)
            progress(1)
    if cache is not None:
        for index in missing:
            cache.put(keys[index], results[index], options.manuscript_root)
    return results


def _render_reporting(arguments: tuple[ChapterSource, str, RenderOptions]) -> Rendered:
    """Render one chapter into a result that carries its warnings (it may run in a worker process)."""
    source, chapter_id, options = arguments
    report = Report()
    try:
        return Rendered(render_chapter(source, chapter_id, options, report), (), tuple(report.warnings))
    except ManuscriptError as error:
        return Rendered(None, tuple(error.problems), tuple(report.warnings))


def _resolved(chapters: list[Chapter], book: Book, ids: dict[Path, str], report: Report) -> list[Chapter]:
    """The chapters with every link pointing at an id of the book (or made plain text) and what is labelled
    numbered; raises for a reference to no label."""
    targets = Targets.of(chapters, ids)
    numbers = label_numbers(chapters)
    sources = {source.path: source for source in book.chapters}
    problems, result = [], []
    for chapter in chapters:
        if not needs_resolving(chapter, targets) and not refers(chapter, numbers):
            result.append(chapter)
            continue
        source = sources[chapter.source]
        body = parse_fragment(chapter.body_html)
        notes = [parse_fragment(note.html) for note in chapter.footnotes]
        for part in (body, *notes):
            # first: a reference to no label is an error
            problems.extend(number_labels(part, numbers, source, book.strings))
            resolve_links(part, chapter, source, targets, report)
        footnotes = tuple(replace(note, html=inner_xhtml(part)) for note, part in zip(chapter.footnotes, notes))
        result.append(replace(chapter, body_html=inner_xhtml(body), footnotes=footnotes))
    if problems:
        raise ManuscriptError(problems)
    return result


def chapter_ids(sources: tuple[ChapterSource, ...]) -> dict[Path, str]:
    """A stable id per chapter from its file name ('ch-001-chapter-1'), made unique when two files share a name."""
    ids: dict[Path, str] = {}
    for index, source in enumerate(sources, start=1):
        candidate = base = f"ch-{slugify(source.path.stem) or index}"
        suffix = 2
        while candidate in ids.values():
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        ids[source.path.resolve()] = candidate
    return ids


def render_chapter(source: ChapterSource, cid: str, options: RenderOptions, report: Report) -> Chapter:
    text = _without_control_characters(source, report)
    try:
        html = markdown_to_html(text, options.seconds)
    except OutOfTime:
        raise ManuscriptError(Problem(
            f"converting this chapter's Markdown took over {options.seconds:g} s: look for a long run of '[', '<' "
            f"or other marks Markdown tries to pair, or split the chapter, or {raise_it('chapter_seconds')}",
            source.path)) from None
    root = parse_fragment(html, well_formed=not RAW_HTML.search(text))
    _without_toc_marker(root, source, report)
    make_figures(root)
    caption_tables(root)
    caption_listings(root)
    notes = take_footnotes(root, cid)
    for note in notes:
        if not note.ref_id:
            key = note.id.removeprefix(f"{cid}-fn-")
            report.warn(f"note [^{key}] is never referred to; add [^{key}] to the text or delete the note",
                        source.path, line_of(source, f"[^{key}]:"))
    parts = [root, *(note.element for note in notes)]
    _make_valid(parts, source, report)
    for part in parts:
        convert_math(part, source, report, options.keep_going)
        apply_typography(part, options.language, options.direction)
    images = tuple(dict.fromkeys(image for part in parts for image in
                                 resolve_images(part, source, options.manuscript_root, report, options.keep_going)))
    links = tuple(link for part in parts for link in local_targets(part))
    ensure_title_heading(root, source)
    close_level_gaps(root, source, report)
    headings = name_headings(root, cid)
    if not headings or headings[0].level != 1:
        raise ManuscriptError(Problem(
            "chapter has no title: start it with a '# Title' line or set 'title:' in its front matter",
            source.path, source.first_line))
    sectionize(root)
    _rename_repeated_ids(parts, headings, source, report)
    ids = tuple(el.get("id") for part in parts for el in part.iter() if el.get("id")) + tuple(n.id for n in notes)
    _refuse_repeated_ids(ids, source)
    file_links = any(not a.get("href", "#").startswith("#") and not URL_SCHEME.match(a.get("href", ""))
                     for part in parts for a in part.iter("a"))
    present = set(ids)
    footnotes = tuple(Footnote(n.id, n.ref_id if n.ref_id in present else "", n.number, inner_xhtml(n.element).strip())
                      for n in notes)
    return Chapter(id=cid, source=source.path, role=source.role, title=headings[0].title,
                   title_html=headings[0].title_html, body_html=inner_xhtml(root), headings=tuple(headings),
                   footnotes=footnotes, ids=ids, images=images, links=links, has_file_links=file_links,
                   table_lines=_table_lines(source, sum(1 for _ in root.iter("table"))),
                   code_lines=_code_lines(source, root), running_head=source.running_head)


TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")  # a table's |---|---| line


def _table_lines(source: ChapterSource, count: int) -> tuple[int, ...]:
    """Where each of the chapter's `count` tables starts: the line above each |---| rule, else the chapter's
    first line (a table of raw HTML)."""
    lines = source.text.split("\n")
    found = [source.first_line + index - 1 for index, line in enumerate(lines) if index and TABLE_RULE.match(line)]
    return tuple((found + [source.first_line] * count)[:count])


def _code_lines(source: ChapterSource, root: etree._Element) -> tuple[int, ...]:
    """Where the first line of each code block of the body is in the Markdown, found in order (a block whose
    first line cannot be found, say from raw HTML, is given the line of the one before)."""
    lines, position = [], 0
    for block in root.iter("pre"):
        start = None
        for line in filter(None, (line.strip() for line in "".join(block.itertext()).split("\n"))):
            found = source.text.find(line, position)
            if found >= 0:
                start = found if start is None else start
                position = found + len(line)
        lines.append(source.first_line + source.text.count("\n", 0, position if start is None else start))
    return tuple(lines)


def _without_toc_marker(root: etree._Element, source: ChapterSource, report: Report) -> None:
    """A `[TOC]` line (Python-Markdown's marker for a contents list): the book has its own contents."""
    for paragraph in [p for p in root.iter("p") if (p.text or "").strip() == "[TOC]" and not len(p)]:
        report.warn("removed the [TOC] line: the book has its contents page (and the ebook its navigation); "
                    "delete the line", source.path, line_of(source, "[TOC]"))
        remove_keep_tail(paragraph)


def _make_valid(parts: list[etree._Element], source: ChapterSource, report: Report) -> None:
    """Clean and repair the body and each note; warn once per kind of change, at its line."""
    removed: list[str] = []
    for part in parts:
        removed.extend(clean(part).removed)
        conform(part, removed)
    removals = sorted(((_line_of_removal(source, item), item) for item in dict.fromkeys(removed)),
                      key=lambda pair: pair[0])
    for line, item in removals:
        report.warn(f"removed {item}: an EPUB may not hold it there; delete or fix it in the Markdown",
                    source.path, line)


def _rename_repeated_ids(parts: list[etree._Element], headings: list[Heading], source: ChapterSource,
                         report: Report) -> None:
    """An id given twice in the chapter's raw HTML is kept by the first element and renamed on the others, with a
    warning: the chapter's links to it go to the first. A heading keeps its id (the contents link to it), so two
    headings with one id stay an error."""
    seen = {heading.id for heading in headings}
    taken = {element.get("id") for part in parts for element in part.iter() if element.get("id")}
    uses: Counter[str] = Counter()
    for element in (element for part in parts for element in part.iter()):
        element_id = element.get("id")
        if not element_id or element.tag in HEADINGS:
            continue
        uses[element_id] += 1
        if element_id in seen:
            new_id = _free_id(element_id, taken)
            element.set("id", new_id)
            report.warn(f"id '{element_id}' is used twice in this chapter: this one is renamed '{new_id}' and links "
                        "go to the first; give each element an id of its own", source.path,
                        _line_of_use(source, f'id="{element_id}"', uses[element_id]))
        seen.add(element_id)


def _free_id(element_id: str, taken: set[str]) -> str:
    number = 2
    while f"{element_id}-{number}" in taken:
        number += 1
    taken.add(f"{element_id}-{number}")
    return f"{element_id}-{number}"


def _line_of_use(source: ChapterSource, needle: str, nth: int) -> int:
    """The line of the `nth` appearance of `needle` (or of the last one there is)."""
    position = -1
    for _ in range(nth):
        found = source.text.find(needle, position + 1)
        if found < 0:
            break
        position = found
    return source.first_line + (source.text.count("\n", 0, position) if position >= 0 else 0)


def _refuse_repeated_ids(ids: tuple[str, ...], source: ChapterSource) -> None:
    seen, problems = set(), []
    for element_id in ids:
        if element_id in seen:
            problems.append(Problem(f"id '{element_id}' is used twice in this chapter; ids must be unique in the book",
                                    source.path, line_of(source, element_id)))
        seen.add(element_id)
    if problems:
        raise ManuscriptError(problems)


def _without_control_characters(source: ChapterSource, report: Report) -> str:
    found = NOT_XML.search(source.text)
    if found is None:
        return source.text
    line = source.first_line + source.text.count("\n", 0, found.start())
    report.warn(f"removed invisible control character U+{ord(found.group()):04X} (and any others in the "
                "chapter); they are not allowed in EPUB", source.path, line)
    return NOT_XML.sub("", source.text)


def _line_of_removal(source: ChapterSource, removed: str) -> int:
    """Best guess at where removed markup sits in the Markdown: the first line that names it."""
    match = re.search(r"<(\w+)>|'([\w-]+)'", removed)
    return line_of(source, (match.group(1) and f"<{match.group(1)}") or match.group(2) if match else "",
                   ignore_case=True)


def _without_duplicate_ids(chapters: list[Chapter], book: Book, report: Report) -> list[Chapter]:
    """An id another chapter used first is renamed in this one, its own links following it, with a warning; a
    heading's id stays an error (the contents and other chapters' links name it)."""
    owner: dict[str, Path] = {}
    taken = {element_id for chapter in chapters for element_id in chapter.ids}
    sources = {source.path: source for source in book.chapters}
    problems, result = [], []
    for chapter in chapters:
        headings = {heading.id for heading in chapter.headings}
        renames = {}
        for element_id in chapter.ids:
            if element_id in owner and owner[element_id] != chapter.source:
                if element_id in headings:
                    problems.append(Problem(f"id '{element_id}' is also used in {owner[element_id].name}; "
                                            "ids must be unique in the book", chapter.source))
                    continue
                renames[element_id] = _free_id(element_id, taken)
                report.warn(f"id '{element_id}' is also used in {owner[element_id].name}: renamed "
                            f"'{renames[element_id]}' here, and this chapter's links follow it; give each element "
                            "an id of its own", chapter.source,
                            line_of(sources[chapter.source], f'id="{element_id}"'))
            owner.setdefault(element_id, chapter.source)
        result.append(_renamed(chapter, renames) if renames else chapter)
    if problems:
        raise ManuscriptError(problems)
    return result


def _renamed(chapter: Chapter, renames: dict[str, str]) -> Chapter:
    """The chapter with the ids in `renames` changed, on the elements and in its own links to them."""
    def rename(html: str) -> str:
        part = parse_fragment(html)
        for element in part.iter():
            if element.get("id") in renames:
                element.set("id", renames[element.get("id")])
            href = element.get("href") or ""
            if href.startswith("#") and href[1:] in renames:
                element.set("href", f"#{renames[href[1:]]}")
        return inner_xhtml(part)

    return replace(chapter, body_html=rename(chapter.body_html),
                   footnotes=tuple(replace(note, html=rename(note.html)) for note in chapter.footnotes),
                   ids=tuple(renames.get(element_id, element_id) for element_id in chapter.ids),
                   links=tuple(renames.get(link, link) for link in chapter.links))


