"""The book typeface: Source Serif Pro (SIL OFL 1.1), shipped by the font-source-serif-pro package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import font_source_serif_pro

FAMILY = "Source Serif Pro"
FONT_FOLDER = Path(font_source_serif_pro.font_directory)
LICENSE = FONT_FOLDER / "LICENSE.txt"


@dataclass(frozen=True)
class Face:
    file: str
    style: str
    weight: int
    family: str = FAMILY

    @property
    def path(self) -> Path:
        return FONT_FOLDER / self.file


FACES = (
    Face("SourceSerifPro-Regular.otf", "normal", 400),
    Face("SourceSerifPro-It.otf", "italic", 400),
    Face("SourceSerifPro-Semibold.otf", "normal", 600),
    Face("SourceSerifPro-SemiboldIt.otf", "italic", 600),
    Face("SourceSerifPro-Bold.otf", "normal", 700),
    Face("SourceSerifPro-BoldIt.otf", "italic", 700),
)
