"""Print PDF: the print layout (one HTML document from a template, laid out by WeasyPrint) written as a PDF for
the chosen printer profile: page labels, blank pages to pad the count, bleed and trim boxes, and what the
profile forbids (links, bookmarks) left out."""

from __future__ import annotations

import hashlib
import io

import pydyf

from publish.formats.context import BuildContext
from publish.formats.registry import OutputFormat
from publish.layout.document import PrintLayout
from publish.layout.profiles import PrintProfile
from publish.layout.sheets import (
    POINTS_PER_INCH,
    pdf_pages,
    right_hand,
    set_boxes,
    turn_sideways_pages,
    without_links,
)
from publish.model import RenderedBook


def build_pdf(book: RenderedBook, context: BuildContext) -> bytes:
    """The PDF for the context's printer profile; the context's `stamp`, if any, is printed small at the top of
    every page (proofs)."""
    profile = context.profile_for(book)
    layout = context.layouts.layout(profile)
    if profile.max_pages and layout.page_count > profile.max_pages:
        context.report.warn(f"{profile.name}: the PDF has {layout.page_count} pages and this printer takes at most "
                            f"{profile.max_pages}: choose a larger trim_size in book.yaml")
    if layout.page_count < profile.min_pages:
        context.report.warn(f"{profile.name}: the PDF has {layout.page_count} pages and this printer takes at least "
                            f"{profile.min_pages}: set pad_to: {profile.min_pages} under print: in book.yaml to end "
                            "the book with blank pages, or choose a smaller trim_size")
    pages = layout.document.pages if profile.interactive else [without_links(page) for page in layout.document.pages]
    document = layout.document.copy(pages)
    _set_metadata(document.metadata, book, context)
    data = document.write_pdf(pdf_identifier=book.metadata.identifier.encode("utf-8"),
                              pdf_variant=profile.pdf_variant,
                              output_intent="srgb" if profile.colour == "srgb" else None,
                              finisher=lambda _, pdf: _finish(pdf, layout, profile, context.stamp,
                                                              book.metadata.direction))
    return _joined(data, layout, context.stamp) if layout.body else data


def _joined(front: bytes, layout: PrintLayout, stamp: str | None) -> bytes:
    """The front matter's PDF with the body's parts after it in reading order: a blank verso where a part ends
    on a recto, and blank pages at the end up to the page count; each of those pages stamped like the front's."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(front))
    stamped = len(pdf.pages)  # the front's pages were stamped as they were written
    sources = [pikepdf.open(io.BytesIO(data)) for data in layout.body]
    for number, source in enumerate(sources, start=1):
        _retag_font_subsets(source, number)
    for number, (source, first, count) in enumerate(layout.body_order, start=1):
        pdf.pages.extend(sources[source].pages[first:first + count])
        if number < len(layout.body_order) and len(pdf.pages) % 2:
            _append_blank(pdf)
    while len(pdf.pages) < layout.page_count:
        _append_blank(pdf)
    if stamp:
        _stamp_joined(pdf, pdf.pages[stamped:], stamp)
    out = io.BytesIO()
    streams = pikepdf.ObjectStreamMode.generate if pdf.pdf_version >= "1.5" else pikepdf.ObjectStreamMode.disable
    pdf.save(out, deterministic_id=True, object_stream_mode=streams, fix_metadata_version=False)
    return out.getvalue()


def _retag_font_subsets(pdf, part: int) -> None:
    """Each part embeds its own subset of a face under the tag WeasyPrint gives that face; the PDF standard
    wants a tag per subset (a printer's RIP may take one subset for the other), so each part's tags change."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            name = str(obj.get(key, ""))
            if len(name) > 8 and name[7] == "+":
                digest = hashlib.sha256(f"{part}{name}".encode()).digest()
                tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
                obj[key] = pikepdf.Name(f"/{tag}{name[7:]}")


def _append_blank(pdf) -> None:
    """An empty page with the boxes of the page two before it (the same side of the sheet)."""
    import pikepdf

    model = pdf.pages[len(pdf.pages) - 2].obj
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                              Contents=pdf.make_stream(b""))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in model:
            page[box] = pikepdf.Array(list(model[box]))
    pdf.pages.append(pikepdf.Page(page))


