"""A release readers can download: every format, a landing page, an OPDS catalog, checksums and a manifest."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from publish import __version__
from publish.build import BuildOptions, Pipeline
from publish.cache.freshness import hashed_content
from publish.errors import Problem, PublishError, Report
from publish.manuscript.loading import load_book
from publish.model import Strings
from publish.output import output_folder
from publish.theme import templates
from publish.theme.cover import generated_cover

KINDS = {  # by the end of the file name, the first that matches: its strings (release_<kind>, release_<kind>_about)
    "-screen.pdf": "screen_pdf", "-cover.pdf": "cover_pdf", ".pdf": "print_pdf", ".epub": "epub", ".html": "web",
}
# What a release holds: (format, printer profile; None: the book's own).
OUTPUTS = (("epub", None), ("pdf", None), ("pdf", "screen"), ("html", None), ("cover", None))


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str
    media_type: str
    label: str
    kind: str

    @property
    def size_text(self) -> str:
        return f"{self.size / 1024:.0f} KB" if self.size < 1024 * 1024 else f"{self.size / 1024 / 1024:.1f} MB"


def make_release(manuscript: Path, dist: Path, report: Report, force: bool = False, strict: bool = False,
                 cache: Path | None = None) -> Path:
    """Build every format into dist/<slug>-<version>/ at once: the folder appears whole or not at all. `cache`:
    a build folder's cache (what `publish build` keeps), whose layouts and chapters are reused where the input
    is the same."""
    book = load_book(manuscript)
    output_folder(dist)
    version = book.metadata.version or _git(manuscript, "describe", "--tags", "--always") or "0"
    stem = f"{book.metadata.slug}-{version}"
    target = dist / stem
    if target.exists() and not force:
        raise PublishError(Problem(f"release {target} exists already; change 'version' in book.yaml or pass --force "
                                   "to replace it"))
    options = BuildOptions(strict=strict, source_date=_commit_time(manuscript))
    pipeline = Pipeline(book, report, options, cache=cache, version=version)
    dist.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}.", dir=dist))
    try:
        _write_release(staging, stem, pipeline, version)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _commit_time(manuscript: Path) -> datetime | None:
    """The time of the manuscript's last commit, so that the same commit gives the same release; None when
    SOURCE_DATE_EPOCH chooses the time, or the manuscript is not in git."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return None
    commit_time = _git(manuscript, "log", "-1", "--format=%ct")
    return datetime.fromtimestamp(int(commit_time), tz=timezone.utc) if commit_time else None


def _write_release(folder: Path, stem: str, pipeline: Pipeline, version: str) -> None:
    book, modified = pipeline.rendered, pipeline.context.modified
    downloads = []
    for name, profile in OUTPUTS:
        path = folder / pipeline.file_name(name, stem, profile)
        path.write_bytes(pipeline.make(name, profile))
        downloads.append(_describe(path, book.strings))
    cover = _write_cover(folder, book)
    env = templates.environment(book.root)
    updated = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    common = dict(book=book, version=version, downloads=downloads, cover=cover, link=lambda i: f"#{i}")
    (folder / "index.html").write_text(templates.render(
        env, "release-index.html", stylesheet=templates.inline_stylesheet(book.root, ["release.css"]),
        web_edition=f"{stem}.html", **common), encoding="utf-8")
    (folder / "catalog.xml").write_text(templates.render(env, "opds-catalog.xml", updated=updated, **common),
                                        encoding="utf-8")
    files = sorted((_describe(p) for p in folder.iterdir() if p.is_file()), key=lambda f: f.name)
    manifest = {
        "release": stem, "version": version, "generator": f"publish {__version__}", "source_date": updated,
        "inputs_sha256": inputs_digest(book.root),
        "metadata": {"title": book.metadata.title, "subtitle": book.metadata.subtitle,
                     "creators": [{"name": c.name, "role": c.role} for c in book.metadata.creators],
                     "language": book.metadata.language, "identifier": book.metadata.identifier,
                     "date": book.metadata.date, "description": book.metadata.description},
        "files": [{"name": f.name, "size": f.size, "sha256": f.sha256, "media_type": f.media_type} for f in files],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files.append(_describe(folder / "manifest.json"))
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name))
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for path in folder.iterdir():
        os.utime(path, (modified.timestamp(),) * 2)
        path.chmod(0o644)
    folder.chmod(0o755)


def _write_cover(folder: Path, book) -> ReleaseFile:
    if book.metadata.cover is not None:
        source = book.root / book.metadata.cover
        path = folder / f"cover{source.suffix.lower()}"
        path.write_bytes(source.read_bytes())
    else:
        path = folder / "cover.png"
        path.write_bytes(generated_cover(book.metadata, book.fonts))
    return _describe(path)


def _describe(path: Path, strings: Strings | None = None) -> ReleaseFile:
    """The file's size, hash and type; with `strings`, the label and description the landing page gives it."""
    data = path.read_bytes()
    media_type = {".epub": "application/epub+zip", ".json": "application/json"}.get(
        path.suffix, mimetypes.guess_type(path.name)[0] or "text/plain")
    kind = next((kind for ending, kind in KINDS.items() if path.name.endswith(ending)), None)
    label, kind = ((strings[f"release_{kind}"], strings[f"release_{kind}_about"]) if strings and kind
                   else (path.name, ""))
    return ReleaseFile(path.name, len(data), hashlib.sha256(data).hexdigest(), media_type, label, kind)


def inputs_digest(manuscript: Path) -> str:
    """One hash of everything a build reads: the manuscript, the styles, the templates and this tool's version."""
    digest = hashlib.sha256(f"publish {__version__}\n".encode())
    folders = [manuscript, *templates.style_folders(manuscript), templates.PACKAGE_TEMPLATES]
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if not p.is_dir() and not p.name.startswith(".")):
            digest.update(f"{path.relative_to(folder).as_posix()}\n".encode())
            content = hashed_content(path, folder)
            digest.update(hashlib.sha256(content.encode() if isinstance(content, str) else content).digest())
    return digest.hexdigest()


def _git(folder: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
