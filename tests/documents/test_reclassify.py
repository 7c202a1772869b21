"""Reclassifying a version of a key document, on its page and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from peerdiag.accounts.models import ApiToken
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.models import AuditEntry

from .helpers import PDF, signed_in, supplied


def _urls(d, ask, version) -> dict[str, str]:  # type: ignore[no-untyped-def]
    base = f"/diagnostics/{d.reference}/documents/"
    return {
        "detail": f"{base}{ask.code}/",
        "reclassify": f"{base}{ask.code}/classification/",
        "plain": f"{base}files/{version.code}/",
        "sensitive": f"{base}files/{version.code}/sensitive/",
        "api": f"/api/diagnostics/{d.reference}/document-files/{version.code}/classification",
        "api_file": f"/api/diagnostics/{d.reference}/document-files/{version.code}",
    }


def _clear(world) -> None:  # type: ignore[no-untyped-def]
    """The lead peer reads the briefing; the council asks for no agreement."""
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="brief.pdf", version=UNCHECKED
    )
    acknowledge_briefing(briefing, by=None, person=world.peer.person)


def _post(user, url: str, version, classification: str):  # type: ignore[no-untyped-def]
    return signed_in(user).post(
        url,
        {"reclassify-version": version.code, "reclassify-classification": classification},
    )


# --- The page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pcm_moves_a_version_to_sensitive_and_its_downloads_follow(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    _clear(world)
    peer = signed_in(world.peer)
    assert peer.get(urls["plain"]).status_code == 200
    assert peer.get(urls["sensitive"]).status_code == 404

    pcm = signed_in(world.pcm)
    data = {"reclassify-version": version.code, "reclassify-classification": "official_sensitive"}
    r = pcm.post(urls["reclassify"], data)
    assert r.status_code == 302
    assert r["Location"] == urls["detail"]
    version.refresh_from_db()
    assert version.classification == "official_sensitive"
    page = pcm.get(urls["detail"]).content.decode()
    assert "Version 1 is now classified as official-sensitive" in page
    entry = AuditEntry.objects.filter(diagnostic=world.own).latest("pk")
    assert entry.summary == "Reclassified version 1 of ‘Safeguarding audit’"

    # From now on the ordinary URL refuses it, for everyone; the guarded one opens for the
    # cleared peer only.
    assert peer.get(urls["plain"]).status_code == 404
    assert signed_in(world.pcm).get(urls["plain"]).status_code == 404
    assert signed_in(world.organiser).get(urls["plain"]).status_code == 404
    sensitive = peer.get(urls["sensitive"])
    assert sensitive.status_code == 200
    assert b"".join(sensitive.streaming_content) == PDF  # type: ignore[attr-defined]
    assert signed_in(world.pcm).get(urls["sensitive"]).status_code == 403
    assert signed_in(world.organiser).get(urls["sensitive"]).status_code == 403


@pytest.mark.django_db
def test_moving_back_to_official_reopens_the_ordinary_url(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world, "personal_data")
    urls = _urls(world.own, ask, version)
    assert signed_in(world.organiser).get(urls["plain"]).status_code == 404
    assert _post(world.admin, urls["reclassify"], version, "official").status_code == 302
    assert signed_in(world.organiser).get(urls["plain"]).status_code == 200
    _clear(world)
    assert signed_in(world.peer).get(urls["sensitive"]).status_code == 404


@pytest.mark.django_db
def test_only_the_pcm_and_admin_may_reclassify(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    assert _post(world.peer, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.organiser, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.sponsor, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.stranger_peer, urls["reclassify"], version, "public").status_code == 404
    assert _post(world.other_pcm, urls["reclassify"], version, "public").status_code == 404
    version.refresh_from_db()
    assert version.classification == "official"
    assert "Change classification" in signed_in(world.pcm).get(urls["detail"]).content.decode()
    assert "Change classification" in signed_in(world.admin).get(urls["detail"]).content.decode()
    for user in (world.peer, world.organiser):
        assert "Change classification" not in signed_in(user).get(urls["detail"]).content.decode()


@pytest.mark.django_db
def test_a_missing_choice_shows_the_error_summary(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    r = signed_in(world.pcm).post(urls["reclassify"], {"reclassify-version": version.code})
    page = r.content.decode()
    assert r.status_code == 200
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert "Choose the new classification" in page
    r = _post(world.pcm, urls["reclassify"], version, "secret")
    assert "Select a valid choice" in r.content.decode()
    r = signed_in(world.pcm).post(
        urls["reclassify"],
        {"reclassify-version": "nosuchcode", "reclassify-classification": "public"},
    )
    assert "Choose one of the versions listed" in r.content.decode()
    version.refresh_from_db()
    assert version.classification == "official"


@pytest.mark.django_db
def test_a_version_of_another_request_cannot_be_chosen(world):  # type: ignore[no-untyped-def]
    ask, _ = supplied(world)
    _, other = supplied(world, title="Workforce strategy")
    urls = _urls(world.own, ask, other)
    r = _post(world.pcm, urls["reclassify"], other, "public")
    assert r.status_code == 200
    assert "Choose one of the versions listed" in r.content.decode()
    other.refresh_from_db()
    assert other.classification == "official"


@pytest.mark.django_db
def test_the_same_classification_changes_nothing(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    audits = AuditEntry.objects.count()
    c = signed_in(world.pcm)
    r = c.post(
        urls["reclassify"],
        {"reclassify-version": version.code, "reclassify-classification": "official"},
        follow=True,
    )
    assert "Version 1 was already official: nothing changed" in r.content.decode()
    assert AuditEntry.objects.count() == audits


# --- The API -------------------------------------------------------------------------------


def _headers(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, token = ApiToken.issue(user, "tests")
    return {"Authorization": f"Bearer {token}"}


def _api(user, url: str, body: dict[str, str]):  # type: ignore[no-untyped-def]
    return Client().post(url, body, content_type="application/json", headers=_headers(user))


def _api_get(user, url: str):  # type: ignore[no-untyped-def]
    return Client().get(url, headers=_headers(user))


@pytest.mark.django_db
def test_api_reclassifies_for_the_pcm_and_refuses_others(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    body = {"classification": "personal_data"}
    assert _api(world.peer, urls["api"], body).status_code == 403
    assert _api(world.organiser, urls["api"], body).status_code == 403
    assert _api(world.stranger_peer, urls["api"], body).status_code == 404
    assert Client().post(urls["api"], body, content_type="application/json").status_code == 401

    r = _api(world.pcm, urls["api"], body)
    assert r.status_code == 200
    assert r.json()["code"] == version.code
    assert r.json()["classification"] == "personal_data"
    version.refresh_from_db()
    assert version.classification == "personal_data"

    # The API download now asks for clearance: the PCM and the council are refused.
    assert _api_get(world.pcm, urls["api_file"]).status_code == 403
    assert _api_get(world.organiser, urls["api_file"]).status_code == 403
    _clear(world)
    # Cleared, the peer still needs a token of the sensitive scope (tests/api/test_token_scopes).
    assert _api_get(world.peer, urls["api_file"]).status_code == 403
    _, raw = ApiToken.issue(world.peer, "tests", scope="sensitive", lifetime=timedelta(hours=8))
    assert Client().get(urls["api_file"], HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.django_db
def test_api_rejects_a_bad_body(world):  # type: ignore[no-untyped-def]
    ask, version = supplied(world)
    urls = _urls(world.own, ask, version)
    assert _api(world.pcm, urls["api"], {"classification": "secret"}).status_code == 422
    assert _api(world.pcm, urls["api"], {}).status_code == 422
    extra = {"classification": "public", "colour": "red"}
    assert _api(world.pcm, urls["api"], extra).status_code == 422
    missing = urls["api"].replace(version.code, "nosuchcode")
    assert _api(world.pcm, missing, {"classification": "public"}).status_code == 404
    version.refresh_from_db()
    assert version.classification == "official"
