"""Whether a built file is still what its inputs would give: a hash of everything a build reads, recorded with
the file's own hash and the warnings it was built with, so that a build with nothing changed does no work."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from publish.cache.chapters import problem_from_json, problem_to_json
from publish.cache.digest import (
    code_fingerprint,
    digest_of,
    digest_of_all,
    library_version,
)
from publish.errors import ManuscriptError, Problem
from publish.manuscript.files import MB, not_a_file, outside, read_checked
from publish.output import write_atomic
from publish.theme import templates

HASHED_WHOLE = 64 * MB  # over this (more than any chapter or image a build takes) a file is known by size and time
LIBRARIES = ("ebooklib", "weasyprint", "pydyf", "jinja2", "uharfbuzz", "font-source-serif-pro", "pyyaml")


def source_digest(manuscript: Path, out_dir: Path) -> str:
    """A hash of what every output of a build is made from: the tool's code and libraries, every file of the
    manuscript folder, and the built-in templates and styles. Taken before building, so that a file saved while
    a build runs makes its outputs out of date rather than wrongly up to date."""
    return digest_of_all(_source_parts(manuscript, out_dir))


def _source_parts(manuscript: Path, out_dir: Path):
    """The tool, then each file's name and what stands for its content, one file at a time."""
    yield code_fingerprint()
    yield from (f"{name}={library_version(name)}" for name in LIBRARIES)
    for folder in (manuscript.resolve(), *templates.template_folders(manuscript)[1:],
                   *templates.style_folders(manuscript)[1:]):
        for path in _files(folder, skipped=out_dir.resolve()):
            yield str(path.relative_to(folder))
            yield hashed_content(path, folder)


def hashed_content(path: Path, folder: Path) -> bytes | str:
    """An ordinary file's bytes; for what a build would refuse to read (a link out of the folder, a pipe, a
    device) or need not read whole (a file larger than any a book uses: a stray disk image), what it is, its size
    and its time, without opening it."""
    if outside(path, folder):
        return f"link to {path.resolve()}"
    reason = not_a_file(path)
    if reason is not None:
        return reason
    status = path.stat()
    if status.st_size > HASHED_WHOLE:
        return f"{status.st_size} bytes at {status.st_mtime_ns}"
    try:
        return read_checked(path, HASHED_WHOLE, "")
    except ManuscriptError:  # gone or changed since it was looked at: the build that reads it next will say so
        return "unreadable"


@dataclass(frozen=True)
class Inputs:
    """What one output is built from, as a single hash."""

    key: str

    @classmethod
    def of(cls, sources: str, output_name: str, modified: datetime, options: str) -> Inputs:
        """`sources` from source_digest; `options` holds the command-line choices that change the output
        (profile, --keep-going)."""
        return cls(digest_of(sources, output_name, modified.isoformat(), options))


def _files(folder: Path, skipped: Path) -> list[Path]:
    """Every file under `folder` in a fixed order, leaving out `skipped` (the outputs, when they are inside) and
    hidden folders such as .git, whose changes are not the book's."""
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__"
                            and not (Path(parent) / name).resolve() == skipped)
        found.extend(Path(parent) / name for name in sorted(files))
    return found


@dataclass(frozen=True)
class Warnings:
    """The warnings an output was built with: rendering's (shared by every format) and the format's own."""

    render: tuple[Problem, ...]
    own: tuple[Problem, ...]


class Record:
    """The inputs and the bytes of an output as last built, kept at `path` in the cache."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fresh(self, output: Path, inputs: Inputs) -> Warnings | None:
        """The warnings the output was built with, if it is still what `inputs` give; else None."""
        try:
            entry = json.loads(self.path.read_bytes())
            if entry["inputs"] != inputs.key or entry["sha256"] != _sha256(output):
                return None
            return Warnings(*(tuple(map(problem_from_json, entry[kind])) for kind in ("render", "own")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, output: Path, inputs: Inputs, warnings: Warnings) -> None:
        entry = {"inputs": inputs.key, "sha256": _sha256(output),
                 "render": [problem_to_json(w) for w in warnings.render],
                 "own": [problem_to_json(w) for w in warnings.own]}
        write_atomic(self.path, json.dumps(entry, ensure_ascii=False).encode("utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()  # the file's own hash, as sha256sum gives it
