"""Domain writes: what they change, what they refuse, and what they leave in the audit trail."""

from __future__ import annotations

from datetime import date

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import diagnostics as dd
from peerdiag.diagnostics.domain import kloes as dk
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain import stages as ds
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.directory.domain.bench import save_peer_profile
from tests.factories import CouncilFactory, LgaFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_references_count_up_within_a_year(world):  # type: ignore[no-untyped-def]
    council = CouncilFactory()
    first = dd.create_diagnostic(
        by=world.pcm, host_council=council, title="A", type="send", year=2027
    )
    second = dd.create_diagnostic(
        by=world.pcm, host_council=council, title="B", type="send", year=2027
    )
    other_year = dd.create_diagnostic(
        by=world.pcm, host_council=council, title="C", type="send", year=2028
    )
    # The world already holds RPD-2027-001 and -002, so numbering skips past them.
    assert [first.reference, second.reference, other_year.reference] == [
        "RPD-2027-003",
        "RPD-2027-004",
        "RPD-2028-001",
    ]
    assert first.stage == Stage.ENQUIRY
    assert first.audit.get().summary == f"Opened RPD-2027-003 for {council}"


def test_create_makes_the_manager_the_pcm_and_refuses_bad_input(world):  # type: ignore[no-untyped-def]
    d = dd.create_diagnostic(
        by=world.pcm,
        host_council=CouncilFactory(),
        title="X",
        type="safeguarding",
        manager=world.pcm.person,
        year=2030,
    )
    assert list(d.team.values_list("person", "role")) == [
        (world.pcm.person.pk, TeamRole.PEER_CHALLENGE_MANAGER)
    ]
    with pytest.raises(DomainError) as err:
        dd.create_diagnostic(by=world.pcm, host_council=LgaFactory(), title="X", type="send")
    assert err.value.field == "host_council"
    with pytest.raises(DomainError) as err:
        dd.create_diagnostic(by=world.pcm, host_council=CouncilFactory(), title="X", type="other")
    assert err.value.field == "type_other"
    assert Diagnostic.objects.filter(title="X").count() == 1


def test_update_details_records_each_changed_field(world):  # type: ignore[no-untyped-def]
    d = world.own
    changed = dd.update_details(
        d,
        by=world.pcm,
        title=d.title,
        focus_statement="The front door",
        covid_theme=True,
        version=UNCHECKED,
    )
    assert changed == [
        {
            "field": "focus_statement",
            "label": "Focus statement",
            "old": "",
            "new": "The front door",
        },
        {"field": "covid_theme", "label": "Covid-19 theme", "old": "", "new": "Yes"},
    ]
    entry = d.audit.get(action="details")
    assert entry.changes == changed
    assert entry.actor == world.pcm
    assert dd.update_details(d, by=world.pcm, covid_theme=True, version=UNCHECKED) == []
    assert d.audit.filter(action="details").count() == 1


def test_case_review_scope_is_fixed_after_preparation(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.READY, case_review_in_scope=False)
    d.refresh_from_db()
    with pytest.raises(DomainError) as err:
        dd.update_details(d, by=world.pcm, case_review_in_scope=True, version=UNCHECKED)
    assert err.value.field == "case_review_in_scope"


def test_kloes_add_move_edit_remove_keep_dense_order(world):  # type: ignore[no-untyped-def]
    d = world.own
    a = dk.add_kloe(d, by=world.pcm, text="A?")
    b = dk.add_kloe(d, by=world.pcm, text="B?")
    c = dk.add_kloe(d, by=world.pcm, text="C?", theme="Leadership")
    dk.move_kloe(c, by=world.pcm, to_order=1, version=UNCHECKED)
    assert list(d.kloes.values_list("text", "order")) == [("C?", 1), ("A?", 2), ("B?", 3)]
    a.refresh_from_db()
    dk.move_kloe(a, by=world.pcm, to_order=3, version=UNCHECKED)
    assert list(d.kloes.values_list("text", flat=True)) == ["C?", "B?", "A?"]
    dk.edit_kloe(b, by=world.pcm, text="B, reworded?", version=UNCHECKED)
    b.refresh_from_db()
    dk.remove_kloe(b, by=world.pcm, version=UNCHECKED)
    assert list(d.kloes.values_list("text", "order")) == [("C?", 1), ("A?", 2)]
    summaries = list(d.audit.filter(action="kloe").values_list("summary", flat=True))
    assert summaries == [
        "Removed key line of enquiry 2",
        "Changed key line of enquiry 2",
        "Moved key line of enquiry from 2 to 3",
        "Moved key line of enquiry from 3 to 1",
        "Added key line of enquiry 3",
        "Added key line of enquiry 2",
        "Added key line of enquiry 1",
    ]
    with pytest.raises(DomainError):
        dk.move_kloe(c, by=world.pcm, to_order=9, version=UNCHECKED)
    with pytest.raises(DomainError) as err:
        dk.add_kloe(d, by=world.pcm, text="   ")
    assert err.value.field == "text"


