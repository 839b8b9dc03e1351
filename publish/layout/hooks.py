"""Every change this tool makes to WeasyPrint's behaviour, in one place, installed only while a print layout runs
and removed after it (WeasyPrint is pinned; these wrap eight of its functions):
- lines are broken without hyphenating a third line-end in a row, nor a paragraph's last full line (which would
  leave a stub such as "fully." on the last line), nor a right-hand page's last line: its line maker and the
  hyphenation dictionary lookup of its line breaker are wrapped;
- a line is laid out with the next one ahead, and where the next would be loose, it gives that line its last
  word (or part of it) when that evens the two: its line maker, and the room it finds for a line, are wrapped;
- a layout in parts leaves the margin boxes (folios, running heads) of its pages to a `MarginsLater`, which makes
  them once the part's first folio is known (the last step of its layout_document is wrapped);
- a page's text block is a whole number of the body's lines deep (the rest goes to the bottom margin), so that
  a page's last line, or the last line of its footnotes, stands where a full page's does: its page height is
  wrapped;
- facing pages are made the same depth (spreads.py): its page maker is wrapped to lay out a left-hand page with
  the right-hand page after it, the layout of a page's flow to end the text of a page run short higher, and the
  line maker to set the words of a paragraph run a line long in a narrower room;
- the front matter of a layout in parts prints the body's folios in its contents without the body's pages: the
  ids it links to are laid out on one stand-in page and given their folios where the page counters of a
  `target-counter()` target are kept (a method of its target collector is wrapped).
Outside a layout, and in every thread that is not laying out, the wrapped functions behave as WeasyPrint's own.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from typing import Iterator

from publish.layout import spreads
from publish.layout.line_breaks import HYPHENS, line_text

STRETCH_PER_SPACE = 0.9  # characters moved to the next line per space of the line they leave, at most
LOOSE_SPACE_EM = 0.3  # a justified line whose spaces stretch more than this reads as loose
NARROWER_PX = 0.5  # past a line's own words: laid out this much narrower, it sends its last word down


class MarginsLater:
    """The margin boxes WeasyPrint would make for a document's pages, put off until the folio offset is known."""

    def __init__(self) -> None:
        self.context = None
        self.pages: list = []  # (page box, page state) in order

    def make(self, offset: int) -> None:
        """Add each page's margin boxes, its folio counted from `offset` more than WeasyPrint counted."""
        from weasyprint.layout.background import layout_box_backgrounds
        from weasyprint.layout.page import make_margin_boxes

        for number, (page, state) in enumerate(self.pages, start=1):
            state = copy.deepcopy(state)
            counters = state[1]
            counters["page"] = [*counters["page"][:-1], counters["page"][-1] + offset]
            self.context.current_page = number
            margins = tuple(make_margin_boxes(self.context, page, state))
            for margin in margins:
                layout_box_backgrounds(page, margin, self.context.get_image_from_uri)
            page.children = (*page.children, *margins)


class _Layout(threading.local):
    """What the layout running in this thread asks of the hooks; `seen` is None when none runs."""

    seen: dict | None = None  # hyphenated line-ends right before each line, by (block, where the line starts)
    hyphenate = True  # whether the line being broken may end hyphenated
    ahead = None  # ((linebox, where it resumes, y, bottom space), the line there) laid out ahead, for the next call
    margins: MarginsLater | None = None
    caps: spreads.Caps | None = None  # None: facing pages are not balanced (a screen's pages face none)
    held = None  # (index, its page maker entry, its remake state, (page, resume_at)): a right-hand page made ahead
    leading: float | None = None  # the body's line height, CSS px
    folios: dict[str, int] | None = None  # id -> the page number its page counter has, whatever page it is on
    narrow: float | None = None  # CSS px taken off the room of the line being laid out


_layout = _Layout()
_lock = threading.Lock()
_running = 0  # layouts with the hooks in place, in every thread
_originals: dict[str, object] = {}


@contextlib.contextmanager
def print_layout_hooks(margins: MarginsLater | None = None, balance: bool = False,
                       folios: dict[str, int] | None = None) -> Iterator[None]:
    """While inside, this thread's layout hyphenates no third line-end in a row, with `margins` leaves the margin
    boxes to it, with `balance` makes facing pages the same depth and with `folios` gives those ids' targets
    those page numbers."""
    global _running
    with _lock:
        if _running == 0:
            _install()
        _running += 1
    _layout.seen, _layout.margins, _layout.ahead = {}, margins, None
    _layout.caps, _layout.held, _layout.leading = (spreads.Caps() if balance else None), None, None
    _layout.folios = folios
    try:
        yield
    finally:
        _layout.seen, _layout.margins, _layout.ahead = None, None, None
        _layout.caps, _layout.held, _layout.leading = None, None, None
        _layout.folios = None
        with _lock:
            _running -= 1
            if _running == 0:
                _remove()


