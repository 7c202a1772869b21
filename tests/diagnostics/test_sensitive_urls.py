"""Every sensitive URL, tried as an unbriefed, an unsigned and a signed peer (and more).

Sensitive views are found by the mark the `sensitive` decorator leaves on them, so a page
added later behind it joins this test without anyone listing it here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
from peerdiag.diagnostics.domain.people import add_team_member
from peerdiag.diagnostics.domain.stages import cancel
from peerdiag.directory.domain.bench import save_peer_profile
from peerdiag.documents.domain.requests import request_document
from peerdiag.documents.domain.uploads import supply_document
from tests.factories import PersonFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sensitive_urls")]


def _sensitive_routes(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _sensitive_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and getattr(p.callback, "sensitive", None):
            found.append((prefix + str(p.pattern), p.callback.sensitive))
    return found


def _sensitive_document(d) -> str:  # type: ignore[no-untyped-def]
    ask = request_document(d, by=None, title=f"Sensitive {d.document_requests.count() + 1}")
    pdf = ContentFile(b"%PDF-1.4 sensitive", name="s.pdf")
    version = supply_document(
        ask, by=None, file=pdf, name="s.pdf", classification="official_sensitive"
    )
    return version.code


def _url(route: str, d) -> str:  # type: ignore[no-untyped-def]
    url = route.replace("<str:ref>", d.reference)
    if "/documents/files/<str:code>/" in url:
        url = url.replace("<str:code>", _sensitive_document(d))
    if "/case-review/" in url:
        from tests.casereview.helpers import url_arguments

        for name, value in url_arguments(route, d).items():
            url = url.replace(f"<str:{name}>", value)
    assert "<" not in url, f"teach this test the arguments of {route}"
    return "/" + url


@pytest.fixture
def team(world):  # type: ignore[no-untyped-def]
    """The world's own diagnostic with an operational manager added; briefing v1 issued and an
    agreement required."""
    d = world.own
    om_user = UserFactory(email="om@example.org")
    om = PersonFactory(user=om_user, full_name="Omar Manager")
    save_peer_profile(
        om,
        seniority="head_of_service",
        roles=["operational_manager"],
        expertise=[],
        version=UNCHECKED,
    )
    add_team_member(d, by=world.pcm, person=om, role="operational_manager")
    briefing = issue_briefing(
        d, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    agreement = set_confidentiality(
        d, by=world.sponsor, required=True, text="Keep it safe.", version=UNCHECKED
    )
    return {"d": d, "om": om_user, "briefing": briefing, "agreement": agreement}


def _get(user, url: str, *, two_factor: bool = False) -> int:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    if two_factor:
        session = c.session
        session["two_factor_verified"] = True
        session.save()
    status = c.get(url).status_code
    # A page that only takes POST answers a GET with 405 once the gatekeeper let the user in.
    return 200 if status == 405 else status


def _clear(person, t) -> None:  # type: ignore[no-untyped-def]
    acknowledge_briefing(t["briefing"], by=None, person=person)
    sign_agreement(t["agreement"], by=None, person=person, typed_name=person.full_name)


def test_the_sensitive_urls_are_found():
    assert sorted(_sensitive_routes(get_resolver().url_patterns)) == [
        ("diagnostics/<str:ref>/case-review/", "child_data"),
        ("diagnostics/<str:ref>/case-review/cases/<str:code>/", "child_data"),
        ("diagnostics/<str:ref>/case-review/cases/<str:code>/concern/", "child_data"),
        ("diagnostics/<str:ref>/case-review/cases/<str:code>/contacts/", "child_data"),
        ("diagnostics/<str:ref>/case-review/cases/<str:code>/second-reading/", "child_data"),
        ("diagnostics/<str:ref>/case-review/lists/<str:code>/upload/", "child_data"),
        ("diagnostics/<str:ref>/case-review/named-contact/", "child_data"),
        ("diagnostics/<str:ref>/case-review/reference-format/", "child_data"),
        ("diagnostics/<str:ref>/case-review/report/text/", "child_data"),
        ("diagnostics/<str:ref>/case-review/sample/", "child_data"),
        ("diagnostics/<str:ref>/case-review/sample/by-hand/", "child_data"),
        ("diagnostics/<str:ref>/case-review/share-out/", "child_data"),
        ("diagnostics/<str:ref>/documents/files/<str:code>/sensitive/", "documents"),
        ("probe/<str:ref>/case/", "child_data"),
        ("probe/<str:ref>/document/", "documents"),
    ]


@pytest.mark.parametrize(
    ("route", "kind"), _sensitive_routes(get_resolver("tests.sensitive_urls").url_patterns)
)
def test_unbriefed_unsigned_and_signed_peers(world, team, route, kind):  # type: ignore[no-untyped-def]
    d = team["d"]
    url = _url(route, d)
    # A peer for sensitive documents; the lead peer (a child-data role) for case records.
    user = team["om"] if kind == "documents" else world.peer
    person = user.person
    assert _get(user, url, two_factor=True) == 403, "unbriefed"
    acknowledge_briefing(team["briefing"], by=None, person=person)
    assert _get(user, url, two_factor=True) == 403, "briefed but unsigned"
    sign_agreement(team["agreement"], by=None, person=person, typed_name=person.full_name)
    assert _get(user, url, two_factor=True) == 200, "briefed and signed"
    if kind == "child_data":
        assert _get(user, url, two_factor=False) == 403, "no two-factor sign-in this session"
        _clear(team["om"].person, team)
        assert _get(team["om"], url, two_factor=True) == 403, "not a child-data role"
    # Outsiders learn nothing; the council is not the team; being an LGA superuser is no
    # clearance either.
    assert _get(world.stranger_peer, url, two_factor=True) == 404
    assert _get(world.sponsor, url, two_factor=True) == 403
    assert world.admin.is_superuser
    assert _get(world.admin, url, two_factor=True) == 403
    # A new version of the agreement needs a new signature.
    set_confidentiality(
        d, by=world.sponsor, required=True, text="Keep it safer.", version=UNCHECKED
    )
    assert _get(user, url, two_factor=True) == 403, "signed an old version"
    set_confidentiality(d, by=world.sponsor, required=False, version=UNCHECKED)
    assert _get(user, url, two_factor=True) == 200, "no agreement asked for"
    cancel(d, by=world.pcm, reason="Withdrawn")
    assert _get(user, url, two_factor=True) == 403, "the diagnostic has ended"
