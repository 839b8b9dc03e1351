"""What a chapter points to: images (local files only, checked) and links (to other chapters or anchors)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from PIL import Image

from publish.errors import ManuscriptError, Problem, Report
from publish.model import ChapterSource
from publish.render.svg import NotSvg, cleaned_svg

IMAGE_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP", ".svg": "SVG"}
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.IGNORECASE)


def line_of(source: ChapterSource, needle: str, ignore_case: bool = False) -> int:
    """The line where `needle` first appears in the chapter, else the chapter's first line."""
    text, needle = (source.text.lower(), needle.lower()) if ignore_case else (source.text, needle)
    position = text.find(needle) if needle else -1
    return source.first_line + (text.count("\n", 0, position) if position >= 0 else 0)


def resolve_images(root: etree._Element, source: ChapterSource, manuscript_root: Path, report: Report,
                   keep_going: bool = False) -> tuple[str, ...]:
    """Point every image at a checked file inside the manuscript folder, named relative to that folder.

    With `keep_going`, a missing or unusable image becomes a visible placeholder and a warning, not an error."""
    images, problems = [], []
    for image in list(root.iter("img")):
        src = unquote(image.get("src", "").strip())
        line = line_of(source, image.get("src", "") or "<img")
        if image.get("alt") is None:
            image.set("alt", "")
            report.warn(f"image '{src}' has no alt text; describe it: ![what it shows]({src})", source.path, line,
                        "image-alt")
        problem = _image_problem(src, source, manuscript_root)
        if problem is None:
            target = (source.path.parent / src).resolve()
            relative = target.relative_to(manuscript_root.resolve()).as_posix()
            image.set("src", relative)
            images.append(relative)
            if target.suffix.lower() == ".svg" and cleaned_svg(target)[1]:
                report.warn(f"image '{src}': removed {', '.join(cleaned_svg(target)[1])}, which an SVG in a book "
                            "may not hold (scripts, event handlers, outside references)", source.path, line)
        elif keep_going:
            report.warn(f"{problem} (shown as a placeholder because of --keep-going)", source.path, line, "dead-link")
            _replace_with_placeholder(image, src)
        else:
            problems.append(Problem(problem, source.path, line, rule="dead-link"))
    if problems:
        raise ManuscriptError(problems)
    return tuple(dict.fromkeys(images))


def _image_problem(src: str, source: ChapterSource, manuscript_root: Path) -> str | None:
    if not src:
        return "image without a file name; write ![what it shows](images/file.png)"
    if URL_SCHEME.match(src):
        return (f"image '{src}' is not a local file; builds never fetch from the network, "
                "so save it in the manuscript folder and use its relative path")
    target = (source.path.parent / src).resolve()
    if src.startswith("/") or not target.is_relative_to(manuscript_root.resolve()):
        return f"image '{src}' is outside the manuscript folder; copy it inside and use a relative path"
    if not target.is_file():
        return f"image '{src}' not found; check the file name (relative to {source.path.parent.name}/)"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"image '{src}' is not a JPEG, PNG, GIF, WebP or SVG file; convert it to one of those"
    if target.stat().st_size > MAX_IMAGE_BYTES:
        return (f"image '{src}' is {target.stat().st_size // 2**20} MB, over the {MAX_IMAGE_BYTES // 2**20} MB "
                "limit; scale it down")
    return _damage(src, target)


def _damage(src: str, target: Path) -> str | None:
    if target.suffix.lower() == ".svg":
        try:
            cleaned_svg(target)
        except NotSvg as error:
            return f"image '{src}' is not an SVG image: {error}; export it again"
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(target) as picture:
                width, height = picture.size
                kind = picture.format
                picture.verify()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            return f"image '{src}' is damaged or not an image; export it again"
    if width * height > MAX_IMAGE_PIXELS:
        return f"image '{src}' is {width} x {height} pixels, far too large; scale it to under 50 megapixels"
    if kind != IMAGE_TYPES[target.suffix.lower()]:
        return f"image '{src}' holds {kind} data but is named {target.suffix}; fix its extension"
    return None


def _replace_with_placeholder(image: etree._Element, src: str) -> None:
    placeholder = etree.Element("span", {"class": "missing-image"})
    placeholder.text = f"[missing image: {src}]"
    placeholder.tail = image.tail
    image.getparent().replace(image, placeholder)


def local_targets(root: etree._Element) -> tuple[str, ...]:
    """The fragments of the chapter's own '#id' links (links to files are resolved with the whole book)."""
    return tuple(anchor.get("href")[1:] for anchor in root.iter("a") if (anchor.get("href") or "").startswith("#"))