def _install() -> None:
    import weasyprint.layout as layout
    import weasyprint.layout.inline as inline
    import weasyprint.layout.page as page
    import weasyprint.text.line_break as line_break
    from weasyprint.css.targets import TargetCollector

    _originals.update(next_linebox=inline.get_next_linebox, pyphen=line_break.pyphen,
                      margin_boxes=layout.make_margin_boxes, remake_page=page.remake_page,
                      block_level_layout=page.block_level_layout, page_height=page.page_height,
                      target_page_counters=TargetCollector.cache_target_page_counters,
                      avoid_collisions=inline.avoid_collisions)
    inline.avoid_collisions = _avoid_collisions
    TargetCollector.cache_target_page_counters = _target_page_counters
    inline.get_next_linebox = _next_linebox
    line_break.pyphen = _Dictionaries(_originals["pyphen"])
    layout.make_margin_boxes = _margin_boxes
    page.remake_page = _remake_page
    page.block_level_layout = _page_flow_layout
    page.page_height = _page_height


def _remove() -> None:
    import weasyprint.layout as layout
    import weasyprint.layout.inline as inline
    import weasyprint.layout.page as page
    import weasyprint.text.line_break as line_break
    from weasyprint.css.targets import TargetCollector

    TargetCollector.cache_target_page_counters = _originals.pop("target_page_counters")
    inline.get_next_linebox = _originals.pop("next_linebox")
    inline.avoid_collisions = _originals.pop("avoid_collisions")
    line_break.pyphen = _originals.pop("pyphen")
    layout.make_margin_boxes = _originals.pop("margin_boxes")
    page.remake_page = _originals.pop("remake_page")
    page.block_level_layout = _originals.pop("block_level_layout")
    page.page_height = _originals.pop("page_height")


def _next_linebox(context, linebox, position_y, bottom_space, skip_stack, *args):
    next_linebox = _originals["next_linebox"]
    if _layout.seen is None:
        return next_linebox(context, linebox, position_y, bottom_space, skip_stack, *args)
    before = _layout.seen.get((linebox.element, repr(skip_stack)), 0)
    hyphenate = before < 2
    ahead, _layout.ahead = _layout.ahead, None
    if ahead is not None and ahead[0] == (id(linebox), repr(skip_stack), position_y, bottom_space, hyphenate):
        line, resume_at = ahead[1]
    else:
        line, resume_at = _line(hyphenate, context, linebox, position_y, bottom_space, skip_stack, *args)
    after = None  # the line after `line` laid out ahead, and its entry for the next call
    if hyphenate and _ends_hyphenated(line, resume_at):
        stub = _ends_recto(context, line, bottom_space)
        if not stub:
            after = _ahead(context, linebox, line, bottom_space, resume_at, args, before + 1 < 2)
            stub = after[0][1] is None  # the rest of the paragraph fits on one line
        whole = _line(False, context, linebox, position_y, bottom_space, skip_stack, *args) if stub else None
        if whole is not None and not _too_loose(whole[0], line):
            (line, resume_at), after = whole, None
    if line is not None and resume_at is not None:
        line, resume_at, after = _evened(context, linebox, (line, resume_at), after, before,
                                         (position_y, bottom_space, skip_stack), args)
        _layout.seen[(linebox.element, repr(resume_at))] = _hyphens_after(line, resume_at, before)
        _layout.ahead = after[1] if after is not None else None
    return line, resume_at


def _line(hyphenate: bool, context, linebox, *arguments, narrower: float = 0.0):
    """WeasyPrint's next line, hyphenated where its dictionary allows only if `hyphenate`, its words set in a
    room `narrower` CSS px narrower, and narrower still in a paragraph that facing pages run a line long."""
    looser = _layout.caps.looser.get(linebox.element, 0.0) if _layout.caps is not None else 0.0
    before, _layout.hyphenate, _layout.narrow = _layout.hyphenate, hyphenate, (narrower + looser) or None
    try:
        return _originals["next_linebox"](context, linebox, *arguments)
    finally:
        _layout.hyphenate, _layout.narrow = before, None


