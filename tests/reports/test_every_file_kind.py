"""Every kind of file peerdiag hands out, rendered from one set of ordinary content (thirty
findings of two to four sentences with quotes, names outside Latin-1) and checked as the people
who receive them would open it (issue 16). The detailed checks live beside each renderer; this
test holds them to the same content at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.oxml.ns import qn
from icalendar import Calendar
from openpyxl import load_workbook
from pptx import Presentation

from peerdiag.reports.render.docx import build_report
from peerdiag.reports.render.model import Item
from peerdiag.reports.render.pptx import build_presentation
from peerdiag.timetable.domain import ics
from peerdiag.timetable.domain.export import export_xlsx
from peerdiag.timetable.domain.versions import publish
from peerdiag.timetable.models import Session

from ..timetable.helpers import generate, planned_week
from .test_render import feedback
from .test_slides_fit import QUOTES, ordinary, overflowing

NAMES = ("Łukasz Wójcik, lead peer", "Siân Ó Súilleabháin, operational manager")
WHEN = datetime(2027, 3, 9, 16, 30, tzinfo=UTC)


def content():  # type: ignore[no-untyped-def]
    return feedback(
        strengths=ordinary(12, "Strength"),
        areas=ordinary(10, "Area"),
        recommendations=tuple(
            Item(i.text, quotes=(QUOTES[0],), answers=("Plans lack detail.",))
            for i in ordinary(8, "Recommendation")
        ),
        team=NAMES,
        lead_peer="Łukasz Wójcik",
    )


def test_slides_report_spreadsheet_and_calendar_from_the_same_content(world) -> None:  # type: ignore[no-untyped-def]
    fb = content()
    assert len(fb.strengths) + len(fb.areas) + len(fb.recommendations) == 30

    slides = build_presentation(fb, when=WHEN)
    assert overflowing(slides) == []
    deck = Presentation(io.BytesIO(slides))
    said = [
        p.text for sl in deck.slides for sh in sl.placeholders for p in sh.text_frame.paragraphs
    ]
    assert NAMES[0] in said and NAMES[1] in said

    report = Document(io.BytesIO(build_report(fb, when=WHEN)))
    page = report.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    langs = {el.get(qn("w:val")) for el in report.styles.element.iter(qn("w:lang"))}
    assert langs == {"en-GB"}
    assert any(NAMES[0] in p.text for p in report.paragraphs)

    w = planned_week(world.own)
    Session.objects.filter(pk=w.interviews[0].pk).update(title="Interview with Siân Ó Súilleabháin")
    generate(w.d, world.pcm)
    version = publish(w.d, by=world.pcm)
    sheet = load_workbook(io.BytesIO(export_xlsx(w.d)))["Timetable"]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows and all(r[2].is_date and r[2].number_format == "hh:mm" for r in rows)
    assert any(r[4].value == "Interview with Siân Ó Súilleabháin" for r in rows)

    session = next(s for s in version.snapshot["sessions"] if s["peers"])
    cal = Calendar.from_ical(
        ics.invitation(
            session, method="REQUEST", organiser={"name": "Zoë Pcm", "email": "pcm@lga.example"}
        )
    )
    zone = cal.walk("VTIMEZONE")[0]
    assert all("RRULE" in part and "RDATE" not in part for part in zone.subcomponents)
    assert str(cal.walk("VEVENT")[0]["ORGANIZER"]) == "mailto:pcm@lga.example"
