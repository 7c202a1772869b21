"""The LGA's portfolio over the API: the rows with their filters and pages, the charts' figures,
and nobody but LGA staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.models import Survey
from peerdiag.timetable.models import Attendee
from tests.api.conftest import ApiClient
from tests.factories import DiagnosticFactory, PersonFactory, TeamMemberFactory

DAY1 = date(2027, 3, 1)  # day 7 is Tuesday 9 March, written feedback due Friday 9 April


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    day = {"value": date(2027, 4, 12)}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day["value"])
    return day


def _at(d: Diagnostic, stage: str, **fields) -> Diagnostic:  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, day1=DAY1, **fields)
    return Diagnostic.objects.get(pk=d.pk)


def _fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["detail"]]


def test_lga_staff_see_every_diagnostic_with_what_is_overdue(world, today):  # type: ignore[no-untyped-def]
    _at(world.own, Stage.FEEDBACK_GIVEN)
    # world.pcm is LGA staff, and not on world.other's team: the portfolio still lists it.
    response = ApiClient(world.pcm).get("/portfolio")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {r["reference"] for r in body["items"]} == {"RPD-2027-001", "RPD-2027-002"}
    own = next(r for r in body["items"] if r["reference"] == "RPD-2027-001")
    assert own["pcm"] == world.pcm.person.full_name
    assert (own["stage"], own["stage_label"]) == ("feedback_given", "Feedback given")
    assert own["host_council"]["name"] == "Council A"
    assert own["overdue"] == ["Written feedback was due on Friday 9 April 2027"]
    assert (own["written_feedback_due_on"], own["written_feedback_days_left"]) == (
        "2027-04-09",
        -3,
    )
    assert own["next_key_date"]["key"] == "destroy_by"


def test_filters_and_pages(world):  # type: ignore[no-untyped-def]
    _at(world.own, Stage.FEEDBACK_GIVEN)
    admin = ApiClient(world.admin)
    body = admin.get("/portfolio", stage="feedback_given").json()
    assert (body["count"], [r["reference"] for r in body["items"]]) == (1, ["RPD-2027-001"])
    assert admin.get("/portfolio", type="send").json() == {"items": [], "count": 0}
    for _ in range(50):
        DiagnosticFactory()
    first, second = admin.get("/portfolio").json(), admin.get("/portfolio", page=2).json()
    assert first["count"] == second["count"] == 52
    assert (len(first["items"]), len(second["items"])) == (50, 2)
    seen = {r["reference"] for r in first["items"] + second["items"]}
    assert len(seen) == 52
    for query, field in (({"stage": "nowhere"}, "stage"), ({"page": 0}, "page")):
        response = admin.get("/portfolio", **query)
        assert (response.status_code, _fields(response)) == (422, [field])


def test_a_young_attendee_named_in_a_title_is_scrubbed(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(title="Talking with Kayden Price")
    Attendee.objects.create(diagnostic=world.own, name="Kayden Price", young_person=True)
    items = ApiClient(world.admin).get("/portfolio").json()["items"]
    own = next(r for r in items if r["reference"] == "RPD-2027-001")
    assert "Kayden" not in own["title"]


def test_a_page_costs_the_same_queries_for_few_or_many(world):  # type: ignore[no-untyped-def]
    admin = ApiClient(world.admin)

    def many(n: int) -> None:
        for _ in range(n):
            d = DiagnosticFactory(stage=Stage.FEEDBACK_GIVEN, day1=DAY1)
            TeamMemberFactory(diagnostic=d, role=TeamRole.PEER_CHALLENGE_MANAGER)

    many(2)
    admin.get("/portfolio")
    with CaptureQueriesContext(connection) as few:
        admin.get("/portfolio")
    many(8)
    with CaptureQueriesContext(connection) as more:
        assert len(admin.get("/portfolio").json()["items"]) == 12
    assert len(few) == len(more)


@pytest.mark.parametrize("path", ["/portfolio", "/portfolio/charts"])
def test_nobody_but_lga_staff(world, path):  # type: ignore[no-untyped-def]
    for user in (world.sponsor, world.peer, world.other_council_user):
        response = ApiClient(user).get(path)
        assert response.status_code == 403
        assert response.json() == {"detail": "The portfolio is for LGA staff and administrators"}
    assert ApiClient(None).get(path).status_code == 401


def test_the_charts_figures(world):  # type: ignore[no-untyped-def]
    # Day 7 is 9 March: written feedback issued after 10, 20 and 40 days (the last one late).
    for days in (10, 20, 40):
        DiagnosticFactory(day1=DAY1, written_feedback_issued_on=date(2027, 3, 9) + timedelta(days))
    now = timezone.now()
    for role, scores in (("sponsor", (5, 4, 3, 2)), ("organiser", (4, 4, 5, 3))):
        Survey.objects.create(
            diagnostic=world.own,
            respondent=PersonFactory(),
            role=role,
            sent_at=now,
            completed_at=now,
            usefulness=scores[0],
            accuracy=scores[1],
            team_quality=scores[2],
            impact=scores[3],
        )
    body = ApiClient(world.pcm).get("/portfolio/charts").json()
    stages = {s["stage"]: s["count"] for s in body["stages"]}
    assert stages["enquiry"] == 5 and stages["closed"] == 0
    assert body["stages"][0] == {"stage": "enquiry", "label": "Enquiry", "count": 5}
    times = body["feedback_times"]
    assert (times["issued"], times["median_days"], times["within_a_month"], times["late"]) == (
        3,
        20,
        2,
        1,
    )
    assert [b["count"] for b in times["bins"]] == [0, 1, 1, 0, 0, 1, 0, 0]
    assert times["bins"][1]["label"] == "7–13"
    assert [(s["rating"], s["average"], s["answers"]) for s in body["scores"]] == [
        ("usefulness", 4.5, 2),
        ("accuracy", 4.0, 2),
        ("team_quality", 4.0, 2),
        ("impact", 2.5, 2),
    ]


def test_the_charts_with_nothing_yet(world):  # type: ignore[no-untyped-def]
    body = ApiClient(world.admin).get("/portfolio/charts").json()
    assert body["feedback_times"]["median_days"] is None
    assert {s["average"] for s in body["scores"]} == {None}
    assert {s["answers"] for s in body["scores"]} == {0}