def _hyphens_after(line, resume_at, before: int) -> int:
    """Hyphenated line-ends in a row once `line` is set, `before` of them right before it."""
    return before + 1 if _ends_hyphenated(line, resume_at) else 0


def _ahead(context, linebox, line, bottom_space, resume_at, args, hyphenate: bool):
    """((the line after `line`, where it resumes), its entry for WeasyPrint's next call or None), found by laying
    that line out ahead (`hyphenate`: whether it may end hyphenated). What laying out a line may change in the
    context (the floats beside it) is put back after it; only a line that changed none of it is kept for the next
    call, which asks for that very line. (A line could also record a running element, position: running(), which
    no stylesheet of the tool uses.)"""
    position_y = line.position_y + line.height
    indent, linebox.text_indent = linebox.text_indent, 0  # as WeasyPrint sets it for every line after the first
    try:
        laid, unchanged = _tentatively(hyphenate, context, linebox, position_y, bottom_space, resume_at, args[0],
                                       None, None)
    finally:
        linebox.text_indent = indent
    entry = ((id(linebox), repr(resume_at), position_y, bottom_space, hyphenate), laid) if unchanged else None
    return laid, entry


def _tentatively(hyphenate: bool, context, linebox, position_y, bottom_space, skip_stack, containing_block,
                 first_letter_style, first_line_style, narrower: float = 0.0):
    """(line, resume_at) laid out with the context put back after it, and whether it changed nothing there."""
    shapes, broken = list(context.excluded_shapes), dict(context.broken_out_of_flow)
    absolutes, fixed = [], []
    try:
        laid = _line(hyphenate, context, linebox, position_y, bottom_space, skip_stack, containing_block,
                     absolutes, fixed, first_letter_style, first_line_style, narrower=narrower)
    finally:
        unchanged = shapes == context.excluded_shapes and broken == context.broken_out_of_flow
        context.excluded_shapes, context.broken_out_of_flow = shapes, broken
    return laid, unchanged and not absolutes and not fixed


def _evened(context, linebox, laid, after, before: int, where, args):
    """(line, resume_at, the line after it ahead): `laid`, or, where the line after it would be loose and is not
    the paragraph's last, the same line laid out narrower so that its last word (or part of it) goes down, when
    that leaves the looser of the two lines less loose than the line after was: greedy line breaking's worst
    lines, evened out over two."""
    line, resume_at = laid
    position_y, bottom_space, skip_stack = where
    if after is None:
        after = _ahead(context, linebox, line, bottom_space, resume_at, args, _hyphens_after(*laid, before) < 2)
    next_line, next_resume = after[0]
    if next_line is None or next_resume is None or spreads.stretch(next_line) <= LOOSE_SPACE_EM or args[3] is not None:
        return line, resume_at, after
    may_hyphenate = before < 2 and not _ends_recto(context, line, bottom_space)
    shorter, unchanged = _tentatively(may_hyphenate, context, linebox, position_y, bottom_space, skip_stack,
                                      args[0], *args[3:5], narrower=spreads.slack(line) + NARROWER_PX)
    if not unchanged or shorter[0] is None or shorter[1] is None or repr(shorter[1]) == repr(resume_at):
        return line, resume_at, after
    shorter_after = _ahead(context, linebox, shorter[0], bottom_space, shorter[1], args,
                           _hyphens_after(*shorter, before) < 2)
    following, following_resume = shorter_after[0]
    if following is None or following_resume is None or \
            max(spreads.stretch(shorter[0]), spreads.stretch(following)) >= spreads.stretch(next_line):
        return line, resume_at, after
    return *shorter, shorter_after


def _avoid_collisions(context, box, containing_block, outer=True):
    """WeasyPrint's room for a line; narrower by `_layout.narrow` for the first call of a line laid out narrower
    (where its words are placed; the later calls, where it is justified, get the full measure)."""
    position_x, position_y, width = _originals["avoid_collisions"](context, box, containing_block, outer)
    narrow, _layout.narrow = _layout.narrow, None
    return position_x, position_y, width - narrow if narrow else width


def _ends_recto(context, line, bottom_space) -> bool:
    """Whether `line` is the last that fits on a right-hand page: a word broken there is finished overleaf, after
    the page turn. (The page's own widows and orphans rules may still move the line.)"""
    page = getattr(context, "current_page", None)
    bottom = getattr(context, "page_bottom", None)
    return bool(page and bottom is not None and page % 2 == 1
                and context.overflows_page(bottom_space, line.position_y + 2 * line.height))


