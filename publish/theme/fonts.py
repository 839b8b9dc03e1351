"""The book's typefaces as CSS: an @font-face for each face a format ships (the tool's own and the manuscript's
fonts; a family installed on the machine is found by name in print, and embedded in the ebook), and each role's
family list, first choice then fallbacks, then the generic family."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from publish.model import Face, Typeface, Typefaces
from publish.theme import templates

GENERIC = {"body": "serif", "display": "serif", "mono": "monospace"}
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def fonts_css(env, fonts: Typefaces, font_url: Callable[[Typeface, Face], str], installed_too: bool) -> str:
    """fonts.css for one format: `font_url` says where each face's file is; `installed_too` whether faces of an
    installed family get an @font-face (the ebook carries them, print finds them by name)."""
    shipped = [typeface for typeface in fonts.every() if installed_too or typeface.source != "installed"]
    return templates.render(env, "fonts.css", typefaces=shipped, font_url=font_url,
                            **{role: family_list(getattr(fonts, role), GENERIC[role]) for role in GENERIC})


def family_list(typefaces: tuple[Typeface, ...], generic: str) -> str:
    return ", ".join([*(templates.css_string(typeface.family) for typeface in typefaces), generic])


def face_file_name(face: Face, outline: str) -> str:
    """A face's file name inside the ebook: its own name (with its number in a collection), in safe characters;
    `outline` is the extension (otf for PostScript outlines, ttf for TrueType)."""
    stem = UNSAFE_IN_NAME.sub("-", face.path.stem).strip("-") or "font"
    return f"{stem}{f'-{face.index}' if face.index else ''}.{outline}"


def font_folders(fonts: Typefaces) -> list[Path]:
    """The folders print reads font files from."""
    return sorted({face.path.parent for typeface in fonts.every() if typeface.source != "installed"
                   for face in typeface.faces})


def font_stamps(fonts: Typefaces) -> str:
    """The typefaces and the size and time of each of their files: what a kept layout must be made again for."""
    stamps = [(typeface.family, typeface.source, str(face), *_stamp(face.path))
              for typeface in fonts.every() for face in typeface.faces]
    return json.dumps([repr(fonts.body), repr(fonts.display), repr(fonts.mono), stamps])


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns
