"""Idempotent writes: a form that creates something, sent twice (a double click, a post sent
again), makes one thing, and both answers lead to it.

Every create form carries a one-time token (`{% once_token %}`); web/middleware.py claims it
in the cache. test_idempotency_every_form.py checks that every create form has one.
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from peerdiag.diagnostics.models import Kloe
from peerdiag.documents.models import DocumentRequest
from peerdiag.findings.domain.findings import add_finding
from peerdiag.findings.models import EvidenceNote, Finding, Recommendation
from peerdiag.timetable.models import Attendee
from peerdiag.web.middleware import fingerprint, once_key
from tests.factories import KloeFactory

from .forms_on_page import post_forms

pytestmark = pytest.mark.django_db
SENT_TWICE = "That form was sent more than once. It was only acted on once"


def _sent(url: str, data: dict[str, Any]) -> str:
    """The fingerprint the middleware takes of this post."""
    return fingerprint(RequestFactory().post(url, data))


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _token(c: Client, page_url: str, action: str = "") -> str:
    """The one-time token of the form on `page_url` that posts to `action` (itself if empty)."""
    forms = post_forms(c.get(page_url).content.decode())
    chosen = [f for f in forms if f.action in (action, "") and f.once]
    assert chosen, f"no form on {page_url} posting to {action or 'itself'} has a one-time token"
    return chosen[0].once


def _twice(c: Client, page_url: str, data: dict[str, Any], *, action: str = "") -> tuple[Any, Any]:
    token = _token(c, page_url, action)
    url = action or page_url
    first = c.post(url, {**data, "once": token})
    second = c.post(url, {**data, "once": token})
    return first, second


def _same_place(first: Any, second: Any) -> str:
    assert first.status_code == 302, unescape(first.content.decode())[:500]
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    return str(first["Location"])


def _shown(c: Client, location: str, *words: str) -> None:
    page = unescape(c.get(location).content.decode())
    for w in words:
        assert w in page, w


def test_a_finding_sent_twice_is_made_once(world):  # type: ignore[no-untyped-def]
    kloe = KloeFactory(diagnostic=world.own, order=1)
    c = _client(world.peer)
    page = reverse("web:finding_add", args=[world.own.reference])
    data = {"kind": "strength", "statement": "Supervision is regular", "kloe": kloe.code}
    first, second = _twice(c, page, data)
    location = _same_place(first, second)
    f = Finding.objects.get(diagnostic=world.own)
    assert f.statement == "Supervision is regular"
    assert location == reverse("web:finding_detail", args=[world.own.reference, f.code])
    _shown(c, location, "Supervision is regular", SENT_TWICE)


def test_a_recommendation_sent_twice_is_made_once(world):  # type: ignore[no-untyped-def]
    f = add_finding(world.own, by=world.peer, kind="area", statement="Slow plans", kloe=None)
    c = _client(world.peer)
    page = reverse("web:recommendation_add", args=[world.own.reference])
    first, second = _twice(c, page, {"text": "Speed up plans", "findings": [f.code]})
    location = _same_place(first, second)
    assert Recommendation.objects.filter(findings=f).count() == 1
    _shown(c, location, "Speed up plans")


def test_a_kloe_sent_twice_is_made_once(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    page = reverse("web:kloe_list", args=[world.own.reference])
    first, second = _twice(c, page, {"text": "How well are children helped early?"})
    location = _same_place(first, second)
    assert Kloe.objects.filter(diagnostic=world.own).count() == 1
    _shown(c, location, "How well are children helped early?", SENT_TWICE)


def test_a_suggested_kloe_clicked_twice_is_added_once(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    page = reverse("web:kloe_list", args=[world.own.reference])
    action = reverse("web:kloe_add_suggestion", args=[world.own.reference])
    first, second = _twice(c, page, {"index": "0"}, action=action)
    _same_place(first, second)
    assert Kloe.objects.filter(diagnostic=world.own).count() == 1


def test_an_attendee_sent_twice_is_added_once(world):  # type: ignore[no-untyped-def]
    c = _client(world.organiser)
    page = reverse("web:attendee_add", args=[world.own.reference])
    data = {"name": "Ann Lee", "email": "ann@x.example", "group": "Police"}
    first, second = _twice(c, page, data)
    location = _same_place(first, second)
    assert Attendee.objects.filter(diagnostic=world.own, name="Ann Lee").count() == 1
    _shown(c, location, "Ann Lee")


def test_a_document_request_sent_twice_is_made_once(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    page = reverse("web:document_request_create", args=[world.own.reference])
    data = {"title": "Early help strategy", "category": "other"}
    first, second = _twice(c, page, data)
    location = _same_place(first, second)
    assert DocumentRequest.objects.filter(diagnostic=world.own).count() == 1
    _shown(c, location, "Early help strategy")


def test_a_note_sent_twice_is_made_once(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    page = reverse("web:note_add", args=[world.own.reference])
    data = {"source_type": "data", "title": "Re-referrals", "polarity": "neutral", "body": "12%"}
    first, second = _twice(c, page, data)
    location = _same_place(first, second)
    note = EvidenceNote.objects.get(diagnostic=world.own)
    assert note.title == "Re-referrals"
    assert location == reverse("web:note_edit", args=[world.own.reference, note.code])
    _shown(c, location, "Re-referrals", SENT_TWICE)


def test_a_form_with_errors_gives_its_token_back(world):  # type: ignore[no-untyped-def]
    """The first post made nothing (a missing title), so the corrected one is not a repeat."""
    c = _client(world.peer)
    page = reverse("web:note_add", args=[world.own.reference])
    token = _token(c, page)
    data = {"source_type": "data", "title": "", "polarity": "neutral", "once": token}
    refused = c.post(page, data)
    assert "Give the note a title" in unescape(refused.content.decode())
    response = c.post(page, {**data, "title": "Re-referrals"})
    assert response.status_code == 302
    assert [n.title for n in EvidenceNote.objects.all()].count("Re-referrals") == 1


def test_a_token_is_the_users_own(world):  # type: ignore[no-untyped-def]
    """Another person's post with the same token value is their own, separate request."""
    page = reverse("web:note_add", args=[world.own.reference])
    peer = _client(world.peer)
    token = _token(peer, page)
    data = {"source_type": "data", "polarity": "neutral", "once": token}
    peer.post(page, {**data, "title": "The lead peer's"})
    _client(world.pcm).post(page, {**data, "title": "The PCM's"})
    assert set(EvidenceNote.objects.values_list("title", flat=True)) == {
        "The lead peer's",
        "The PCM's",
    }


