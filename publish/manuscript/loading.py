"""Loading: reads book.yaml and the chapter files from disk into a Book. The only stage that reads the manuscript."""

from __future__ import annotations

import re
from pathlib import Path

from publish.errors import ConfigError, ManuscriptError, Problem
from publish.manuscript.config import ChapterRef, parse_book_yaml
from publish.manuscript.files import (
    BOOK_YAML_LIMIT,
    MB,
    decoded,
    not_a_file,
    outside,
    read_checked,
    read_utf8,
)
from publish.manuscript.limits import limit_problems, raise_it, word_problem
from publish.manuscript.yaml_document import YamlProblem, load_bounded
from publish.model import Book, ChapterSource, LimitOptions

CHAPTER_ROLES = (
    "chapter", "foreword", "preface", "prologue", "introduction", "preamble", "part", "epilogue", "afterword",
    "conclusion", "appendix", "dedication", "epigraph", "acknowledgments", "glossary", "bibliography",
)
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)
FRONT_MATTER_KEYS = ("title", "role", "running_head")


def load_book(root: Path) -> Book:
    """Read and validate the manuscript in `root`."""
    root = root.resolve()
    config_path = root / "book.yaml"
    if not config_path.is_file():
        raise ConfigError(Problem(
            f"no book.yaml in {root}: create one with at least 'title:' and 'language:'", root))
    config = parse_book_yaml(read_utf8(config_path, BOOK_YAML_LIMIT, "book.yaml holds settings, not text"),
                             config_path)
    refs = config.chapters if config.chapters is not None else _all_markdown_files(root, config_path)
    problems: list[Problem] = []
    chapters = []
    for ref in refs:
        try:
            chapters.append(load_chapter(root, ref, config_path, config.limits))
        except ManuscriptError as error:
            problems.extend(error.problems)
    too_many_words = word_problem(tuple(chapters), config.limits, config_path)
    if too_many_words is not None:
        problems.append(too_many_words)
    if config.metadata.cover is not None:
        problems.extend(Problem(p.message, config_path, config.cover_line)
                        for p in _check_inside(root, config.metadata.cover, config_path, "cover"))
        if config.metadata.cover.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            problems.append(Problem("cover must be a JPEG or PNG image (.jpg, .jpeg or .png)", config_path,
                                    config.cover_line))
    if problems:
        raise ManuscriptError(problems)
    return Book(root=root, metadata=config.metadata, print=config.print, chapters=tuple(chapters), epub=config.epub,
                lint=config.lint, contents=config.contents, jobs=config.jobs, strings=config.strings,
                limits=config.limits, fonts=config.fonts)


SKIPPED_FOLDERS = {"templates", "styles", "build", "dist", "node_modules"}  # what a manuscript folder holds besides


def _all_markdown_files(root: Path, config_path: Path) -> tuple[ChapterRef, ...]:
    """Every *.md file in the folder and its subfolders, in path order ('01.md', 'part-1/01.md', ...), but a
    README and what hidden and tool folders hold."""
    names = sorted((path.relative_to(root).as_posix() for path in root.rglob("*.md")
                    if path.name.lower() != "readme.md" and path.is_file()
                    and not any(part.startswith((".", "_")) or part in SKIPPED_FOLDERS
                                for part in path.relative_to(root).parts[:-1])),
                   key=lambda name: name.split("/"))
    if not names:
        raise ConfigError(Problem(
            "no chapters: list them under 'chapters:' or put *.md files beside book.yaml", config_path))
    return tuple(ChapterRef(name, None) for name in names)


def _check_inside(root: Path, relative: Path, config_path: Path, what: str) -> list[Problem]:
    """Whether the file named in book.yaml may be read: inside the folder once its links are resolved, and an
    ordinary file (never a pipe or a device, which would hang or never end)."""
    target = (root / relative)
    if relative.is_absolute() or outside(target, root):
        return [Problem(f"{what} '{relative}' is outside the manuscript folder; copy it into {root.name}/",
                        config_path)]
    reason = not_a_file(target)
    if reason == "not found" or reason == "a folder, not a file":
        return [Problem(f"{what} file '{relative}' not found in {root.name}/; check the name", config_path)]
    if reason is not None:
        return [Problem(f"{what} '{relative}' is {reason}", config_path)]
    return []


def load_chapter(root: Path, ref: ChapterRef, config_path: Path, limits: LimitOptions = LimitOptions()
                 ) -> ChapterSource:
    problems = _check_inside(root, Path(ref.name), config_path, "chapter")
    if problems:
        raise ManuscriptError(Problem(problems[0].message, config_path, ref.line))
    path = root / ref.name
    text = decoded(read_checked(path, limits.chapter_mb * MB, f"split it into several chapters, or "
                                f"{raise_it('chapter_mb')}", root), path)
    front, body, first_line = split_front_matter(text, path)
    if not body.strip():
        raise ManuscriptError(Problem("chapter is empty; write its text or remove it from 'chapters'", path, 1))
    source = ChapterSource(path=path, text=body, first_line=first_line,
                           title=front.get("title"), role=front.get("role", _role_of(body)),
                           running_head=(front.get("running_head") or "").strip() or None)
    problems = limit_problems(source, limits)
    if problems:
        raise ManuscriptError(problems)
    return source


TITLE_ONLY = re.compile(r"\A\s*#[ \t]+[^\n]+\s*\Z")


def _role_of(body: str) -> str:
    """A file that holds nothing but its title ('# Book I: Miss Brooke') divides the book into parts."""
    return "part" if TITLE_ONLY.match(body) else "chapter"


def split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    """Split optional YAML front matter (between '---' lines) from the Markdown body."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    try:
        front = load_bounded(match.group(1))[0] or {}
    except YamlProblem as problem:
        line = problem.line + 2 if problem.line is not None else 1
        message = (f"invalid front matter{problem.syntax}; check the YAML between the '---' lines" if problem.syntax
                   else f"front matter: {problem.message}")
        raise ManuscriptError(Problem(message, path, line)) from None
    if not isinstance(front, dict):
        raise ManuscriptError(Problem("front matter must be keys such as 'title:' and 'role:'", path, 2))
    known = f"{', '.join(FRONT_MATTER_KEYS[:-1])} or {FRONT_MATTER_KEYS[-1]}"
    problems = [Problem(f"unknown front matter key '{key}'; use {known}", path, 2)
                for key in front if key not in FRONT_MATTER_KEYS]
    for key in ("title", "running_head"):
        if key in front and (not isinstance(front[key], str) or not front[key].strip()):
            problems.append(Problem(f"front matter '{key}' must be a non-empty text", path, 2))
    if front.get("role", "chapter") not in CHAPTER_ROLES:
        problems.append(Problem(f"unknown role '{front['role']}'; use one of {', '.join(CHAPTER_ROLES)}", path, 2))
    if problems:
        raise ManuscriptError(problems)
    return front, text[match.end():], text[:match.end()].count("\n") + 1
