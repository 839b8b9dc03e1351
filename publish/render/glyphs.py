"""Glyph coverage: every character a chapter uses, checked against the typefaces that will draw it (the book's
and the code face) before anything is laid out. A character neither has is drawn by whatever font the machine
happens to have, or as an empty box: a warning names the characters, where they first occur, the font this
machine would use and the Debian package of a Noto font that covers them."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache

from publish.errors import Report
from publish.model import ChapterSource, Typefaces

SHOWN = 8  # characters named in a warning; the rest are counted
NOTO = [  # (words in the characters' Unicode names, what the script is called, a Noto family, its Debian package)
    (("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH", "BOPOMOFO"), "CJK",
     "Noto Serif CJK", "fonts-noto-cjk"),
    (("HANGUL",), "Korean", "Noto Serif CJK KR", "fonts-noto-cjk"),
    (("ARABIC",), "Arabic", "Noto Naskh Arabic", "fonts-noto-core"),
    (("HEBREW",), "Hebrew", "Noto Serif Hebrew", "fonts-noto-core"),
    (("DEVANAGARI",), "Devanagari", "Noto Serif Devanagari", "fonts-noto-core"),
    (("BENGALI",), "Bengali", "Noto Serif Bengali", "fonts-noto-core"),
    (("TAMIL",), "Tamil", "Noto Serif Tamil", "fonts-noto-core"),
    (("THAI",), "Thai", "Noto Serif Thai", "fonts-noto-core"),
    (("ARMENIAN",), "Armenian", "Noto Serif Armenian", "fonts-noto-core"),
    (("GEORGIAN",), "Georgian", "Noto Serif Georgian", "fonts-noto-core"),
    (("ETHIOPIC",), "Ethiopic", "Noto Serif Ethiopic", "fonts-noto-core"),
]
EMOJI = ("emoji", "Noto Color Emoji", "fonts-noto-color-emoji")
EMOJI_BLOCKS = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF))  # pictographs, dingbats, symbols
OTHER = ("other", "Noto Serif", "fonts-noto-core")


@cache
def covered(fonts: Typefaces) -> frozenset[int]:
    """The code points one of the book's typefaces (body, display, code, and their fallbacks) has a glyph for, in
    its regular face."""
    import uharfbuzz as harfbuzz

    points: set[int] = set()
    for typeface in fonts.every():
        face = typeface.regular()
        points |= set(harfbuzz.Face(harfbuzz.Blob.from_file_path(str(face.path)), face.index).unicodes)
    return frozenset(points)


def warn_missing_glyphs(sources: tuple[ChapterSource, ...], fonts: Typefaces, report: Report) -> None:
    """A warning per script whose characters no typeface of the book has, at the first line that uses one."""
    have, seen = covered(fonts), set()
    groups: dict[tuple, tuple[ChapterSource, list[str]]] = {}
    for source in sources:
        missing = {char for char in set(source.text) if ord(char) not in have and _drawn(char)} - seen
        seen |= missing
        for char in sorted(missing, key=source.text.index):
            groups.setdefault(_script(char), (source, []))[1].append(char)
    for (script, family, package), (source, chars) in groups.items():
        report.warn(_message(script, family, package, chars, fonts), source.path, _line(source, chars[0]),
                    rule="glyphs")


def _drawn(char: str) -> bool:
    """Whether a character needs a glyph: not a control, a space or an invisible format character (the shaper
    makes those itself), nor a noncharacter such as U+FFFE (rendering removes those)."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Cn", "Cs", "Zs", "Zl", "Zp")


def _script(char: str) -> tuple[str, str, str]:
    if any(start <= ord(char) <= end for start, end in EMOJI_BLOCKS):
        return EMOJI
    name = unicodedata.name(char, "")
    for words, script, family, package in NOTO:
        if any(word in name for word in words):
            return script, family, package
    return OTHER


def _line(source: ChapterSource, char: str) -> int:
    return source.first_line + source.text.count("\n", 0, source.text.index(char))


def _message(script: str, family: str, package: str, chars: list[str], fonts: Typefaces) -> str:
    shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in chars[:SHOWN])
    more = f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else ""
    kind = "characters" if script == "other" else f"{script} characters"
    here = _installed_font(chars[0])
    fallback = (f"a font on this machine has them ({here}), another machine may not" if here else
                "no font on this machine has them, so they print as empty boxes")
    families = ", ".join(typeface.family for typeface in fonts.every())
    return (f"the book's typefaces ({families}) have no glyph for {len(chars)} {kind}: {shown}{more}; {fallback}: "
            f"install {family} (apt-get install {package}) and add it to book.yaml's fonts: body list")


@cache
def _installed_font(char: str) -> str | None:
    """The family fontconfig would draw `char` with, if any installed font has it."""
    if shutil.which("fc-list") is None:
        return None
    found = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True, text=True,
                           timeout=30).stdout.split("\n")
    families = sorted(line.split(",")[0] for line in found if line.strip())
    return families[0] if families else None
