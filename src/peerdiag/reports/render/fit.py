"""How much room text takes in a slide's text box, measured from the font's character widths.

PowerPoint does not report whether text overflows its box, so the builder measures before it
places: each paragraph is wrapped word by word at the box's width (less the insets and the
paragraph's left margin), at the size its list level has in the template, and the lines and the
space before each paragraph are added up. The widths are Helvetica's, which Arial (the
template's font) matches character for character; a character outside that table counts as a
wide one, so text in other scripts is over- rather than under-estimated.

Sizes, margins and spacing are read from the template: the layout's placeholder list style,
then the master's placeholder, then the master's body text style, as PowerPoint inherits them.
Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from fpdf.fonts import CORE_FONTS_CHARWIDTHS
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu

LINE_HEIGHT = 1.2  # a line of Arial, as a multiple of its size (ascent plus descent, rounded up)
WIDE = 0.72  # the width, in ems, counted for a character missing from the table
EMU_PER_PT = 12700
DEFAULT_SIZE_PT = 18.0
# PowerPoint's defaults when a text box does not give its insets.
DEFAULT_INSETS = {"lIns": 91440, "rIns": 91440, "tIns": 45720, "bIns": 45720}


@dataclass(frozen=True)
class Level:
    """How a paragraph of one list level is set: points, and a bold flag."""

    size: float
    margin: float  # left margin, where wrapped lines start
    space_before: float  # fixed points before the paragraph...
    space_before_lines: float  # ...or a fraction of its line height
    bold: bool = False

    def line(self, scale: float = 1.0) -> float:
        return self.size * scale * LINE_HEIGHT


@dataclass(frozen=True)
class Box:
    """A text box's usable width and height in points, and its list levels."""

    width: float
    height: float
    levels: tuple[Level, ...]

    def level(self, n: int) -> Level:
        return self.levels[min(n, len(self.levels) - 1)]