def test_kloes_are_fixed_once_delivery_starts(world):  # type: ignore[no-untyped-def]
    d = world.own
    kloe = dk.add_kloe(d, by=world.pcm, text="A?")
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.DELIVERY)
    d.refresh_from_db()
    kloe.refresh_from_db()
    for attempt in (
        lambda: dk.add_kloe(d, by=world.pcm, text="B?"),
        lambda: dk.edit_kloe(kloe, by=world.pcm, text="A again?", version=UNCHECKED),
        lambda: dk.remove_kloe(kloe, by=world.pcm, version=UNCHECKED),
    ):
        with pytest.raises(DomainError, match="fixed once delivery starts"):
            attempt()
    assert list(d.kloes.values_list("text", flat=True)) == ["A?"]


def test_single_council_roles_are_replaced_partner_reps_accumulate(world):  # type: ignore[no-untyped-def]
    d = world.own
    new_sponsor = PersonFactory(organisation=d.host_council)
    dp.assign_council_role(d, by=world.pcm, person=new_sponsor, role="sponsor")
    assert list(d.council_roles.filter(role="sponsor").values_list("person", flat=True)) == [
        new_sponsor.pk
    ]
    entry = d.audit.get(action="council_role")
    assert entry.changes == [
        {
            "field": "sponsor",
            "label": "Sponsor",
            "old": str(world.sponsor.person),
            "new": str(new_sponsor),
        }
    ]
    for _ in range(2):
        dp.assign_council_role(d, by=world.pcm, person=PersonFactory(), role="partner_rep")
    assert d.council_roles.filter(role="partner_rep").count() == 2
    with pytest.raises(DomainError) as err:
        dp.assign_council_role(d, by=world.pcm, person=PersonFactory(), role="organiser")
    assert err.value.field == "person"


def test_a_given_endorsement_needs_its_date(world):  # type: ignore[no-untyped-def]
    d = world.own
    with pytest.raises(DomainError) as err:
        dp.record_endorsement(
            d, by=world.pcm, role="lead_member", status="given", version=UNCHECKED
        )
    assert err.value.field == "given_on"
    dp.record_endorsement(d, by=world.pcm, role="lead_member", status="pending", version=UNCHECKED)
    e = dp.record_endorsement(
        d,
        by=world.pcm,
        role="lead_member",
        status="given",
        given_on=date(2027, 1, 5),
        note="Letter",
        version=UNCHECKED,
    )
    assert (e.status, e.given_on, e.note) == ("given", date(2027, 1, 5), "Letter")
    assert d.endorsements.count() == 1
    latest = d.audit.filter(action="endorsement").first()
    assert {c["field"] for c in latest.changes} == {"status", "given_on", "note"}


