"""Issue 18: a peer left out of the suggestions by a conflict of interest is listed under their
role with the reason, on the team builder, never silently dropped."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.team_builder import excluded_peers, suggest_peers
from peerdiag.diagnostics.models import ConflictDeclaration
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from tests.factories import CouncilFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
REF = "RPD-2027-001"  # world.own


def _peer(  # type: ignore[no-untyped-def]
    name: str, *, council=None, roles=("operational_manager",), seniority="head_of_service"
):
    person = PersonFactory(
        full_name=name,
        job_title="Head of service",
        organisation=council or CouncilFactory(name=f"{name} Council", region=Region.SOUTH_WEST),
    )
    save_peer_profile(
        person,
        seniority=seniority,
        roles=list(roles),
        expertise=["front_door"],
        version=UNCHECKED,
    )
    return person


def _declared(d, person) -> None:  # type: ignore[no-untyped-def]
    """A declaration of work for the host, as made by someone once on the team."""
    ConflictDeclaration.objects.create(
        diagnostic=d,
        person=person,
        worked_for_host=True,
        details="Interim head of service",
        declared_at=timezone.now(),
    )


def _three_conflicted(d, *, today: date) -> None:  # type: ignore[no-untyped-def]
    _peer("Hana Host", council=d.host_council)
    recent = _peer("Rita Recent")
    declare_recent_work(
        recent.peer_profile, council=d.host_council, ended_on=today - timedelta(days=400)
    )
    declared = _peer("Dev Declared")
    _declared(d, declared)


def _names(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [x.person.full_name for x in items]


def test_each_blocked_peer_is_listed_with_the_reason_and_never_suggested(world):  # type: ignore[no-untyped-def]
    d = world.own
    _three_conflicted(d, today=TODAY)
    old = _peer("Olu Old")
    declare_recent_work(old.peer_profile, council=d.host_council, ended_on=date(2021, 1, 1))
    found = excluded_peers(d, "operational_manager", today=TODAY)
    assert _names(found) == ["Dev Declared", "Hana Host", "Rita Recent"]
    reasons = {x.person.full_name: x.reasons for x in found}
    host_name = str(d.host_council)
    assert reasons["Hana Host"] == [f"Hana Host works for {host_name}, the host council"]
    ended = (TODAY - timedelta(days=400)).strftime("%B %Y")
    assert reasons["Rita Recent"] == [f"Rita Recent worked for {host_name} until {ended}"]
    assert reasons["Dev Declared"] == [
        f"Dev Declared declared work for {host_name} in the last three years"
    ]
    suggested = _names(suggest_peers(d, "operational_manager", today=TODAY))
    assert "Olu Old" in suggested  # work more than three years ago is no conflict
    assert not {"Hana Host", "Rita Recent", "Dev Declared"} & set(suggested)


def test_only_peers_who_would_otherwise_fit_the_role_are_listed(world):  # type: ignore[no-untyped-def]
    d = world.own
    # Offers another role, or is on the team already: neither is listed as a lead peer.
    _peer("Ola Ops", council=d.host_council)
    member = _peer("Mo Member")
    dp.add_team_member(d, by=world.pcm, person=member, role="operational_manager")
    _declared(d, member)
    _peer("Dina Director", council=d.host_council, roles=("lead_peer",), seniority="dcs")
    assert _names(excluded_peers(d, "lead_peer", today=TODAY)) == ["Dina Director"]
    assert _names(excluded_peers(d, "operational_manager", today=TODAY)) == ["Ola Ops"]
    # Case auditors join only a team with a case review.
    _peer("Cas Auditor", council=d.host_council, roles=("case_auditor",))
    assert not d.case_review_in_scope
    assert excluded_peers(d, "case_auditor", today=TODAY) == []


def _html(client: Client) -> str:
    response = client.get(reverse("web:team", args=[REF]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def test_the_team_builder_lists_the_left_out_peers_under_their_role(world):  # type: ignore[no-untyped-def]
    d = world.own
    _three_conflicted(d, today=timezone.localdate())
    _peer("Bea Best")
    c = Client()
    c.force_login(world.pcm)
    html = _html(c)
    suggested = html.split('id="suggestions-operational_manager"')[1].split("</table>")[0]
    assert "Bea Best" in suggested
    assert "Hana Host" not in suggested and "Rita Recent" not in suggested
    left_out = html.split('id="excluded-operational_manager"')[1].split("</table>")[0]
    assert "Left out because of a conflict of interest (3)" in left_out
    host_name = str(d.host_council)
    for name, why in (
        ("Hana Host", f"Hana Host works for {host_name}, the host council"),
        ("Rita Recent", f"Rita Recent worked for {host_name} until"),
        ("Dev Declared", f"Dev Declared declared work for {host_name} in the last three years"),
    ):
        row = next(r for r in left_out.split("<tr ")[1:] if name in r)
        assert why in row, name
        assert "Front door" in row  # their expertise, as in the suggestions
    # Nothing is listed as left out for a role where nobody is.
    assert 'id="excluded-lead_peer"' not in html


def test_the_left_out_peers_are_not_shown_to_a_peer_on_the_team(world):  # type: ignore[no-untyped-def]
    _three_conflicted(world.own, today=timezone.localdate())
    c = Client()
    c.force_login(world.peer)
    html = _html(c)
    assert "Lead peer" in html  # the team is shown …
    assert "excluded-operational_manager" not in html and "Rita Recent" not in html  # … not this


def test_query_count_does_not_grow_with_the_left_out_peers(world):  # type: ignore[no-untyped-def]
    d = world.own
    c = Client()
    c.force_login(world.pcm)
    _three_conflicted(d, today=timezone.localdate())
    with CaptureQueriesContext(connection) as few:
        _html(c)
    for name in ("Hal Host", "Hugo Host", "Hedda Host"):
        _peer(name, council=d.host_council)
    with CaptureQueriesContext(connection) as many:
        html = _html(c)
    assert "Left out because of a conflict of interest (6)" in html
    assert len(many.captured_queries) == len(few.captured_queries)
