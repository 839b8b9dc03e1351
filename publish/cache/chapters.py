"""Rendered chapters kept between builds (in the output folder's .cache, safe to delete), found again by a hash of
everything rendering a chapter reads, so that an unchanged chapter is never converted twice."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from publish.cache.digest import code_fingerprint, digest_of, image_stamps
from publish.errors import Level, Problem
from publish.model import Chapter, ChapterSource, Footnote, Heading
from publish.output import write_atomic


@dataclass(frozen=True)
class Rendered:
    """A chapter as rendering left it: the chapter, or the problems that stopped it, and its warnings."""

    chapter: Chapter | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


class ChapterCache:
    """One book's rendered chapters, a JSON file each under `folder`, named by the hash of their inputs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.pending: dict[str, dict] = {}

    def key(self, source: ChapterSource, chapter_id: str, context: str) -> str:
        """`context` is what else rendering reads from the book: the chapter ids and the manuscript folder."""
        return digest_of(code_fingerprint(), context, chapter_id, str(source.path), str(source.first_line),
                         repr(source.title), source.role, source.text)

    def get(self, key: str, root: Path) -> Rendered | None:
        """The cached rendering, if there is one and the images it checked are as they were."""
        self.used.add(key)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_bytes())
            if entry["images"] != image_stamps(root, entry["chapter"]["images"]):
                return None
            return Rendered(chapter_from_json(entry["chapter"]), (), tuple(map(problem_from_json, entry["warnings"])))
        except (OSError, ValueError, KeyError, TypeError):  # absent, or written by another version: convert again
            return None

    def put(self, key: str, rendered: Rendered, root: Path) -> None:
        """Keep a rendering for `save`: only a build that succeeds writes to the cache."""
        if rendered.chapter is not None:
            chapter = chapter_to_json(rendered.chapter)
            self.pending[key] = {"chapter": chapter, "images": image_stamps(root, chapter["images"]),
                                 "warnings": [problem_to_json(problem) for problem in rendered.warnings]}

    def save(self) -> None:
        """Write the new renderings and forget those this build did not use (earlier versions of its chapters)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for key, entry in self.pending.items():
            write_atomic(self.folder / f"{key}.json", json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        self.pending.clear()
        for path in self.folder.glob("*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def chapter_to_json(chapter: Chapter) -> dict:
    data = asdict(chapter)
    data["source"] = str(chapter.source)
    return data


def chapter_from_json(data: dict) -> Chapter:
    return Chapter(**{**data, "source": Path(data["source"]),
                      "headings": tuple(Heading(**heading) for heading in data["headings"]),
                      "footnotes": tuple(Footnote(**note) for note in data["footnotes"]),
                      "ids": tuple(data["ids"]), "images": tuple(data["images"]), "links": tuple(data["links"]),
                      "table_lines": tuple(data["table_lines"]), "code_lines": tuple(data["code_lines"])})


def problem_to_json(problem: Problem) -> list:
    return [problem.message, str(problem.path) if problem.path else None, problem.line, problem.level.value,
            problem.rule]


def problem_from_json(data: list) -> Problem:
    message, path, line, level, rule = data
    return Problem(message, Path(path) if path else None, line, Level(level), rule)
