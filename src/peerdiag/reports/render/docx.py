"""The written feedback report, as the bytes of a .docx file.

Only Word's built-in styles are used (Title, Subtitle, Heading 1, List Number, List Bullet,
List Continue, Emphasis, Header, Footer), so the look comes from the document the report starts
from: python-docx's plain default, or a designer's .docx passed as `template` (its body is
emptied first; its styles and headers stay).

Whatever the starting document, the report is set for British readers: A4 paper, English (UK)
as the language of every style (so spell-check accepts British spelling), a page number in
every footer, a contents list after the cover (a Word field that Word fills in when the file is
opened; LibreOffice on a refresh), and document properties that say who wrote it and when.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as WordParagraph

from peerdiag.common import wordfiles

from .model import Feedback, Item
from .text import DRAFT, Outline, Section, outline

LIST_NUMBER = "List Number"


def _restart_numbering(doc: WordDocument) -> int | None:
    """A fresh numbering instance of the List Number style's list, counting from 1 again.

    Every paragraph in List Number shares one list, so the second numbered section would carry
    on from the first; paragraphs given the returned numId start a new count. None when the
    style has no list (a template may have changed that): the style's own numbering then holds.
    """
    style = doc.styles[LIST_NUMBER]
    ppr = style.element.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is None or num_pr.numId is None:
        return None
    numbering = doc.part.numbering_part.element
    num = numbering.num_having_numId(num_pr.numId.val)
    fresh = numbering.add_num(num.abstractNumId.val)
    fresh.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(fresh.numId)


def _number(para: WordParagraph, num_id: int | None) -> None:
    if num_id is None:
        return
    num_pr = para._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


class _Styles:
    """The styles used, looked up once (a lookup by name searches every style)."""

    def __init__(self, doc: WordDocument) -> None:
        self.number: Any = doc.styles[LIST_NUMBER]
        self.bullet: Any = doc.styles["List Bullet"]
        self.quote: Any = doc.styles["List Continue"]
        self.kloe: Any = doc.styles["Emphasis"]


def _item(doc: WordDocument, styles: _Styles, item: Item, num_id: int | None) -> None:
    para = doc.add_paragraph(item.text, style=styles.number)
    _number(para, num_id)
    if item.kloe:
        para.add_run().add_break(WD_BREAK.LINE)
        para.add_run(item.kloe, style=styles.kloe)
    for quote in item.quotes:
        doc.add_paragraph(quote, style=styles.quote)


def _section(doc: WordDocument, styles: _Styles, section: Section) -> None:
    doc.add_heading(section.heading, level=1)
    for text in section.text:
        doc.add_paragraph(text)
    for line in section.bullets:
        doc.add_paragraph(line, style=styles.bullet)
    if section.items:
        num_id = _restart_numbering(doc)
        for item in section.items:
            _item(doc, styles, item, num_id)


def _empty_body(doc: WordDocument) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _cover(doc: WordDocument, plan: Outline) -> None:
    doc.add_paragraph(plan.title, style="Title")
    doc.add_paragraph("Written feedback", style="Subtitle")
    for line in plan.cover:
        doc.add_paragraph(line)
    doc.add_page_break()


def _contents(doc: WordDocument) -> None:
    doc.add_paragraph("Contents", style="TOC Heading" if _has_style(doc, "TOC Heading") else None)
    wordfiles.field(
        doc.add_paragraph(),
        'TOC \\o "1-1" \\h \\z \\u',
        "The contents list appears when the document is opened in Word.",
    )
    doc.add_page_break()
    # Ask Word to fill in the fields (the contents) when it opens the file.
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def _has_style(doc: WordDocument, name: str) -> bool:
    return any(style.name == name for style in doc.styles)


def _draft_header(doc: WordDocument) -> None:
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        para = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        para.text = f"{DRAFT}: not for circulation"
        para.style = doc.styles["Header"]


def build_report(
    fb: Feedback, *, template: bytes | None = None, when: datetime | None = None
) -> bytes:
    """The written report for `fb`: a cover page, the report's sections in order with the
    findings and recommendations as numbered lists, and the team. With `fb.draft`, the title
    and every page's header say "Draft"."""
    doc: Any = Document(io.BytesIO(template)) if template is not None else Document()
    if template is not None:
        _empty_body(doc)
    plan = outline(fb)
    wordfiles.british(doc)
    wordfiles.a4_portrait(doc)
    wordfiles.page_numbers(doc)
    _cover(doc, plan)
    _contents(doc)
    styles = _Styles(doc)
    for section in plan.sections:
        _section(doc, styles, section)
    if plan.draft:
        _draft_header(doc)
    wordfiles.core_properties(doc, plan.title, when)
    props = doc.core_properties
    props.subject = f"{fb.council} {fb.reference}".strip()
    props.keywords = "peer diagnostic; written feedback"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
