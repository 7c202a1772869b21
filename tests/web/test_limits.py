"""Limits that never cut: every length or size limit is checked before anything is stored; the
person is told the limit and gets their text back. A note at the limit is stored whole, and a
request over the size limit gets a 413 page that says the size was the problem."""

from __future__ import annotations

import json
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.models import ApiToken
from peerdiag.casereview.domain.lists import parse_case_csv
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Kloe
from peerdiag.findings.domain.findings import add_finding
from peerdiag.findings.domain.notes import MAX_BODY, add_note
from peerdiag.findings.enums import SourceType
from peerdiag.findings.models import EvidenceNote, Finding, Recommendation
from tests.factories import KloeFactory

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
# A character that takes four bytes in UTF-8 (and twelve once url-encoded): the worst case.
WIDE = "\N{GRINNING FACE}"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form_post(c: Client, url: str, data: dict[str, Any], **kw: Any) -> Any:
    """Posted as a browser posts a form without files: url-encoded."""
    return c.post(url, urlencode(data, doseq=True), content_type=FORM, **kw)


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _note(world: Any) -> EvidenceNote:
    return add_note(world.own, by=world.peer, source_type=SourceType.DATA, title="Data")


# Notes ----------------------------------------------------------------------------------------


def test_a_new_note_over_the_limit_is_refused_with_all_its_text_on_the_page(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    url = reverse("web:note_add", args=[world.own.reference])
    typed = ("Words worth keeping. " * 3000)[:59_990] + "THE END"
    assert len(typed) > 59_000
    response = _form_post(
        c, url, {"source_type": "data", "title": "Long", "polarity": "neutral", "body": typed}
    )
    page = _text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert f"A note can be up to {MAX_BODY:,} characters; it is {len(typed):,}" in page
    assert typed + "</textarea>" in page  # every character given back, the end included
    assert not EvidenceNote.objects.exists()


def test_an_edited_note_over_the_limit_is_refused_with_all_its_text_on_the_page(world):  # type: ignore[no-untyped-def]
    note = _note(world)
    c = _client(world.peer)
    url = reverse("web:note_save", args=[world.own.reference, note.code])
    typed = "x" * 60_000 + "THE END"
    data = {"revision": "0", "polarity": "neutral", "body": typed}
    page = _text(_form_post(c, url, data))
    assert "There is a problem" in page and "A note can be up to 50,000 characters" in page
    assert typed + "</textarea>" in page
    # The autosave says so too, and moves nothing on.
    fragment = _text(_form_post(c, url, data, headers={"HX-Request": "true"}))
    assert "Not saved" in fragment and "50,000 characters" in fragment
    note.refresh_from_db()
    assert (note.body, note.revision) == ("", 0)


def test_a_note_of_exactly_the_limit_in_four_byte_characters_is_stored_whole(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    body = WIDE * MAX_BODY
    url = reverse("web:note_add", args=[world.own.reference])
    data = {"source_type": "data", "title": WIDE * 200, "heard_from": WIDE * 300}
    response = _form_post(c, url, {**data, "polarity": "neutral", "body": body})
    assert response.status_code == 302, _text(response)[:300]
    note = EvidenceNote.objects.get()
    assert (note.body, note.title, note.heard_from) == (body, WIDE * 200, WIDE * 300)
    # Saving it again from the page, at the limit, stores it whole as well.
    edited = "a" + body[1:]
    save = reverse("web:note_save", args=[world.own.reference, note.code])
    save_data = {"revision": "0", "polarity": "neutral", "heard_from": WIDE * 300, "body": edited}
    assert _form_post(c, save, save_data).status_code == 302
    note.refresh_from_db()
    assert note.body == edited and len(note.body) == MAX_BODY


def test_a_note_title_or_heard_from_over_its_limit_is_refused_not_cut(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    url = reverse("web:note_add", args=[world.own.reference])
    title, heard = "T" * 201, "H" * 301
    data = {"source_type": "data", "title": title, "heard_from": heard, "polarity": "neutral"}
    page = _text(_form_post(c, url, data))
    assert "A title can be up to 200 characters; it is 201" in page
    assert "Heard from can be up to 300 characters; it is 301" in page
    assert f'value="{title}"' in page and f'value="{heard}"' in page
    assert not EvidenceNote.objects.exists()
    # The domain refuses too, for any caller that is not the page.
    with pytest.raises(DomainError, match="up to 200 characters"):
        add_note(world.own, by=world.peer, source_type="data", title=title)
    with pytest.raises(DomainError, match="up to 50,000 characters"):
        add_note(world.own, by=world.peer, source_type="data", title="T", body="b" * 50_001)


# Findings, recommendations, survey answers, imports ------------------------------------------


def test_a_finding_over_its_limit_is_refused_with_its_text_back(world):  # type: ignore[no-untyped-def]
    kloe = KloeFactory(diagnostic=world.own, order=1)
    typed = "s" * 2_001
    response = _form_post(
        _client(world.peer),
        reverse("web:finding_add", args=[world.own.reference]),
        {"kind": "strength", "statement": typed, "kloe": kloe.code},
    )
    page = _text(response)
    assert "at most 2000 characters (it has 2001)" in page
    assert typed + "</textarea>" in page
    assert not Finding.objects.exists()


def test_a_recommendation_over_its_limit_is_refused_with_its_text_back(world):  # type: ignore[no-untyped-def]
    f = add_finding(world.own, by=world.peer, kind="area", statement="Slow plans", kloe=None)
    typed = "r" * 2_001
    page = _text(
        _form_post(
            _client(world.peer),
            reverse("web:recommendation_add", args=[world.own.reference]),
            {"text": typed, "findings": [f.code]},
        )
    )
    assert "at most 2000 characters (it has 2001)" in page and typed + "</textarea>" in page
    assert not Recommendation.objects.exists()


def test_a_kloe_over_its_limit_is_refused_with_its_text_back(world):  # type: ignore[no-untyped-def]
    typed = "k" * 1_001
    page = _text(
        _form_post(
            _client(world.pcm),
            reverse("web:kloe_list", args=[world.own.reference]),
            {"text": typed},
        )
    )
    assert "There is a problem" in page and "characters" in page and typed in page
    assert not Kloe.objects.filter(diagnostic=world.own).exists()


def test_survey_answers_over_their_limit_are_refused_with_the_text_back(world):  # type: ignore[no-untyped-def]
    from peerdiag.evaluation.domain.surveys import send_due_surveys
    from peerdiag.evaluation.models import Survey
    from tests.evaluation.helpers import DUE, issued

    issued(world.own)
    send_due_surveys(DUE)
    survey = Survey.objects.get(role="sponsor")
    typed = "c" * 5_001
    answers = {"usefulness": "5", "accuracy": "4", "team_quality": "5", "impact": "3"}
    page = _text(
        _form_post(
            Client(),
            reverse("web:survey", args=[survey.token]),
            {**answers, "comments": typed, "further_support": "no"},
        )
    )
    assert "There is a problem" in page and "5000 characters" in page.replace(",", "")
    assert typed in page
    survey.refresh_from_db()
    assert survey.completed_at is None and survey.comments == ""


def test_an_imported_case_list_with_a_cell_over_its_limit_is_refused_not_cut():
    csv = b"reference,cohort,team,legal_status\nA1,cp," + b"T" * 101 + b",S\n"
    with pytest.raises(DomainError, match="Row 2: the team can be up to 100 characters"):
        parse_case_csv(csv)
    rows = parse_case_csv(b"reference,cohort,team,legal_status\nA1,cp," + b"T" * 100 + b",S\n")
    assert rows[0].team == "T" * 100


# The request-size limit -----------------------------------------------------------------------


def test_the_largest_note_fits_the_request_size_limit():
    # 50,000 four-byte characters, url-encoded, plus the longest title and heard-from.
    largest = len(urlencode({"body": WIDE * MAX_BODY, "title": WIDE * 200, "x": WIDE * 300}))
    assert largest < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_request_over_the_size_limit_gets_a_413_page_that_says_so(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    url = reverse("web:note_add", args=[world.own.reference])
    body = "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = _form_post(
        c,
        url,
        {"source_type": "data", "title": "Huge", "polarity": "neutral", "body": body},
        headers={"Referer": "http://testserver" + url},
    )
    page = _text(response)
    assert response.status_code == 413
    assert "What you sent was too large" in page and "more than 2.5 MB" in page
    assert f'href="http://testserver{url}"' in page  # back to the form
    assert not EvidenceNote.objects.exists()


def test_an_api_request_over_the_size_limit_is_413_json(world):  # type: ignore[no-untyped-def]
    _, raw = ApiToken.issue(world.pcm, "tests")
    body = json.dumps({"text": "k" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = Client().post(
        f"/api/diagnostics/{world.own.reference}/kloes",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 413
    assert "larger than the limit of 2,621,440 bytes" in response.json()["detail"]
    assert not Kloe.objects.filter(diagnostic=world.own).exists()


def test_a_published_versions_note_over_its_limit_is_refused_not_cut(world):  # type: ignore[no-untyped-def]
    from peerdiag.timetable.domain.versions import publish
    from peerdiag.timetable.models import TimetableVersion

    with pytest.raises(DomainError, match="The note can be up to 300 characters"):
        publish(world.own, by=world.pcm, note="n" * 301, notify=False)
    assert not TimetableVersion.objects.exists()
