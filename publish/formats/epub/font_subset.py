"""The typefaces cut down to the characters the ebook uses (HarfBuzz's subsetter), so the EPUB stays small."""

from __future__ import annotations

import uharfbuzz as hb
from ebooklib import epub
from lxml import etree

from publish.model import Face, Typeface, Typefaces
from publish.theme.fonts import face_file_name, fonts_css

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
    subset = hb.subset(_hb_face(face), request)
    if subset is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.path}")
    return subset.blob.data


def typeface_items(env, documents: list[epub.EpubItem], fonts: Typefaces) -> list[epub.EpubItem]:
    """fonts.css and the subset faces it names, with their licences: the body and display typefaces always, the
    code typeface when the documents hold code, a fallback only when it draws a character the documents use."""
    text, code = _characters(documents)
    wanted = {typeface: text for typeface in (*fonts.body, *fonts.display)}
    for typeface in fonts.mono:
        wanted[typeface] = "".join(sorted(set(wanted.get(typeface, "") + code)))
    first_choices = {roles[0] for roles in (fonts.body, fonts.display, fonts.mono) if roles}
    shipped = {typeface: characters for typeface, characters in wanted.items()
               if characters and (typeface in first_choices or _draws_any(typeface, characters))}
    files = _file_names([(typeface, face) for typeface in shipped for face in typeface.faces])
    kept = Typefaces(*(tuple(typeface for typeface in roles if typeface in shipped)
                       for roles in (fonts.body, fonts.display, fonts.mono)))
    css = fonts_css(env, kept, lambda typeface, face: f"../fonts/{files[typeface, face]}", installed_too=True)
    items = [epub.EpubItem(uid="css-fonts", file_name="css/fonts.css", media_type="text/css",
                           content=css.encode("utf-8"))]
    for index, ((typeface, face), name) in enumerate(files.items(), start=1):
        items.append(epub.EpubItem(uid=f"font{index}", file_name=f"fonts/{name}", media_type=f"font/{name[-3:]}",
                                   content=subset_face(face, shipped[typeface])))
    licences = dict.fromkeys(typeface.license for typeface in shipped if typeface.license is not None)
    for index, licence in enumerate(licences, start=1):
        name = "LICENSE.txt" if index == 1 else f"LICENSE-{index}.txt"
        items.append(epub.EpubItem(uid=f"font-license{index}", file_name=f"fonts/{name}", media_type="text/plain",
                                   content=licence.read_bytes()))
    return items


def _file_names(faces: list[tuple[Typeface, Face]]) -> dict[tuple[Typeface, Face], str]:
    """Each face's file name in the ebook, numbered where two families' files share a name."""
    names: dict[tuple[Typeface, Face], str] = {}
    for key in faces:
        name = face_file_name(key[1], _outline(key[1]))
        while name in names.values():
            name = f"{name[:-4]}-{len(names)}{name[-4:]}"
        names[key] = name
    return names


def _hb_face(face: Face):
    return hb.Face(hb.Blob.from_file_path(str(face.path)), face.index)


def _outline(face: Face) -> str:
    return "otf" if {"CFF ", "CFF2"} & set(_hb_face(face).table_tags) else "ttf"


def _draws_any(typeface: Typeface, characters: str) -> bool:
    return bool(set(map(ord, characters)) & set(_hb_face(typeface.regular()).unicodes))


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
