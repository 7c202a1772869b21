"""The peer bench pages: search and filters, a profile, changing it, adding a peer, recent work."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from peerdiag.directory.models import PeerProfile, PeerRecentWork, Person
from tests.factories import CouncilFactory, DiagnosticFactory, PersonFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

BENCH = reverse("web:bench")


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def _peer(  # type: ignore[no-untyped-def]
    name: str,
    *,
    region=Region.LONDON,
    seniority="head_of_service",
    roles=("operational_manager",),
    expertise=(),
    person=None,
    **profile,
):
    person = person or PersonFactory(
        full_name=name,
        job_title="Head of service",
        organisation=CouncilFactory(name=f"{name} Council", region=region),
    )
    save_peer_profile(
        person,
        seniority=seniority,
        roles=list(roles),
        expertise=list(expertise),
        **profile,
        version=UNCHECKED,
    )
    return person


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["p"].person.full_name for row in response.context["rows"]]


def test_bench_is_for_lga_staff(world):  # type: ignore[no-untyped-def]
    _peer("Bea Best")
    html = _html(_client(world.pcm).get(BENCH))
    assert "1 peer</caption>" in html
    assert "Bea Best</a>" in html and "Bea Best Council" in html
    assert _client(world.admin).get(BENCH).status_code == 200
    assert _client(world.peer).get(BENCH).status_code == 403
    assert _client(world.sponsor).get(BENCH).status_code == 403
    assert Client().get(BENCH)["Location"].startswith(reverse("web:login"))


def test_bench_filters_by_words_role_expertise_and_region(world):  # type: ignore[no-untyped-def]
    _peer("Ada Lead", seniority="dcs", roles=["lead_peer"], expertise=["send"])
    _peer("Bea Best", expertise=["front_door", "safeguarding"], region=Region.NORTH_EAST)
    _peer("Cal Care", roles=["case_auditor"], expertise=["children_in_care"])
    _peer("Dot Dormant", active=False)
    c = _client(world.pcm)
    assert _names(c.get(BENCH)) == ["Ada Lead", "Bea Best", "Cal Care"]
    assert _names(c.get(BENCH, {"role": "lead_peer"})) == ["Ada Lead"]
    assert _names(c.get(BENCH, {"expertise": "front_door"})) == ["Bea Best"]
    assert _names(c.get(BENCH, {"region": "north_east"})) == ["Bea Best"]
    assert _names(c.get(BENCH, {"q": "cal council"})) == ["Cal Care"]
    assert _names(c.get(BENCH, {"role": "case_auditor", "region": "north_east"})) == []
    empty = _html(c.get(BENCH, {"role": "case_auditor", "region": "north_east"}))
    assert "No peer matches this search." in empty
    # htmx asks for the results alone.
    partial = c.get(BENCH, {"role": "lead_peer"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="results">')


def test_bench_is_empty_at_first_and_paginates_by_25(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    assert "Nobody is on the bench yet." in _html(c.get(BENCH))
    for i in range(27):
        _peer(f"Peer {i:02d}")
    page1, page2 = c.get(BENCH), c.get(BENCH, {"page": 2})
    assert page1.context["page"].paginator.count == 27
    assert len(_names(page1)) == 25 and _names(page2) == ["Peer 25", "Peer 26"]


def test_bench_query_count_does_not_grow(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    _peer("Bea Best", expertise=["send"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(BENCH).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    _peer("Cal Care", expertise=["send", "early_help"])
    _peer("Dan Third", seniority="ad", roles=["lead_peer"], expertise=["leadership"])
    assert len(_names(c.get(BENCH))) == 3
    assert queries() == one


def test_profile_page_shows_everything_about_the_peer(world):  # type: ignore[no-untyped-def]
    bea = _peer(
        "Bea Best",
        seniority="ad",
        roles=["lead_peer", "operational_manager"],
        expertise=["front_door", "safeguarding"],
        summary="Led a front door redesign.",
        trained_on=date(2026, 5, 12),
        availability_notes="Not in August.",
    )
    past = DiagnosticFactory(reference="RPD-2026-042", stage=Stage.CLOSED)
    TeamMemberFactory(diagnostic=past, person=bea, role=TeamRole.LEAD_PEER)
    declare_recent_work(
        bea.peer_profile,
        council=world.own.host_council,
        ended_on=date(2025, 7, 31),
        description="Interim head of service",
    )
    html = _html(_client(world.pcm).get(reverse("web:bench_profile", args=[bea.code])))
    assert '<h1 class="govuk-heading-l">Bea Best</h1>' in html
    for text in (
        "Assistant director",
        "Lead peer, Operational manager",
        "Front door and MASH, Safeguarding",
        "Bea Best Council (London)",
        "Led a front door redesign.",
        "12 May 2026",
        "Not in August.",
        "RPD-2026-042</td>",
        "Lead peer</td>",
        "Closed</td>",
        "Council A</td>",
        "Interim head of service</td>",
        "31 July 2025</td>",
        "Change the profile",
        "Declare work for a council",
    ):
        assert text in html, text


def test_a_peer_reads_and_keeps_their_own_profile_only(world):  # type: ignore[no-untyped-def]
    own = _peer("Own Peer", person=world.peer.person)
    other = _peer("Someone Else")
    c = _client(world.peer)
    html = _html(c.get(reverse("web:bench_profile", args=[own.code])))
    assert "Change the profile" in html
    assert "Back to your diagnostics" in html
    assert c.get(reverse("web:bench_profile", args=[other.code])).status_code == 403
    assert c.get(reverse("web:bench_profile_edit", args=[other.code])).status_code == 403
    r = c.post(
        reverse("web:bench_profile_edit", args=[own.code]),
        {
            "seniority": "ad",
            "roles": ["lead_peer"],
            "expertise": ["send"],
            "active": "on",
            "version": 1,
        },
    )
    assert r["Location"] == reverse("web:bench_profile", args=[own.code])
    profile = PeerProfile.objects.get(person=own)
    assert (profile.seniority, profile.roles) == ("ad", ["lead_peer"])
    assert [e.area for e in profile.expertise.all()] == ["send"]
    assert c.get(reverse("web:bench_profile", args=["nosuchcode"])).status_code == 404


def test_profile_form_errors_name_the_field(world):  # type: ignore[no-untyped-def]
    bea = _peer("Bea Best")
    c = _client(world.pcm)
    url = reverse("web:bench_profile_edit", args=[bea.code])
    assert "Change the bench profile" in _html(c.get(url))
    empty = _html(c.post(url, {}))
    assert '<a href="#id_seniority">Choose the peer\'s seniority</a>' in empty
    assert '<a href="#id_roles">Choose at least one role the peer can fill</a>' in empty
    too_junior = _html(
        c.post(url, {"seniority": "practitioner", "roles": ["lead_peer"], "version": 1})
    )
    assert (
        '<a href="#id_roles">Only a director or assistant director can be a lead peer</a>'
        in too_junior
    )
    bad_date = _html(
        c.post(
            url,
            {
                "seniority": "ad",
                "roles": ["operational_manager"],
                "trained_on_0": "31",
                "trained_on_1": "2",
                "trained_on_2": "2026",
                "version": 1,
            },
        )
    )
    assert '<a href="#id_trained_on_0">Enter a real date, for example 1 3 2027</a>' in bad_date
    assert PeerProfile.objects.get(person=bea).seniority == "head_of_service"


def test_lga_staff_put_someone_already_known_on_the_bench(world):  # type: ignore[no-untyped-def]
    newcomer = PersonFactory(full_name="Nia New", organisation=CouncilFactory())
    c = _client(world.pcm)
    page = _html(c.get(reverse("web:bench_profile", args=[newcomer.code])))
    assert "is not on the peer bench" in page and "Put them on the bench" in page
    edit = reverse("web:bench_profile_edit", args=[newcomer.code])
    assert "Put on the peer bench" in _html(c.get(edit))
    c.post(edit, {"seniority": "head_of_service", "roles": ["case_auditor"], "version": 0})
    assert PeerProfile.objects.get(person=newcomer).roles == ["case_auditor"]
    # Someone without a profile is not theirs to put on the bench.
    other = PersonFactory(organisation=CouncilFactory())
    assert (
        _client(world.peer).get(reverse("web:bench_profile_edit", args=[other.code])).status_code
        == 403
    )


def test_adding_a_peer_makes_the_person_and_profile_together(world):  # type: ignore[no-untyped-def]
    council = CouncilFactory(name="Northshire")
    c = _client(world.pcm)
    url = reverse("web:bench_add")
    empty = _html(c.post(url, {}))
    assert '<a href="#id_council">Choose the council the peer works for</a>' in empty
    assert '<a href="#id_full_name">Enter the peer\'s full name</a>' in empty
    people = Person.objects.count()
    refused = _html(
        c.post(
            url,
            {
                "council": council.code,
                "full_name": "Sam Junior",
                "seniority": "practitioner",
                "roles": ["lead_peer"],
            },
        )
    )
    assert "Only a director or assistant director can be a lead peer" in refused
    assert Person.objects.count() == people, "the person is not kept without the profile"
    r = c.post(
        url,
        {
            "council": council.code,
            "full_name": "Sam Senior",
            "job_title": "Director of Children's Services",
            "email": "Sam@Northshire.gov.uk",
            "seniority": "dcs",
            "roles": ["lead_peer", "operational_manager"],
            "expertise": ["leadership"],
            "active": "on",
        },
    )
    sam = Person.objects.get(full_name="Sam Senior")
    assert r["Location"] == reverse("web:bench_profile", args=[sam.code])
    assert (sam.organisation, sam.email) == (council, "sam@northshire.gov.uk")
    assert sam.peer_profile.roles == ["lead_peer", "operational_manager"]
    assert _client(world.peer).get(url).status_code == 403


def test_recent_work_is_declared_on_the_profile(world):  # type: ignore[no-untyped-def]
    bea = _peer("Bea Best")
    c = _client(world.pcm)
    url = reverse("web:bench_recent_work", args=[bea.code])
    empty = _html(c.post(url, {}))
    assert '<a href="#id_council">Choose the council the work was for</a>' in empty
    assert "Bea Best</h1>" in empty
    r = c.post(
        url,
        {
            "council": world.own.host_council.code,
            "ended_on_0": "",
            "ended_on_1": "",
            "ended_on_2": "",
            "description": "Consultancy",
        },
    )
    assert r["Location"] == reverse("web:bench_profile", args=[bea.code])
    work = PeerRecentWork.objects.get()
    assert (work.council, work.ended_on, work.description) == (
        world.own.host_council,
        None,
        "Consultancy",
    )
    assert "Still going on</td>" in _html(c.get(reverse("web:bench_profile", args=[bea.code])))
    assert _client(world.peer).post(url, {}).status_code == 403