def _too_loose(whole, hyphenated) -> bool:
    """Whether keeping the word whole leaves a line whose spaces must stretch too far (by more than about
    0.9 characters each, as characters count): a stub is the lesser fault then."""
    if whole is None:
        return True
    text = line_text(whole).rstrip()
    spaces = text.count(" ")
    return spaces == 0 or (len(line_text(hyphenated).rstrip()) - len(text)) / spaces > STRETCH_PER_SPACE


def _ends_hyphenated(line, resume_at) -> bool:
    return line is not None and resume_at is not None and line_text(line).rstrip().endswith(HYPHENS)


def _target_page_counters(collector, anchor_name, page_counter_values, page_maker_index, page_maker):
    folio = _layout.folios.get(anchor_name) if _layout.folios else None
    if folio is not None:
        page_counter_values = {**page_counter_values, "page": [*page_counter_values["page"][:-1], folio]}
    return _originals["target_page_counters"](collector, anchor_name, page_counter_values, page_maker_index,
                                              page_maker)


def _margin_boxes(context, page, state):
    later = _layout.margins
    if later is None:
        return _originals["margin_boxes"](context, page, state)
    later.context = context
    later.pages.append((page, state))
    return []


def _remake_page(index, context, root_box, html):
    """WeasyPrint's page maker; with balancing on, a left-hand page is made with the right-hand page after it,
    which is held for the next call."""
    remake = _originals["remake_page"]
    held, _layout.held = _layout.held, None
    _layout.ahead = None  # a page's first line is never the one laid out ahead of the last page's last
    if _layout.seen is not None and _layout.leading is None:
        _layout.leading = _body_leading(root_box)
    if _layout.caps is None or _layout.seen is None:
        return remake(index, context, root_box, html)
    if context.page_maker[index][1]["break"] != "any":  # a chapter opens: its own share of pages to make again
        _layout.caps.pages_made = _layout.caps.made_again = 0
    if held is not None and held[0] == index and held[1] is context.page_maker[index]:
        context.page_maker[index][-1].update(held[2])
        return held[3]
    caps = _layout.caps
    if context.page_maker[index][2] or context.reported_footnotes or context.broken_out_of_flow:
        caps.pages_made += 1
        return remake(index, context, root_box, html)  # a right-hand page, or one that carries things over
    made: set[int] = set()

    def again(number: int) -> spreads.Made:
        context.page_maker[number][-1].update(content_changed=False, pages_wanted=False, anchors=[],
                                              content_lookups=[])  # as WeasyPrint's make_all_pages does
        if number in made:
            caps.made_again += 1
        else:
            made.add(number)
            caps.pages_made += 1
        return spreads.Made(number, *remake(number, context, root_box, html))

    verso, recto = spreads.balanced(context, caps, again, index, again(index))
    if recto is not None:
        entry = context.page_maker[index + 1]
        _layout.held = (index + 1, entry, dict(entry[-1]), (recto.page, recto.resume_at))
        entry[-1]["content_changed"] = True  # so that WeasyPrint asks for it, and gets the page held
    return verso.page, verso.resume_at


def _body_leading(root_box) -> float:
    from weasyprint.text.line_break import strut

    body = next((child for child in root_box.children if child.element_tag == "body"), root_box)
    return strut(body.style)[0]


def _page_height(box, context, containing_block_height):
    """WeasyPrint's page height, less what is left over below the last whole line of body text."""
    _originals["page_height"](box, context, containing_block_height)
    leading = _layout.leading
    if leading and box.height != "auto":
        left_over = box.height % leading
        if 0.01 < left_over < leading - 0.01:
            box.height -= left_over
            box.margin_bottom += left_over


def _page_flow_layout(context, box, bottom_space, *args, **kwargs):
    """The layout of a page's flow, which ends higher on a page run short."""
    if _layout.caps is not None and box.element_tag == "html":
        bottom_space = _layout.caps.bottom_space(context, bottom_space)
    return _originals["block_level_layout"](context, box, bottom_space, *args, **kwargs)


class _Dictionaries:
    """pyphen as WeasyPrint's line breaker sees it: no language to hyphenate in while a line may not hyphenate."""

    def __init__(self, pyphen) -> None:
        self._pyphen = pyphen

    def __getattr__(self, name: str):
        return getattr(self._pyphen, name)

    def language_fallback(self, language: str):
        return self._pyphen.language_fallback(language) if _layout.hyphenate else None
