"""Formulas for print. WeasyPrint does not lay MathML out, so each <math> becomes an image of the formula drawn as
vector paths (ziamath, STIX Two Math), sized in the text's em and set on its baseline, its TeX (or text) the
image's alternative text, which the tagged screen PDF carries."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from lxml import etree

from publish.errors import FormatError, Problem

MATHML = "http://www.w3.org/1998/Math/MathML"
UNITS_PER_EM = 10.0  # ziamath draws at this size: one em of the text is this many SVG units
VIEW_BOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


Drawing = tuple[str, float, float, float]  # what formula_image gives


class Formulas:
    """Formulas drawn by an earlier build (MathML markup -> formula_image(markup)), taken from there, and the
    formulas drawn or taken now, to keep for the next."""

    def __init__(self, before: dict[str, Drawing]) -> None:
        self.before: dict[str, Drawing] = before
        self.now: dict[str, Drawing] = {}

    def image(self, markup: str) -> Drawing:
        drawing = self.now.get(markup) or self.before.get(markup) or formula_image(markup)
        self.now[markup] = drawing
        return drawing


def draw_math(root: etree._Element, formulas: Formulas | None = None) -> None:
    """Every MathML formula under `root` replaced by an <img> of it, taken from `formulas` where it has it."""
    for formula in list(root.iter(f"{{{MATHML}}}math")):
        display = formula.get("display") == "block"
        text = formula.get("alttext") or " ".join("".join(formula.itertext()).split())
        markup = etree.tostring(formula, encoding="unicode", with_tail=False)
        try:
            data, width, height, depth = formulas.image(markup) if formulas is not None else formula_image(markup)
        except Exception as error:  # ziamath raises many kinds on MathML it cannot draw
            raise FormatError(Problem(f"PDF layout: math '{text[:60]}' cannot be drawn: {error}; simplify the "
                                      "formula")) from None
        image = etree.Element("img", {
            "class": "math display-math" if display else "math",
            "alt": text,
            "src": f"data:image/svg+xml;base64,{data}",
            "style": f"width: {width:.3f}em; height: {height:.3f}em; vertical-align: {-depth:.3f}em"})
        image.tail = formula.tail
        formula.getparent().replace(formula, image)


@lru_cache(maxsize=8192)
def formula_image(markup: str) -> tuple[str, float, float, float]:
    """(the SVG as base64, width, height, depth below the baseline, in em) of a MathML formula."""
    import ziamath  # loaded only for books with formulas

    svg = ziamath.Math(markup, size=UNITS_PER_EM, margin=0.5).svg()
    left, top, width, height = (float(value) for value in VIEW_BOX.search(svg).groups())
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return data, width / UNITS_PER_EM, height / UNITS_PER_EM, (top + height) / UNITS_PER_EM
