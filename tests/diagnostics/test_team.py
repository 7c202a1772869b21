"""The peer team: composition, conflicts, council approval, briefing, confidentiality, access."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.access import clearance_for, holds_access
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
from peerdiag.diagnostics.domain.conflicts import conflicts_for, declare_interests
from peerdiag.diagnostics.domain.gates import gate_blockers, gate_warnings
from peerdiag.diagnostics.domain.stages import advance, cancel
from peerdiag.diagnostics.domain.team_builder import suggest_peers
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import DataAccessEvent, Diagnostic
from peerdiag.directory.domain.bench import declare_recent_work, save_peer_profile
from peerdiag.directory.enums import Region
from tests.factories import CouncilFactory, PersonFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 briefing"


def _peer(
    name: str,
    *,
    seniority="head_of_service",
    roles=("operational_manager",),
    expertise=(),
    region=Region.LONDON,
    council=None,
):  # type: ignore[no-untyped-def]
    person = PersonFactory(full_name=name, organisation=council or CouncilFactory(region=region))
    save_peer_profile(
        person, seniority=seniority, roles=list(roles), expertise=list(expertise), version=UNCHECKED
    )
    return person


def _brief(d, by):  # type: ignore[no-untyped-def]
    return issue_briefing(d, by=by, file=ContentFile(PDF), name="briefing.pdf", version=UNCHECKED)


def test_a_lead_peer_must_be_a_director_or_assistant_director(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.team.filter(role=TeamRole.LEAD_PEER).delete()
    head = _peer("Hana Head")
    with pytest.raises(DomainError, match="director or assistant director"):
        dp.add_team_member(d, by=world.pcm, person=head, role=TeamRole.LEAD_PEER)
    with pytest.raises(DomainError, match="director or assistant director"):
        save_peer_profile(
            head, seniority="head_of_service", roles=["lead_peer"], expertise=[], version=UNCHECKED
        )
    ad = _peer("Ada Assistant", seniority="ad", roles=["lead_peer"])
    assert (
        dp.add_team_member(d, by=world.pcm, person=ad, role=TeamRole.LEAD_PEER).role == "lead_peer"
    )


def test_composition_warnings_for_operational_managers_and_auditors(world):  # type: ignore[no-untyped-def]
    d = world.own
    assert gate_warnings(d, Stage.PREPARATION) == [
        "A team usually has 2 or 3 operational managers (it has 0)"
    ]
    for i in range(4):
        dp.add_team_member(d, by=world.pcm, person=_peer(f"Op {i}"), role="operational_manager")
    Diagnostic.objects.filter(pk=d.pk).update(case_review_in_scope=True)
    d.refresh_from_db()
    dp.add_team_member(
        d, by=world.pcm, person=_peer("Aud", roles=["case_auditor"]), role="case_auditor"
    )
    assert gate_warnings(d, Stage.PREPARATION) == [
        "A team usually has 2 or 3 operational managers (it has 4)",
        "A case review usually has 2 case auditors (it has 1)",
    ]


def test_conflicts_block_the_host_and_recent_work_and_warn_on_region(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.host_council.region = Region.LONDON
    d.host_council.save()
    old = _peer("Olu Old", region=Region.NORTH_EAST)
    recent = _peer("Rita Recent", region=Region.NORTH_EAST)
    neighbour = _peer("Ned Neighbour", region=Region.LONDON)
    declare_recent_work(old.peer_profile, council=d.host_council, ended_on=date(2021, 1, 1))
    declare_recent_work(recent.peer_profile, council=d.host_council, ended_on=date(2025, 6, 1))
    today = date(2026, 11, 26)
    assert conflicts_for(d, old, today=today).blocked == []
    assert conflicts_for(d, recent, today=today).blocked == [
        f"Rita Recent worked for {d.host_council} until June 2025"
    ]
    assert conflicts_for(d, neighbour, today=today).warnings == [
        "Ned Neighbour works in the same region as the host (London)"
    ]
    assert conflicts_for(d, world.sponsor.person, today=today).blocked == [
        f"{world.sponsor.person} works for {d.host_council}, the host council"
    ]
    with pytest.raises(DomainError, match="worked for"):
        dp.add_team_member(d, by=world.pcm, person=recent, role="operational_manager")
    member = dp.add_team_member(d, by=world.pcm, person=neighbour, role="operational_manager")
    with pytest.raises(DomainError) as err:
        declare_interests(d, by=world.peer, person=neighbour, worked_for_host=True)
    assert err.value.field == "details"
    declare_interests(
        d, by=world.peer, person=neighbour, worked_for_host=True, details="Interim 2024"
    )
    assert conflicts_for(d, member.person).blocked == [
        f"Ned Neighbour declared work for {d.host_council} in the last three years"
    ]


def test_an_objection_needs_a_reason_and_blocks_the_gate(world):  # type: ignore[no-untyped-def]
    member = world.own.team.get(role=TeamRole.LEAD_PEER)
    with pytest.raises(DomainError) as err:
        dp.decide_on_peer(member, by=world.sponsor, decision="objected", version=UNCHECKED)
    assert err.value.field == "reason"
    dp.decide_on_peer(
        member,
        by=world.sponsor,
        decision="objected",
        reason="Reviewed us last year",
        version=UNCHECKED,
    )
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.TEAM_FORMING)
    codes = [b.code for b in gate_blockers(Diagnostic.objects.get(pk=world.own.pk), "preparation")]
    assert "team.council_objected" in codes


def test_a_signature_on_changed_text_no_longer_counts(world):  # type: ignore[no-untyped-def]
    d, peer = world.own, world.peer.person
    _brief(d, world.pcm)
    acknowledge_briefing(d.briefings.get(), by=world.peer, person=peer)
    v1 = set_confidentiality(
        d, by=world.sponsor, required=True, text="Keep it private.", version=UNCHECKED
    )
    with pytest.raises(DomainError) as err:
        sign_agreement(v1, by=world.peer, person=peer, typed_name="Someone Else")
    assert err.value.field == "typed_name"
    sign_agreement(v1, by=world.peer, person=peer, typed_name=f"  {peer.full_name.upper()} ")
    assert clearance_for(d, peer).cleared
    # The same words again (with other line endings) are not a new version.
    assert (
        set_confidentiality(
            d, by=world.sponsor, required=True, text="Keep it private.\r\n", version=UNCHECKED
        )
        == v1
    )
    v2 = set_confidentiality(
        d,
        by=world.sponsor,
        required=True,
        text="Keep it private. Destroy notes.",
        version=UNCHECKED,
    )
    assert v2.version == 2
    assert clearance_for(d, peer).missing == ["Sign the current confidentiality agreement"]
    with pytest.raises(DomainError) as err:
        sign_agreement(v1, by=world.peer, person=peer, typed_name=peer.full_name)
    assert err.value.field == "agreement"
    sign_agreement(v2, by=world.peer, person=peer, typed_name=peer.full_name)
    assert clearance_for(d, peer).cleared
    events = list(
        DataAccessEvent.objects.filter(person=peer)
        .order_by("at", "id")
        .values_list("event", flat=True)
    )
    assert events == ["granted", "revoked", "granted"]


def test_a_new_briefing_version_must_be_acknowledged_again(world):  # type: ignore[no-untyped-def]
    d, peer = world.own, world.peer.person
    set_confidentiality(d, by=world.sponsor, required=False, version=UNCHECKED)
    v1 = _brief(d, world.pcm)
    acknowledge_briefing(v1, by=world.peer, person=peer)
    assert holds_access(d, peer.pk)
    v2 = _brief(d, world.pcm)
    assert not holds_access(d, peer.pk)
    with pytest.raises(DomainError, match="newer version"):
        acknowledge_briefing(v1, by=world.peer, person=peer)
    with pytest.raises(DomainError, match="Only a member"):
        acknowledge_briefing(v2, by=world.stranger_peer, person=world.stranger_peer.person)
    acknowledge_briefing(v2, by=world.peer, person=peer)
    assert holds_access(d, peer.pk)
    assert v2.file.read() == PDF


def test_access_ends_when_the_diagnostic_ends_or_the_peer_leaves(world):  # type: ignore[no-untyped-def]
    d, peer = world.own, world.peer.person
    set_confidentiality(d, by=world.sponsor, required=False, version=UNCHECKED)
    briefing = _brief(d, world.pcm)
    acknowledge_briefing(briefing, by=world.peer, person=peer)
    acknowledge_briefing(briefing, by=world.pcm, person=world.pcm.person)
    assert holds_access(d, peer.pk) and holds_access(d, world.pcm.person.pk)
    dp.remove_team_member(d.team.get(person=peer), by=world.pcm, version=UNCHECKED)
    assert not holds_access(d, peer.pk)
    cancel(d, by=world.pcm, reason="Council withdrew")
    assert not holds_access(d, world.pcm.person.pk)
    revoked = DataAccessEvent.objects.filter(diagnostic=d, event="revoked")
    assert sorted(revoked.values_list("reason", flat=True)) == sorted(
        [f"{peer} left the team", "The diagnostic is cancelled"]
    )


def test_the_team_gate_blocks_then_passes(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.TEAM_FORMING, case_review_in_scope=False)
    d.refresh_from_db()
    lead = d.team.get(role=TeamRole.LEAD_PEER)
    save_peer_profile(
        lead.person, seniority="dcs", roles=["lead_peer"], expertise=[], version=UNCHECKED
    )
    ops = [_peer(f"Op {i}") for i in range(2)]
    for p in ops:
        dp.add_team_member(d, by=world.pcm, person=p, role="operational_manager")

    def codes() -> list[str]:
        return [b.code for b in gate_blockers(Diagnostic.objects.get(pk=d.pk), "preparation")]

    assert codes() == [
        "team.council_pending",
        "team.declaration",
        "team.declaration",
        "team.declaration",
        "team.briefing",
        "team.confidentiality_decision",
    ]
    for m in d.team.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER):
        dp.decide_on_peer(m, by=world.sponsor, decision="approved", version=UNCHECKED)
        declare_interests(d, by=world.pcm, person=m.person, worked_for_host=False)
    briefing = _brief(d, world.pcm)
    agreement = set_confidentiality(
        d, by=world.sponsor, required=True, text="Confidential.", version=UNCHECKED
    )
    assert codes() == ["team.not_cleared"] * 4
    for m in d.team.select_related("person"):
        acknowledge_briefing(briefing, by=world.pcm, person=m.person)
        sign_agreement(agreement, by=world.pcm, person=m.person, typed_name=m.person.full_name)
    assert codes() == []
    advance(d, Stage.PREPARATION, by=world.pcm)
    assert d.stage == Stage.PREPARATION


def test_suggestions_rank_by_fit_and_say_why(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.host_council.region = Region.LONDON
    d.host_council.save()
    d.kloes.create(text="How well does the front door apply thresholds?", order=1)
    d.kloes.create(text="How good is management oversight?", theme="Quality", order=2)
    _peer(
        "Bea Best",
        expertise=["front_door", "quality_assurance", "safeguarding"],
        region=Region.SOUTH_WEST,
    )
    _peer(
        "Nia Near",
        expertise=["front_door", "quality_assurance", "safeguarding"],
        region=Region.LONDON,
    )
    busy = _peer("Bo Busy", expertise=["front_door"], region=Region.SOUTH_WEST)
    for _ in range(2):
        other = Diagnostic.objects.create(
            reference=f"RPD-2026-9{_}", host_council=CouncilFactory(), title="x", type="send"
        )
        other.team.create(person=busy, role="operational_manager")
    barred = _peer("Cy Barred", expertise=["front_door"], region=Region.SOUTH_WEST)
    declare_recent_work(barred.peer_profile, council=d.host_council, ended_on=None)
    _peer("Lee Lead", seniority="dcs", roles=["lead_peer"], expertise=["send"])
    result = suggest_peers(d, "operational_manager", today=date(2026, 11, 26))
    assert [s.person.full_name for s in result] == ["Bea Best", "Nia Near", "Bo Busy"]
    assert result[0].score == 25
    assert result[0].reasons == [
        "Expertise fits key lines of enquiry 1, 2",
        "Knows safeguarding",
        "No diagnostics in the last 12 months",
    ]
    assert result[1].warnings == ["Same region as the host (London)"]
    assert result[2].reasons[-1] == "2 diagnostics in the last 12 months"
    leads = suggest_peers(d, "lead_peer", today=date(2026, 11, 26))
    assert [s.person.full_name for s in leads] == ["Lee Lead"]


def test_ongoing_work_blocks_even_beside_older_work(world):  # type: ignore[no-untyped-def]
    d = world.own
    peer = _peer("Ona Going", region=Region.NORTH_EAST)
    declare_recent_work(peer.peer_profile, council=d.host_council, ended_on=date(2015, 1, 1))
    declare_recent_work(peer.peer_profile, council=d.host_council, ended_on=None)
    declare_recent_work(peer.peer_profile, council=d.host_council, ended_on=date(2016, 1, 1))
    assert conflicts_for(d, peer).blocked == [f"Ona Going worked for {d.host_council} still"]


def test_delivery_is_blocked_while_someone_holds_access_without_clearance(world):  # type: ignore[no-untyped-def]
    from peerdiag.diagnostics.domain.access import sync_data_access
    from peerdiag.diagnostics.domain.team_gate import team_blockers

    d = world.own
    # A grant left behind (say, written before a rule changed) for a peer who is not cleared.
    DataAccessEvent.objects.create(
        diagnostic=d, person=world.peer.person, event="granted", reason="stale"
    )
    assert [b.code for b in team_blockers(d, Stage.DELIVERY)] == ["team.access_not_cleared"]
    sync_data_access(d, reason="re-checked")
    assert not holds_access(d, world.peer.person.pk)
    assert team_blockers(d, Stage.DELIVERY) == []
