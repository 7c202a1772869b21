"""The Word report is set up for British readers: A4, English (UK), page numbers, a contents
list and honest document properties (issue 16)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from peerdiag.reports.render.docx import build_report

from .test_render import feedback

WHEN = datetime(2027, 3, 22, 14, 5, tzinfo=UTC)


def _open(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def _instructions(element) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text.strip() for t in element.iter(qn("w:instrText"))]


def test_a4_portrait_with_a_page_number_in_every_footer() -> None:
    doc = _open(build_report(feedback(), when=WHEN))
    for section in doc.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        footer = section.footer
        assert not footer.is_linked_to_previous
        assert _instructions(footer._element) == ["PAGE", "NUMPAGES"]
        assert footer.paragraphs[0].text.startswith("Page ")


def test_every_style_and_the_default_are_english_uk() -> None:
    doc = _open(build_report(feedback(), when=WHEN))
    styles = doc.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert default.find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    langs = [lang.get(qn("w:val")) for lang in styles.iter(qn("w:lang"))]
    assert langs and set(langs) == {"en-GB"}, "en-US left in a style"


def test_a_contents_field_after_the_cover_that_word_fills_in_on_opening() -> None:
    doc = _open(build_report(feedback(), when=WHEN))
    texts = [p.text for p in doc.paragraphs]
    assert "Contents" in texts
    assert texts.index("Contents") < texts.index("Introduction")
    assert any(i.startswith("TOC ") for i in _instructions(doc.element.body))
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_the_properties_say_who_wrote_it_and_when() -> None:
    props = _open(build_report(feedback(), when=WHEN)).core_properties
    assert props.author == props.last_modified_by == "Local Government Association"
    assert props.title == "Safeguarding diagnostic"
    assert props.language == "en-GB"
    assert props.created == props.modified == WHEN
    assert props.created.year == 2027  # not python-docx's 2013 default


def test_a_designers_us_letter_template_still_comes_out_a4_and_british() -> None:
    template = Document()
    section = template.sections[0]
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    out = io.BytesIO()
    template.save(out)
    doc = _open(build_report(feedback(), template=out.getvalue(), when=WHEN))
    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    langs = {lang.get(qn("w:val")) for lang in doc.styles.element.iter(qn("w:lang"))}
    assert langs == {"en-GB"}
