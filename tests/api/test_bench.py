"""The peer bench over the API: LGA staff search and keep it; a peer keeps their own profile."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from peerdiag.directory.models import PeerProfile
from tests.factories import CouncilFactory, LgaFactory, PersonFactory, TeamMemberFactory

from .conftest import iso

NOT_FOUND = {"detail": "Not found"}
NOT_BENCH = {"detail": "Only LGA staff may see the peer bench"}
NOT_YOURS = {"detail": "Only LGA staff and the peer themself may change a bench profile"}


def _put(api: Any, path: str, body: Any) -> Any:
    return api._send("put", path, body, None)  # the shared ApiClient has no put() yet


def _person(p):
    org = p.organisation
    return {
        "code": p.code,
        "full_name": p.full_name,
        "job_title": p.job_title,
        "organisation": {
            "code": org.code,
            "name": org.name,
            "kind": org.kind,
            "region": org.region,
        },
    }


def _profile(person, seniority="ad", roles=("lead_peer",), expertise=(), **kw) -> PeerProfile:
    return save_peer_profile(
        person,
        seniority=seniority,
        roles=list(roles),
        expertise=list(expertise),
        **kw,
        version=UNCHECKED,
    )


def _peer(name: str, region: str = Region.NORTH_WEST, **kw: Any) -> PeerProfile:
    council = CouncilFactory(name=f"{name} council", region=region)
    return _profile(PersonFactory(full_name=name, organisation=council), **kw)


def _names(response) -> list[str]:
    return [item["person"]["full_name"] for item in response.json()["items"]]


# --- Search -------------------------------------------------------------------------------


def test_lga_staff_list_the_bench_with_each_profiles_summary(world, as_user):
    ada = _peer(
        "Ada Byron",
        seniority="dcs",
        roles=["lead_peer", "operational_manager"],
        expertise=["send", "early_help"],
        trained_on=date(2026, 3, 2),
    )
    TeamMemberFactory(diagnostic=world.other, person=ada.person)
    response = as_user(world.pcm).get("/bench")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "person": _person(ada.person),
                "seniority": "dcs",
                "seniority_label": "Director of Children's Services",
                "roles": ["lead_peer", "operational_manager"],
                "expertise": ["early_help", "send"],
                "trained_on": "2026-03-02",
                "active": True,
                "places": 1,
            }
        ],
    }


def test_the_bench_filters_by_text_role_expertise_and_region(world, as_user):
    _peer("Ada Byron", expertise=["send"], summary="Led a SEND improvement plan")
    _peer("Bea Hall", region=Region.LONDON, seniority="service_manager", roles=["case_auditor"])
    _peer("Cy Ward", expertise=["safeguarding"], active=False)
    api = as_user(world.admin)
    assert _names(api.get("/bench")) == ["Ada Byron", "Bea Hall"]
    assert _names(api.get("/bench", text="improvement plan")) == ["Ada Byron"]
    assert _names(api.get("/bench", text="hall council")) == ["Bea Hall"]
    assert _names(api.get("/bench", role="case_auditor")) == ["Bea Hall"]
    assert _names(api.get("/bench", expertise="send")) == ["Ada Byron"]
    assert _names(api.get("/bench", region="london")) == ["Bea Hall"]
    assert _names(api.get("/bench", include_inactive="true")) == [
        "Ada Byron",
        "Bea Hall",
        "Cy Ward",
    ]
    assert _names(api.get("/bench", region="london", expertise="send")) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "peer_challenge_manager"}, "role"),
        ({"expertise": "cooking"}, "expertise"),
        ({"region": "wales"}, "region"),
        ({"text": "x" * 201}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"page": 0}, "page"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(world, as_user, params, field):
    response = as_user(world.pcm).get("/bench", **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_the_bench_list_runs_the_same_queries_for_one_profile_as_for_three(world, as_user):
    api = as_user(world.pcm)

    def call() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/bench")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    first = _peer("Ada Byron", expertise=["send", "safeguarding"])
    TeamMemberFactory(diagnostic=world.own, person=first.person)
    one = call()
    for name in ("Bea Hall", "Cy Ward"):
        profile = _peer(name, expertise=["workforce", "send"])
        TeamMemberFactory(diagnostic=world.other, person=profile.person)
    three = call()
    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]


@pytest.mark.parametrize("who", ["peer", "sponsor", "other_council", "stranger_peer"])
def test_only_lga_staff_see_the_bench(world, as_user, who):
    response = as_user(world.users()[who]).get("/bench")
    assert (response.status_code, response.json()) == (403, NOT_BENCH)


def test_the_bench_needs_a_token(anonymous):
    assert anonymous.get("/bench").status_code == 401


# --- One profile --------------------------------------------------------------------------


def test_a_profile_shows_expertise_roles_declared_work_and_past_diagnostics(world, as_user):
    ada = _peer(
        "Ada Byron",
        expertise=["quality_assurance"],
        summary="Practice lead",
        availability_notes="Not in August",
    )
    declare_recent_work(
        ada, council=world.other.host_council, ended_on=date(2025, 6, 30), description="Interim"
    )
    place = TeamMemberFactory(diagnostic=world.other, person=ada.person, role=TeamRole.LEAD_PEER)
    ada.refresh_from_db()
    response = as_user(world.pcm).get(f"/bench/{ada.person.code}")
    assert response.status_code == 200
    other = world.other
    council_b = {
        "code": other.host_council.code,
        "name": "Council B",
        "kind": "council",
        "region": "north_west",
    }
    assert response.json() == {
        "person": _person(ada.person),
        "seniority": "ad",
        "seniority_label": "Assistant director",
        "roles": ["lead_peer"],
        "expertise": ["quality_assurance"],
        "trained_on": None,
        "active": True,
        "places": 1,
        "summary": "Practice lead",
        "availability_notes": "Not in August",
        "recent_work": [{"council": council_b, "ended_on": "2025-06-30", "description": "Interim"}],
        "past_diagnostics": [
            {
                "reference": other.reference,
                "title": other.title,
                "host_council": council_b,
                "role": place.role,
                "role_label": "Lead peer",
                "stage": "enquiry",
                "day1": None,
            }
        ],
        "created_at": iso(ada.created_at),
        "updated_at": iso(ada.updated_at),
        "version": 1,
    }


def test_someone_not_on_the_bench_is_not_found(world, as_user):
    for code in (PersonFactory().code, "nosuchperson"):
        response = as_user(world.admin).get(f"/bench/{code}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("who", ["peer", "sponsor"])
def test_a_profile_is_for_lga_staff_whether_or_not_it_exists(world, as_user, who):
    ada = _peer("Ada Byron")
    for code in (ada.person.code, "nosuchperson"):
        response = as_user(world.users()[who]).get(f"/bench/{code}")
        assert (response.status_code, response.json()) == (403, NOT_BENCH)


# --- Saving a profile ---------------------------------------------------------------------


def test_lga_staff_put_a_person_on_the_bench(world, as_user):
    person = PersonFactory(full_name="Ada Byron")
    response = _put(
        as_user(world.pcm),
        f"/bench/{person.code}",
        {
            "version": 0,
            "seniority": "ad",
            "roles": ["operational_manager", "lead_peer"],
            "expertise": ["send", "workforce"],
            "summary": "  Practice lead ",
            "trained_on": "2026-01-12",
        },
    )
    assert response.status_code == 201
    profile = PeerProfile.objects.get(person=person)
    body = response.json()
    assert {k: body[k] for k in ("roles", "expertise", "summary", "trained_on", "active")} == {
        "roles": ["lead_peer", "operational_manager"],
        "expertise": ["send", "workforce"],
        "summary": "Practice lead",
        "trained_on": "2026-01-12",
        "active": True,
    }
    assert (body["places"], body["past_diagnostics"], body["recent_work"]) == (0, [], [])
    assert body["created_at"] == iso(profile.created_at)


def test_saving_again_replaces_the_whole_profile(world, as_user):
    ada = _peer("Ada Byron", expertise=["send", "workforce"], summary="Old words")
    response = _put(
        as_user(world.admin),
        f"/bench/{ada.person.code}",
        {
            "version": 1,
            "seniority": "head_of_service",
            "roles": ["case_auditor"],
            "expertise": ["send"],
        },
    )
    assert response.status_code == 200
    ada.refresh_from_db()
    assert (ada.seniority, ada.roles, ada.summary) == ("head_of_service", ["case_auditor"], "")
    assert list(ada.expertise.values_list("area", flat=True)) == ["send"]


def test_a_peer_keeps_their_own_profile_but_no_one_elses(world, as_user):
    mine = _profile(world.peer.person, roles=["lead_peer"])
    theirs = _peer("Bea Hall")
    api = as_user(world.peer)
    body = {
        "version": 1,
        "seniority": "ad",
        "roles": ["lead_peer"],
        "availability_notes": "Free in May",
    }
    response = _put(api, f"/bench/{world.peer.person.code}", body)
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.availability_notes == "Free in May"
    response = _put(api, f"/bench/{theirs.person.code}", body)
    assert (response.status_code, response.json()) == (403, NOT_YOURS)


def test_a_peer_cannot_put_themself_on_the_bench(world, as_user):
    response = _put(
        as_user(world.stranger_peer),
        f"/bench/{world.stranger_peer.person.code}",
        {"version": 0, "seniority": "ad", "roles": ["lead_peer"]},
    )
    assert (response.status_code, response.json()) == (403, NOT_BENCH)
    assert not PeerProfile.objects.exists()


def test_saving_for_an_unknown_person_is_not_found(world, as_user):
    response = _put(
        as_user(world.pcm),
        "/bench/nosuchperson",
        {"version": 0, "seniority": "ad", "roles": ["lead_peer"]},
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"roles": []}, "roles", "Choose at least one role the peer can fill"),
        (
            {"seniority": "service_manager"},
            "roles",
            "Only a director or assistant director can be a lead peer",
        ),
        ({"lga": True}, "person_code", "Peers on the bench work for a council"),
    ],
)
def test_bench_rules_are_refused_naming_the_field(world, as_user, change, field, message):
    body = {"version": 0, "seniority": "ad", "roles": ["lead_peer"]}
    person = PersonFactory(organisation=LgaFactory()) if change.pop("lga", False) else None
    person = person or PersonFactory()
    body.update(change)
    response = _put(as_user(world.pcm), f"/bench/{person.code}", body)
    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": field, "message": message}]}
    assert not PeerProfile.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seniority": "chief"}, "seniority"),
        ({"roles": ["peer_challenge_manager"]}, "roles.0"),
        ({"expertise": ["send", "cooking"]}, "expertise.1"),
        ({"summary": "x" * 5_001}, "summary"),
        ({"summary": "a\x00b"}, "summary"),
        ({"trained_on": "1999-12-31"}, "trained_on"),
        ({"active": "sometimes"}, "active"),
        ({"person": "someone"}, "person"),
    ],
)
def test_malformed_profiles_are_422_naming_the_field(world, as_user, change, field):
    body = {"version": 0, "seniority": "ad", "roles": ["lead_peer"], **change}
    response = _put(as_user(world.pcm), f"/bench/{PersonFactory().code}", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
