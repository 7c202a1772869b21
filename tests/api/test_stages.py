"""Gates and stage changes over the API."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.people import record_scoping
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import CouncilFactory, DiagnosticFactory, TeamMemberFactory

OWN = "/diagnostics/RPD-2027-001"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


def _book_scoping(world):
    when = timezone.make_aware(datetime(2027, 1, 12, 10, 0))
    record_scoping(world.own, by=world.pcm, scheduled_for=when, version=UNCHECKED)


def _stage(diagnostic):
    diagnostic.refresh_from_db()
    return diagnostic.stage


# --- Gates --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "pcm", "peer"])
def test_the_gate_lists_what_is_missing(world, as_user, who):
    response = as_user(world.users()[who]).get(f"{OWN}/gates/scoping_scheduled")
    assert response.status_code == 200
    assert response.json() == {
        "to_stage": "scoping_scheduled",
        "to_stage_label": "Scoping meeting booked",
        "blockers": [
            {
                "code": "scoping_booked",
                "message": "Book the online scoping meeting",
                "fix": "scoping",
                "unavailable": False,
            }
        ],
        "warnings": [],
    }


def test_an_open_gate_has_no_blockers(world, as_user):
    _book_scoping(world)
    body = as_user(world.pcm).get(f"{OWN}/gates/scoping_scheduled").json()
    assert (body["blockers"], body["warnings"]) == ([], [])


def test_a_move_off_the_workflow_is_one_blocker(world, as_user):
    body = as_user(world.pcm).get(f"{OWN}/gates/delivery").json()
    assert [b["code"] for b in body["blockers"]] == ["no_such_move"]
    assert body["blockers"][0]["message"] == "A diagnostic at enquiry cannot move to delivery"


def test_the_council_cannot_see_the_gates(world, as_user):
    response = as_user(world.sponsor).get(f"{OWN}/gates/scoping_scheduled")
    assert response.status_code == 403


def test_an_unknown_stage_is_refused_naming_it(world, as_user):
    response = as_user(world.pcm).get(f"{OWN}/gates/finished")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["to_stage"]


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_see_the_gates(world, as_user, who):
    response = as_user(world.users()[who]).get(f"{OWN}/gates/scoping_scheduled")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- Advance ------------------------------------------------------------------------------


def test_a_refused_advance_is_409_with_every_blocker(world, as_user):
    council = CouncilFactory(name="Council R", region="")
    d = DiagnosticFactory(host_council=council, reference="RPD-2027-030")
    TeamMemberFactory(diagnostic=d, person=world.pcm.person, role=TeamRole.PEER_CHALLENGE_MANAGER)
    response = as_user(world.pcm).post(
        "/diagnostics/RPD-2027-030/advance", {"to_stage": "scoping_scheduled"}
    )
    assert response.status_code == 409
    body = response.json()
    assert [b["code"] for b in body["blockers"]] == ["region", "sponsor", "scoping_booked"]
    assert body["detail"] == [
        {
            "field": "to_stage",
            "message": "Cannot move to scoping meeting booked: "
            "The host council's LGA region is not known; Name the council's sponsor; "
            "Book the online scoping meeting",
        }
    ]
    assert _stage(d) == Stage.ENQUIRY
    assert not d.audit.exists()


def test_blockers_from_unbuilt_capabilities_are_marked_unavailable(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.PREPARATION, day1="2027-03-01")
    response = as_user(world.pcm).post(f"{OWN}/advance", {"to_stage": "ready"})
    assert response.status_code == 409
    blockers = response.json()["blockers"]
    # Documents and the timetable are built (nothing requested or published yet).
    assert [(b["code"], b["fix"], b["unavailable"]) for b in blockers] == [
        ("documents.none_requested", "documents", False),
        ("timetable.unpublished", "timetable", False),
    ]
    # A capability that is not registered says so, and marks its blockers unavailable.
    from peerdiag.diagnostics.domain import capabilities

    saved = capabilities.registered()
    capabilities.unregister_capability("reports")
    try:
        Diagnostic.objects.filter(pk=world.own.pk).update(
            stage=Stage.FEEDBACK_GIVEN, day1="2026-01-05", written_feedback_format="report"
        )
        response = as_user(world.pcm).post(
            f"{OWN}/advance", {"to_stage": "written_feedback_issued"}
        )
    finally:
        capabilities.restore(saved)
    assert response.status_code == 409
    blockers = response.json()["blockers"]
    assert {(b["code"], b["fix"], b["unavailable"]) for b in blockers} == {
        ("reports.unavailable", "reports", True)
    }


def test_the_pcm_advances_through_an_open_gate(world, as_user):
    _book_scoping(world)
    response = as_user(world.pcm).post(f"{OWN}/advance", {"to_stage": "scoping_scheduled"})
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["stage_label"]) == ("scoping_scheduled", "Scoping meeting booked")
    assert body["next_stages"] == [{"stage": "scoped", "label": "Scoped"}]
    assert body["internal_notes"] == ""
    assert _stage(world.own) == Stage.SCOPING_SCHEDULED
    entry = world.own.audit.filter(action="stage").get()
    assert (entry.actor, entry.summary) == (world.pcm, "Moved to scoping meeting booked")


def test_advance_refuses_an_unknown_stage_naming_the_field(world, as_user):
    response = as_user(world.pcm).post(f"{OWN}/advance", {"to_stage": "done"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["to_stage"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("advance", {"to_stage": "scoping_scheduled"}),
        ("postpone", {"reason": "Ofsted visit"}),
        ("resume", None),
        ("cancel", {"reason": "No longer needed"}),
    ],
)
@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("peer", 403, FORBIDDEN),
        ("sponsor", 403, FORBIDDEN),
        ("other_pcm", 404, NOT_FOUND),
        ("other_council", 404, NOT_FOUND),
    ],
)
def test_only_the_pcm_or_an_admin_changes_the_stage(
    world, as_user, path, body, who, status, detail
):
    _book_scoping(world)
    Diagnostic.objects.filter(pk=world.own.pk).update(
        stage=Stage.POSTPONED if path == "resume" else Stage.ENQUIRY,
        stage_before_pause=Stage.ENQUIRY if path == "resume" else "",
    )
    before = _stage(world.own)
    response = as_user(world.users()[who]).post(f"{OWN}/{path}", body)
    assert (response.status_code, response.json()) == (status, detail)
    assert _stage(world.own) == before


# --- Postpone, resume, cancel -------------------------------------------------------------


def test_postponing_clears_day1_and_resuming_returns_to_the_stage(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.SCOPED, day1=date(2027, 3, 1))
    api = as_user(world.pcm)
    response = api.post(f"{OWN}/postpone", {"reason": "Ofsted inspection"})
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["day1"], body["key_dates"]) == ("postponed", None, [])
    assert world.own.audit.get().summary == "Postponed: Ofsted inspection"
    response = api.post(f"{OWN}/resume")
    assert response.status_code == 200
    assert response.json()["stage"] == "scoped"


def test_an_admin_cancels_for_good(world, as_user):
    response = as_user(world.admin).post(f"{OWN}/cancel", {"reason": "Council withdrew"})
    assert response.status_code == 200
    assert (response.json()["stage"], response.json()["next_stages"]) == ("cancelled", [])
    again = as_user(world.pcm).post(f"{OWN}/postpone", {"reason": "x"})
    assert again.status_code == 400
    assert again.json() == {
        "detail": [
            {"field": "stage", "message": "A diagnostic that is cancelled cannot be postponed"}
        ]
    }


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        (
            "postpone",
            {"reason": "   "},
            400,
            [{"field": "reason", "message": "Give a reason for postponing"}],
        ),
        (
            "cancel",
            {"reason": ""},
            400,
            [{"field": "reason", "message": "Give a reason for cancelling"}],
        ),
        ("cancel", {}, 422, [{"field": "reason", "message": "This field is required"}]),
        ("postpone", None, 422, [{"field": "body", "message": "This field is required"}]),
        (
            "resume",
            None,
            400,
            [{"field": "stage", "message": "Only a postponed diagnostic can be resumed"}],
        ),
    ],
)
def test_stage_changes_refuse_bad_input_naming_the_field(
    world, as_user, path, body, status, detail
):
    response = as_user(world.pcm).post(f"{OWN}/{path}", body)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert _stage(world.own) == Stage.ENQUIRY


def test_stage_changed_at_moves_with_the_stage(world, as_user):
    _book_scoping(world)
    as_user(world.pcm).post(f"{OWN}/advance", {"to_stage": "scoping_scheduled"})
    world.own.refresh_from_db()
    assert timezone.now() - world.own.stage_changed_at < timedelta(minutes=1)
