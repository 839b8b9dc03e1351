"""Links resolved once every chapter is rendered, as authors write them: `#id`, `#heading-slug` in the GitHub and
pandoc style, `other.md` and `other.md#heading`. Each becomes a `#id` link to an id of the book; one that leads
nowhere becomes plain text, with a warning that names the closest real target."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from publish.errors import Report
from publish.model import Chapter, ChapterSource
from publish.render.references import URL_SCHEME, line_of
from publish.render.xhtml import EPUB_TYPE


def heading_slug(title: str) -> str:
    """The anchor GitHub and pandoc give a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


@dataclass(frozen=True)
class Targets:
    """Every id of the book, each chapter's heading slugs, and which chapter each chapter file is."""

    ids: frozenset[str]
    slugs: dict[str, dict[str, str]]  # chapter id -> heading slug -> heading id
    chapter_of_file: dict[Path, str]  # resolved chapter file -> chapter id

    @classmethod
    def of(cls, chapters: list[Chapter], chapter_ids: dict[Path, str]) -> Targets:
        slugs = {chapter.id: {} for chapter in chapters}
        for chapter in chapters:
            repeats: dict[str, int] = {}
            for heading in chapter.headings:  # as GitHub names them: the second 'Notes' is 'notes-1'
                slug = heading_slug(heading.title)
                repeats[slug] = repeats.get(slug, -1) + 1
                slugs[chapter.id].setdefault(f"{slug}-{repeats[slug]}" if repeats[slug] else slug, heading.id)
        return cls(frozenset(i for chapter in chapters for i in chapter.ids), slugs, chapter_ids)

    def resolved(self, chapter: str, fragment: str) -> str | None:
        """The id `fragment` names when read in `chapter` (its own id, else one of its headings' slugs)."""
        if fragment in self.ids:
            return fragment
        return self.slugs.get(chapter, {}).get(fragment.lower())

    def closest(self, fragment: str) -> str | None:
        candidates = [*self.ids, *(slug for slugs in self.slugs.values() for slug in slugs)]
        close = difflib.get_close_matches(fragment, candidates, n=1, cutoff=0.6)
        return close[0] if close else None


def needs_resolving(chapter: Chapter, targets: Targets) -> bool:
    return chapter.has_file_links or any(link not in targets.ids for link in chapter.links)


def resolve_links(root: etree._Element, chapter: Chapter, source: ChapterSource, targets: Targets,
                  report: Report) -> None:
    """Point every local link under `root` at an id of the book, or make it plain text with a warning."""
    for anchor in list(root.iter("a")):
        href = anchor.get("href")
        if href is None or URL_SCHEME.match(href):
            continue
        path_part, _, fragment = href.partition("#")
        into = chapter.id
        if path_part:
            into = _chapter_of(Path(unquote(path_part)), source, targets)
        target = None if into is None else targets.resolved(into, unquote(fragment)) if fragment else into
        if target is not None:
            anchor.set("href", f"#{target}")
            continue
        _unlink(anchor, _what(href, path_part, fragment, into), fragment, source, targets, report)


def _chapter_of(path: Path, source: ChapterSource, targets: Targets) -> str | None:
    """The chapter a link's file names: `other.md`, or `other.html` as mdBook and site generators write it for
    the page made from other.md."""
    file = (source.path.parent / path).resolve()
    into = targets.chapter_of_file.get(file)
    if into is None and file.suffix.lower() in (".html", ".htm"):
        into = targets.chapter_of_file.get(file.with_suffix(".md"))
    return into


def _what(href: str, path_part: str, fragment: str, into: str | None) -> str:
    if not path_part:
        return f"anchor '{href}'"
    if into is None:
        return f"file '{href}'"
    return f"'{href}' (that chapter has no heading or id '{fragment}')"


def _unlink(anchor: etree._Element, what: str, fragment: str, source: ChapterSource, targets: Targets,
            report: Report) -> None:
    closest = targets.closest(fragment) if fragment else None
    hint = f"; did you mean '#{closest}'?" if closest else ""
    report.warn(f"link to {what} leads nowhere in the book; it is shown as plain text{hint}", source.path,
                line_of(source, anchor.get("href")), "dead-link")
    anchor.tag = "span"
    for attribute in ("href", "rel", "hreflang", "role", "class", EPUB_TYPE):
        anchor.attrib.pop(attribute, None)
