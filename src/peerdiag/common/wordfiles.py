"""Small helpers for the Word files the service writes (python-docx only, no Django).

Each helper does one thing to a `docx.Document` or one of its tables, so any report can set
itself up for British readers the same way:

- `a4_portrait(doc)`: A4 portrait paper with 25 mm margins on every section.
- `british(doc)`: English (UK) as the language of the document's defaults and of every style
  that names a language, so spell-check accepts British spelling.
- `page_numbers(doc)`: "Page N of M" centred in every footer (Word's PAGE and NUMPAGES fields).
- `core_properties(doc, title, when)`: title, author (the LGA), created and modified, language.
- `header_row(table)`: the first row bold and repeated at the top of every page.
- `set_widths(table, widths_mm)`: fixed column widths, written on the grid and on every cell,
  because Word reads the cells and LibreOffice reads the grid.
- `cell_margins(table, mm)`: the left and right padding inside every cell of a table.

`text_width_mm(doc)` gives the width between the margins, for checking that a table fits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

LANGUAGE = "en-GB"
AUTHOR = "Local Government Association"
A4_MM = (210, 297)
MARGIN_MM = 25
TWIPS_PER_MM = 1440 / 25.4


def a4_portrait(doc: Any, margin_mm: float = MARGIN_MM) -> None:
    """A4 portrait paper with `margin_mm` margins on every side of every section."""
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(margin_mm))


def text_width_mm(doc: Any) -> float:
    """The width between the left and right margins of the first section, in millimetres."""
    section = doc.sections[0]
    return float((section.page_width - section.left_margin - section.right_margin).mm)


def british(doc: Any) -> None:
    """English (UK) as the language of the document's default and of every style that sets one."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr)
    for style in styles.findall(qn("w:style")):
        found = style.find(qn("w:rPr"))
        if found is not None and found.find(qn("w:lang")) is not None:
            _set_lang(found)


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def field(para: Paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC ...) at the end of `para`, showing `placeholder` until
    Word or LibreOffice works it out."""
    run = para.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")  # Word works it out afresh when it opens the file
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(separate)
    para.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    para.add_run()._r.append(end)


def page_numbers(doc: Any) -> None:
    """A centred "Page N of M" in the footer of every section."""
    for section in doc.sections:
        footer = section.footer
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.text = "Page "
        para.style = doc.styles["Footer"]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field(para, "PAGE", "1")
        para.add_run(" of ")
        field(para, "NUMPAGES", "1")


def core_properties(doc: Any, title: str, when: datetime | None = None) -> None:
    """The document's properties: its title, the LGA as author, created and modified at `when`
    (now when not given, to the second) and English (UK)."""
    now = (when or datetime.now(tz=UTC)).replace(microsecond=0)
    props = doc.core_properties
    props.title = title
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = now
    props.modified = now
    props.revision = 1
    props.language = LANGUAGE
    props.comments = ""


def header_row(table: Table) -> None:
    """Mark the table's first row as its header: repeated at the top of each page it runs
    onto, never split across pages, and bold."""
    row = table.rows[0]
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        if tr_pr.find(qn(tag)) is None:
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            tr_pr.append(el)
    for cell in row.cells:
        for para in cell.paragraphs:
            for run in para.runs:
                run.bold = True


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


# The order Word expects the children of w:tblPr in (it refuses a file with them out of order).
_TBL_PR_ORDER = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def _tbl_pr_child(table: Table, tag: str) -> Any:
    """The table property `tag`, added in its proper place when missing."""
    tbl_pr = table._tbl.tblPr
    el = tbl_pr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        later = _TBL_PR_ORDER[_TBL_PR_ORDER.index(tag) + 1 :]
        tbl_pr.insert_element_before(el, *later)
    return el


def set_widths(table: Table, widths_mm: list[float]) -> None:
    """Fixed column widths in millimetres: on the grid (LibreOffice), on every cell (Word) and
    as the table's total width, with automatic resizing turned off."""
    if len(widths_mm) != len(table.columns):
        raise ValueError(f"{len(table.columns)} columns but {len(widths_mm)} widths")
    table.autofit = False  # w:tblLayout type="fixed"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    total = _tbl_pr_child(table, "w:tblW")
    total.set(qn("w:w"), str(sum(_twips(w) for w in widths_mm)))
    total.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # w:gridCol
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)  # w:tcW


def cell_margins(table: Table, mm: float) -> None:
    """The padding inside every cell of the table, left and right, in millimetres."""
    margins = _tbl_pr_child(table, "w:tblCellMar")
    for side in ("left", "right"):
        el = margins.find(qn(f"w:{side}"))
        if el is None:
            el = OxmlElement(f"w:{side}")
            margins.append(el)
        el.set(qn("w:w"), str(_twips(mm)))
        el.set(qn("w:type"), "dxa")
