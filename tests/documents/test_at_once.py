"""Several key documents at once (issue 18): the PCM requests the standard list in one step; the
council uploads several files in one form, all or nothing, each matched to its request or sent
as another document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import DiagnosticType, Stage
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.documents.domain.requests import (
    request_document,
    request_standard_documents,
    standard_list,
)
from peerdiag.documents.domain.uploads import (
    OTHER_NOTE,
    FileRefused,
    FileToSupply,
    supply_document,
    supply_documents,
)
from peerdiag.documents.models import DocumentRequest, DocumentVersion

from .helpers import PDF, PNG, ooxml, upload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _send(d: Diagnostic) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(type=DiagnosticType.SEND, day1=date(2027, 3, 1))
    return Diagnostic.objects.get(pk=d.pk)


def _stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Requesting the standard list in one step ------------------------------------------------------


def test_one_step_requests_only_the_missing_ones_with_one_due_date_and_note(world):  # type: ignore[no-untyped-def]
    d = _send(world.own)
    items = standard_list(DiagnosticType.SEND)
    first = items[0]
    request_document(d, by=world.pcm, title=first.title.upper())  # asked already, other case
    made = request_standard_documents(
        d,
        by=world.pcm,
        chosen=[i.pk for i in items],
        due_on=date(2027, 2, 1),
        notes="  Latest versions please  ",
    )
    assert [r.title for r in made] == [i.title for i in items[1:]]
    assert {(r.due_on, r.notes, r.requested_by) for r in made} == {
        (date(2027, 2, 1), "Latest versions please", world.pcm)
    }
    assert DocumentRequest.objects.filter(diagnostic=d).count() == len(items)
    assert AuditEntry.objects.filter(
        diagnostic=d, summary=f"Requested the standard key documents ({len(items) - 1})"
    ).exists()
    # The same choice again (a double click, a second PCM) makes nothing more.
    assert request_standard_documents(d, by=world.pcm, chosen=[i.pk for i in items]) == []
    assert DocumentRequest.objects.filter(diagnostic=d).count() == len(items)


def test_one_step_requests_only_what_was_ticked_and_defaults_the_due_date(world):  # type: ignore[no-untyped-def]
    d = _send(world.own)
    items = standard_list(DiagnosticType.SEND)
    made = request_standard_documents(d, by=world.pcm, chosen=[items[1].pk, items[2].pk])
    assert [r.title for r in made] == [items[1].title, items[2].title]
    assert {r.due_on for r in made} == {date(2027, 2, 8)}  # 15 working days before day 1
    with pytest.raises(DomainError) as e:
        request_standard_documents(d, by=world.pcm, chosen=[])
    assert e.value.message == "Choose at least one document to request"


def test_the_page_ticks_every_missing_document_and_shows_the_requested_ones(world):  # type: ignore[no-untyped-def]
    d = _send(world.own)
    items = standard_list(DiagnosticType.SEND)
    request_document(d, by=world.pcm, title=items[0].title)
    url = reverse("web:document_standard_create", args=[d.reference])
    html = _client(world.pcm).get(url).content.decode()
    already = html[html.index('id="already-requested"') : html.index("Still to request")]
    assert items[0].title in already and items[1].title not in already
    for item in items[1:]:
        assert f'value="{item.pk}" checked>' in html, item.title
    assert f'value="{items[0].pk}"' not in html  # not offered twice
    assert "Unless you give another date, they are due by 8 February 2027" in html


def test_the_page_requests_the_ticked_ones_and_says_how_many(world):  # type: ignore[no-untyped-def]
    d = _send(world.own)
    items = standard_list(DiagnosticType.SEND)
    url = reverse("web:document_standard_create", args=[d.reference])
    pcm = _client(world.pcm)
    data = {
        "items": [str(items[0].pk), str(items[1].pk)],
        "due_on_0": "1",
        "due_on_1": "2",
        "due_on_2": "2027",
        "notes": "As agreed at scoping",
        "once": "a-one-time-token-0001",
    }
    page = pcm.post(url, data, follow=True).content.decode()
    assert "2 standard documents requested from the council" in page
    titles = set(DocumentRequest.objects.filter(diagnostic=d).values_list("title", flat=True))
    assert titles == {items[0].title, items[1].title}
    # The same post again (a double click) is acted on once.
    again = pcm.post(url, data, follow=True).content.decode()
    assert "It was only acted on once" in again
    assert DocumentRequest.objects.filter(diagnostic=d).count() == 2
    # Nothing ticked: the error summary says so, and the note typed is kept.
    page = pcm.post(url, {"notes": "Keep me", "due_on_0": "", "due_on_1": "", "due_on_2": ""})
    html = page.content.decode()
    assert "There is a problem" in html and "Choose at least one document to request" in html
    assert "Keep me</textarea>" in html
    assert DocumentRequest.objects.filter(diagnostic=d).count() == 2


def test_the_council_cannot_request_the_list(world):  # type: ignore[no-untyped-def]
    d = _send(world.own)
    url = reverse("web:document_standard_create", args=[d.reference])
    items = standard_list(DiagnosticType.SEND)
    answer = _client(world.organiser).post(url, {"items": [str(items[0].pk)]})
    assert answer.status_code == 403
    assert not DocumentRequest.objects.filter(diagnostic=d).exists()
    html = _client(world.organiser).get(reverse("web:document_list", args=[d.reference]))
    assert "Request the standard list" not in html.content.decode()
    assert "Upload several documents" in html.content.decode()


# Several files in one go: the domain -------------------------------------------------------------


def _asks(d, by, *titles):  # type: ignore[no-untyped-def]
    return [request_document(d, by=by, title=t) for t in titles]


def test_several_files_are_stored_each_against_its_request(world):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data = _asks(d, world.pcm, "Improvement plan", "Performance data")
    versions = supply_documents(
        d,
        [
            FileToSupply("file_a", upload(PDF, "plan.pdf"), "plan.pdf", "official", ask=plan),
            FileToSupply(
                "file_b", upload(ooxml("xl/"), "data.xlsx"), "data.xlsx", "personal_data", ask=data
            ),
            FileToSupply(
                "other_file_1",
                upload(PNG, "chart.png"),
                "chart.png",
                "public",
                title="Structure chart",
            ),
        ],
        by=world.organiser,
    )
    assert [(v.request.title, v.version, v.classification) for v in versions] == [
        ("Improvement plan", 1, "official"),
        ("Performance data", 1, "personal_data"),
        ("Structure chart", 1, "public"),
    ]
    other = DocumentRequest.objects.get(diagnostic=d, title="Structure chart")
    assert (other.status, other.category, other.notes, other.requested_by) == (
        "supplied",
        "other",
        OTHER_NOTE,
        None,
    )
    plan.refresh_from_db()
    assert plan.status == "supplied"
    assert len(_stored_files()) == 3


def test_one_refused_file_stores_none_and_names_it(world):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data = _asks(d, world.pcm, "Improvement plan", "Performance data")
    with pytest.raises(FileRefused) as e:
        supply_documents(
            d,
            [
                FileToSupply("file_a", upload(PDF, "plan.pdf"), "plan.pdf", "official", ask=plan),
                FileToSupply("file_b", upload(PNG, "data.pdf"), "data.pdf", "official", ask=data),
            ],
            by=world.organiser,
        )
    assert e.value.field == "file_b"
    assert e.value.message.startswith("‘data.pdf’ was not uploaded: the file is called")
    assert "its content is not a PDF" in e.value.message
    assert DocumentVersion.objects.count() == 0
    assert _stored_files() == []
    plan.refresh_from_db()
    assert plan.status == "requested"


def test_a_storage_failure_part_way_removes_the_files_already_written(world, monkeypatch):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data = _asks(d, world.pcm, "Improvement plan", "Performance data")
    real_save = default_storage.save
    calls = []

    def flaky(name, content, max_length=None):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content, max_length=max_length)

    monkeypatch.setattr(default_storage, "save", flaky)
    with pytest.raises(FileRefused) as e:
        supply_documents(
            d,
            [
                FileToSupply("file_a", upload(PDF, "plan.pdf"), "plan.pdf", "official", ask=plan),
                FileToSupply("file_b", upload(PDF, "data.pdf"), "data.pdf", "official", ask=data),
            ],
            by=world.organiser,
        )
    assert e.value.field == "file_b" and "could not be stored" in e.value.message
    assert len(calls) == 2
    assert DocumentVersion.objects.count() == 0
    assert _stored_files() == []


def test_two_files_for_one_request_an_accepted_request_and_a_named_child_are_refused(world):  # type: ignore[no-untyped-def]
    d = world.own
    (plan,) = _asks(d, world.pcm, "Improvement plan")
    two = [
        FileToSupply("file_a", upload(PDF, "a.pdf"), "a.pdf", "official", ask=plan),
        FileToSupply("file_b", upload(PDF, "b.pdf"), "b.pdf", "official", ask=plan),
    ]
    with pytest.raises(FileRefused, match="another file was chosen for ‘Improvement plan’"):
        supply_documents(d, two, by=world.organiser)
    named = FileToSupply("other_file_1", upload(PDF, "c.pdf"), "c.pdf", "official", title="Amy")
    with pytest.raises(FileRefused, match="never name a child"):
        supply_documents(d, [named], by=world.organiser)
    clash = FileToSupply(
        "other_file_1", upload(PDF, "c.pdf"), "c.pdf", "official", title="improvement PLAN"
    )
    with pytest.raises(FileRefused, match="upload the file against that request"):
        supply_documents(d, [clash], by=world.organiser)
    supply_document(plan, by=world.organiser, file=upload(PDF, "p.pdf"), name="p.pdf")
    plan.status = "accepted"
    plan.save()
    late = FileToSupply("file_a", upload(PDF, "a.pdf"), "a.pdf", "official", ask=plan)
    with pytest.raises(FileRefused, match="already accepted"):
        supply_documents(d, [late], by=world.organiser)
    assert DocumentVersion.objects.count() == 1


def test_a_closed_diagnostic_takes_no_files(world):  # type: ignore[no-untyped-def]
    d = world.own
    (plan,) = _asks(d, world.pcm, "Improvement plan")
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.CLOSED)
    d.refresh_from_db()
    one = FileToSupply("file_a", upload(PDF, "a.pdf"), "a.pdf", "official", ask=plan)
    with pytest.raises(DomainError, match="closed or cancelled"):
        supply_documents(d, [one], by=world.organiser)


# Several files in one go: the page ---------------------------------------------------------------


def _pdf(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_page_has_a_row_per_open_request_and_rows_for_other_documents(world):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data, done = _asks(d, world.pcm, "Improvement plan", "Performance data", "Old plan")
    supply_document(done, by=world.organiser, file=upload(PDF, "o.pdf"), name="o.pdf")
    DocumentRequest.objects.filter(pk=done.pk).update(status="accepted")
    url = reverse("web:document_multi_upload", args=[d.reference])
    html = _client(world.organiser).get(url).content.decode()
    assert f'name="file_{plan.code}"' in html and f'name="classification_{data.code}"' in html
    assert f'name="file_{done.code}"' not in html  # accepted: nothing more to send
    assert 'name="other_file_3"' in html and 'name="other_title_1"' in html
    assert "Other document 3" in html
    assert "data-upload-progress" in html and "peerdiag/upload-progress.js" in html
    assert 'name="once"' in html


def test_the_page_uploads_three_files_and_says_so(world):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data = _asks(d, world.pcm, "Improvement plan", "Performance data")
    url = reverse("web:document_multi_upload", args=[d.reference])
    page = _client(world.organiser).post(
        url,
        {
            f"file_{plan.code}": _pdf("plan.pdf"),
            f"classification_{plan.code}": "official",
            f"file_{data.code}": _pdf("data.pdf"),
            f"classification_{data.code}": "official_sensitive",
            "other_title_1": "Workforce strategy",
            "other_file_1": _pdf("workforce.pdf"),
            "other_classification_1": "public",
        },
        follow=True,
    )
    html = page.content.decode()
    assert "3 files uploaded" in html
    assert "Workforce strategy" in html  # the list now shows the other document
    assert DocumentVersion.objects.filter(request__diagnostic=d).count() == 3


def test_a_refused_file_names_it_keeps_the_choices_and_asks_for_the_files_again(world):  # type: ignore[no-untyped-def]
    d = world.own
    plan, data = _asks(d, world.pcm, "Improvement plan", "Performance data")
    url = reverse("web:document_multi_upload", args=[d.reference])
    page = _client(world.organiser).post(
        url,
        {
            f"file_{plan.code}": _pdf("plan.pdf"),
            f"classification_{plan.code}": "official",
            f"file_{data.code}": _pdf("data.pdf", PNG),
            f"classification_{data.code}": "personal_data",
            "other_title_1": "Workforce strategy",
            "other_classification_1": "public",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert f'href="#id_file_{data.code}"' in summary
    assert "‘data.pdf’ was not uploaded" in summary and "its content is not a PDF" in summary
    assert "Nothing was uploaded: one file was refused" in summary
    assert "choose the files again" in summary
    assert "You had chosen ‘plan.pdf’: choose it again" in html
    assert '<option value="personal_data" selected>' in html
    assert 'value="Workforce strategy"' in html
    assert DocumentVersion.objects.count() == 0


def test_a_file_without_a_classification_or_a_title_is_named(world):  # type: ignore[no-untyped-def]
    d = world.own
    (plan,) = _asks(d, world.pcm, "Improvement plan")
    url = reverse("web:document_multi_upload", args=[d.reference])
    c = _client(world.organiser)
    html = c.post(
        url,
        {
            f"file_{plan.code}": _pdf("plan.pdf"),
            "other_file_2": _pdf("extra.pdf"),
            "other_classification_2": "official",
        },
    ).content.decode()
    assert f'href="#id_classification_{plan.code}">Choose how ‘plan.pdf’ is classified' in html
    assert 'href="#id_other_title_2">Say what other document 2 is' in html
    empty = c.post(url, {f"classification_{plan.code}": "official"}).content.decode()
    assert f'href="#id_file_{plan.code}">Choose at least one file to upload' in empty
    assert DocumentVersion.objects.count() == 0


def test_the_team_may_not_upload_and_others_learn_nothing(world):  # type: ignore[no-untyped-def]
    d = world.own
    (plan,) = _asks(d, world.pcm, "Improvement plan")
    url = reverse("web:document_multi_upload", args=[d.reference])
    data = {f"file_{plan.code}": _pdf("plan.pdf"), f"classification_{plan.code}": "official"}
    assert _client(world.peer).post(url, data).status_code == 403
    assert _client(world.other_pcm).post(url, data).status_code == 404
    assert DocumentVersion.objects.count() == 0


def test_the_upload_page_query_count_does_not_grow_with_requests(world):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = world.own
    _asks(d, world.pcm, "One")
    url = reverse("web:document_multi_upload", args=[d.reference])
    c = _client(world.organiser)
    with CaptureQueriesContext(connection) as one:
        c.get(url)
    more = _asks(d, world.pcm, "Two", "Three", "Four")
    supply_document(more[0], by=world.organiser, file=upload(PDF, "t.pdf"), name="t.pdf")
    with CaptureQueriesContext(connection) as four:
        html = c.get(url).content.decode()
    assert all(f'name="file_{a.code}"' in html for a in more)
    assert len(four.captured_queries) <= len(one.captured_queries)
