"""The parts of a print layout in parts (parallel.py) kept between builds, in the output folder's .cache:
a part's page count and anchors under a hash of everything its layout reads, and a group's PDF under the hashes
of its parts and the folio each part starts at. After a one-chapter edit only the edited part's group is laid
out again, and the groups after it too if its page count changed (their folios moved). The front matter's inputs
are kept too: the next layout lays them out while the workers lay out the parts, and keeps that if the folios it
prints came out the same. The files are right whenever their names match, so they are written as they come; a
layout that succeeds deletes those it did not use.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from publish.cache.chapters import problem_from_json, problem_to_json
from publish.cache.digest import (
    code_fingerprint,
    digest_of,
    image_stamps,
    library_version,
)
from publish.layout.document import PageStart
from publish.layout.math import Formulas
from publish.layout.notes import changed_for_print
from publish.layout.parts import Counted, Finished, GroupPdf
from publish.layout.print_html import stylesheet_inputs
from publish.model import Chapter, RenderedBook
from publish.output import write_atomic
from publish.theme.fonts import font_stamps


def for_print_folder(cache: Path, profile) -> Path:
    """Where a book's cache keeps its chapters as print makes them for a profile (a PrintProfile)."""
    return cache / f"for-print-{profile.name}"


class KeptForPrint:
    """Chapters with their formulas drawn and long code lines broken for print (layout/notes.py), kept in
    `folder` under a hash of what that reads: after an edit, only the edited chapter's are drawn again. A build
    that lays the book out deletes those it did not use."""

    def __init__(self, folder: Path, book: RenderedBook) -> None:
        self.folder, self.book = folder, book
        self.used: set[str] = set()

    def for_print(self, chapter: Chapter, settings, make) -> Chapter:
        """The chapter as `make(formulas)` changes it for print with `settings` (what else that reads), kept from
        an earlier build if it was the same then; made again otherwise, the formulas it had when last made (kept
        under its id) not drawn again."""
        if not changed_for_print(chapter):
            return chapter
        key = digest_of(code_fingerprint(), chapter.body_html, *(note.html for note in chapter.footnotes),
                        repr(settings), chapter.id, json.dumps(image_stamps(self.book.root, list(chapter.images))))
        name = f"print-{key}.json"
        formulas_name = f"formulas-{digest_of(code_fingerprint(), library_version('ziamath'), chapter.id)}.json"
        self.used.update((name, formulas_name))
        try:
            data = json.loads((self.folder / name).read_bytes())
            return replace(chapter, body_html=str(data["body"]), footnotes=tuple(
                replace(note, html=str(html)) for note, html in zip(chapter.footnotes, data["notes"], strict=True)))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        formulas = Formulas(self._formulas(formulas_name))
        made = make(formulas)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / name, json.dumps({"body": made.body_html,
                                                     "notes": [note.html for note in made.footnotes]}).encode())
        if formulas.now:
            write_atomic(self.folder / formulas_name, json.dumps(formulas.now).encode())
        return made

    def _formulas(self, name: str) -> dict:
        """The formulas kept under `name` (MathML markup -> what layout/math.py drew of it), or none."""
        try:
            kept = json.loads((self.folder / name).read_bytes())
            return {str(markup): (str(data), float(width), float(height), float(depth))
                    for markup, (data, width, height, depth) in kept.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def forget_unused(self) -> None:
        for path in [*self.folder.glob("print-*.json"), *self.folder.glob("formulas-*.json")]:
            if path.name not in self.used:
                path.unlink(missing_ok=True)


class LayoutCache:
    """One profile's kept parts and groups for one book, under `folder`."""

    def __init__(self, folder: Path, book: RenderedBook, settings: str, used: set[str] | None = None) -> None:
        """`settings`: what else every part's layout reads (the profile, the page geometry, the print options);
        `used`: the names of the files this build used so far (shared by its attempts at a gutter)."""
        self.folder, self.book = folder, book
        self.base = digest_of(code_fingerprint(), library_version("weasyprint"), font_stamps(book.fonts),
                              settings, *stylesheet_inputs(book))
        self.used: set[str] = set() if used is None else used

    def part_key(self, html: str, chapters: tuple[Chapter, ...], anchors: list[str]) -> str:
        """A part's hash: its HTML, the images its chapters show, and the anchors its count reports."""
        images = [image for chapter in chapters for image in chapter.images]
        return digest_of(self.base, html, json.dumps(image_stamps(self.book.root, images)), *anchors)

    def counted(self, key: str) -> Counted | None:
        data = self._json(f"count-{key}.json")
        try:
            return Counted(None, int(data["pages"]), int(data["first_pass_pages"]), dict(data["anchors"]))
        except (KeyError, TypeError, ValueError):  # absent, or written by another version: lay it out again
            return None

    def keep_counted(self, key: str, counted: Counted) -> None:
        self._write(f"count-{key}.json", json.dumps({"pages": counted.pages, "anchors": counted.anchors,
                                                     "first_pass_pages": counted.first_pass_pages}).encode())

    @staticmethod
    def group_key(part_keys: list[str], offsets: list[int]) -> str:
        return digest_of(*part_keys, *map(str, offsets))

    def group(self, key: str, parts: list[int]) -> GroupPdf | None:
        """The group kept under `key`, with its parts numbered `parts` as in this layout."""
        data = self._json(f"group-{key}.json")
        try:
            pdf = (self.folder / f"group-{key}.pdf").read_bytes()
            finished = {index: Finished(part["first_page"], tuple(
                PageStart(label, chapter, tuple(path), words) for label, chapter, path, words in part["page_starts"]),
                tuple((page, text) for page, text in part["runs"])) for index, part in zip(parts, data["parts"])}
            warnings = tuple(problem_from_json(problem) for problem in data["warnings"])
            return GroupPdf(pdf, finished, warnings) if len(finished) == len(parts) else None
        except (OSError, KeyError, TypeError, ValueError):
            return None

    def keep_group(self, key: str, group: GroupPdf) -> None:
        parts = [{"first_page": part.first_page, "runs": [list(run) for run in part.runs],
                  "page_starts": [[s.label, s.chapter_id, list(s.path), s.words_before] for s in part.page_starts]}
                 for _, part in sorted(group.parts.items())]
        self._write(f"group-{key}.pdf", group.pdf)
        warnings = [problem_to_json(problem) for problem in group.warnings]
        self._write(f"group-{key}.json", json.dumps({"parts": parts, "warnings": warnings}).encode())

    def front_inputs(self) -> tuple[str, str, str] | None:
        """The front matter's HTML, page CSS and body folios (JSON) as the last layout laid them out."""
        data = self._json("front-inputs.json")
        try:
            return str(data["html"]), str(data["css"]), str(data["folios"])
        except (KeyError, TypeError):
            return None

    def keep_front_inputs(self, html: str, css: str, folios: str) -> None:
        self._write("front-inputs.json", json.dumps({"html": html, "css": css, "folios": folios}).encode())

    def forget_unused(self) -> None:
        """Delete what this layout did not use: earlier versions of its parts, other gutters."""
        for path in self.folder.glob("*-*.*"):
            if path.name not in self.used:
                path.unlink(missing_ok=True)

    def _json(self, name: str):
        self.used.add(name)
        if name.startswith("group-"):
            self.used.add(name.replace(".json", ".pdf"))
        try:
            return json.loads((self.folder / name).read_bytes())
        except (OSError, ValueError):
            return None

    def _write(self, name: str, data: bytes) -> None:
        self.used.add(name)
        write_atomic(self.folder / name, data)

