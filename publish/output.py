"""Writing outputs so that a reader never sees half a file: temporary file, then an atomic rename."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from publish.errors import OutputError, Problem

ELSEWHERE = "choose another folder with -o; earlier outputs were left as they were"


def output_folder(folder: Path) -> Path:
    """`folder`, if outputs can be written there (a folder made when the build writes, if it is missing): a build
    that cannot write its outputs stops before the work, not after it."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(Problem("this is a file, not a folder: choose a folder for the outputs with -o", folder))
    existing = next(path for path in (folder, *folder.absolute().parents) if path.exists())
    try:
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        if existing == folder:
            with tempfile.TemporaryFile(dir=folder):
                pass
        elif not os.access(existing, os.W_OK | os.X_OK):  # (also false on a read-only file system, even for root)
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as error:
        raise OutputError(Problem(f"cannot write here ({error.strerror}): {ELSEWHERE}", folder)) from None
    return folder


def write_atomic(path: Path, data: bytes) -> Path:
    """Replace `path` with `data` in one step; on any failure the previous file stays as it was."""
    try:
        return _write_atomic(path, data)
    except OSError as error:
        reason = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
        raise OutputError(Problem(f"cannot write the file ({reason}): free some space or {ELSEWHERE}", path)
                          ) from None


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