def test_scoping_record_lists_attendee_and_case_list_changes(world):  # type: ignore[no-untyped-def]
    d = world.own
    dp.record_scoping(
        d,
        by=world.pcm,
        scheduled_for=None,
        held_on=date(2027, 1, 4),
        attendees=[world.sponsor.person],
        suitability="suitable",
        suitability_rationale="Right tool",
        team_requirements="Front door",
        case_list_names=["CP plans", " ", "CP plans", "CIN"],
        version=UNCHECKED,
    )
    assert sorted(d.agreed_case_lists.values_list("name", flat=True)) == ["CIN", "CP plans"]
    d.refresh_from_db()
    assert d.suitability == "suitable"
    fields = {c["field"]: c["new"] for c in d.audit.get(action="scoping").changes}
    assert fields["attendees"] == str(world.sponsor.person)
    assert fields["case_lists"] == "CIN, CP plans"
    with pytest.raises(DomainError) as err:
        dp.record_scoping(
            d, by=world.pcm, scheduled_for=None, suitability="suitable", version=UNCHECKED
        )
    assert err.value.field == "suitability_rationale"


def test_team_rules_refuse_host_council_second_lead_and_auditors_without_review(world):  # type: ignore[no-untyped-def]
    d = world.own
    with pytest.raises(DomainError, match="host council"):
        dp.add_team_member(d, by=world.pcm, person=world.sponsor.person, role="operational_manager")
    with pytest.raises(DomainError, match="already has a lead peer"):
        dp.add_team_member(d, by=world.pcm, person=PersonFactory(), role="lead_peer")
    with pytest.raises(DomainError, match="only when a case review"):
        dp.add_team_member(d, by=world.pcm, person=PersonFactory(), role="case_auditor")
    with pytest.raises(DomainError, match="LGA staff"):
        dp.add_team_member(d, by=world.pcm, person=PersonFactory(), role="peer_challenge_manager")
    newcomer = PersonFactory()
    with pytest.raises(DomainError, match="not on the bench"):
        dp.add_team_member(d, by=world.pcm, person=newcomer, role="operational_manager")
    save_peer_profile(
        newcomer,
        seniority="service_manager",
        roles=["operational_manager"],
        expertise=[],
        version=UNCHECKED,
    )
    member = dp.add_team_member(d, by=world.pcm, person=newcomer, role="operational_manager")
    dp.remove_team_member(member, by=world.pcm, version=member.version)
    assert d.team.count() == 2


def test_postpone_clears_dates_and_resume_returns_to_the_stage(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.PREPARATION, day1=date(2027, 3, 1))
    d.refresh_from_db()
    with pytest.raises(DomainError) as err:
        ds.postpone(d, by=world.pcm, reason=" ")
    assert err.value.field == "reason"
    ds.postpone(d, by=world.pcm, reason="New director")
    assert (d.stage, d.day1, d.stage_before_pause) == (Stage.POSTPONED, None, Stage.PREPARATION)
    assert d.audit.first().summary == "Postponed: New director"
    ds.resume(d, by=world.pcm)
    assert (d.stage, d.stage_before_pause) == (Stage.PREPARATION, "")
    ds.cancel(d, by=world.pcm, reason="Other support chosen")
    assert d.stage == Stage.CANCELLED
    for action in (
        lambda: ds.postpone(d, by=world.pcm, reason="x"),
        lambda: ds.cancel(d, by=world.pcm, reason="x"),
        lambda: ds.resume(d, by=world.pcm),
        lambda: dd.update_details(d, by=world.pcm, title="New", version=UNCHECKED),
    ):
        with pytest.raises(DomainError):
            action()


def test_the_audit_trail_cannot_be_changed_or_deleted(world):  # type: ignore[no-untyped-def]
    dd.update_details(world.own, by=world.pcm, title="Renamed", version=UNCHECKED)
    entry = AuditEntry.objects.first()
    entry.summary = "tampered"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(summary="tampered")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(summary="tampered").count() == 0


def test_day1_and_details_refuse_values_the_database_cannot_hold(world):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        dd.set_day1(world.own, by=world.pcm, day1=date(2100, 1, 4), version=UNCHECKED)
    assert err.value.field == "day1"
    with pytest.raises(DomainError) as err:
        dd.update_details(world.own, by=world.pcm, title="x" * 201, version=UNCHECKED)
    assert err.value.field == "title"
    with pytest.raises(DomainError) as err:
        dd.update_details(world.own, by=world.pcm, online_platform="skype", version=UNCHECKED)
    assert err.value.field == "online_platform"
    world.own.refresh_from_db()
    assert (world.own.day1, world.own.online_platform) == (None, "")
