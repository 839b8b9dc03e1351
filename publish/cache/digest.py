"""The one content hash every kept file and freshness record is named by, and what goes into it besides the
book: this tool's code, the libraries' versions, the size and time of the files a build shows."""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import Iterable

PACKAGE = Path(__file__).parent.parent  # the whole publish package
LIBRARIES = ("markdown", "lxml", "html5lib", "tinycss2", "pillow")  # what rendering a chapter runs on


def digest_of(*parts: str | bytes) -> str:
    """A SHA-256 of the parts, each ended by a NUL so that no two lists of parts run together alike."""
    return digest_of_all(parts)


def digest_of_all(parts: Iterable[str | bytes]) -> str:
    """digest_of for parts that come one at a time (a folder's files, read as they are hashed)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part.encode("utf-8") if isinstance(part, str) else part) + b"\0")
    return digest.hexdigest()


@cache
def code_fingerprint() -> str:
    """This package's source and the versions of the libraries it renders with: a change to either is a miss."""
    sources = sorted(PACKAGE.rglob("*.py"))
    return digest_of_all([*(part for path in sources for part in (path.relative_to(PACKAGE).as_posix(),
                                                                   path.read_bytes())),
                          *(f"{library}={library_version(library)}" for library in LIBRARIES)])


def library_version(name: str) -> str:
    """An installed library's version, from the name of its .dist-info folder (importlib.metadata says the same,
    but importing it adds 15 ms to every build)."""
    found = _installed().get(_normalised(name))
    if found is None:  # an installation laid out otherwise
        from importlib.metadata import version

        return version(name)
    return found


@cache
def _installed() -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for info in names:
            if info.endswith(".dist-info") and "-" in info:
                library, version = info.removesuffix(".dist-info").split("-", 1)
                found.setdefault(_normalised(library), version)
    return found


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def image_stamps(root: Path, images: list[str]) -> list[list]:
    """The size and modification time of each file (relative to `root`); None for one that is missing."""
    stamps = []
    for image in images:
        try:
            status = (root / image).stat()
            stamps.append([image, status.st_size, status.st_mtime_ns])
        except OSError:
            stamps.append([image, None, None])
    return stamps
