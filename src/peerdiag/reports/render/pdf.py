"""The written feedback report as a PDF: the same outline as the Word report (text.outline).

Fonts: the PDF's built-in Helvetica, so nothing is embedded and nothing depends on fonts the
machine happens to have. Its text is written in the Windows-1252 ("WinAnsi") encoding, which
holds the typographic characters our text uses: curly quotes and apostrophes, en and em dashes,
the ellipsis, bullets, £ and €, and accented Latin letters. Any other character is simplified
before writing (`printable`): an accented letter loses its accent, a few look-alikes (minus,
non-breaking hyphen, thin spaces) become their plain forms, and anything left becomes "?".
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .model import Feedback, Item
from .text import DRAFT, Outline, Section, outline

ENCODING = "cp1252"
FONT = "helvetica"
LINE = 5.5  # mm per line of body text
INDENT = 7.0  # mm, a list's hanging indent

_PLAIN = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2212": "-",  # minus
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero-width space
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u2264": "<=",
    "\u2265": ">=",
    "\u0141": "L",  # letters NFKD leaves whole
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
}


@lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    try:
        ch.encode(ENCODING)
        return ch
    except UnicodeEncodeError:
        pass
    if ch in _PLAIN:
        return _PLAIN[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        base.encode(ENCODING)
        return base or "?"
    except UnicodeEncodeError:
        return "?"


def printable(text: str) -> str:
    """`text` in characters the built-in fonts can show (see the module's docstring)."""
    try:
        text.encode(ENCODING)
        return text
    except UnicodeEncodeError:
        return "".join(_char(ch) for ch in text)


class _Report(FPDF):
    def __init__(self, plan: Outline) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.plan = plan
        self.core_fonts_encoding = ENCODING
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(printable(plan.title))
        self.set_author("Local Government Association")
        self.set_creator("peerdiag")
        self.set_lang("en-GB")

    def header(self) -> None:
        if self.plan.draft:
            self.set_font(FONT, "B", 9)
            self.set_y(8)
            self.cell(0, 5, f"{DRAFT}: not for circulation", align="R")
            self.set_y(20)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font(FONT, "", 9)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def para(self, text: str, *, size: float = 11, style: str = "", indent: float = 0) -> None:
        self.set_font(FONT, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, LINE * size / 11, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def listed(self, label: str, text: str, *, indent: float = 0) -> None:
        self.set_font(FONT, "", 11)
        if self.will_page_break(LINE):
            self.add_page()
        self.set_x(self.l_margin + indent)
        self.cell(INDENT, LINE, label)
        self.multi_cell(0, LINE, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str) -> None:
        if self.will_page_break(30):
            self.add_page()
        else:
            self.ln(4)
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 9, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def item(self, number: int, item: Item) -> None:
        self.listed(f"{number}.", item.text)
        if item.kloe:
            self.para(item.kloe, size=10, style="I", indent=INDENT)
        for quote in item.quotes:
            self.para(quote, size=10, indent=2 * INDENT)
        self.ln(1.5)

    def section(self, section: Section) -> None:
        self.heading(section.heading)
        for text in section.text:
            self.para(text)
            self.ln(2)
        for line in section.bullets:
            self.listed("\u2022", line)
        for number, item in enumerate(section.items, start=1):
            self.item(number, item)

    def cover(self) -> None:
        self.add_page()
        self.set_y(60)
        self.set_font(FONT, "B", 26)
        self.multi_cell(0, 12, printable(self.plan.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.set_font(FONT, "", 16)
        self.cell(0, 9, "Written feedback", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)
        for line in self.plan.cover:
            self.para(line, size=12)


def build_report_pdf(fb: Feedback) -> bytes:
    """The written report for `fb` as a PDF: a cover page, then the report's sections in order
    with numbered findings and recommendations, and the team. Drafts say so on every page."""
    plan = outline(fb)
    pdf = _Report(plan)
    pdf.set_subject(printable(f"{fb.council} {fb.reference}".strip()))
    pdf.cover()
    pdf.add_page()
    for n, section in enumerate(plan.sections):
        if n:
            pdf.ln(2)
        pdf.section(section)
    return bytes(pdf.output())
