"""The typefaces cut down to the characters the ebook uses (HarfBuzz's subsetter), so the EPUB stays small."""

from __future__ import annotations

import uharfbuzz as hb
from ebooklib import epub
from lxml import etree

from publish.theme import templates
from publish.theme.fonts import CODE_FACES, CODE_LICENSE, FACES, LICENSE, Face

XHTML = "http://www.w3.org/1999/xhtml"

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


def typeface_items(env, documents: list[epub.EpubItem]) -> list[epub.EpubItem]:
    """fonts.css and the subset faces it names, with their licences: the book face always, the code face when
    the documents hold code."""
    text, code = _characters(documents)
    faces = [(face, text) for face in FACES] + [(face, code) for face in CODE_FACES if code]
    fonts_css = templates.render(env, "fonts.css", faces=[face for face, _ in faces],
                                 font_url=lambda face: f"../fonts/{face.file}")
    items = [epub.EpubItem(uid="css-fonts", file_name="css/fonts.css", media_type="text/css",
                           content=fonts_css.encode("utf-8"))]
    for index, (face, characters) in enumerate(faces, start=1):
        media_type = "font/ttf" if face.file.endswith(".ttf") else "font/otf"
        items.append(epub.EpubItem(uid=f"font{index}", file_name=f"fonts/{face.file}", media_type=media_type,
                                   content=subset_face(face, characters)))
    items.append(epub.EpubItem(uid="font-license", file_name="fonts/LICENSE.txt", media_type="text/plain",
                               content=LICENSE.read_bytes()))
    if code:
        items.append(epub.EpubItem(uid="font-license-code", file_name="fonts/IBMPlexMono-LICENSE.txt",
                                   media_type="text/plain", content=CODE_LICENSE.read_bytes()))
    return items


def _characters(documents: list[epub.EpubItem]) -> tuple[str, str]:
    """Every character the documents show, and those they show as code: what each face is cut down to."""
    seen: set[str] = set()
    code: set[str] = set()
    for document in documents:
        root = etree.fromstring(document.content)
        seen.update("".join(root.itertext()))
        seen.update("".join(root.xpath("//@alt")))
        code.update("".join(root.xpath("//x:code//text() | //x:pre//text() | //x:kbd//text() | //x:samp//text()",
                                       namespaces={"x": XHTML})))
    return "".join(sorted(seen)), "".join(sorted(code))
