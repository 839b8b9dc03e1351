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


def set_boxes(page: pydyf.Dictionary, bleed: float, recto: bool, outside_only: bool, keep_marks: bool) -> None:
    """TrimBox is the page as cut; BleedBox adds the bleed (none at the spine for an interior printed as
    single pages); MediaBox loses the inside bleed too unless crop marks need the room."""
    trim = [float(value) for value in page["TrimBox"]]
    inside_bleed = 0.0 if outside_only else bleed
    left, right = (inside_bleed, bleed) if recto else (bleed, inside_bleed)
    bleed_box = [trim[0] - left, trim[1] - bleed, trim[2] + right, trim[3] + bleed]
    page["TrimBox"] = pydyf.Array(trim)
    page["BleedBox"] = pydyf.Array(bleed_box)
    if not keep_marks:
        page["MediaBox"] = pydyf.Array(bleed_box)


def parts_pdf(documents, profile: PrintProfile, geometry: PageGeometry) -> bytes:
    """The pages of some parts of a body laid out in parts (each opens on a recto), to be joined to the rest."""
    pages = [without_links(page) for document in documents for page in document.pages]
    rectos = [index % 2 == 0 for document in documents for index in range(len(document.pages))]

    def finish(_, pdf: pydyf.PDF) -> None:
        for page, recto in zip(pdf_pages(pdf), rectos):
            set_boxes(page, geometry.bleed_in * POINTS_PER_INCH, recto=recto,
                      outside_only=profile.bleed_sides == "outside", keep_marks=geometry.marks)

    return documents[0].copy(pages).write_pdf(pdf_variant=profile.pdf_variant, finisher=finish,
                                              output_intent="srgb" if profile.colour == "srgb" else None)
