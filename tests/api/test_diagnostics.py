"""Listing, opening, reading and changing diagnostics over the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerdiag.diagnostics.enums import DiagnosticType, Stage, TeamRole
from peerdiag.diagnostics.models import AuditEntry, Diagnostic, ReferenceCounter
from peerdiag.directory.enums import Region
from tests.factories import (
    CouncilFactory,
    DiagnosticFactory,
    LgaFactory,
    TeamMemberFactory,
)

from .conftest import iso

OWN = "/diagnostics/RPD-2027-001"
OTHER = "/diagnostics/RPD-2027-002"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


def _refs(response):
    return [item["reference"] for item in response.json()["items"]]


# --- List ---------------------------------------------------------------------------------


def test_list_gives_the_full_summary_of_each_diagnostic(world, as_user):
    response = as_user(world.pcm).get("/diagnostics")
    assert response.status_code == 200
    own = world.own
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "reference": "RPD-2027-001",
                "title": own.title,
                "type": "safeguarding",
                "type_label": "Safeguarding",
                "stage": "enquiry",
                "stage_label": "Enquiry",
                "host_council": {
                    "code": own.host_council.code,
                    "name": "Council A",
                    "kind": "council",
                    "region": "north_west",
                },
                "day1": None,
                "stage_changed_at": None,
                "created_at": iso(own.created_at),
            }
        ],
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["RPD-2027-002", "RPD-2027-001"]),
        ("pcm", ["RPD-2027-001"]),
        ("peer", ["RPD-2027-001"]),
        ("sponsor", ["RPD-2027-001"]),
        ("organiser", ["RPD-2027-001"]),
        ("other_pcm", ["RPD-2027-002"]),
        ("other_council", ["RPD-2027-002"]),
        ("stranger_peer", ["RPD-2027-002"]),
    ],
)
def test_list_shows_only_what_the_caller_may_see(world, as_user, who, expected):
    response = as_user(world.users()[who]).get("/diagnostics")
    assert response.status_code == 200
    assert _refs(response) == expected
    assert response.json()["count"] == len(expected)


def _managed_by(world, **kwargs):
    d = DiagnosticFactory(**kwargs)
    TeamMemberFactory(diagnostic=d, person=world.pcm.person, role=TeamRole.PEER_CHALLENGE_MANAGER)
    return d


def test_list_filters_by_stage_type_and_region(world, as_user):
    london = CouncilFactory(name="Council L", region=Region.LONDON)
    scoped = _managed_by(world, stage=Stage.SCOPED, reference="RPD-2027-010")
    send = _managed_by(world, type=DiagnosticType.SEND, reference="RPD-2027-011")
    in_london = _managed_by(world, host_council=london, reference="RPD-2027-012")
    api = as_user(world.pcm)
    assert _refs(api.get("/diagnostics", stage="scoped")) == [scoped.reference]
    assert _refs(api.get("/diagnostics", type="send")) == [send.reference]
    assert _refs(api.get("/diagnostics", region="london")) == [in_london.reference]
    assert _refs(api.get("/diagnostics", stage="scoped", type="send")) == []


def test_list_refuses_an_unknown_filter_value_naming_it(world, as_user):
    response = as_user(world.pcm).get("/diagnostics", stage="finished")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "stage"
    assert error["message"].startswith("Input should be 'enquiry', 'scoping_scheduled'")


def test_list_pages_hold_fifty(world, as_user):
    for n in range(51):
        DiagnosticFactory(reference=f"RPD-2026-{n + 100:03d}")
    api = as_user(world.admin)
    first, second = api.get("/diagnostics").json(), api.get("/diagnostics", page=2).json()
    assert (first["count"], len(first["items"])) == (53, 50)
    assert (second["count"], len(second["items"])) == (53, 3)
    assert second["items"][-1]["reference"] == "RPD-2027-001"  # the oldest comes last
    assert api.get("/diagnostics", page=9).json() == {"count": 53, "items": []}


def test_list_refuses_page_zero(world, as_user):
    response = as_user(world.pcm).get("/diagnostics", page=0)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "page", "message": "Input should be greater than or equal to 1"}]
    }


@pytest.mark.parametrize("who", ["pcm", "sponsor", "admin"])
def test_list_query_count_does_not_grow_with_the_rows(world, as_user, who):
    api = as_user(world.users()[who])
    with CaptureQueriesContext(connection) as one:
        assert api.get("/diagnostics").json()["count"] == (2 if who == "admin" else 1)
    for n in range(2):
        _managed_by(world, host_council=world.own.host_council, reference=f"RPD-2027-02{n}")
    with CaptureQueriesContext(connection) as three:
        assert api.get("/diagnostics").json()["count"] == (4 if who == "admin" else 3)
    assert len(one) == len(three)


# --- Create -------------------------------------------------------------------------------


def _year() -> int:
    return timezone.localdate().year


def test_lga_staff_open_a_diagnostic_and_become_its_pcm(world, as_user):
    ReferenceCounter.objects.create(year=_year(), last=41)
    council = world.own.host_council
    response = as_user(world.pcm).post(
        "/diagnostics",
        {"host_council": council.code, "title": "  Front door  ", "type": "send"},
    )
    assert response.status_code == 201
    body = response.json()
    reference = f"RPD-{_year()}-042"
    d = Diagnostic.objects.get(reference=reference)
    assert body == {
        "reference": reference,
        "title": "Front door",
        "type": "send",
        "type_label": "SEND",
        "stage": "enquiry",
        "stage_label": "Enquiry",
        "host_council": {
            "code": council.code,
            "name": "Council A",
            "kind": "council",
            "region": "north_west",
        },
        "day1": None,
        "stage_changed_at": iso(d.stage_changed_at),
        "created_at": iso(d.created_at),
        "type_other": "",
        "focus_statement": "",
        "covid_theme": None,
        "online_platform": "",
        "online_platform_other": "",
        "case_review_in_scope": None,
        "written_feedback_format": "",
        "suitability": "",
        "suitability_rationale": "",
        "written_feedback_issued_on": None,
        "key_dates": [],
        "next_stages": [{"stage": "scoping_scheduled", "label": "Scoping meeting booked"}],
        "internal_notes": "",
        "version": 1,
    }
    assert list(d.team.values_list("person__user__email", "role")) == [
        ("pcm@example.org", "peer_challenge_manager")
    ]
    assert d.created_by == world.pcm
    assert AuditEntry.objects.filter(diagnostic=d, actor=world.pcm).count() == 2


def test_an_lga_admin_without_a_person_opens_one_with_no_pcm(world, as_user):
    response = as_user(world.admin).post(
        "/diagnostics",
        {
            "host_council": world.own.host_council.code,
            "title": "Early help",
            "type": "other",
            "type_other": "Early help",
        },
    )
    assert response.status_code == 201
    assert response.json()["type_label"] == "Early help"
    d = Diagnostic.objects.get(reference=response.json()["reference"])
    assert not d.team.exists()


@pytest.mark.parametrize("who", ["peer", "sponsor", "other_council"])
def test_only_lga_staff_may_open_a_diagnostic(world, as_user, who):
    response = as_user(world.users()[who]).post(
        "/diagnostics",
        {"host_council": world.own.host_council.code, "title": "X", "type": "send"},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only LGA staff may open a diagnostic"}
    assert Diagnostic.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"host_council": "nosuchcode"}, "host_council", "No organisation has this code"),
        ({"host_council": "LGA"}, "host_council", "The host must be a council"),
        ({"title": "   "}, "title", "Enter a title"),
        ({"type": "other"}, "type_other", "Say what kind of diagnostic this is"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(world, as_user, change, field, message):
    body = {"host_council": world.own.host_council.code, "title": "Front door", "type": "send"}
    body.update(change)
    if body["host_council"] == "LGA":
        body["host_council"] = LgaFactory().code
    response = as_user(world.pcm).post("/diagnostics", body)
    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": field, "message": message}]}
    assert Diagnostic.objects.count() == 2


def test_create_names_every_missing_field(world, as_user):
    response = as_user(world.pcm).post("/diagnostics", {"title": "x" * 201})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"field": "host_council", "message": "This field is required"},
            {"field": "title", "message": "String should have at most 200 characters"},
            {"field": "type", "message": "This field is required"},
        ]
    }


# --- Detail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_internal"),
    [("admin", True), ("pcm", True), ("peer", True), ("sponsor", False), ("organiser", False)],
)
def test_detail_shows_internal_notes_only_to_the_lga_and_team(world, as_user, who, sees_internal):
    Diagnostic.objects.filter(pk=world.own.pk).update(internal_notes="Chief exec is leaving")
    response = as_user(world.users()[who]).get(OWN)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == "RPD-2027-001"
    if sees_internal:
        assert body["internal_notes"] == "Chief exec is leaving"
    else:
        assert "internal_notes" not in body


@pytest.mark.parametrize("who", ["other_pcm", "other_council", "stranger_peer"])
def test_detail_is_not_found_for_outsiders(world, as_user, who):
    response = as_user(world.users()[who]).get(OWN)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_detail_of_a_reference_that_does_not_exist_looks_the_same(world, as_user):
    response = as_user(world.admin).get("/diagnostics/RPD-1999-999")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_detail_refuses_a_malformed_reference(world, as_user):
    response = as_user(world.pcm).get("/diagnostics/RPD 2027")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "ref"


def test_detail_lists_key_dates_once_day1_is_set(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(day1=date(2027, 3, 1))
    body = as_user(world.sponsor).get(OWN).json()
    assert body["day1"] == "2027-03-01"
    assert [(k["key"], k["start"], k["end"]) for k in body["key_dates"][:4]] == [
        ("documents_due", "2027-02-08", None),
        ("timetable_due", "2027-02-15", None),
        ("team_call", "2027-02-15", "2027-02-22"),
        ("day1", "2027-03-01", None),
    ]
    assert [k["key"] for k in body["key_dates"] if k["optional"]] == ["team_call"]
    assert body["key_dates"][-1] == {
        "key": "destroy_by",
        "label": "Case content and peer notes destroyed by",
        "start": "2027-05-09",
        "end": None,
        "note": "Provisional: counted from the due date until written feedback is issued",
        "optional": False,
    }


# --- Update -------------------------------------------------------------------------------


def test_the_pcm_changes_only_the_fields_sent(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(focus_statement="Keep me")
    response = as_user(world.pcm).patch(
        OWN,
        {
            "version": 1,
            "title": "Front door review",
            "covid_theme": False,
            "online_platform": "teams",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] == ["title", "covid_theme", "online_platform"]
    assert body["warnings"] == []
    assert (body["title"], body["covid_theme"], body["online_platform"]) == (
        "Front door review",
        False,
        "teams",
    )
    world.own.refresh_from_db()
    assert (world.own.title, world.own.focus_statement) == ("Front door review", "Keep me")
    entry = world.own.audit.get()
    assert (entry.actor, entry.action) == (world.pcm, "details")


def test_an_empty_patch_changes_nothing(world, as_user):
    response = as_user(world.pcm).patch(OWN, {"version": 1})
    assert response.status_code == 200
    assert response.json()["changed"] == []
    assert not world.own.audit.exists()


def test_day1_is_set_with_its_warning_and_cleared_with_null(world, as_user):
    api = as_user(world.pcm)
    response = api.patch(OWN, {"version": 1, "day1": "2027-03-02"})
    assert response.status_code == 200
    assert response.json()["changed"] == ["day1"]
    assert response.json()["warnings"] == [
        "Day 1 is a Tuesday, not a Monday: days 6 and 7 will not fall on Monday and Tuesday"
    ]
    response = api.patch(OWN, {"version": 2, "day1": None})
    assert (response.json()["day1"], response.json()["key_dates"]) == (None, [])


def test_a_refused_day1_undoes_the_other_changes_sent_with_it(world, as_user):
    response = as_user(world.pcm).patch(
        OWN, {"version": 1, "title": "New title", "day1": "2027-03-06"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "day1",
                "message": "Day 1 must be a working day, not a weekend or bank holiday",
            }
        ]
    }
    world.own.refresh_from_db()
    assert (world.own.title, world.own.day1) != ("New title", None)
    assert world.own.title.startswith("Front door diagnostic")
    assert not world.own.audit.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"titel": "typo"}, "titel"),
        ({"day1": "2027-02-30"}, "day1"),
        ({"day1": "2150-03-02"}, "day1"),
        ({"online_platform": "skype"}, "online_platform"),
        ({"title": "bad\x00byte"}, "title"),
    ],
)
def test_update_refuses_malformed_input_naming_the_field(world, as_user, body, field):
    response = as_user(world.pcm).patch(OWN, {"version": 1, **body})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_update_refuses_other_type_without_a_description(world, as_user):
    response = as_user(world.pcm).patch(OWN, {"version": 1, "type": "other"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "type_other", "message": "Say what kind of diagnostic this is"}]
    }


def test_a_cancelled_diagnostic_cannot_be_changed(world, as_user):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CANCELLED)
    response = as_user(world.pcm).patch(OWN, {"version": 1, "title": "Too late"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {"field": "stage", "message": "A closed or cancelled diagnostic cannot be changed"}
        ]
    }


@pytest.mark.parametrize("who", ["peer", "sponsor", "organiser"])
def test_members_who_may_only_read_cannot_update(world, as_user, who):
    response = as_user(world.users()[who]).patch(OWN, {"version": 1, "title": "Mine now"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    world.own.refresh_from_db()
    assert world.own.title != "Mine now"


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_update(world, as_user, who):
    response = as_user(world.users()[who]).patch(OWN, {"version": 1, "title": "Mine now"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_an_lga_admin_may_update_any_diagnostic(world, as_user):
    response = as_user(world.admin).patch(OTHER, {"version": 1, "internal_notes": "Check in May"})
    assert response.status_code == 200
    assert response.json()["internal_notes"] == "Check in May"


def test_a_day1_in_the_past_needs_an_administrator_who_confirms_it_was_held(world, as_user):
    # 2025-03-03 is a Monday that has gone by: a PCM cannot set it, an administrator only with
    # `already_held`, and each refusal names its field and changes nothing.
    refused = as_user(world.pcm).patch(OWN, {"version": 1, "day1": "2025-03-03"})
    assert refused.status_code == 400
    assert refused.json()["detail"][0]["field"] == "day1"
    assert "cannot be in the past" in refused.json()["detail"][0]["message"]
    admin = as_user(world.admin)
    unconfirmed = admin.patch(OWN, {"version": 1, "day1": "2025-03-03"})
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["detail"][0]["field"] == "already_held"
    world.own.refresh_from_db()
    assert world.own.day1 is None
    confirmed = admin.patch(OWN, {"version": 1, "day1": "2025-03-03", "already_held": True})
    assert confirmed.status_code == 200
    assert confirmed.json()["day1"] == "2025-03-03"
    assert confirmed.json()["changed"] == ["day1"]
