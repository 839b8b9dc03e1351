"""Facing pages of one depth, made as a compositor makes them. Where a left-hand page and the right-hand page after
it end at different depths and neither ends a chapter (widow and orphan rules took a line off one, or a heading
moved one off the other's line grid):
- both are run short to the deepest depth where both can end with no widow, orphan or heading left at the foot,
  found from the lines as laid out, and laid out again (what a page gives up opens the next page);
- a difference of less than a line is made up on the page that has a gap in it (before its last heading, scene
  break, quotation or other block with space above it): what follows the gap moves down. Leading never changes;
- where no such depth exists, a paragraph of the shorter page is set a line longer (TeX's looseness: its words
  in a room a little narrower), so that what follows moves a line on; a second one where that brings the two
  closer.
If that does not balance the pair (the line maker may break the new last lines otherwise), it is laid out as it
first was. Laying pages out again is held to a share of each chapter's pages (`BUDGET`). hooks.py calls
`balanced` while WeasyPrint lays out a left-hand page, and holds the right-hand page for WeasyPrint's next call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOLERANCE = 1.5  # CSS px (about 1.1 pt): depths this close are the same
BUDGET, BUDGET_START = 0.5, 8  # pages laid out again, at most, per page of the chapter (plus a few)


@dataclass
class Caps:
    """How low each page's text may end (CSS px from the page's top), by page number, for pages run short."""

    bottoms: dict[int, float] = field(default_factory=dict)
    looser: dict[object, float] = field(default_factory=dict)  # paragraph element -> CSS px off each line's room
    pages_made: int = 0  # by WeasyPrint, in this chapter (so that a book laid out whole or in parts is the same)
    made_again: int = 0  # to balance spreads

    def may_try(self, pages: int) -> bool:
        """Whether laying out `pages` pages again keeps within the time balancing may take."""
        return self.made_again + pages <= BUDGET * self.pages_made + BUDGET_START

    def bottom_space(self, context, bottom_space: float) -> float:
        bottom = self.bottoms.get(context.current_page)
        return bottom_space if bottom is None else max(bottom_space, context.page_bottom - bottom)


@dataclass
class Made:
    """A page WeasyPrint made: its index in the document, its box, and where the next page resumes."""

    index: int
    page: object
    resume_at: object


def balanced(context, caps: Caps, remake, index: int, verso: Made) -> tuple[Made, Made | None]:
    """The left-hand page at `index` (just made) and the right-hand page after it (None when the pair is not
    one to balance), balanced where that can be done. `remake(index)` lays a page out again."""
    if not _may_balance(context, verso):
        return verso, None
    recto = remake(index + 1)
    if not _may_balance(context, recto) or _even(verso, recto):
        return verso, recto
    short = _short_pair(verso, recto)
    if short is not None and caps.may_try(2):  # this try (putting the pages back, if it fails, is two more)
        return _run_short(context, caps, remake, index, verso, short)
    if short is None and caps.may_try(2):
        return _run_long(context, caps, remake, index, verso, recto)
    return verso, recto


def _run_short(context, caps: Caps, remake, index: int, verso: Made, short) -> tuple[Made, Made]:
    """The two pages laid out again to end at `short`'s bottoms; as they were if that does not balance them."""
    natural = caps.bottoms.get(index + 1), caps.bottoms.get(index + 2)
    if short[0] is not None:
        caps.bottoms[index + 1] = short[0] + TOLERANCE
        verso = remake(index)
    caps.bottoms[index + 2] = short[1] + TOLERANCE
    recto = remake(index + 1)
    if _may_balance(context, verso) and _may_balance(context, recto) and _even(verso, recto):
        return verso, recto
    _set(caps.bottoms, index + 1, natural[0]), _set(caps.bottoms, index + 2, natural[1])
    if short[0] is not None:
        verso = remake(index)
    return verso, remake(index + 1)


def _run_long(context, caps: Caps, remake, index: int, verso: Made, recto: Made) -> tuple[Made, Made]:
    """The two pages laid out again with a paragraph of the shorter one (else of the other) set a line longer
    (TeX's looseness), its lines' words in a room a little narrower, so that what follows it moves a line on,
    then run short where that balances them; a second paragraph too where one brings the pages closer but not to
    one depth; as they were if that does not balance them."""
    lengthened, tried = [], set()
    for _ in range(LENGTHENED):
        gap = abs(depth(verso.page) - depth(recto.page))
        shorter, longer = (verso, recto) if depth(verso.page) < depth(recto.page) else (recto, verso)
        found = _paragraph_to_lengthen(shorter.page, tried) or _paragraph_to_lengthen(longer.page, tried)
        if found is None or not caps.may_try(2):
            break
        tried.add(found[0])
        caps.looser[found[0]] = found[1]
        verso, recto = remake(index), remake(index + 1)
        if not (_may_balance(context, verso) and _may_balance(context, recto)):
            lengthened.append(found[0])
            break
        if _stretched(found[0], verso, recto) > LENGTHENED_STRETCH_EM:  # a line of it left loose: not that one
            del caps.looser[found[0]]
            continue
        if _even(verso, recto):
            return verso, recto
        short = _short_pair(verso, recto)
        if short is not None and caps.may_try(2):  # a line longer, and both pages run short
            verso, recto = _run_short(context, caps, remake, index, verso, short)
            if _even(verso, recto):
                return verso, recto
        if abs(depth(verso.page) - depth(recto.page)) < gap - TOLERANCE:
            lengthened.append(found[0])
        else:
            del caps.looser[found[0]]
    for element in lengthened:
        del caps.looser[element]
    return remake(index), remake(index + 1)


