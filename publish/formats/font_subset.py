"""The book typeface cut down to the characters the ebook uses (fontTools), so the EPUB stays small."""

from __future__ import annotations

import io

from fontTools import subset
from fontTools.ttLib import TTFont

from publish.fonts import Face

EXTRA = " \u00a0*\u2003"  # spaces and the scene-break stars the stylesheet adds


def subset_face(face: Face, text: str) -> bytes:
    """The face with only the glyphs for `text`; the same text always gives the same bytes."""
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning, ligatures, small caps, old-style figures
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(str(face.path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + EXTRA)
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()
