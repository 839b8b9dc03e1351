"""What a build makes from a few inputs alone (the generated cover image), kept in the output folder's .cache
under a hash of those inputs and of the code that makes it. Such a file is right whenever its name matches, so
it may be written before the build succeeds; deleting it only costs the time to make it again."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from publish.cache.digest import code_fingerprint, digest_of
from publish.output import write_atomic


def kept_bytes(folder: Path | None, name: str, inputs: str, make: Callable[[], bytes]) -> bytes:
    """`make()`, or what it gave an earlier build for the same `inputs`; `folder` None keeps nothing.
    One file per `name` is kept: the one for other inputs is replaced."""
    if folder is None:
        return make()
    stem, dot, suffix = name.rpartition(".")
    digest = digest_of(code_fingerprint(), inputs)[:32]
    path = folder / f"{stem}-{digest}{dot}{suffix}"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = make()
    for earlier in folder.glob(f"{stem}-*{dot}{suffix}"):
        earlier.unlink(missing_ok=True)
    write_atomic(path, data)
    return data