def _stretched(element, *made: Made) -> float:
    """How far the spaces of the paragraph's loosest line on these pages stretch, in ems."""
    return max((stretch(line) for page in made for block, lines in _blocks(page.page.children[0])
                if block.element is element for line in lines), default=0.0)


def _paragraph_to_lengthen(page, tried: set) -> tuple[object, float] | None:
    """(element, CSS px) for the paragraph on the page that takes a line more with the least narrowing of its
    lines: past the room they leave at their ends already, a share of what its last line leaves (with some to
    spare; half of LENGTHEN_EM for one that goes on overleaf, whose last line is not known), of those not
    `tried`; None when no paragraph of at least LENGTHEN_LINES lines on the page needs less than LENGTHEN_EM a
    line sent down."""
    best = None
    for block, lines in _blocks(page.children[0]):
        style = block.style
        if style["text_align_all"] != "justify" or len(lines) < LENGTHEN_LINES or block.element in tried:
            continue
        if block.element_tag not in ("p", "li", "dd", "blockquote"):
            continue
        last = lines[-1]
        if last.width >= block.width - 0.5:  # it goes on overleaf: how much its last line leaves is not known
            sent = LENGTHEN_EM * style["font_size"] / 2
        else:
            sent = (block.width - last.width) / (len(lines) - 1) * LENGTHEN_SPARE + NARROWER_SLACK_PX
        narrower = sent + sum(slack(line) for line in lines[:-1]) / (len(lines) - 1)
        if sent <= LENGTHEN_EM * style["font_size"] and (best is None or narrower < best[1]):
            best = (block.element, narrower)
    return best


def _set(bottoms: dict, page: int, bottom: float | None) -> None:
    if bottom is None:
        bottoms.pop(page, None)
    else:
        bottoms[page] = bottom


@dataclass(frozen=True)
class _Line:
    block: object  # its paragraph (or other block) element
    bottom: float  # CSS px from the page's top, where it was laid out
    height: float
    keep_with_next: bool  # a heading's line, or a line of a block not to be broken
    orphans: int
    widows: int
    full: bool  # justified to the measure: not a paragraph's last line


SHORTEST = 3  # lines the left page may give up, at most
LENGTHEN_LINES = 4  # a paragraph set a line longer has this many lines on the page, at least
LENGTHEN_EM = 1.5  # and each of them is set at most this much narrower
LENGTHEN_SPARE, NARROWER_SLACK_PX = 1.3, 1.0  # words go down whole: the room they need, and some more
LENGTHENED = 3  # paragraphs tried, to set a line longer on a spread, at most
LENGTHENED_STRETCH_EM = 0.9  # none whose lines' spaces then stretch further


def _short_pair(verso: Made, recto: Made) -> tuple[float | None, float] | None:
    """Where to end the two pages so that they end at one depth with no widow, orphan or heading left at a
    foot: (the left page's bottom, or None to leave it as it is; the right page's), read from the lines as they
    were laid out (a page run short passes its last lines to the next, whole). A pair ending at one depth comes
    first, then the deepest, then the closest; None when there is none."""
    left, right = _flow(verso.page), _flow(recto.page)
    if not left or not right:
        return None
    flow = left + right
    top = recto.page.children[0].content_box_y()
    # Less than a line apart will do where the shorter page has a gap to make the difference up at.
    pitch = line_height(verso.page)
    verso_near, recto_near = (pitch if _last_gap(made.page) else TOLERANCE for made in (verso, recto))
    best = None
    for kept in range(len(left), max(len(left) - SHORTEST, 1) - 1, -1):
        if kept < len(left) and not _may_break_after(flow, kept - 1, 0):
            continue
        verso_depth = left[kept - 1].bottom
        position = top
        for number in range(kept, len(flow) - 1):
            line = flow[number]
            if number == kept and kept < len(left):
                position += line.height  # the first line passed over opens the page
            elif number == len(left):
                position += line.bottom - top
            else:
                position += line.bottom - flow[number - 1].bottom
            if position >= verso_depth + verso_near:
                break
            if position > verso_depth - recto_near and _may_break_after(flow, number, kept):
                score = (abs(position - verso_depth) <= TOLERANCE, verso_depth, -abs(position - verso_depth))
                if best is None or score > best[0]:
                    best = (score, (None if kept == len(left) else verso_depth, position))
    return best[1] if best else None


def _last_gap(page) -> list | None:
    return _gap_path(page.children[0], page.children[0].content_box_y())


