"""The typefaces: Source Serif Pro for the book (SIL OFL 1.1, from the font-source-serif-pro package) and IBM
Plex Mono for code (SIL OFL 1.1, from fontpkg-ibm-plex-mono)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import font_source_serif_pro
import fontpkg_ibm_plex_mono

FAMILY = "Source Serif Pro"
FONT_FOLDER = Path(font_source_serif_pro.font_directory)
LICENSE = FONT_FOLDER / "LICENSE.txt"
CODE_FAMILY = "IBM Plex Mono"
CODE_FOLDER = Path(fontpkg_ibm_plex_mono.ROOT) / "files"
CODE_LICENSE = Path(fontpkg_ibm_plex_mono.ROOT) / "LICENSE"


@dataclass(frozen=True)
class Face:
    file: str
    style: str
    weight: int
    family: str = FAMILY
    folder: Path = FONT_FOLDER

    @property
    def path(self) -> Path:
        return self.folder / self.file


FACES = (
    Face("SourceSerifPro-Regular.otf", "normal", 400),
    Face("SourceSerifPro-It.otf", "italic", 400),
    Face("SourceSerifPro-Semibold.otf", "normal", 600),
    Face("SourceSerifPro-SemiboldIt.otf", "italic", 600),
    Face("SourceSerifPro-Bold.otf", "normal", 700),
    Face("SourceSerifPro-BoldIt.otf", "italic", 700),
)
CODE_FACES = (
    Face("IBMPlexMono-Regular.ttf", "normal", 400, CODE_FAMILY, CODE_FOLDER),
    Face("IBMPlexMono-Italic.ttf", "italic", 400, CODE_FAMILY, CODE_FOLDER),
    Face("IBMPlexMono-Bold.ttf", "normal", 700, CODE_FAMILY, CODE_FOLDER),
    Face("IBMPlexMono-BoldItalic.ttf", "italic", 700, CODE_FAMILY, CODE_FOLDER),
)
FONT_FOLDERS = (FONT_FOLDER, CODE_FOLDER)
