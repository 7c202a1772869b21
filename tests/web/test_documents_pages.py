"""The key document pages: list, request, upload with errors, review, downloads."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentVersion
from tests.documents.helpers import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _list_url(d) -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{d.reference}/documents/"


def test_list_puts_outstanding_first_and_tags_overdue(world, settings):  # type: ignore[no-untyped-def]
    d = world.own
    done = request_document(d, by=world.pcm, title="Accepted one", due_on=date(2020, 1, 6))
    supply_document(done, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    request_document(d, by=world.pcm, title="Late one", due_on=date(2020, 1, 6))
    request_document(d, by=world.pcm, title="Future one", due_on=date(2099, 1, 5))
    page = _client(world.organiser).get(_list_url(d)).content.decode()
    assert page.index("Late one") < page.index("Future one") < page.index("Accepted one")
    assert page.count("Overdue") == 1
    assert "2 of 3 still to come from the council" in page
    assert "Request a document" not in page  # the council does not ask itself


def test_list_query_count_does_not_grow_with_requests(world, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    d = world.own
    c = _client(world.pcm)
    ask = request_document(d, by=world.pcm, title="One")
    supply_document(ask, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        c.get(_list_url(d))
    for n in range(2):
        more = request_document(d, by=world.pcm, title=f"More {n}")
        supply_document(more, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get(_list_url(d))


def test_pcm_requests_a_document_with_the_default_due_date(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.day1 = date(2027, 3, 1)
    d.save()
    r = _client(world.pcm).post(
        _list_url(d) + "new/", {"title": "Early help strategy", "category": "plans"}
    )
    assert r.status_code == 302
    ask = d.document_requests.get()
    assert (ask.title, ask.category, ask.due_on) == (
        "Early help strategy",
        "plans",
        date(2027, 2, 8),
    )
    page = _client(world.pcm).post(_list_url(d) + "new/", {"title": "", "category": "plans"})
    assert "There is a problem" in page.content.decode()
    assert "Enter the document&#x27;s title" in page.content.decode()


def test_council_upload_of_the_wrong_type_shows_the_error_summary(world):  # type: ignore[no-untyped-def]
    d = world.own
    ask = request_document(d, by=world.pcm, title="Plan")
    url = f"{_list_url(d)}{ask.code}/upload/"
    c = _client(world.organiser)
    bad = SimpleUploadedFile("plan.pdf", PNG, content_type="application/pdf")
    page = c.post(url, {"file": bad, "classification": "official"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in html and 'href="#id_file"' in html
    assert "its content is not a PDF" in html
    assert DocumentVersion.objects.count() == 0
    good = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    assert c.post(url, {"file": good, "classification": "official"}).status_code == 302
    ask.refresh_from_db()
    assert ask.status == "supplied"


def test_pcm_returns_then_accepts(world):  # type: ignore[no-untyped-def]
    d = world.own
    ask = request_document(d, by=world.pcm, title="Plan")
    supply_document(ask, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    base = f"{_list_url(d)}{ask.code}/"
    c = _client(world.pcm)
    assert "Say what the council needs to change" in c.post(base + "return/", {}).content.decode()
    ask.refresh_from_db()
    assert (
        c.post(base + "return/", {"comment": "Wrong year", "version": ask.version}).status_code
        == 302
    )
    ask.refresh_from_db()
    assert (ask.status, ask.return_comment) == ("returned", "Wrong year")
    assert "Wrong year" in _client(world.organiser).get(base).content.decode()
    supply_document(ask, by=world.organiser, file=upload(PDF, "b.pdf"), name="b.pdf")
    # The team and the council may not review.
    assert _client(world.peer).post(base + "accept/", {"version": ask.version}).status_code == 403
    assert (
        _client(world.sponsor).post(base + "accept/", {"version": ask.version}).status_code == 403
    )
    assert c.post(base + "accept/", {"version": ask.version}).status_code == 302
    ask.refresh_from_db()
    assert ask.status == "accepted"


def test_downloads_follow_the_classification(world):  # type: ignore[no-untyped-def]
    d = world.own
    ask = request_document(d, by=world.pcm, title="Plan")
    official = supply_document(ask, by=world.organiser, file=upload(PDF, "a.pdf"), name="a.pdf")
    secret = supply_document(
        ask,
        by=world.organiser,
        file=upload(PDF, "b.pdf"),
        name="b.pdf",
        classification="personal_data",
    )
    files = f"{_list_url(d)}files/"
    r = _client(world.sponsor).get(f"{files}{official.code}/")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert b"".join(r.streaming_content) == PDF
    assert _client(world.peer).get(f"{files}{official.code}/").status_code == 200
    assert _client(world.other_council_user).get(f"{files}{official.code}/").status_code == 404
    # A sensitive version is never served by the ordinary URL; its own URL is guarded.
    assert _client(world.pcm).get(f"{files}{secret.code}/").status_code == 404
    assert _client(world.sponsor).get(f"{files}{secret.code}/sensitive/").status_code == 403
    assert _client(world.peer).get(f"{files}{secret.code}/sensitive/").status_code == 403
    page = _client(world.pcm).get(f"{_list_url(d)}{ask.code}/").content.decode()
    # The PCM is not cleared yet: the sensitive version is named but not linked (issue 23).
    assert f"files/{secret.code}/sensitive/" not in page and "b.pdf" in page
    assert f'files/{official.code}/"' in page
