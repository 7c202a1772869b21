"""The case review report's layout: a titled A4 document in English (UK) whose tables fit the
page, repeat their header row and never break a heading inside a word (issue 16).

Widths are measured with Helvetica's widths (fpdf's core fonts); the tables are in Arial, whose
letters are exactly as wide, and which LibreOffice draws with Liberation Sans of the same widths.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf.fonts import CORE_FONTS_CHARWIDTHS

from peerdiag.casereview.domain.report import (
    REPORT_HEADINGS,
    DomainTheme,
    ReportData,
    build_docx,
)
from peerdiag.casereview.enums import AuditDomain, Grade
from peerdiag.common import wordfiles

EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4
WHEN = datetime(2027, 3, 4, 9, 30, tzinfo=UTC)


def _data(approved: bool = True) -> ReportData:
    grades = [str(g.label) for g in Grade]
    return ReportData(
        reference="RPD-2027-014",
        council="Kent",
        cases_audited=12,
        auditors=3,
        domains=[DomainTheme(str(label), dict.fromkeys(grades, 1)) for label in AuditDomain.labels],
        overall=dict.fromkeys(grades, 2),
        strengths="Children are seen alone.",
        improvements="Plans drift.",
        approved=approved,
    )


@pytest.fixture(scope="module")
def document():  # type: ignore[no-untyped-def]
    return docx.Document(io.BytesIO(build_docx(_data(), when=WHEN)))


def _mm(twips: str) -> float:
    return int(twips) / TWIPS_PER_MM


def _text_width_mm(doc) -> float:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / EMU_PER_MM


def _word_mm(word: str, size_pt: float, bold: bool) -> float:
    widths = CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"]
    return sum(widths[ch] for ch in word) / 1000 * size_pt * 25.4 / 72


def test_it_is_a4_portrait_with_25_mm_margins_and_page_numbers(document):  # type: ignore[no-untyped-def]
    section = document.sections[0]
    assert (round(section.page_width / EMU_PER_MM), round(section.page_height / EMU_PER_MM)) == (
        210,
        297,
    )
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        assert round(getattr(section, side) / EMU_PER_MM) == 25
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def _languages(doc) -> tuple[str, set[str]]:  # type: ignore[no-untyped-def]
    """The default run language and those that any style sets."""
    styles = doc.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    langs = {
        lang.get(qn("w:val"))
        for style in styles.findall(qn("w:style"))
        if (rpr := style.find(qn("w:rPr"))) is not None
        and (lang := rpr.find(qn("w:lang"))) is not None
    }
    return default.find(qn("w:lang")).get(qn("w:val")), langs


def test_the_language_is_english_uk_everywhere_it_is_set(document):  # type: ignore[no-untyped-def]
    assert _languages(docx.Document())[0] == "en-US"  # python-docx's own starting point
    default, in_styles = _languages(document)
    assert default == "en-GB" and in_styles <= {"en-GB"}
    assert document.core_properties.language == "en-GB"


def test_british_also_changes_a_style_that_names_another_language():
    doc = docx.Document()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    doc.styles["Heading 1"].element.get_or_add_rPr().append(lang)
    assert "fr-FR" in _languages(doc)[1]
    wordfiles.british(doc)
    assert _languages(doc) == ("en-GB", {"en-GB"})


def test_the_title_comes_first_in_the_title_style(document):  # type: ignore[no-untyped-def]
    first, second = document.paragraphs[0], document.paragraphs[1]
    assert (first.style.name, first.text) == ("Title", "Case record review: Kent")
    assert (second.style.name, second.text) == ("Subtitle", "Diagnostic RPD-2027-014")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == list(REPORT_HEADINGS)


def test_a_draft_says_so_under_the_title():
    doc = docx.Document(io.BytesIO(build_docx(_data(approved=False), when=WHEN)))
    assert doc.paragraphs[1].text == "Diagnostic RPD-2027-014 (draft)"


def test_the_core_properties_name_the_report_the_lga_and_the_time(document):  # type: ignore[no-untyped-def]
    props = document.core_properties
    assert props.title == "Case record review: Kent"
    assert props.author == "Local Government Association"
    assert props.created == WHEN and props.modified == WHEN
    assert props.language == "en-GB"


def test_created_is_now_when_no_time_is_given():
    before = datetime.now(tz=UTC).replace(microsecond=0)
    created = docx.Document(io.BytesIO(build_docx(_data()))).core_properties.created
    after = datetime.now(tz=UTC)
    assert before <= created <= after


def test_every_table_repeats_its_bold_header_row_and_has_borders(document):  # type: ignore[no-untyped-def]
    assert len(document.tables) == 2
    for table in document.tables:
        assert table.style.name == "Table Grid"
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
        header_runs = [r for c in table.rows[0].cells for p in c.paragraphs for r in p.runs]
        assert header_runs and all(r.bold for r in header_runs)


def test_every_column_has_a_fixed_width_and_each_table_fits_the_page(document):  # type: ignore[no-untyped-def]
    text_width = _text_width_mm(document)
    assert round(text_width) == 160
    for table in document.tables:
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [_mm(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(grid) == len(table.columns) and all(w > 0 for w in grid)
        assert sum(grid) <= text_width + 0.1
        assert _mm(tbl_pr.find(qn("w:tblW")).get(qn("w:w"))) == pytest.approx(sum(grid), abs=0.1)
        for row in table.rows:
            cells = [c.width / EMU_PER_MM for c in row.cells]
            assert cells == pytest.approx(grid, abs=0.1)


def test_the_grades_table_has_a_wide_domain_column_and_equal_grade_columns(document):  # type: ignore[no-untyped-def]
    grid = [c.width / EMU_PER_MM for c in document.tables[0].rows[0].cells]
    assert len(set(grid[1:])) == 1
    assert grid[0] > grid[1]


def test_counts_and_their_headings_are_aligned_right(document):  # type: ignore[no-untyped-def]
    for table in document.tables:
        for row in table.rows:
            first, *numbers = (c.paragraphs[0].alignment for c in row.cells)
            assert first is None and numbers == [WD_ALIGN_PARAGRAPH.RIGHT] * len(numbers)


def test_no_word_of_a_heading_is_wider_than_its_column(document):  # type: ignore[no-untyped-def]
    checked = []
    for table in document.tables:
        tbl_pr = table._tbl.tblPr
        margins = tbl_pr.find(qn("w:tblCellMar"))
        padding = sum(
            _mm(margins.find(qn(f"w:{side}")).get(qn("w:w"))) for side in ("left", "right")
        )
        for cell in table.rows[0].cells:
            room = cell.width / EMU_PER_MM - padding
            for run in (r for p in cell.paragraphs for r in p.runs):
                assert run.font.name == "Arial" and run.font.size is not None
                for word in run.text.split():
                    need = _word_mm(word, run.font.size.pt, bool(run.bold))
                    assert need <= room, f"{word!r} needs {need:.1f} mm, has {room:.1f} mm"
                    checked.append(word)
    assert "improvement" in checked and "Outstanding" in checked  # the widest ones were measured


def test_a_long_grade_name_would_be_caught():
    """The check can fail: at 12 pt bold the longest heading word would not fit a grade column."""
    need = _word_mm("improvement", 9, bold=True)
    assert need + 2 * 1.5 <= 24.0 < _word_mm("improvement", 12, bold=True) + 2 * 1.5


def test_set_widths_refuses_a_list_of_the_wrong_length():
    doc = docx.Document()
    table = doc.add_table(rows=1, cols=3)
    with pytest.raises(ValueError, match="3 columns but 2 widths"):
        wordfiles.set_widths(table, [10, 20])


def test_the_table_properties_stay_in_the_order_word_expects(document):  # type: ignore[no-untyped-def]
    order = [qn(t) for t in wordfiles._TBL_PR_ORDER]
    for table in document.tables:
        tags = [child.tag for child in table._tbl.tblPr]
        assert tags == sorted(tags, key=order.index)
