"""What a build may read of a manuscript: regular files inside its folder, no larger than a limit, each checked
before it is opened (a link is resolved first, a named pipe or a device is refused by its type); and the
characters that text may not hold."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from publish.errors import ManuscriptError, Problem

MB = 1024 * 1024
BOOK_YAML_LIMIT = 1 * MB
TEXT_LIMIT = 20 * MB  # a stylesheet, a template, words.txt

# What XML 1.0 cannot hold (C0 controls but tab and newline, lone surrogates, U+FFFE and U+FFFF) and what it
# discourages (C1 controls but NEL, the noncharacters U+FDD0 to U+FDEF): an EPUB may hold none of them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def not_a_file(path: Path) -> str | None:
    """Why `path` (links followed) is not a regular file the build may open, in a reader's words; None if it is."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "not found"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe, not a file; a build reads only ordinary files"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file; a build reads only ordinary files"
    return "not an ordinary file; a build reads only ordinary files"


def outside(path: Path, root: Path) -> bool:
    """Whether `path`, once its links are resolved, is outside the folder `root`."""
    return not path.resolve().is_relative_to(root.resolve())


def read_checked(path: Path, limit: int, too_large: str, root: Path | None = None) -> bytes:
    """The bytes of `path`, refused without being opened if it is not a regular file (or, given `root`, is a link
    out of that folder), and without being read if it holds more than `limit` bytes; `too_large` says how to fix
    that."""
    if root is not None and outside(path, root):
        raise ManuscriptError(Problem(f"a link to {path.resolve()}, outside the manuscript folder; copy the file in "
                                      "instead of linking to it", path))
    reason = not_a_file(path)
    if reason is not None:
        raise ManuscriptError(Problem(f"cannot read file: {reason}", path))
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe put in its place since the check cannot block
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ManuscriptError(Problem("cannot read file: it changed into something else while read", path))
            data = stream.read(limit + 1)
    except OSError as error:
        raise ManuscriptError(Problem(f"cannot read file: {error.strerror}", path)) from None
    if len(data) > limit:
        raise ManuscriptError(Problem(f"the file is over {limit / MB:g} MB; {too_large}", path))
    return data


def decoded(data: bytes, path: Path) -> str:
    """UTF-8 text (a byte order mark dropped, Windows line ends made plain), or an error at the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ManuscriptError(Problem(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8 in your editor", path, line)) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def read_utf8(path: Path, limit: int = TEXT_LIMIT, too_large: str = "make it smaller") -> str:
    """A text file of the manuscript or its templates, read as read_checked does."""
    return decoded(read_checked(path, limit, too_large), path)
