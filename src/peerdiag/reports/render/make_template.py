"""Regenerate a plain starting template for the feedback presentation.

    python -m peerdiag.reports.render.make_template OUT.pptx

Starts from python-pptx's own default template and turns it into the one the builder expects:
16:9 slides, a plain palette (dark blue title bar, Arial), and four layouts named "Title",
"Bullets", "Text" and "Closing" (the others are removed). Every colour, font and position lives
in the file this writes, never in the builder: a designer restyles the result in PowerPoint
(see docs/reports-template.md). The committed templates/feedback.pptx was made with this script.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import SlideLayout
from pptx.util import Emu, Inches

from .pptx import BULLETS, CLOSING, TEXT, TITLE

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 16:9, 13.33 x 7.5 inches
BAR = Inches(1.2)  # the title bar's height
MARGIN = Inches(0.6)

# The palette: dark blue for the title bar and headings, a teal accent, Arial throughout.
PALETTE = {"dk2": "0B2A4A", "lt2": "EEF2F6", "accent1": "00758F", "accent2": "4A7BA7"}
FONT = "Arial"


def _scheme(colour: str, *, tag: str = "schemeClr") -> etree._Element:
    fill = etree.Element(qn("a:solidFill"))
    etree.SubElement(fill, qn(f"a:{tag}"), val=colour)
    return fill


def _set_fill(def_rpr: etree._Element, colour: str) -> None:
    for old in def_rpr.findall(qn("a:solidFill")):
        def_rpr.remove(old)
    def_rpr.insert(0, _scheme(colour))


def _theme(prs: Deck) -> None:
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    scheme = root.find(f".//{qn('a:clrScheme')}")
    assert scheme is not None
    scheme.set("name", "Peer diagnostic")
    for name, rgb in PALETTE.items():
        slot = scheme.find(qn(f"a:{name}"))
        assert slot is not None
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, qn("a:srgbClr"), val=rgb)
    fonts = root.find(f".//{qn('a:fontScheme')}")
    assert fonts is not None
    fonts.set("name", "Peer diagnostic")
    for which in ("a:majorFont", "a:minorFont"):
        latin = fonts.find(f"{qn(which)}/{qn('a:latin')}")
        assert latin is not None
        latin.set("typeface", FONT)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rescale(element: etree._Element, factor: float) -> None:
    """Stretch every shape horizontally: the default template is 4:3, ours is 16:9."""
    for off in element.iter(qn("a:off")):
        off.set("x", str(round(int(off.get("x")) * factor)))
    for ext in element.iter(qn("a:ext")):
        if ext.get("cx") is not None:
            ext.set("cx", str(round(int(ext.get("cx")) * factor)))


def _place(shape: object, left: int, top: int, width: int, height: int) -> None:
    shape.left, shape.top, shape.width, shape.height = left, top, width, height  # type: ignore[attr-defined]


def _master(prs: Deck) -> None:
    master = prs.slide_master
    el = master._element
    styles = el.find(qn("p:txStyles"))
    assert styles is not None
    # Titles: white, bold, left-aligned, on the bar.
    title = styles.find(f"{qn('p:titleStyle')}/{qn('a:lvl1pPr')}")
    assert title is not None
    title.set("algn", "l")
    rpr = title.find(qn("a:defRPr"))
    assert rpr is not None
    rpr.set("sz", "2800")
    rpr.set("b", "1")
    _set_fill(rpr, "bg1")
    # Body levels: 1 the item, 2 its line of enquiry (italic, blue), 3 a quote.
    body = styles.find(qn("p:bodyStyle"))
    assert body is not None
    for level, size, italic, colour in (
        (1, 2000, False, "tx1"),
        (2, 1600, True, "tx2"),
        (3, 1500, False, "tx1"),
        (4, 1400, False, "tx1"),
        (5, 1400, False, "tx1"),
    ):
        ppr = body.find(qn(f"a:lvl{level}pPr"))
        assert ppr is not None
        spc = ppr.find(f"{qn('a:spcBef')}/{qn('a:spcPct')}")
        if spc is not None:
            spc.set("val", "30000" if level == 1 else "10000")
        rpr = ppr.find(qn("a:defRPr"))
        assert rpr is not None
        rpr.set("sz", str(size))
        if italic:
            rpr.set("i", "1")
        _set_fill(rpr, colour)
    # The title bar: a rectangle behind the placeholders, filled with the theme's dark blue.
    tree = master.shapes._spTree
    bar = parse_xml(
        f'<p:sp xmlns:p="{el.nsmap["p"]}" xmlns:a="{el.nsmap["a"]}">'
        '<p:nvSpPr><p:cNvPr id="100" name="Title bar"/><p:cNvSpPr/><p:nvPr userDrawn="1"/>'
        "</p:nvSpPr><p:spPr>"
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{WIDTH}" cy="{BAR}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        '<a:solidFill><a:schemeClr val="tx2"/></a:solidFill><a:ln><a:noFill/></a:ln>'
        '</p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-GB"/></a:p>'
        "</p:txBody></p:sp>"
    )
    tree.insert(2, bar)
    for ph in master.placeholders:
        kind = ph.placeholder_format.type
        if kind is not None and kind.name == "TITLE":
            _place(ph, MARGIN, Inches(0.15), WIDTH - 2 * MARGIN, BAR - Inches(0.3))
        elif kind is not None and kind.name == "BODY":
            _place(ph, MARGIN, BAR + Inches(0.35), WIDTH - 2 * MARGIN, Inches(5.0))


def _clear(ph: object) -> None:
    """Drop a layout placeholder's own position and text style, so it follows the master."""
    el = ph._element  # type: ignore[attr-defined]
    xfrm = el.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")
    if xfrm is not None:
        xfrm.getparent().remove(xfrm)
    lst = el.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}")
    if lst is not None:
        for child in list(lst):
            lst.remove(child)
    body_pr = el.find(f"{qn('p:txBody')}/{qn('a:bodyPr')}")
    if body_pr is not None:
        for name in list(body_pr.attrib):
            del body_pr.attrib[name]


