"""SVG images made safe to show: read without entities, DTDs or the network, and written again without scripts,
event handlers, foreign content, or references outside the file (every format shows the cleaned copy)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SVG = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
REMOVED = {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}
SAFE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
              remove_pis=True)


class NotSvg(ValueError):
    pass


def image_bytes(path: Path) -> bytes:
    """What the book shows of an image file: an SVG cleaned, any other image as it is."""
    return cleaned_svg(path)[0] if path.suffix.lower() == ".svg" else path.read_bytes()


def cleaned_svg(path: Path) -> tuple[bytes, tuple[str, ...]]:
    """The SVG file's safe bytes, and what was taken out of it."""
    status = path.stat()
    return _cleaned(path, status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=256)
def _cleaned(path: Path, size: int, mtime: int) -> tuple[bytes, tuple[str, ...]]:
    try:
        root = etree.fromstring(path.read_bytes(), etree.XMLParser(**PARSER))
    except etree.XMLSyntaxError as error:
        raise NotSvg(f"not well-formed XML ({error.msg})") from None
    if etree.QName(root).localname != "svg":
        raise NotSvg(f"its root element is <{etree.QName(root).localname}>, not <svg>")
    removed: list[str] = []
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in REMOVED or (name == "style" and _loads(element.text or "")):
            removed.append(f"<{name}>")
            element.getparent().remove(element)
            continue
        for attribute, value in list(element.attrib.items()):
            local = etree.QName(attribute).localname.lower()
            external = attribute in (XLINK_HREF, "href") and not value.startswith(("#", *SAFE_DATA))
            if local.startswith("on") or external or (local == "style" and _loads(value)):
                removed.append(f"'{local}' on <{name}>")
                del element.attrib[attribute]
        if name in ("image", "use") and element.get(XLINK_HREF) is None and element.get("href") is None:
            element.getparent().remove(element)  # nothing left to show
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data, tuple(dict.fromkeys(removed))


def _loads(css: str) -> bool:
    """CSS that would fetch something: @import, or url() of anything but a fragment."""
    lowered = css.lower().replace(" ", "")
    return "@import" in lowered or any(not part.startswith(("#", "'#", '"#')) for part in lowered.split("url(")[1:])
