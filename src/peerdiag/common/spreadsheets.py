"""Every spreadsheet and CSV file the service hands out is written here, so none holds a formula.

A cell of text that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab,
a carriage return or a line feed, or their full-width forms, perhaps after spaces) is written
with an apostrophe in front: `=HYPERLINK(...)` becomes `'=HYPERLINK(...)`, which Excel,
LibreOffice and Google Sheets all show as text. In a workbook every text cell is also stored as
text, never as a formula. Numbers and dates passed as numbers and dates stay what they are, so
`-5` given as an int is a number, while the text "-5" is text and gets the apostrophe.

Files people fill in and send back (the attendees spreadsheet) are read through `restore`,
which takes off the apostrophe this module added, so a round trip keeps the text as it was.

Write a CSV file with `csv_bytes` or `csv_lines`; build a workbook with `new_workbook`, add rows
with `append` and turn it into bytes with `workbook_bytes`, which also checks every cell of
every sheet before saving. `tests/test_exports_have_no_formulas.py` fails on any other writer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet may take as the start of a formula.
FORMULA_LEADERS = frozenset("=+-@\t\r\n＝＋－＠")
# Spaces a spreadsheet may skip before deciding a cell is a formula.
_SKIPPED = " \u00a0\u3000"
# Control characters an xlsx file cannot hold (its XML forbids them); they are left out.
_UNWRITABLE = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
BOM = "\ufeff"  # at the start of a CSV file, it makes Excel read UTF-8

Cell = str | int | float | Decimal | date | time | None


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read this text as a formula."""
    return text.lstrip(_SKIPPED)[:1] in FORMULA_LEADERS


def neutralise(text: str) -> str:
    """The text as a spreadsheet will show it and never run it."""
    return "'" + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """The text as it was before `neutralise`, for a file of ours that comes back."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def _csv_cell(value: Cell) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        raise TypeError("Write yes or no as text, not a bool")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, int | float | Decimal):
        return value
    raise TypeError(f"A spreadsheet cell cannot hold {type(value).__name__}")


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> Iterator[str]:
    """Each row as one CSV line, the first after a byte order mark, for streaming."""
    writer = csv.writer(_Line())
    start = BOM if bom else ""
    for row in rows:
        line: str = writer.writerow([_csv_cell(v) for v in row])
        yield start + line
        start = ""


def csv_bytes(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> bytes:
    """The rows as a UTF-8 CSV file."""
    return "".join(csv_lines(rows, bom=bom)).encode("utf-8")


def new_workbook() -> Workbook:
    """An empty openpyxl workbook (with its one blank sheet), to be saved by `workbook_bytes`."""
    from openpyxl import Workbook

    return Workbook()


def _text_cell(value: str) -> str:
    return neutralise(value.translate(_UNWRITABLE))


def append(sheet: Worksheet, row: Sequence[Cell]) -> None:
    """Add a row at the bottom of the sheet: text as text, numbers and dates as they are."""
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.cell.cell import Cell as SheetCell

    cells = []
    for value in row:
        if isinstance(value, bool):
            raise TypeError("Write yes or no as text, not a bool")
        cell = SheetCell(sheet, value=_text_cell(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = TYPE_STRING
        cells.append(cell)
    sheet.append(cells)


def _make_safe(book: Workbook) -> None:
    """Every cell of every sheet as `append` would have written it."""
    from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == TYPE_FORMULA or isinstance(value, str):
                    text = value if isinstance(value, str) else str(getattr(value, "text", value))
                    cell.value = _text_cell(text)
                    cell.data_type = TYPE_STRING


def for_print(sheet: Worksheet, *, header: str = "", rows: int = 1) -> None:
    """Set a sheet up to print as people expect: A4 landscape, one page wide (as many long as it
    needs), the first `rows` rows repeated on every page and kept in view on screen, and a page
    number in the footer."""
    sheet.freeze_panes = f"A{rows + 1}"
    sheet.print_title_rows = f"1:{rows}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header:
        sheet.oddHeader.center.text = header
    sheet.oddFooter.center.text = "Page &P of &N"


def describe(book: Workbook, *, title: str) -> None:
    """The workbook's properties: its title, the LGA as its author, English (UK)."""
    book.properties.title = title
    book.properties.creator = "Local Government Association (peerdiag)"
    book.properties.lastModifiedBy = "Local Government Association (peerdiag)"
    book.properties.language = "en-GB"


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as an .xlsx file, after making sure no cell is or looks like a formula."""
    _make_safe(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
