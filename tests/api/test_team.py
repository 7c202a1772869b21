"""The peer team over the API: composition by the PCM, the council's decisions, each peer's own
declaration, acknowledgement and signature, confidentiality and the data access log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
from peerdiag.diagnostics.domain.conflicts import declare_interests
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import (
    AuditEntry,
    BriefingAcknowledgement,
    ConflictDeclaration,
    DataAccessEvent,
    Diagnostic,
    Signature,
    TeamMember,
)
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from tests.factories import (
    CouncilFactory,
    DiagnosticFactory,
    KloeFactory,
    PersonFactory,
    TeamMemberFactory,
)

from .conftest import iso

OWN = "/diagnostics/RPD-2027-001"
OTHER = "/diagnostics/RPD-2027-002"
TEAM = f"{OWN}/team"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}
NOT_A_PEER = {"detail": "Only a member of the peer team does this, and only for themself"}
NOT_ISSUED = "The peer challenge manager has not issued the briefing"
UNDECIDED = "The council has not said whether an agreement must be signed"
AGREEMENT = "I will not share anything I read about children outside the team."
OUTSIDERS = ["other_pcm", "other_council", "stranger_peer"]


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


def _brief(p):
    return {"code": p.code, "full_name": p.full_name}


def _issue(d, by=None):
    pdf = ContentFile(b"%PDF-1.4 briefing", name="briefing.pdf")
    return issue_briefing(d, by=by, file=pdf, name="briefing.pdf", version=UNCHECKED)


def _member(world, user) -> TeamMember:
    return world.own.team.get(person=user.person)


def _bench(person, seniority="ad", roles=("lead_peer",), expertise=(), **kw):
    return save_peer_profile(
        person,
        seniority=seniority,
        roles=list(roles),
        expertise=list(expertise),
        **kw,
        version=UNCHECKED,
    )


def _cleared_peer(world):
    """Briefing issued and acknowledged, agreement required and signed, by the lead peer."""
    briefing = _issue(world.own)
    agreement = set_confidentiality(
        world.own, by=None, required=True, text=AGREEMENT, version=UNCHECKED
    )
    acknowledge_briefing(briefing, by=None, person=world.peer.person)
    sign_agreement(
        agreement, by=None, person=world.peer.person, typed_name=world.peer.person.full_name
    )
    return briefing, agreement


# --- The team list ------------------------------------------------------------------------


def test_the_pcm_reads_the_team_with_each_members_progress(world, as_user):
    lead, pcm = _member(world, world.peer), _member(world, world.pcm)
    response = as_user(world.pcm).get(TEAM)
    assert response.status_code == 200
    common = {
        "council_decision": "pending",
        "council_decision_label": "Waiting for the council",
        "council_reason": "",
        "council_decided_at": None,
        "continues_to_delivery": False,
        "declaration": None,
        "briefing_acknowledged_version": None,
        "signed": False,
        "clearance": {"cleared": False, "missing": [NOT_ISSUED, UNDECIDED]},
        "version": 1,
    }
    assert response.json() == {
        "briefing_version": None,
        "confidentiality_required": None,
        "agreement_version": None,
        "members": [
            {
                "code": lead.code,
                "role": "lead_peer",
                "role_label": "Lead peer",
                "person": _person(world.peer.person),
                **common,
            },
            {
                "code": pcm.code,
                "role": "peer_challenge_manager",
                "role_label": "Peer challenge manager",
                "person": _person(world.pcm.person),
                **common,
            },
        ],
    }


def test_the_team_list_shows_declarations_acknowledgements_and_signatures(world, as_user):
    declare_interests(
        world.own, by=None, person=world.peer.person, worked_for_host=False, details=""
    )
    _cleared_peer(world)
    declared = ConflictDeclaration.objects.get(person=world.peer.person)
    body = as_user(world.peer).get(TEAM).json()
    assert (body["briefing_version"], body["confidentiality_required"]) == (1, True)
    assert body["agreement_version"] == 1
    lead, pcm = body["members"]
    assert lead["declaration"] == {
        "worked_for_host": False,
        "details": "",
        "declared_at": iso(declared.declared_at),
    }
    assert (lead["briefing_acknowledged_version"], lead["signed"]) == (1, True)
    assert lead["clearance"] == {"cleared": True, "missing": []}
    assert (pcm["briefing_acknowledged_version"], pcm["signed"]) == (None, False)
    assert pcm["clearance"] == {
        "cleared": False,
        "missing": [
            "Acknowledge the latest briefing",
            "Sign the current confidentiality agreement",
        ],
    }


@pytest.mark.parametrize("who", ["sponsor", "organiser"])
def test_the_council_may_not_read_the_teams_internal_records(world, as_user, who):
    response = as_user(world.users()[who]).get(TEAM)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_do_not_learn_the_team_exists(world, as_user, who):
    response = as_user(world.users()[who]).get(TEAM)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_team_list_runs_the_same_queries_for_one_member_as_for_three(world, as_user):
    d = DiagnosticFactory(host_council=world.own.host_council, reference="RPD-2027-050")
    TeamMemberFactory(diagnostic=d, person=world.pcm.person, role=TeamRole.PEER_CHALLENGE_MANAGER)
    briefing = _issue(d)
    agreement = set_confidentiality(d, by=None, required=True, text=AGREEMENT, version=UNCHECKED)
    api = as_user(world.pcm)

    def call() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/diagnostics/RPD-2027-050/team")
        assert response.status_code == 200
        return len(queries), len(response.json()["members"])

    one = call()
    for _ in range(2):
        person = TeamMemberFactory(diagnostic=d).person
        declare_interests(d, by=None, person=person, worked_for_host=False)
        acknowledge_briefing(briefing, by=None, person=person)
        sign_agreement(agreement, by=None, person=person, typed_name=person.full_name)
    three = call()
    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]


# --- Adding and removing members ----------------------------------------------------------


def test_the_pcm_adds_an_operational_manager(world, as_user):
    newcomer = PersonFactory(organisation=CouncilFactory(region=Region.LONDON))
    _bench(newcomer, roles=["operational_manager"])
    response = as_user(world.pcm).post(
        TEAM, {"person": newcomer.code, "role": "operational_manager"}
    )
    assert response.status_code == 201
    added = world.own.team.get(person=newcomer)
    assert response.json() == {
        "code": added.code,
        "role": "operational_manager",
        "role_label": "Operational manager",
        "person": _person(newcomer),
        "council_decision": "pending",
        "council_decision_label": "Waiting for the council",
        "council_reason": "",
        "council_decided_at": None,
        "continues_to_delivery": False,
        "declaration": None,
        "briefing_acknowledged_version": None,
        "signed": False,
        "clearance": {"cleared": False, "missing": [NOT_ISSUED, UNDECIDED]},
        "version": 1,
    }
    entry = world.own.audit.get()
    assert (entry.actor, entry.summary) == (
        world.pcm,
        f"{newcomer.full_name} added as operational manager",
    )


def _without_lead(world):
    TeamMember.objects.filter(diagnostic=world.own, role=TeamRole.LEAD_PEER).delete()


@pytest.mark.parametrize(
    ("setup", "role", "field", "message"),
    [
        ("director", "lead_peer", "role", "The team already has a lead peer"),
        (
            "someone",
            "peer_challenge_manager",
            "person",
            "The peer challenge manager must be LGA staff",
        ),
        (
            "someone",
            "case_auditor",
            "role",
            "Case auditors join only when a case review is in scope",
        ),
        ("host", "operational_manager", "person", "A peer cannot come from the host council"),
        (
            "head_of_service",
            "lead_peer",
            "person",
            "A lead peer must be a director or assistant director on the bench",
        ),
        (
            "someone",
            "lead_peer",
            "person",
            "A lead peer must be a director or assistant director on the bench",
        ),
        ("on_team", "operational_manager", "person", "{name} is already on the team"),
        ("worked_there", "operational_manager", "person", "{name} worked for Council A still"),
        ("nobody", "operational_manager", "person", "No person has this code"),
        (
            "off_bench",
            "operational_manager",
            "person",
            "{name} is not on the bench as operational manager",
        ),
    ],
)
def test_composition_rules_are_refused_naming_the_field(
    world, as_user, setup, role, field, message
):
    host = world.own.host_council
    if setup == "director":
        person = PersonFactory()
        _bench(person, seniority="dcs")
    elif setup == "head_of_service":
        _without_lead(world)
        person = PersonFactory()
        _bench(person, seniority="head_of_service", roles=["operational_manager"])
    elif setup == "someone" and role == "lead_peer":
        _without_lead(world)
        person = PersonFactory()  # not on the bench at all
    elif setup == "host":
        person = PersonFactory(organisation=host)
    elif setup == "on_team":
        person = world.peer.person
    elif setup == "worked_there":
        person = PersonFactory()
        profile = _bench(person, roles=["operational_manager"])
        declare_recent_work(profile, council=host, ended_on=None)
    else:
        person = PersonFactory()
    before = world.own.team.count()
    code = "nosuchperson" if setup == "nobody" else person.code
    response = as_user(world.pcm).post(TEAM, {"person": code, "role": role})
    assert response.status_code == 400
    expected = message.format(name=person.full_name)
    assert response.json() == {"detail": [{"field": field, "message": expected}]}
    assert world.own.team.count() == before


def test_a_director_on_the_bench_becomes_lead_peer_once_the_place_is_free(world, as_user):
    _without_lead(world)
    director = PersonFactory()
    _bench(director, seniority="dcs")
    response = as_user(world.pcm).post(TEAM, {"person": director.code, "role": "lead_peer"})
    assert response.status_code == 201
    assert response.json()["role"] == "lead_peer"


def test_a_case_auditor_joins_when_a_case_review_is_in_scope(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(case_review_in_scope=True)
    auditor = PersonFactory()
    _bench(auditor, roles=["case_auditor"])
    response = as_user(world.pcm).post(TEAM, {"person": auditor.code, "role": "case_auditor"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": "abc", "role": "chair"}, "role"),
        ({"person": "Not A Code", "role": "lead_peer"}, "person"),
        ({"person": "abc", "role": "lead_peer", "by": "me"}, "by"),
        ({"role": "lead_peer"}, "person"),
    ],
)
def test_malformed_additions_are_422_naming_the_field(world, as_user, body, field):
    response = as_user(world.pcm).post(TEAM, body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


@pytest.mark.parametrize("who", ["peer", "sponsor", "organiser"])
def test_only_the_pcm_or_an_admin_changes_the_team(world, as_user, who):
    response = as_user(world.users()[who]).post(
        TEAM, {"person": PersonFactory().code, "role": "operational_manager"}
    )
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_the_pcm_removes_a_member_and_their_access_is_revoked(world, as_user):
    _cleared_peer(world)
    assert DataAccessEvent.objects.filter(person=world.peer.person).get().event == "granted"
    code = _member(world, world.peer).code
    response = as_user(world.pcm).delete(f"{TEAM}/{code}")
    assert response.status_code == 204
    assert not world.own.team.filter(person=world.peer.person).exists()
    latest = DataAccessEvent.objects.filter(person=world.peer.person).first()
    assert (latest.event, latest.reason) == ("revoked", f"{world.peer.person} left the team")


def test_a_member_of_another_diagnostic_is_not_found(world, as_user):
    theirs = world.other.team.get(role=TeamRole.LEAD_PEER).code
    for response in (
        as_user(world.admin).delete(f"{TEAM}/{theirs}"),
        as_user(world.admin).patch(
            f"{TEAM}/{theirs}", {"version": 1, "continues_to_delivery": True}
        ),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert world.other.team.filter(code=theirs).exists()


def test_the_pcm_keeps_a_case_auditor_on_for_delivery(world, as_user):
    auditor = TeamMemberFactory(diagnostic=world.own, role=TeamRole.CASE_AUDITOR)
    api = as_user(world.pcm)
    response = api.patch(f"{TEAM}/{auditor.code}", {"version": 1, "continues_to_delivery": True})
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["continues_to_delivery"]) == (
        auditor.code,
        True,
    )
    auditor.refresh_from_db()
    assert auditor.continues_to_delivery
    assert api.patch(f"{TEAM}/{auditor.code}", {"version": 2}).json()["continues_to_delivery"]


def test_only_a_case_auditor_carries_on_into_delivery(world, as_user):
    code = _member(world, world.peer).code
    response = as_user(world.pcm).patch(
        f"{TEAM}/{code}", {"version": 1, "continues_to_delivery": True}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "role", "message": "Only case auditors carry on from the case review"}]
    }


def test_a_cancelled_diagnostics_team_cannot_change(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CANCELLED)
    response = as_user(world.pcm).delete(f"{TEAM}/{_member(world, world.peer).code}")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "stage"


# --- Suggestions --------------------------------------------------------------------------


def test_suggestions_rank_bench_peers_with_reasons_and_warnings(world, as_user):
    KloeFactory(diagnostic=world.own, order=1, text="How well are risks of harm managed?")
    trained = timezone.localdate() - timedelta(days=100)
    far = PersonFactory(organisation=CouncilFactory(name="Far away", region=Region.LONDON))
    _bench(far, seniority="dcs", expertise=["safeguarding"], trained_on=trained)
    near = PersonFactory(organisation=CouncilFactory(name="Next door", region=Region.NORTH_WEST))
    _bench(near, seniority="ad", expertise=["send"])
    _bench(PersonFactory(), seniority="head_of_service", roles=["operational_manager"])
    response = as_user(world.pcm).get(f"{TEAM}/suggestions/lead_peer")
    assert response.status_code == 200
    assert response.json() == [
        {
            "person": _person(far),
            "seniority": "dcs",
            "seniority_label": "Director of Children's Services",
            "expertise": ["safeguarding"],
            "trained_on": trained.isoformat(),
            "score": 16,
            "reasons": [
                "Expertise fits key line of enquiry 1",
                "Knows safeguarding",
                "No diagnostics in the last 12 months",
                f"Trained in {trained:%B %Y}",
            ],
            "warnings": [],
        },
        {
            "person": _person(near),
            "seniority": "ad",
            "seniority_label": "Assistant director",
            "expertise": ["send"],
            "trained_on": None,
            "score": -2,
            "reasons": ["No diagnostics in the last 12 months"],
            "warnings": ["Same region as the host (North West)"],
        },
    ]


def test_suggestions_are_for_peer_roles_only(world, as_user):
    response = as_user(world.pcm).get(f"{TEAM}/suggestions/peer_challenge_manager")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["role"]


@pytest.mark.parametrize(("who", "status"), [("peer", 403), ("sponsor", 403), ("other_pcm", 404)])
def test_suggestions_are_for_whoever_builds_the_team(world, as_user, who, status):
    response = as_user(world.users()[who]).get(f"{TEAM}/suggestions/lead_peer")
    assert response.status_code == status


# --- What the council sees and decides ----------------------------------------------------


def test_the_council_sees_proposed_peers_without_internal_records(world, as_user):
    _bench(
        world.peer.person,
        seniority="ad",
        expertise=["send", "front_door"],
        summary="Twenty years in children's services.",
        availability_notes="Away all of August",
    )
    declare_interests(world.own, by=None, person=world.peer.person, worked_for_host=False)
    lead = _member(world, world.peer)
    response = as_user(world.sponsor).get(f"{OWN}/proposed-peers")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": lead.code,
            "role": "lead_peer",
            "role_label": "Lead peer",
            "person": _person(world.peer.person),
            "seniority": "ad",
            "seniority_label": "Assistant director",
            "summary": "Twenty years in children's services.",
            "expertise": ["front_door", "send"],
            "council_decision": "pending",
            "council_decision_label": "Waiting for the council",
            "council_reason": "",
            "council_decided_at": None,
            "version": 1,
        }
    ]
    assert b"August" not in response.content


def test_a_proposed_peer_who_is_not_on_the_bench_shows_no_profile(world, as_user):
    [peer] = as_user(world.organiser).get(f"{OWN}/proposed-peers").json()
    assert (peer["seniority"], peer["seniority_label"], peer["summary"]) == (None, "", "")
    assert peer["expertise"] == []


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_do_not_see_the_proposed_peers(world, as_user, who):
    response = as_user(world.users()[who]).get(f"{OWN}/proposed-peers")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_sponsor_approves_a_proposed_peer(world, as_user):
    lead = _member(world, world.peer)
    response = as_user(world.sponsor).post(
        f"{TEAM}/{lead.code}/decision", {"version": 1, "decision": "approved"}
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    body = response.json()
    assert (body["code"], body["council_decision"], body["council_decision_label"]) == (
        lead.code,
        "approved",
        "Approved by the council",
    )
    assert body["council_decided_at"] == iso(lead.council_decided_at)
    assert "clearance" not in body
    assert lead.council_decision == "approved"
    entry = world.own.audit.get()
    assert (entry.actor, entry.summary) == (world.sponsor, f"Council approved {world.peer.person}")


def test_an_objection_needs_a_reason(world, as_user):
    path = f"{TEAM}/{_member(world, world.peer).code}/decision"
    api = as_user(world.organiser)
    response = api.post(path, {"version": 1, "decision": "objected", "reason": "  "})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "reason", "message": "Give the reason for the objection"}]
    }
    response = api.post(
        path, {"version": 1, "decision": "objected", "reason": "Knows our director well"}
    )
    assert response.status_code == 200
    assert (response.json()["council_decision"], response.json()["council_reason"]) == (
        "objected",
        "Knows our director well",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "pending"}, "decision"),
        ({"decision": "approved", "reason": "x" * 2_001}, "reason"),
        ({"decision": "approved", "person": "abc"}, "person"),
    ],
)
def test_malformed_decisions_are_422(world, as_user, body, field):
    path = f"{TEAM}/{_member(world, world.peer).code}/decision"
    response = as_user(world.sponsor).post(path, {"version": 1, **body})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_the_council_does_not_decide_on_the_pcm(world, as_user):
    response = as_user(world.sponsor).post(
        f"{TEAM}/{_member(world, world.pcm).code}/decision",
        {"version": 1, "decision": "objected", "reason": "x"},
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(("who", "status"), [("pcm", 403), ("peer", 403), ("other_council", 404)])
def test_only_the_council_or_an_admin_decides(world, as_user, who, status):
    path = f"{TEAM}/{_member(world, world.peer).code}/decision"
    response = as_user(world.users()[who]).post(path, {"version": 1, "decision": "approved"})
    assert response.status_code == status
    assert _member(world, world.peer).council_decision == "pending"


# --- A peer's declaration -----------------------------------------------------------------


def test_a_peer_declares_their_interests_for_themself(world, as_user):
    response = as_user(world.peer).post(
        f"{OWN}/declaration", {"worked_for_host": True, "details": " Interim head, 2024 "}
    )
    assert response.status_code == 200
    declared = ConflictDeclaration.objects.get()
    assert declared.person == world.peer.person
    assert response.json() == {
        "worked_for_host": True,
        "details": "Interim head, 2024",
        "declared_at": iso(declared.declared_at),
    }


def test_work_for_the_host_must_be_described(world, as_user):
    response = as_user(world.peer).post(f"{OWN}/declaration", {"worked_for_host": True})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "details", "message": "Say what the work for the host council was"}]
    }


def test_a_peer_cannot_declare_for_someone_else(world, as_user):
    response = as_user(world.peer).post(
        f"{OWN}/declaration", {"worked_for_host": False, "person": world.pcm.person.code}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["person"]
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "body"),
    [
        ("admin", 403, NOT_A_PEER),
        ("sponsor", 403, FORBIDDEN),
        ("stranger_peer", 404, NOT_FOUND),
    ],
)
def test_only_members_of_the_team_declare(world, as_user, who, status, body):
    response = as_user(world.users()[who]).post(f"{OWN}/declaration", {"worked_for_host": False})
    assert (response.status_code, response.json()) == (status, body)


# --- Acknowledging the briefing -----------------------------------------------------------


def test_acknowledging_before_any_briefing_is_refused_naming_it(world, as_user):
    response = as_user(world.peer).post(f"{OWN}/briefing/acknowledgement")
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "briefing",
                "message": "The peer challenge manager has not issued the briefing yet",
            }
        ]
    }


def test_a_peer_acknowledges_the_latest_briefing_for_themself(world, as_user):
    _issue(world.own)
    latest = _issue(world.own)
    response = as_user(world.peer).post(f"{OWN}/briefing/acknowledgement")
    assert response.status_code == 200
    ack = BriefingAcknowledgement.objects.get()
    assert (ack.briefing, ack.person) == (latest, world.peer.person)
    assert response.json() == {
        "briefing_version": 2,
        "acknowledged_at": iso(ack.acknowledged_at),
        "clearance": {"cleared": False, "missing": [UNDECIDED]},
    }


# --- Confidentiality ----------------------------------------------------------------------


def test_the_council_sets_the_agreement_and_everyone_may_read_it(world, as_user):
    response = _put(
        as_user(world.sponsor),
        f"{OWN}/confidentiality",
        {
            "version": 0,
            "required": True,
            "text": f"  {AGREEMENT}\r\n",
        },
    )
    assert response.status_code == 200
    expected = {"required": True, "version": 1, "text": AGREEMENT, "signatures": []}
    assert response.json() == expected
    for who in ("admin", "pcm", "peer", "organiser"):
        assert as_user(world.users()[who]).get(f"{OWN}/confidentiality").json() == expected


def test_before_the_council_decides_there_is_nothing_to_sign(world, as_user):
    response = as_user(world.peer).get(f"{OWN}/confidentiality")
    assert response.json() == {"required": None, "version": None, "text": "", "signatures": []}
    response = as_user(world.peer).post(
        f"{OWN}/confidentiality/signature", {"typed_name": world.peer.person.full_name}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {"field": "agreement", "message": "The council does not ask peers to sign an agreement"}
        ]
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_do_not_see_the_agreement(world, as_user, who):
    response = as_user(world.users()[who]).get(f"{OWN}/confidentiality")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_required_without_text_is_refused_naming_the_text(world, as_user):
    response = _put(as_user(world.pcm), f"{OWN}/confidentiality", {"version": 0, "required": True})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "text", "message": "Enter the text of the agreement peers will sign"}]
    }


def test_not_required_shows_no_text(world, as_user):
    response = _put(
        as_user(world.sponsor),
        f"{OWN}/confidentiality",
        {"version": 0, "required": False, "text": "ignored"},
    )
    assert response.json() == {"required": False, "version": None, "text": "", "signatures": []}


@pytest.mark.parametrize(("who", "status"), [("peer", 403), ("other_council", 404)])
def test_peers_and_outsiders_do_not_set_the_agreement(world, as_user, who, status):
    response = _put(
        as_user(world.users()[who]), f"{OWN}/confidentiality", {"version": 0, "required": False}
    )
    assert response.status_code == status
    world.own.refresh_from_db()
    assert world.own.confidentiality_required is None


def test_a_peer_signs_for_themself_only(world, as_user):
    set_confidentiality(world.own, by=None, required=True, text=AGREEMENT, version=UNCHECKED)
    api = as_user(world.peer)
    path = f"{OWN}/confidentiality/signature"
    name = world.peer.person.full_name
    response = api.post(path, {"typed_name": name, "person": world.pcm.person.code})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["person"]
    response = api.post(path, {"typed_name": world.pcm.person.full_name})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {"field": "typed_name", "message": f"Type your full name as it appears here: {name}"}
        ]
    }
    assert not Signature.objects.exists()
    response = api.post(path, {"typed_name": f"  {name.upper()} "})
    assert response.status_code == 200
    signature = Signature.objects.get()
    assert signature.person == world.peer.person
    assert response.json() == {
        "agreement_version": 1,
        "typed_name": name.upper(),
        "signed_at": iso(signature.signed_at),
        "clearance": {"cleared": False, "missing": [NOT_ISSUED]},
    }


def test_a_signature_on_changed_text_no_longer_counts(world, as_user):
    _cleared_peer(world)
    peer_api = as_user(world.peer)
    signed = Signature.objects.get()
    assert peer_api.get(f"{OWN}/confidentiality").json()["signatures"] == [
        {
            "person": _brief(world.peer.person),
            "typed_name": world.peer.person.full_name,
            "signed_at": iso(signed.signed_at),
        }
    ]
    response = _put(
        as_user(world.sponsor),
        f"{OWN}/confidentiality",
        {
            "version": 1,
            "required": True,
            "text": AGREEMENT + " Notes are destroyed after feedback.",
        },
    )
    assert (response.json()["version"], response.json()["signatures"]) == (2, [])
    assert peer_api.get(f"{OWN}/confidentiality").json() == {
        "required": True,
        "version": 2,
        "text": AGREEMENT + " Notes are destroyed after feedback.",
        "signatures": [],
    }
    [lead, _] = peer_api.get(TEAM).json()["members"]
    assert (lead["signed"], lead["clearance"]["cleared"]) == (False, False)
    assert lead["clearance"]["missing"] == ["Sign the current confidentiality agreement"]
    # Sending the current text again makes no new version.
    again = {
        "version": 2,
        "required": True,
        "text": AGREEMENT + " Notes are destroyed after feedback.",
    }
    assert _put(as_user(world.pcm), f"{OWN}/confidentiality", again).json()["version"] == 2


# --- Data access --------------------------------------------------------------------------


def test_the_team_reads_who_is_cleared_and_the_access_log(world, as_user):
    _cleared_peer(world)
    granted = DataAccessEvent.objects.get()
    response = as_user(world.pcm).get(f"{OWN}/data-access")
    assert response.status_code == 200
    assert response.json() == {
        "team": [
            {
                "person": _brief(world.peer.person),
                "role": "lead_peer",
                "cleared": True,
                "missing": [],
                "holds_access": True,
            },
            {
                "person": _brief(world.pcm.person),
                "role": "peer_challenge_manager",
                "cleared": False,
                "missing": [
                    "Acknowledge the latest briefing",
                    "Sign the current confidentiality agreement",
                ],
                "holds_access": False,
            },
        ],
        "events": [
            {
                "person": _brief(world.peer.person),
                "event": "granted",
                "reason": granted.reason,
                "at": iso(granted.at),
            }
        ],
    }
    assert granted.reason == f"{world.peer.person} signed the confidentiality agreement"


def test_a_new_agreement_text_revokes_access_in_the_log(world, as_user):
    _cleared_peer(world)
    _put(
        as_user(world.sponsor),
        f"{OWN}/confidentiality",
        {"version": 1, "required": True, "text": "New."},
    )
    body = as_user(world.peer).get(f"{OWN}/data-access").json()
    assert [(e["event"], e["reason"]) for e in body["events"]] == [
        ("revoked", "Confidentiality requirement changed"),
        ("granted", f"{world.peer.person} signed the confidentiality agreement"),
    ]
    assert body["team"][0]["holds_access"] is False


@pytest.mark.parametrize(("who", "status"), [("sponsor", 403), ("other_pcm", 404)])
def test_the_council_and_outsiders_do_not_read_the_access_log(world, as_user, who, status):
    assert as_user(world.users()[who]).get(f"{OWN}/data-access").status_code == status


# --- Audit and the OpenAPI document -------------------------------------------------------


def test_every_peer_step_is_in_the_audit_trail_under_the_callers_name(world, as_user):
    _issue(world.own)
    set_confidentiality(world.own, by=None, required=True, text=AGREEMENT, version=UNCHECKED)
    api = as_user(world.peer)
    api.post(f"{OWN}/declaration", {"worked_for_host": False})
    api.post(f"{OWN}/briefing/acknowledgement")
    api.post(f"{OWN}/confidentiality/signature", {"typed_name": world.peer.person.full_name})
    mine = AuditEntry.objects.filter(diagnostic=world.own, actor=world.peer)
    name = world.peer.person
    assert sorted(mine.values_list("summary", flat=True)) == [
        f"{name} acknowledged the briefing, version 1",
        f"{name} declared no conflict of interest",
        f"{name} signed the confidentiality agreement, version 1",
    ]


TEAM_OPERATIONS = {
    "/api/diagnostics/{ref}/team": {"get": "listTeam", "post": "addTeamMember"},
    "/api/diagnostics/{ref}/team/suggestions/{role}": {"get": "suggestPeers"},
    "/api/diagnostics/{ref}/team/{code}": {
        "patch": "updateTeamMember",
        "delete": "removeTeamMember",
    },
    "/api/diagnostics/{ref}/team/{code}/decision": {"post": "decideOnPeer"},
    "/api/diagnostics/{ref}/proposed-peers": {"get": "listProposedPeers"},
    "/api/diagnostics/{ref}/declaration": {"post": "declareInterests"},
    "/api/diagnostics/{ref}/briefing/acknowledgement": {"post": "acknowledgeBriefing"},
    "/api/diagnostics/{ref}/confidentiality/signature": {"post": "signAgreement"},
    "/api/diagnostics/{ref}/confidentiality": {
        "get": "getConfidentiality",
        "put": "setConfidentiality",
    },
    "/api/diagnostics/{ref}/data-access": {"get": "getDataAccess"},
    "/api/bench": {"get": "searchBench"},
    "/api/bench/{person_code}": {"get": "getPeerProfile", "put": "savePeerProfile"},
}


def test_the_openapi_document_lists_every_team_and_bench_operation(db):
    spec = Client().get("/api/openapi.json").json()
    found = {
        path: {method: op["operationId"] for method, op in spec["paths"][path].items()}
        for path in TEAM_OPERATIONS
        if path in spec["paths"]
    }
    assert found == TEAM_OPERATIONS
    links = spec["paths"]["/api/diagnostics/{ref}/team"]["post"]["responses"]["201"]["links"]
    assert sorted(links) == ["decideOnPeer", "removeTeamMember", "updateTeamMember"]


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("team_list", {"ref": "R"}, "/api/diagnostics/R/team"),
        ("team_create", {"ref": "R"}, "/api/diagnostics/R/team"),
        (
            "team_suggestions",
            {"ref": "R", "role": "case_auditor"},
            "/api/diagnostics/R/team/suggestions/case_auditor",
        ),
        ("team_update", {"ref": "R", "code": "c"}, "/api/diagnostics/R/team/c"),
        ("team_delete", {"ref": "R", "code": "c"}, "/api/diagnostics/R/team/c"),
        ("team_decision", {"ref": "R", "code": "c"}, "/api/diagnostics/R/team/c/decision"),
        ("proposed_peer_list", {"ref": "R"}, "/api/diagnostics/R/proposed-peers"),
        ("declaration_submit", {"ref": "R"}, "/api/diagnostics/R/declaration"),
        ("briefing_acknowledge", {"ref": "R"}, "/api/diagnostics/R/briefing/acknowledgement"),
        ("confidentiality_sign", {"ref": "R"}, "/api/diagnostics/R/confidentiality/signature"),
        ("confidentiality_detail", {"ref": "R"}, "/api/diagnostics/R/confidentiality"),
        ("confidentiality_set", {"ref": "R"}, "/api/diagnostics/R/confidentiality"),
        ("data_access", {"ref": "R"}, "/api/diagnostics/R/data-access"),
        ("bench_list", {}, "/api/bench"),
        ("bench_detail", {"person_code": "p"}, "/api/bench/p"),
        ("bench_save", {"person_code": "p"}, "/api/bench/p"),
    ],
)
def test_url_names(name, kwargs, path):
    assert reverse(f"api:{name}", kwargs=kwargs) == path
