"""The PDF side of laid-out pages that a whole layout and a layout in parts share: the trim and bleed boxes of each
page, pages without links, and the PDF of some parts of a body laid out in parts."""

from __future__ import annotations

import copy

import pydyf

from publish.layout.profiles import PageGeometry, PrintProfile

POINTS_PER_INCH = 72


def without_links(page):
    """A copy of the laid-out page that writes no link annotations or named destinations (the layout is shared)."""
    page = copy.copy(page)
    page.links, page.anchors = [], {}
    return page


def pdf_pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    """The page dictionaries of a PDF WeasyPrint is writing, in order."""
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def set_boxes(page: pydyf.Dictionary, bleed: float, right_page: bool, outside_only: bool, keep_marks: bool) -> None:
    """TrimBox is the page as cut; BleedBox adds the bleed (none at the spine, on the left of a right-hand page,
    for an interior printed as single pages); MediaBox loses the inside bleed too unless crop marks need the room."""
    trim = [float(value) for value in page["TrimBox"]]
    inside_bleed = 0.0 if outside_only else bleed
    left, right = (inside_bleed, bleed) if right_page else (bleed, inside_bleed)
    bleed_box = [trim[0] - left, trim[1] - bleed, trim[2] + right, trim[3] + bleed]
    page["TrimBox"] = pydyf.Array(trim)
    page["BleedBox"] = pydyf.Array(bleed_box)
    if not keep_marks:
        page["MediaBox"] = pydyf.Array(bleed_box)


def turn_sideways_pages(pdf: pydyf.PDF, pages: list[pydyf.Dictionary], geometry: PageGeometry) -> None:
    """A page laid out sideways (a table on its own landscape page) turned a quarter to the left onto the book's
    upright page, the table's top at the page's left edge: printers take pages of one size only."""
    upright = geometry.width_mm < geometry.height_mm
    for page in pages:
        left, bottom, right, top = (float(value) for value in page["MediaBox"])
        width, height = right - left, top - bottom
        if width == height or (width < height) == upright:
            continue
        shift_x, shift_y = left + top, bottom - left  # turned about the media box's corner, which stays put
        turn, end = pydyf.Stream([f"q 0 1 -1 0 {shift_x:.4f} {shift_y:.4f} cm"]), pydyf.Stream(["Q"])
        pdf.add_object(turn)
        pdf.add_object(end)
        page["Contents"] = pydyf.Array([turn.reference, page["Contents"], end.reference])
        for name in ("MediaBox", "TrimBox", "BleedBox", "CropBox", "ArtBox"):
            if name in page:
                x0, y0, x1, y1 = (float(value) for value in page[name])
                page[name] = pydyf.Array([shift_x - y1, shift_y + x0, shift_x - y0, shift_y + x1])


def right_hand(index: int, direction: str) -> bool:
    """Whether the page at `index` from a recto is a right-hand page: rectos are on the right of a book read left
    to right, on the left of one read right to left."""
    return (index % 2 == 0) == (direction == "ltr")


def parts_pdf(documents, profile: PrintProfile, geometry: PageGeometry, direction: str, verso: bool = False,
              draft: bool = False) -> bytes:
    """The pages of some parts of a body laid out in parts (each opens on a recto, or on a verso if `verso`), to
    be joined to the rest. A `draft` is only looked at: its streams are not compressed (faster to write)."""
    pages = [without_links(page) for document in documents for page in document.pages]
    sides = [right_hand(index + verso, direction) for document in documents for index in range(len(document.pages))]

    def finish(_, pdf: pydyf.PDF) -> None:
        if not profile.interactive:
            turn_sideways_pages(pdf, pdf_pages(pdf), geometry)
        for page, right_page in zip(pdf_pages(pdf), sides):
            set_boxes(page, geometry.bleed_in * POINTS_PER_INCH, right_page=right_page,
                      outside_only=profile.bleed_sides == "outside", keep_marks=geometry.marks)

    return documents[0].copy(pages).write_pdf(pdf_variant=profile.pdf_variant, finisher=finish,
                                              output_intent="srgb" if profile.colour == "srgb" else None,
                                              uncompressed_pdf=draft)