def test_a_repeat_while_the_first_is_still_saving_waits_for_it(world, monkeypatch):  # type: ignore[no-untyped-def]
    """The second post arrives while the first is still running: it waits and follows it."""
    c = _client(world.peer)
    page = reverse("web:note_add", args=[world.own.reference])
    token = _token(c, page)
    data = {"source_type": "data", "title": "Re-referrals", "polarity": "neutral", "once": token}
    key = once_key(world.peer.pk, token)
    sent = _sent(page, data)
    cache.add(key, {"state": "running", "sent": sent}, 60)
    sleeps: list[float] = []

    def first_finishes(seconds: float) -> None:
        sleeps.append(seconds)
        cache.set(key, {"location": "/made/here/", "sent": sent}, 60)

    monkeypatch.setattr("peerdiag.common.once.time.sleep", first_finishes)
    response = c.post(page, data)
    assert sleeps and response["Location"] == "/made/here/"
    assert not EvidenceNote.objects.exists()


def test_a_repeat_that_waits_too_long_is_told_so_and_runs_nothing(world, monkeypatch):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    page = reverse("web:note_add", args=[world.own.reference])
    token = _token(c, page)
    data = {"source_type": "data", "title": "Re-referrals", "polarity": "neutral", "once": token}
    running = {"state": "running", "sent": _sent(page, data)}
    cache.add(once_key(world.peer.pk, token), running, 60)
    monkeypatch.setattr("peerdiag.web.middleware.WAIT_SECONDS", 0.0)
    response = c.post(page, data)
    page_text = unescape(response.content.decode())
    assert response.status_code == 409
    assert "Still saving what you sent" in page_text and "Do not send the form again" in page_text
    assert not EvidenceNote.objects.exists()


def test_the_same_token_with_other_answers_is_not_a_repeat(world):  # type: ignore[no-untyped-def]
    """The back button shows the form as it was, token and all; what is typed then is new."""
    c = _client(world.peer)
    page = reverse("web:note_add", args=[world.own.reference])
    token = _token(c, page)
    data = {"source_type": "data", "polarity": "neutral", "once": token}
    first = c.post(page, {**data, "title": "Re-referrals"})
    second = c.post(page, {**data, "title": "Repeat visits"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] != second["Location"]
    assert set(EvidenceNote.objects.values_list("title", flat=True)) == {
        "Re-referrals",
        "Repeat visits",
    }
