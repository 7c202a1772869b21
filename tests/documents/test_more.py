"""Reclassifying a version (page and API), the read-only admin, and choosing S3 by settings."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory

from peerdiag.accounts.models import ApiToken
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.documents.admin import DocumentRequestAdmin, DocumentVersionAdmin
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from peerdiag.documents.models import DocumentRequest, DocumentVersion

from .helpers import PDF, upload

ROOT = Path(__file__).resolve().parents[2]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _supplied(world, classification: str = "official", title: str = "Safeguarding audit"):  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title=title)
    version = supply_document(
        ask,
        by=world.organiser,
        file=upload(PDF, "audit.pdf"),
        name="audit.pdf",
        classification=classification,
    )
    return ask, version


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
    return _client(user).post(
        url,
        {"reclassify-version": version.code, "reclassify-classification": classification},
    )


# --- The page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pcm_moves_a_version_to_sensitive_and_its_downloads_follow(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world)
    urls = _urls(world.own, ask, version)
    _clear(world)
    peer = _client(world.peer)
    assert peer.get(urls["plain"]).status_code == 200
    assert peer.get(urls["sensitive"]).status_code == 404

    pcm = _client(world.pcm)
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
    assert _client(world.pcm).get(urls["plain"]).status_code == 404
    assert _client(world.organiser).get(urls["plain"]).status_code == 404
    sensitive = peer.get(urls["sensitive"])
    assert sensitive.status_code == 200
    assert b"".join(sensitive.streaming_content) == PDF  # type: ignore[attr-defined]
    assert _client(world.pcm).get(urls["sensitive"]).status_code == 403
    assert _client(world.organiser).get(urls["sensitive"]).status_code == 403


@pytest.mark.django_db
def test_moving_back_to_official_reopens_the_ordinary_url(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world, "personal_data")
    urls = _urls(world.own, ask, version)
    assert _client(world.organiser).get(urls["plain"]).status_code == 404
    assert _post(world.admin, urls["reclassify"], version, "official").status_code == 302
    assert _client(world.organiser).get(urls["plain"]).status_code == 200
    _clear(world)
    assert _client(world.peer).get(urls["sensitive"]).status_code == 404


@pytest.mark.django_db
def test_only_the_pcm_and_admin_may_reclassify(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world)
    urls = _urls(world.own, ask, version)
    assert _post(world.peer, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.organiser, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.sponsor, urls["reclassify"], version, "public").status_code == 403
    assert _post(world.stranger_peer, urls["reclassify"], version, "public").status_code == 404
    assert _post(world.other_pcm, urls["reclassify"], version, "public").status_code == 404
    version.refresh_from_db()
    assert version.classification == "official"
    assert "Change classification" in _client(world.pcm).get(urls["detail"]).content.decode()
    assert "Change classification" in _client(world.admin).get(urls["detail"]).content.decode()
    for user in (world.peer, world.organiser):
        assert "Change classification" not in _client(user).get(urls["detail"]).content.decode()


@pytest.mark.django_db
def test_a_missing_choice_shows_the_error_summary(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world)
    urls = _urls(world.own, ask, version)
    r = _client(world.pcm).post(urls["reclassify"], {"reclassify-version": version.code})
    page = r.content.decode()
    assert r.status_code == 200
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert "Choose the new classification" in page
    r = _post(world.pcm, urls["reclassify"], version, "secret")
    assert "Select a valid choice" in r.content.decode()
    r = _client(world.pcm).post(
        urls["reclassify"],
        {"reclassify-version": "nosuchcode", "reclassify-classification": "public"},
    )
    assert "Choose one of the versions listed" in r.content.decode()
    version.refresh_from_db()
    assert version.classification == "official"


@pytest.mark.django_db
def test_a_version_of_another_request_cannot_be_chosen(world):  # type: ignore[no-untyped-def]
    ask, _ = _supplied(world)
    _, other = _supplied(world, title="Workforce strategy")
    urls = _urls(world.own, ask, other)
    r = _post(world.pcm, urls["reclassify"], other, "public")
    assert r.status_code == 200
    assert "Choose one of the versions listed" in r.content.decode()
    other.refresh_from_db()
    assert other.classification == "official"


@pytest.mark.django_db
def test_the_same_classification_changes_nothing(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world)
    urls = _urls(world.own, ask, version)
    audits = AuditEntry.objects.count()
    c = _client(world.pcm)
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
    ask, version = _supplied(world)
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
    ask, version = _supplied(world)
    urls = _urls(world.own, ask, version)
    assert _api(world.pcm, urls["api"], {"classification": "secret"}).status_code == 422
    assert _api(world.pcm, urls["api"], {}).status_code == 422
    extra = {"classification": "public", "colour": "red"}
    assert _api(world.pcm, urls["api"], extra).status_code == 422
    missing = urls["api"].replace(version.code, "nosuchcode")
    assert _api(world.pcm, missing, {"classification": "public"}).status_code == 404
    version.refresh_from_db()
    assert version.classification == "official"


# --- The admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_and_searches_but_never_changes(world):  # type: ignore[no-untyped-def]
    ask, version = _supplied(world, "official_sensitive")
    request_document(world.other, by=world.other_pcm, title="Workforce plan")
    assert isinstance(admin.site._registry[DocumentRequest], DocumentRequestAdmin)
    assert isinstance(admin.site._registry[DocumentVersion], DocumentVersionAdmin)
    c = _client(world.admin)

    page = c.get("/admin/documents/documentrequest/", {"q": world.own.reference})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Safeguarding audit" in text and "Workforce plan" not in text
    text = c.get("/admin/documents/documentrequest/", {"q": "workforce"}).content.decode()
    assert "Workforce plan" in text and "Safeguarding audit" not in text
    text = c.get("/admin/documents/documentrequest/", {"status__exact": "requested"}).content
    assert b"Workforce plan" in text and b"Safeguarding audit" not in text

    versions = "/admin/documents/documentversion/"
    text = c.get(versions, {"classification__exact": "official_sensitive"}).content.decode()
    assert "audit.pdf" in text
    text = c.get(versions, {"classification__exact": "public"}).content.decode()
    assert "audit.pdf" not in text
    assert "audit.pdf" in c.get(versions, {"q": "safeguarding"}).content.decode()

    assert c.get(versions + "add/").status_code == 403
    assert c.get(f"/admin/documents/documentrequest/{ask.pk}/delete/").status_code == 403
    before = version.classification
    c.post(f"{versions}{version.pk}/change/", {"classification": "public"})
    version.refresh_from_db()
    assert version.classification == before
    request = RequestFactory().get("/")
    request.user = world.admin
    for model_admin in (
        admin.site._registry[DocumentRequest],
        admin.site._registry[DocumentVersion],
    ):
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request, None)
        assert model_admin.has_view_permission(request, None)


# --- Choosing S3 through the settings ------------------------------------------------------


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEERDIAG_S3_", "AWS_"))}
    clean.pop("PEERDIAG_STORAGE", None)
    clean.update(env)
    code = (
        "import json, peerdiag.settings as s; "
        "print(json.dumps({'default': s.STORAGES['default'], 'kind': s.STORAGE_KIND}))"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_s3_is_chosen_with_its_bucket_and_endpoint():
    import json

    done = _settings_in_subprocess(
        PEERDIAG_STORAGE="S3",
        PEERDIAG_S3_BUCKET="peerdiag-files",
        PEERDIAG_S3_ENDPOINT_URL="https://objects.example.org",
        PEERDIAG_S3_REGION="eu-west-2",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["kind"] == "s3"
    default = found["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "peerdiag-files"
    assert options["endpoint_url"] == "https://objects.example.org"
    assert options["region_name"] == "eu-west-2"
    assert (options["access_key"], options["secret_key"]) == ("id", "secret")
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_local_storage_is_the_default():
    import json

    done = _settings_in_subprocess()
    assert done.returncode == 0, done.stderr
    default = json.loads(done.stdout)["default"]
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PEERDIAG_STORAGE": "dropbox"}, "PEERDIAG_STORAGE must be local or s3, not 'dropbox'"),
        ({"PEERDIAG_STORAGE": "s3"}, "PEERDIAG_S3_BUCKET must be set"),
        (
            {
                "PEERDIAG_STORAGE": "s3",
                "PEERDIAG_S3_BUCKET": "b",
                "PEERDIAG_S3_ENDPOINT_URL": "objects.example.org",
            },
            "PEERDIAG_S3_ENDPOINT_URL must start with http:// or https://",
        ),
    ],
)
def test_a_bad_storage_setting_stops_start_up_naming_the_key(env, message):  # type: ignore[no-untyped-def]
    done = _settings_in_subprocess(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr
