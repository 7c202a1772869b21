"""The demo's key documents (issue 20): asked for, sent and reviewed through the documents app,
at dates that hang together, as files that open and name no child."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from peerdiag.common.childdata import has_forename, words
from peerdiag.demo.context import Timeline, moment
from peerdiag.demo.documents import EXTRAS
from peerdiag.demo.plans import Plan, planned
from peerdiag.demo.walk import find
from peerdiag.diagnostics.enums import MAIN_LINE, Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.documents.domain.requests import standard_list
from peerdiag.documents.enums import OUTSTANDING, RequestStatus
from peerdiag.documents.models import DocumentRequest, DocumentVersion

pytestmark = pytest.mark.django_db

PAST = MAIN_LINE[MAIN_LINE.index(Stage.PREPARATION) + 1 :]


def _cutoff(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def _walked(demo_day: date, stages: tuple[str, ...] | list[str]) -> list[tuple[Plan, Diagnostic]]:
    out = []
    for plan in planned(demo_day):
        if plan.stage in stages:
            d = find(plan)
            assert d is not None, plan.key
            out.append((plan, d))
    return out


def _accepted_at(d: Diagnostic, ask: DocumentRequest) -> datetime:
    entry = d.audit.filter(action="document", summary=f"Accepted ‘{ask.title}’").get()
    return entry.at


def test_every_diagnostic_past_preparation_had_its_documents_asked_for_sent_and_accepted(  # type: ignore[no-untyped-def]
    demo, demo_day
) -> None:
    walked = _walked(demo_day, PAST)
    assert len(walked) >= 8
    cutoff = _cutoff(demo_day)
    for plan, d in walked:
        tl = Timeline(plan.day1, plan.turnaround)
        start, end = moment(tl.preparation, "09:30"), moment(tl.documents_end, "17:00")
        asks = list(d.document_requests.all())
        titles = {a.title for a in asks}
        # The type's standard list, and the extras the demo adds for the type.
        assert {i.title for i in standard_list(d.type)} <= titles, plan.key
        assert {t for t, _ in EXTRAS.get(d.type, ())} <= titles, plan.key
        for ask in asks:
            assert ask.status == RequestStatus.ACCEPTED, (plan.key, ask.title, ask.status)
            assert ask.due_on == tl.documents_due
            versions = list(ask.versions.order_by("version"))
            assert versions, (plan.key, ask.title)
            accepted = _accepted_at(d, ask)
            times = [ask.created_at, *(v.uploaded_at for v in versions), accepted]
            assert times == sorted(times), (plan.key, ask.title, times)
            assert start <= ask.created_at and accepted <= end < cutoff, (plan.key, ask.title)
        # The documents' audit entries were written in date order.
        trail = list(d.audit.filter(action="document").order_by("pk").values_list("at", flat=True))
        assert trail == sorted(trail), plan.key


def test_some_documents_came_late_and_one_was_returned_then_sent_again(  # type: ignore[no-untyped-def]
    demo, demo_day
) -> None:
    walked = _walked(demo_day, PAST)
    late = returned = 0
    for _, d in walked:
        for ask in d.document_requests.all():
            first = ask.versions.get(version=1)
            assert ask.due_on is not None
            if timezone.localdate(first.uploaded_at) > ask.due_on:
                late += 1
            if ask.versions.count() > 1:
                back = d.audit.get(action="document", summary__startswith=f"Returned ‘{ask.title}’")
                second = ask.versions.get(version=2)
                assert first.uploaded_at < back.at < second.uploaded_at
                assert first.sha256 != second.sha256  # a different file, not the same one again
                returned += 1
    assert late >= len(walked)  # at least one late in each
    assert returned == len(walked)  # exactly one returned in each


def test_a_diagnostic_in_preparation_today_still_waits_for_some_documents(  # type: ignore[no-untyped-def]
    demo, demo_day
) -> None:
    walked = _walked(demo_day, [Stage.PREPARATION, Stage.POSTPONED])
    assert walked
    cutoff = _cutoff(demo_day)
    for plan, d in walked:
        statuses = list(d.document_requests.values_list("status", flat=True))
        assert statuses, plan.key
        assert RequestStatus.ACCEPTED in statuses, plan.key  # the work is under way...
        assert any(s in OUTSTANDING for s in statuses), plan.key  # ...and not finished
        last = d.audit.filter(action="document").order_by("-at").first()
        assert last is not None and last.at < cutoff


def _text_of(version: DocumentVersion, data: bytes) -> str:
    if version.original_name.endswith(".pdf"):
        from pypdf import PdfReader

        assert data.startswith(b"%PDF-")
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert version.original_name.endswith(".xlsx"), version.original_name
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert not any(c.startswith("=") for c in cells), "a formula in a demo workbook"
    assert any(c.replace(".", "", 1).isdigit() for c in cells), "a workbook with no figures"
    return "\n".join(cells)


def test_every_stored_file_opens_and_names_no_child(demo) -> None:  # type: ignore[no-untyped-def]
    # The demo's files are in the package's media folder (tests/demo/loaded/conftest.py).
    versions = list(DocumentVersion.objects.select_related("request__diagnostic__host_council"))
    assert len(versions) >= 100
    kinds = set()
    for v in versions:
        council = v.request.diagnostic.host_council.name
        with v.file.open("rb") as f:
            data = f.read()
        assert len(data) == v.size
        text = _text_of(v, data)
        kinds.add(v.original_name.rsplit(".", 1)[1])
        assert council in text, v.original_name
        assert len(text) > 150, v.original_name
        allowed = frozenset(words(council))
        assert not has_forename(text, allowed=allowed), (v.original_name, text)
        assert not has_forename(v.original_name, allowed=allowed), v.original_name
    assert kinds == {"pdf", "xlsx"}


def test_files_are_made_once_per_process_and_hold_nothing_the_checks_refuse() -> None:
    """The uploads' own check accepts each kind of file the demo makes (run without the demo,
    so a failure here points at the file, not at the walk)."""
    from django.core.files.base import ContentFile

    from peerdiag.demo.documents import KINDS, columns_for, pdf_bytes, xlsx_bytes
    from peerdiag.documents.domain.uploads import check_upload

    day = date(2026, 5, 12)
    for kind in KINDS.values():
        for revised in (False, True):
            if kind.workbook:
                data = xlsx_bytes(kind, "Wirral", columns_for(kind, day), revised)
                again = xlsx_bytes(kind, "Wirral", columns_for(kind, day), revised)
                name = "x.xlsx"
            else:
                data = pdf_bytes(kind, "Wirral", "SEND", "2026-27", "2025-26", revised)
                again = pdf_bytes(kind, "Wirral", "SEND", "2026-27", "2025-26", revised)
                name = "x.pdf"
            assert data is again
            assert check_upload(ContentFile(data), name).startswith("application/")
    assert columns_for(KINDS["latest performance data and scorecard"], day) == (
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    )
