"""The typefaces book.yaml's `fonts:` section names, found: a family shipped with the tool (Source Serif Pro,
SIL OFL 1.1, from font-source-serif-pro; IBM Plex Mono, SIL OFL 1.1, from fontpkg-ibm-plex-mono), a font file or
folder in the manuscript folder (read for its family, style and weight), or a family installed on the machine
(found with fontconfig's fc-list)."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import font_source_serif_pro
import fontpkg_ibm_plex_mono

from publish.model import Face, FontOptions, Typeface, Typefaces

FONT_SUFFIXES = (".otf", ".ttf")
LICENSE_NAMES = ("OFL.txt", "LICENSE.txt", "LICENSE", "OFL-FAQ.txt", "COPYING")
SERIF = Path(font_source_serif_pro.font_directory)
MONO = Path(fontpkg_ibm_plex_mono.ROOT)
UPRIGHT_AND_ITALIC = {"serif": (("Regular", "normal", 400), ("It", "italic", 400), ("Semibold", "normal", 600),
                                  ("SemiboldIt", "italic", 600), ("Bold", "normal", 700), ("BoldIt", "italic", 700)),
                      "mono": (("Regular", "normal", 400), ("Italic", "italic", 400), ("Bold", "normal", 700),
                               ("BoldItalic", "italic", 700))}
SHIPPED = {typeface.family.lower(): typeface for typeface in (
    Typeface("Source Serif Pro", tuple(Face(SERIF / f"SourceSerifPro-{name}.otf", style, weight)
                                       for name, style, weight in UPRIGHT_AND_ITALIC["serif"]),
             "shipped", SERIF / "LICENSE.txt", "Source Serif Pro (Adobe)"),
    Typeface("IBM Plex Mono", tuple(Face(MONO / "files" / f"IBMPlexMono-{name}.ttf", style, weight)
                                    for name, style, weight in UPRIGHT_AND_ITALIC["mono"]),
             "shipped", MONO / "LICENSE", "IBM Plex Mono (IBM)"),
)}


class FontNotFound(ValueError):
    """A name in `fonts:` that is no shipped, manuscript or installed typeface; the message says what to do."""

    def __init__(self, role: str, message: str) -> None:
        super().__init__(f"fonts.{role}: {message}")
        self.role = role


def book_typefaces(options: FontOptions, root: Path) -> Typefaces:
    """Each role's typefaces, found; raises FontNotFound naming the role and the entry."""
    found = {}
    for role in ("body", "display", "mono"):
        found[role] = tuple(_typeface(name, root, role) for name in getattr(options, role))
    return Typefaces(found["body"], found["display"] or found["body"], found["mono"])


def shipped_typefaces() -> Typefaces:
    return book_typefaces(FontOptions(), Path("."))


def _typeface(name: str, root: Path, role: str) -> Typeface:
    if name.lower() in SHIPPED:
        return SHIPPED[name.lower()]
    if name.lower().endswith(FONT_SUFFIXES) or "/" in name or (root / name).is_dir():
        return _manuscript_typeface(name, root, role)
    installed = _installed_typeface(name, role)
    if installed is None:
        raise FontNotFound(role, f"no font '{name}': name a family installed on this machine (fc-list : family "
                           f"lists them), a .otf or .ttf file or a folder of them in the manuscript folder, or "
                           f"{' or '.join(typeface.family for typeface in SHIPPED.values())} (shipped)")
    return installed


def _manuscript_typeface(name: str, root: Path, role: str) -> Typeface:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise FontNotFound(role, f"'{name}' is outside the manuscript folder: copy the font into it")
    if target.is_dir():
        files = sorted(path.resolve() for path in target.iterdir() if path.suffix.lower() in FONT_SUFFIXES)
        if any(not path.is_relative_to(root.resolve()) for path in files):
            raise FontNotFound(role, f"'{name}' links to a font outside the manuscript folder: copy the font into it")
    elif target.is_file() and target.suffix.lower() in FONT_SUFFIXES:
        files = [target]
    elif not target.exists():
        raise FontNotFound(role, f"no file '{name}' in the manuscript folder: check the name (relative to "
                           f"{root.name}/)")
    else:
        raise FontNotFound(role, f"'{name}' is not a .otf or .ttf file or a folder holding some, in the "
                           "manuscript folder")
    faces = [_read_face(path, 0, role, name) for path in files]
    families = sorted({family for family, _ in faces})
    if not families:
        raise FontNotFound(role, f"the folder '{name}' holds no .otf or .ttf file")
    if len(families) > 1:
        raise FontNotFound(role, f"'{name}' holds fonts of {len(families)} families ({', '.join(families)}): "
                           "give a folder per family, or name each file, first choice first")
    folder = files[0].parent
    license = next((folder / candidate for candidate in LICENSE_NAMES if (folder / candidate).is_file()), None)
    return Typeface(families[0], _distinct([face for _, face in faces]), "manuscript", license, families[0])


def _read_face(path: Path, index: int, role: str, name: str) -> tuple[str, Face]:
    """The family a font file declares, and the face: italic from its style bits, weight from OS/2."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        names = font["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1) or path.stem)
        os2 = font["OS/2"] if "OS/2" in font else None
        italic = bool(os2 and os2.fsSelection & 1) or bool(font["head"].macStyle & 2)
        weight = os2.usWeightClass if os2 and 100 <= os2.usWeightClass <= 900 else 400
    except (TTLibError, KeyError, OSError, AssertionError, ValueError, struct.error) as error:
        raise FontNotFound(role, f"'{name}': {path.name} is not a font fontTools can read ({error})") from None
    return family, Face(path, "italic" if italic else "normal", weight, index)


def _installed_typeface(name: str, role: str) -> Typeface | None:
    """The installed family of that name, from fontconfig: every .otf, .ttf or collection face it has, those
    whose own first family name it is (not a condensed or light cousin listing it second) first."""
    if shutil.which("fc-list") is None:
        return None
    pattern = "".join(f"\\{char}" if char in "\\-:,=" else char for char in name)
    listed = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{width}|%{family}\n", f":family={pattern}"],
                            capture_output=True, text=True, timeout=60).stdout
    candidates = []
    for line in set(listed.splitlines()):
        file, index, width, families = (line.split("|", 3) + ["", "", ""])[:4]
        names = [family.strip().lower() for family in families.split(",")]
        path = Path(file).resolve()
        if path.suffix.lower() in (*FONT_SUFFIXES, ".ttc", ".otc") and name.lower() in names:
            candidates.append((names[0] != name.lower(), width not in ("", "100"), str(path), int(index or 0)))
    faces = []
    for *_, file, index in sorted(candidates):
        try:
            faces.append(_read_face(Path(file), index, role, name)[1])
        except FontNotFound:
            continue  # a damaged installed file is not the writer's to fix
    if not faces:
        return None
    return Typeface(name, _distinct(faces), "installed", None, name)


def _distinct(faces: list[Face]) -> tuple[Face, ...]:
    """One face per style and weight (fontconfig lists a font again under each link to it)."""
    kept: dict[tuple[str, int], Face] = {}
    for face in faces:
        kept.setdefault((face.style, face.weight), face)
    return tuple(kept.values())