def _set_metadata(metadata, book: RenderedBook, context: BuildContext) -> None:
    meta = book.metadata
    metadata.title = meta.title if not meta.subtitle else f"{meta.title}: {meta.subtitle}"
    metadata.authors = [c.name for c in meta.authors]
    metadata.description = meta.description
    metadata.keywords = list(meta.subjects)
    metadata.generator = f"publish {context.version}"
    metadata.lang = meta.language
    stamp = context.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.created = stamp
    metadata.modified = stamp


def _finish(pdf: pydyf.PDF, layout: PrintLayout, profile: PrintProfile, stamp: str | None, direction: str) -> None:
    pages = pdf_pages(pdf)
    for _ in range(0 if layout.body else layout.page_count - len(pages)):  # a body in parts is padded once joined
        pages.append(_add_blank_page(pdf, pages[-1]))
    if not profile.interactive:  # a screen PDF keeps a sideways page as it is, for reading on screen
        turn_sideways_pages(pdf, pages, layout.geometry)
    if stamp:
        _stamp(pdf, pages, stamp)
    bleed = layout.geometry.bleed_in * POINTS_PER_INCH
    for index, page in enumerate(pages):
        set_boxes(page, bleed, right_page=right_hand(index, direction),
                  outside_only=profile.bleed_sides == "outside", keep_marks=layout.geometry.marks)
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(_label_ranges(layout))})
    preferences = {"Direction": "/R2L"} if direction == "rtl" else {}  # a viewer shows spreads the book's way
    if profile.interactive:
        preferences["DisplayDocTitle"] = "true"
        pdf.catalog["PageMode"] = "/UseOutlines"
    if preferences:
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary(preferences)


def _stamp(pdf: pydyf.PDF, pages: list[pydyf.Dictionary], text: str) -> None:
    """A line of small grey type in the top margin of every page, over whatever the page holds."""
    font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica",
                             "Encoding": "/WinAnsiEncoding"})
    pdf.add_object(font)
    resources = pdf.objects[_number(pages[0]["Resources"])]
    fonts = resources.get("Font")
    fonts = pdf.objects[_number(fonts)] if isinstance(fonts, (bytes, str)) else fonts
    fonts["ProofStamp"] = font.reference
    for page in pages:
        left, _, _, top = (float(value) for value in page["TrimBox"])
        save, restore = pydyf.Stream(["q"]), pydyf.Stream([_stamp_operators(text, left, top)])
        pdf.add_object(save)
        pdf.add_object(restore)
        contents = page["Contents"]
        page["Contents"] = pydyf.Array([save.reference, contents, restore.reference])


def _stamp_joined(pdf, pages, text: str) -> None:
    """_stamp for pages that pikepdf joined."""
    import pikepdf

    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))
    for page in pages:
        page.add_resource(font, pikepdf.Name.Font, name=pikepdf.Name.ProofStamp)
        left, _, _, top = (float(value) for value in page.trimbox)
        page.contents_add(pdf.make_stream(b"q"), prepend=True)
        page.contents_add(pdf.make_stream(_stamp_operators(text, left, top).encode("ascii")))


def _stamp_operators(text: str, left: float, top: float) -> str:
    """What draws the stamp, after the page's own content (which the page opened with `q`)."""
    shown = text.encode("cp1252", "replace").hex()  # WinAnsi, as a hex string: no escaping needed
    return f"Q q 0.55 g BT /ProofStamp 7 Tf {left + 14:.2f} {top - 16:.2f} Td <{shown}> Tj ET Q"


def _number(reference) -> int:
    return int(bytes(reference).split()[0]) if not isinstance(reference, str) else int(reference.split()[0])


def _add_blank_page(pdf: pydyf.PDF, model: pydyf.Dictionary) -> pydyf.Dictionary:
    contents = pydyf.Stream()
    pdf.add_object(contents)
    page = pydyf.Dictionary({key: model[key] for key in ("Type", "Parent", "MediaBox", "TrimBox", "Resources")})
    page["Contents"] = contents.reference
    pdf.add_page(page)
    return page


def _label_ranges(layout: PrintLayout) -> list:
    """PDF page labels: lower-case roman for the front matter, decimal from 1 for the body."""
    ranges = []
    if layout.front_pages:
        ranges += [0, pydyf.Dictionary({"S": "/r"})]
    if layout.front_pages < layout.page_count:
        ranges += [layout.front_pages, pydyf.Dictionary({"S": "/D", "St": 1})]
    return ranges


PDF = OutputFormat(name="pdf", suffix=".pdf", description="print-ready PDF", build=build_pdf, has_profiles=True)