def _may_break_after(flow: list[_Line], number: int, page_start: int) -> bool:
    """Whether a page that opens with line `page_start` may end after line `number`: not after a heading, nor
    leaving fewer lines of a paragraph than its orphans before the break or its widows after it (the flow's last
    paragraph goes on beyond it if its last line is justified to the measure)."""
    line = flow[number]
    if line.keep_with_next:
        return False
    following = flow[number + 1] if number + 1 < len(flow) else None
    if following is None or following.block is not line.block:
        return True
    before = sum(1 for other in flow[page_start:number + 1] if other.block is line.block)
    after = sum(1 for other in flow[number + 1:] if other.block is line.block)
    continues = flow[-1].block is line.block and flow[-1].full
    return before >= line.orphans and (continues or after >= line.widows)


def _flow(page) -> list[_Line]:
    lines = []
    for block, block_lines in _blocks(page.children[0]):
        style = block.style
        keep = style["break_after"] == "avoid" or style["break_inside"] == "avoid" or (
            block.element_tag in ("h1", "h2", "h3", "h4", "h5", "h6"))
        justified = style["text_align_all"] == "justify"
        for line in block_lines:
            lines.append(_Line(block.element, line.position_y + line.height, line.height, keep,
                               style["orphans"], style["widows"], justified and line.width >= block.width - 0.5))
    return lines


def _blocks(root):
    """(block, its line boxes on the page) for each block on the page that holds lines, in order."""
    pending = [root]
    found = []
    while pending:
        box = pending.pop()
        children = getattr(box, "children", None) or ()
        lines = [child for child in children if type(child).__name__ == "LineBox"]
        if lines and box.element is not None:
            found.append((box, lines))
        pending.extend(reversed([child for child in children if type(child).__name__ != "LineBox"]))
    return found


def _even(verso: Made, recto: Made) -> bool:
    """Whether the two pages end at one depth, or less than a line apart with a gap on the shorter page to make
    that up (which is then made up)."""
    verso_depth, recto_depth = depth(verso.page), depth(recto.page)
    difference = abs(verso_depth - recto_depth)
    if difference <= TOLERANCE:
        return True
    short = verso if verso_depth < recto_depth else recto
    return difference < line_height(short.page) and spread_gap(short.page, difference)


def _may_balance(context, made: Made) -> bool:
    """Whether the page goes on to a next page of the same flow (no chapter ends on it), with nothing on it that
    laying it out again would lose: footnotes, or floats and notes carried over to the next page."""
    if made.resume_at is None or made.page.page_type.blank:
        return False
    next_page = context.page_maker[made.index + 1][1]
    if next_page["break"] != "any" or next_page["page"] != made.page.page_type.name:
        return False  # a break is forced after the page
    _, footnote_area, *_ = made.page.children
    return not footnote_area.children and not context.reported_footnotes and not context.broken_out_of_flow


def depth(page) -> float:
    """Where the page's last line of text ends (CSS px from the page's top)."""
    return max((line.position_y + line.height for line in _lines(page.children[0])), default=0.0)


def line_height(page) -> float:
    """The height of the page's last line."""
    lines = list(_lines(page.children[0]))
    return max(lines, key=lambda line: line.position_y).height if lines else 0.0


def stretch(line) -> float:
    """How far a justified line's spaces are stretched past their natural width, in ems of its text (0 for a line
    that is not justified; per CSS px for a line of 0 px type)."""
    return max(spacings(line), default=0.0) / (line.style["font_size"] or 1.0)


def slack(line) -> float:
    """The room left at the end of a line before it was justified, CSS px."""
    from weasyprint.layout.inline import count_expandable_spaces

    return max(spacings(line), default=0.0) * count_expandable_spaces(line)


def spacings(box):
    """The justification spacing of each box in `box`, itself included."""
    yield getattr(box, "justification_spacing", 0) or 0
    for child in getattr(box, "children", ()):
        yield from spacings(child)


def _lines(box):
    pending = [box]
    while pending:
        box = pending.pop()
        if type(box).__name__ == "LineBox":
            yield box
        else:
            pending.extend(getattr(box, "children", None) or ())


def spread_gap(page, difference: float) -> bool:
    """Move everything from the page's last block with space above it (not its first) down by `difference`;
    False when the page has no such block."""
    path = _last_gap(page)
    if path is None:
        return False
    *ancestors, gap = path
    for parent, child in zip(ancestors, [*ancestors[1:], gap]):
        position = next(number for number, sibling in enumerate(parent.children) if sibling is child)
        for sibling in parent.children[position + 1:]:
            sibling.translate(dy=difference)
        parent.height += difference
    gap.translate(dy=difference)
    return True


def _gap_path(root, top: float) -> list | None:
    """The path from `root` to the last in-flow block on the page that has a top margin and does not open the
    page."""
    found, path = None, [root]

    def visit(box) -> None:
        nonlocal found
        for child in getattr(box, "children", None) or ():
            if type(child).__name__ in ("LineBox", "AnonBlockBox") or not hasattr(child, "margin_top"):
                continue
            if not child.is_in_normal_flow():
                continue
            path.append(child)
            if child.margin_top and child.position_y > top + 1:
                found = list(path)
            visit(child)
            path.pop()

    visit(root)
    return found
