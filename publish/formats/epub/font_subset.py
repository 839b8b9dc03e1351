"""The book typeface cut down to the characters the ebook uses (HarfBuzz's subsetter), so the EPUB stays small."""

from __future__ import annotations

import uharfbuzz as hb

from publish.theme.fonts import Face

EXTRA = " \u00a0*\u2003"  # spaces and the scene-break stars the stylesheet adds
EVERY = (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID)


def subset_face(face: Face, text: str) -> bytes:
    """The face with only the glyphs for `text` and those its features reach (small caps, ligatures, old-style
    figures); kerning and every name record kept. The same text always gives the same bytes."""
    request = hb.SubsetInput()
    for character in set(text + EXTRA):
        request.unicode_set.add(ord(character))
    for kind in EVERY:  # an emptied set inverted means "all of them"
        wanted = request.sets(kind)
        wanted.clear()
        wanted.invert()
    request.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path))), request)
    if subset is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.path}")
    return subset.blob.data
