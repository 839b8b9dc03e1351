"""The book as HTML for print (print.html), laid out with the page stylesheet and the layout hooks; and the hash
of everything such a layout reads, which names what a build keeps of it."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from publish.cache.digest import digest_of, image_stamps, library_version
from publish.errors import FormatError, Problem, Report
from publish.layout import profiles
from publish.layout.code import styled_classes
from publish.layout.document import estimated_book_pages, front_matter
from publish.layout.hooks import MarginsLater, print_layout_hooks
from publish.layout.line_breaks import Protected, keep_whole
from publish.layout.notes import print_body
from publish.layout.profiles import PageGeometry, PrintProfile
from publish.layout.weasy import render_html
from publish.model import RenderedBook
from publish.theme import templates
from publish.theme.fonts import font_stamps
from publish.theme.stylesheets import referenced_resources

POINTS_PER_MM = 72 / 25.4


def print_environment(book: RenderedBook, profile: PrintProfile, kept=None):
    """The templates, with `print_body` for the book and the measure its text will have (the gutter follows the
    page count, which only the layout tells: the estimate's is taken); `kept`: see print_body."""
    env = templates.environment(book.root)
    env.filters["print_body"] = partial(print_body, opener=book.print.opener, root=book.root,
                                        measure_pt=text_measure_pt(book, profile), code_wrap=book.print.code_wrap,
                                        notes_label=book.strings["notes"], body_typeface=book.fonts.body[0],
                                        styled=styled_classes([templates.stylesheet(book.root, name)
                                                               for name in print_stylesheets(profile)]),
                                        kept=kept)
    return env


def text_measure_pt(book: RenderedBook, profile: PrintProfile) -> float:
    """The width of the text block, in points."""
    geometry = profiles.geometry(profile, book.print, estimated_book_pages(book))
    return geometry.width_mm * POINTS_PER_MM - (geometry.inside_in + geometry.outside_in) * 72


def print_html(env, book: RenderedBook, version: str, profile: PrintProfile, chapters, front: bool = True,
               body_ids=()) -> str:
    """`chapters` as one HTML document for print, after the front pages if `front` (see print.html)."""
    front_ids, first_body_id = front_matter(book)
    return templates.render(env, "print.html", book=book, link=lambda element_id: f"#{element_id}",
                            version=version, profile=profile, front_ids=front_ids, first_body_id=first_body_id,
                            chapters=chapters, front_matter=front, body_ids=body_ids)


def lay_out_html(book: RenderedBook, env, html: str, geometry: PageGeometry, profile: PrintProfile,
                 protected: set[Protected], font_config, report: Report, extra_css=(),
                 margins: MarginsLater | None = None, folios: dict[str, int] | None = None):
    """One layout pass of print HTML: (document, tree), with the protected words kept whole; `folios`: the page
    number a page counter gives each of these ids, wherever it is laid out (see hooks.py)."""
    page_css = templates.render(env, "print-page.css", book=book, geometry=geometry, profile=profile,
                                cmyk_profile=profiles.CMYK_PROFILE.as_uri())
    if profile.colour == "cmyk" and not profiles.CMYK_PROFILE.exists():
        raise FormatError(Problem(f"the {profile.name} profile needs the CMYK colour profile "
                                  f"{profiles.CMYK_PROFILE}: install the Debian package libgs-common "
                                  f"(apt-get install libgs-common)"))
    with print_layout_hooks(margins, balance=profile.mirrored, folios=folios):
        return render_html(book, html, print_stylesheets(profile), [page_css, *extra_css], report, font_config,
                           prepare=lambda root: keep_whole(root, protected))


def print_stylesheets(profile: PrintProfile) -> list[str]:
    """print.css, then the code's colours: greyscale for a printer, colour for a screen."""
    return ["print.css", "code.css" if profile.interactive else "code-print.css"]


def layout_key(book: RenderedBook, html: str, version: str, profile: PrintProfile) -> str:
    """A hash of everything a layout depends on: the book as one HTML document (`html`, from print_html), the
    images it shows, its stylesheets, the page templates, the print options, the profile and the versions of
    this tool and of WeasyPrint."""
    images = [image for chapter in book.chapters for image in chapter.images]
    return digest_of(html, json.dumps(image_stamps(book.root, images)), *stylesheet_inputs(book), repr(book.print),
                     repr(profile), version, library_version("weasyprint"), font_stamps(book.fonts))


def stylesheet_inputs(book: RenderedBook) -> list[str]:
    """What a layout reads besides the HTML: the print and code stylesheets, the page and font templates, and the
    size and time of each file the stylesheets load (images, fonts, imported sheets)."""
    env = templates.environment(book.root)
    allowed = [book.root, *templates.style_folders(book.root)]
    sheets, loaded = [], []
    for name in ("print.css", "code.css", "code-print.css"):
        css = templates.stylesheet(book.root, name)
        sheets.append(css)
        loaded += [str(resource.path) for resource in
                   referenced_resources(css, templates.stylesheet_path(book.root, name), allowed)]
    return [*sheets, env.loader.get_source(env, "print-page.css")[0], env.loader.get_source(env, "fonts.css")[0],
            json.dumps(image_stamps(Path("/"), loaded))]  # the loaded files' paths are absolute