@cache
def _widths(bold: bool) -> dict[str, int]:
    return dict(CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"])


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of `text` in points at `size` points."""
    widths = _widths(bold)
    units = sum(widths.get(ch, WIDE * 1000) for ch in text)
    return units * size / 1000


def wrapped_lines(text: str, width: float, size: float, *, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped at word boundaries in `width` points.

    A word longer than a whole line is broken across lines, as PowerPoint does.
    """
    if width <= 0:
        return max(1, len(text))
    space = text_width(" ", size, bold=bold)
    lines, used = 1, 0.0
    for word in text.split() or [""]:
        w = text_width(word, size, bold=bold)
        need = w if used == 0 else used + space + w
        if need <= width:
            used = need
            continue
        if used > 0:
            lines += 1
        while w > width:  # a word wider than the box breaks where it reaches the edge
            lines += 1
            w -= width
        used = w
    return lines


def height(box: Box, paragraphs: list[tuple[str, int]], scale: float = 1.0) -> float:
    """The height in points that `paragraphs` ((text, level) pairs) take in `box`, with every
    size multiplied by `scale` (PowerPoint's shrink-text-on-overflow)."""
    total = 0.0
    for n, (text, level_no) in enumerate(paragraphs):
        level = box.level(level_no)
        size = level.size * scale
        lines = wrapped_lines(text, box.width - level.margin, size, bold=level.bold)
        if n:
            # Space given in points does not shrink with the text; space in lines does.
            total += level.space_before + level.space_before_lines * level.line(scale)
        total += lines * level.line(scale)
    return total


def fits(box: Box, paragraphs: list[tuple[str, int]], scale: float = 1.0) -> bool:
    return height(box, paragraphs, scale) <= box.height


# Text is shrunk no further than this (20 pt becomes 12 pt): beyond it, it is split instead.
MIN_SCALE = 0.6


def scale_to_fit(box: Box, paragraphs: list[tuple[str, int]]) -> float:
    """1.0 when the text fits; otherwise the largest of 0.95, 0.90 ... MIN_SCALE at which it
    does (MIN_SCALE if none: the builder splits such text first, see `split_to_fit`)."""
    scale = 1.0
    while scale > MIN_SCALE and not fits(box, paragraphs, scale):
        scale = round(scale - 0.05, 2)
    return scale


def split_to_fit(box: Box, lines: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """`lines` (one finding: its text and the lines under it) as one or more groups, each of
    which fits `box` at MIN_SCALE. A group that fits is returned whole; otherwise its long lines
    are broken between words into pieces that fit, in order, nothing left out."""
    if fits(box, lines, MIN_SCALE):
        return [lines]
    pieces: list[tuple[str, int]] = []
    for text, level in lines:
        words = text.split()
        while words:
            # The most words that fit alone, found by halving (at least one word).
            low, high = 1, len(words)
            while low < high:
                mid = (low + high + 1) // 2
                if fits(box, [(" ".join(words[:mid]), level)], MIN_SCALE):
                    low = mid
                else:
                    high = mid - 1
            pieces.append((" ".join(words[:low]), level))
            words = words[low:]
        if not text.split():
            pieces.append((text, level))
    groups: list[list[tuple[str, int]]] = [[]]
    for piece in pieces:
        if groups[-1] and not fits(box, [*groups[-1], piece], MIN_SCALE):
            groups.append([])
        groups[-1].append(piece)
    return groups


# Reading the template ------------------------------------------------------------------------


def _pt(emu: int | str | None) -> float:
    return int(emu or 0) / EMU_PER_PT


def _lvl(lst: Any, n: int) -> Any:
    if lst is None:
        return None
    return lst.find(qn(f"a:lvl{n + 1}pPr"))


def _first(found: list[Any], read: Any) -> Any:
    for el in found:
        if el is None:
            continue
        value = read(el)
        if value is not None:
            return value
    return None


def _level(sources: list[Any], n: int) -> Level:
    found = [_lvl(lst, n) for lst in sources]

    def size(el: Any) -> float | None:
        rpr = el.find(qn("a:defRPr"))
        return int(rpr.get("sz")) / 100 if rpr is not None and rpr.get("sz") else None

    def bold(el: Any) -> bool | None:
        rpr = el.find(qn("a:defRPr"))
        return rpr.get("b") in ("1", "true") if rpr is not None and rpr.get("b") else None

    def margin(el: Any) -> float | None:
        return _pt(el.get("marL")) if el.get("marL") is not None else None

    def before(el: Any) -> tuple[float, float] | None:
        spc = el.find(qn("a:spcBef"))
        if spc is None:
            return None
        pts = spc.find(qn("a:spcPts"))
        if pts is not None:
            return int(pts.get("val", "0")) / 100, 0.0
        pct = spc.find(qn("a:spcPct"))
        if pct is not None:
            return 0.0, int(pct.get("val", "0")) / 100000
        return None

    space = _first(found, before) or (0.0, 0.0)
    return Level(
        size=_first(found, size) or DEFAULT_SIZE_PT,
        margin=_first(found, margin) or 0.0,
        space_before=space[0],
        space_before_lines=space[1],
        bold=bool(_first(found, bold)),
    )


def box_of(layout: Any, idx: int) -> Box:
    """The text box of the layout's placeholder `idx`, as a slide made from it has it."""
    placeholder = next(p for p in layout.placeholders if p.placeholder_format.idx == idx)
    master = layout.slide_master
    master_ph = None
    ph_type = placeholder.placeholder_format.type
    for p in master.placeholders:
        if p.placeholder_format.type == ph_type:
            master_ph = p
            break
    sources: list[Any] = []
    for shape in (placeholder, master_ph):
        body = shape._element.find(qn("p:txBody")) if shape is not None else None
        sources.append(body.find(qn("a:lstStyle")) if body is not None else None)
    styles = master._element.find(qn("p:txStyles"))
    is_title = ph_type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
    style = "p:titleStyle" if is_title else "p:bodyStyle"
    sources.append(styles.find(qn(style)) if styles is not None else None)
    insets = dict(DEFAULT_INSETS)
    for shape in (master_ph, placeholder):
        body = shape._element.find(qn("p:txBody")) if shape is not None else None
        props = body.find(qn("a:bodyPr")) if body is not None else None
        if props is not None:
            for key in insets:
                if props.get(key) is not None:
                    insets[key] = int(props.get(key))
    width = placeholder.width if placeholder.width is not None else Emu(0)
    tall = placeholder.height if placeholder.height is not None else Emu(0)
    return Box(
        width=_pt(width) - _pt(insets["lIns"]) - _pt(insets["rIns"]),
        height=_pt(tall) - _pt(insets["tIns"]) - _pt(insets["bIns"]),
        levels=tuple(_level(sources, n) for n in range(5)),
    )