def _lst(ph: object, xml: str) -> None:
    el = ph._element  # type: ignore[attr-defined]
    lst = el.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}")
    assert lst is not None
    fresh = parse_xml(f'<a:lstStyle xmlns:a="{el.nsmap["a"]}">{xml}</a:lstStyle>')
    for child in list(lst):
        lst.remove(child)
    for child in fresh:
        lst.append(copy.deepcopy(child))


def _ph(layout: SlideLayout, idx: int) -> object:
    shapes: Any = layout.placeholders  # (python-pptx's typing trips mypy here)
    for ph in shapes:
        if ph.placeholder_format.idx == idx:
            return ph
    raise LookupError(f"{layout.name} has no placeholder {idx}")


def _rename(layout: SlideLayout, name: str) -> None:
    layout._element.cSld.set("name", name)


def _layouts(prs: Deck) -> None:
    layouts = prs.slide_layouts
    by_name = {layout.name: layout for layout in layouts}
    title = by_name["Title Slide"]
    bullets = by_name["Title and Content"]
    text = by_name["Section Header"]
    closing = by_name["Content with Caption"]
    for layout in list(layouts):
        if layout not in (title, bullets, text, closing):
            layouts.remove(layout)

    # Title: the whole slide dark blue, no bar, white text.
    _rename(title, TITLE)
    title._element.set("showMasterSp", "0")
    title.background.fill.solid()
    title.background.fill.fore_color.theme_color = MSO_THEME_COLOR.TEXT_2
    _place(_ph(title, 0), MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(1.8))
    _lst(_ph(title, 0), '<a:lvl1pPr algn="l"><a:defRPr sz="4000" b="1"/></a:lvl1pPr>')
    _place(_ph(title, 1), MARGIN, Inches(3.6), WIDTH - 2 * MARGIN, Inches(2.6))
    _lst(
        _ph(title, 1),
        '<a:lvl1pPr marL="0" indent="0" algn="l"><a:buNone/><a:defRPr sz="2000">'
        '<a:solidFill><a:schemeClr val="bg1"/></a:solidFill></a:defRPr></a:lvl1pPr>',
    )

    # Bullets: the master's title bar and body, unchanged.
    _rename(bullets, BULLETS)
    shapes: Any = bullets.placeholders
    for ph in shapes:
        if ph.placeholder_format.idx in (0, 1):
            _clear(ph)

    # Text: paragraphs without bullets under the bar.
    _rename(text, TEXT)
    _clear(_ph(text, 0))
    body = _ph(text, 1)
    _clear(body)
    _place(body, MARGIN, BAR + Inches(0.35), WIDTH - 2 * MARGIN, Inches(5.0))
    _lst(
        body,
        '<a:lvl1pPr marL="0" indent="0"><a:spcBef><a:spcPts val="1200"/></a:spcBef>'
        '<a:buNone/><a:defRPr sz="2000"/></a:lvl1pPr>',
    )

    # Closing: the team on the right, a caption on the left, title on the bar.
    _rename(closing, CLOSING)
    _clear(_ph(closing, 0))
    team = _ph(closing, 1)
    _clear(team)
    _place(team, Inches(4.6), BAR + Inches(0.35), WIDTH - Inches(4.6) - MARGIN, Inches(5.0))
    _lst(team, '<a:lvl1pPr><a:defRPr sz="1800"/></a:lvl1pPr>')
    caption = _ph(closing, 2)
    _place(caption, MARGIN, BAR + Inches(0.35), Inches(3.7), Inches(5.0))
    _lst(
        caption,
        '<a:lvl1pPr marL="0" indent="0"><a:buNone/><a:defRPr sz="1600">'
        '<a:solidFill><a:schemeClr val="tx2"/></a:solidFill></a:defRPr></a:lvl1pPr>',
    )


def build_template() -> bytes:
    """The plain starting template, as the bytes of a .pptx file."""
    import io

    prs = Presentation()
    factor = WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _rescale(prs.slide_master._element, factor)
    for layout in prs.slide_layouts:
        _rescale(layout._element, factor)
    _theme(prs)
    _master(prs)
    _layouts(prs)
    prs.core_properties.title = "Peer diagnostic feedback"
    prs.core_properties.author = "Local Government Association"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m peerdiag.reports.render.make_template OUT.pptx", file=sys.stderr)
        return 2
    Path(args[0]).write_bytes(build_template())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
