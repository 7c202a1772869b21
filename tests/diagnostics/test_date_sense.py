"""Date sense (issue 18): day 1 in the past, a scoping meeting held in the future, an
endorsement dated after day 1, and next key dates that are never something already done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.common.workdays import add_working_days, is_working_day
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.diagnostics import set_day1
from peerdiag.diagnostics.domain.gates import gate_blockers, gate_warnings
from peerdiag.diagnostics.domain.keydates import key_dates, next_key_date
from peerdiag.diagnostics.enums import EndorsementStatus, Stage
from peerdiag.diagnostics.models import Diagnostic, Endorsement, ScopingMeeting
from tests.factories import DiagnosticFactory

pytestmark = pytest.mark.django_db

DAY1 = date(2027, 3, 1)  # a Monday

# What is done by the time a diagnostic reaches each stage, written out by hand from the gates
# (documents and the draft timetable are checked on leaving preparation, the case review on
# leaving its stage, delivery days 1 to 5 by the move to drafting, days 6 and 7 by the move to
# feedback given, written feedback by its issue). Each stage adds to the one before it.
_ADDED_BY = [
    (Stage.ENQUIRY, set()),
    (Stage.SCOPING_SCHEDULED, set()),
    (Stage.SCOPED, set()),
    (Stage.TEAM_FORMING, set()),
    (Stage.PREPARATION, set()),
    (Stage.CASE_REVIEW, {"documents_due", "timetable_due"}),
    (Stage.READY, {"case_review"}),
    (Stage.DELIVERY, {"team_call"}),
    (Stage.DRAFTING, {"day1", "day2", "day3", "day4", "day5"}),
    (Stage.FEEDBACK_GIVEN, {"day6", "day7"}),
    (Stage.WRITTEN_FEEDBACK_ISSUED, {"written_feedback_due"}),
    (Stage.EVALUATION, set()),
]
DONE: dict[str, set[str]] = {}
_so_far: set[str] = set()
for _stage, _added in _ADDED_BY:
    _so_far |= _added
    DONE[_stage] = set(_so_far)
EVERY_KEY = {kd.key for kd in key_dates(Diagnostic(day1=DAY1, case_review_in_scope=True))}
for _stage in (Stage.CLOSED, Stage.CLOSED_NOT_SUITABLE, Stage.CANCELLED, Stage.POSTPONED):
    DONE[_stage] = EVERY_KEY  # nothing is left to do (a postponed one has no day 1 either)


def test_the_table_of_what_is_done_covers_every_stage():
    assert set(DONE) == set(Stage.values)


@pytest.mark.parametrize("stage", list(Stage))
def test_the_next_key_date_is_never_something_already_done(stage):  # type: ignore[no-untyped-def]
    issued = DAY1 + timedelta(days=30)
    after_issue = DONE[stage] >= {"written_feedback_due"}
    d = DiagnosticFactory(
        day1=DAY1,
        case_review_in_scope=True,
        stage=stage,
        written_feedback_issued_on=issued if after_issue else None,
    )
    seen = set()
    for offset in range(-60, 120, 2):
        kd = next_key_date(d, DAY1 + timedelta(days=offset))
        if kd is not None:
            assert kd.key not in DONE[stage], (stage, offset, kd.key)
            seen.add(kd.key)
    # Not vacuous: an open diagnostic has something ahead of it.
    assert bool(seen) == (DONE[stage] != EVERY_KEY), (stage, seen)


def test_written_feedback_due_goes_once_it_is_issued_whatever_the_stage():
    d = DiagnosticFactory(day1=DAY1, stage=Stage.FEEDBACK_GIVEN)
    day = DAY1 + timedelta(days=20)
    assert next_key_date(d, day).key == "written_feedback_due"
    d.written_feedback_issued_on = day
    assert next_key_date(d, day).key == "destroy_by"
    d.destroyed_early_at = timezone.now()
    assert next_key_date(d, day) is None


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _issued_yesterday(d: Diagnostic) -> None:
    today = timezone.localdate()
    Diagnostic.objects.filter(pk=d.pk).update(
        day1=add_working_days(today, -12),
        stage=Stage.WRITTEN_FEEDBACK_ISSUED,
        written_feedback_issued_on=today - timedelta(days=1),
    )


def test_the_dashboard_and_portfolio_do_not_show_written_feedback_due_once_issued(world):  # type: ignore[no-untyped-def]
    _issued_yesterday(world.own)
    for user, name in ((world.pcm, "web:dashboard"), (world.admin, "web:portfolio")):
        html = _client(user).get(reverse(name)).content.decode()
        assert world.own.reference in html
        assert "Written feedback due" not in html, name
        assert "Case content and peer notes destroyed by" in html, name


# Day 1 in the past ----------------------------------------------------------------------


def _past_working_day() -> date:
    day = timezone.localdate() - timedelta(days=14)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _day1_post(day: date, **extra: str) -> dict[str, object]:
    return {"day1_0": day.day, "day1_1": day.month, "day1_2": day.year, "version": 1, **extra}


def test_a_past_day1_is_refused_for_the_pcm_who_is_told_to_ask_an_admin(world):  # type: ignore[no-untyped-def]
    url = reverse("web:diagnostic_dates", args=[world.own.reference])
    client = _client(world.pcm)
    assert "already held" not in client.get(url).content.decode()
    # Even a forged tick does not let the PCM through.
    page = client.post(url, _day1_post(_past_working_day(), already_held="on"))
    html = page.content.decode()
    assert "govuk-error-summary" in html and "Day 1 cannot be in the past" in html
    assert "ask an LGA administrator" in html
    world.own.refresh_from_db()
    assert world.own.day1 is None


def test_an_admin_records_a_diagnostic_already_held_by_ticking_the_box(world):  # type: ignore[no-untyped-def]
    url = reverse("web:diagnostic_dates", args=[world.own.reference])
    client = _client(world.admin)
    assert "This diagnostic was already held; I am recording it" in client.get(url).content.decode()
    day = _past_working_day()
    refused = client.post(url, _day1_post(day)).content.decode()
    assert "tick the box to confirm" in refused
    world.own.refresh_from_db()
    assert world.own.day1 is None
    saved = client.post(url, _day1_post(day, already_held="on"))
    assert saved.status_code == 302
    world.own.refresh_from_db()
    assert world.own.day1 == day
    assert "already held" in world.own.audit.get(action="dates").summary


def test_the_domain_refuses_a_past_day1_unless_an_admin_confirms(world):  # type: ignore[no-untyped-def]
    today = date(2027, 3, 10)
    with pytest.raises(DomainError, match="ask an LGA administrator"):
        set_day1(
            world.own, by=world.pcm, day1=DAY1, version=UNCHECKED, today=today, already_held=True
        )
    set_day1(
        world.own, by=world.admin, day1=DAY1, version=UNCHECKED, today=today, already_held=True
    )
    # The same past day 1 saved again needs no new confirmation; a future one never did.
    set_day1(world.own, by=world.pcm, day1=DAY1, version=UNCHECKED, today=today)
    set_day1(world.own, by=world.pcm, day1=date(2027, 4, 5), version=UNCHECKED, today=today)
    assert Diagnostic.objects.get(pk=world.own.pk).day1 == date(2027, 4, 5)


# Scoping held in the future -------------------------------------------------------------


def test_a_scoping_meeting_held_on_a_future_date_is_refused_with_a_message(world):  # type: ignore[no-untyped-def]
    url = reverse("web:scoping", args=[world.own.reference])
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = _client(world.pcm).post(
        url,
        {
            "held_on_0": tomorrow.day,
            "held_on_1": tomorrow.month,
            "held_on_2": tomorrow.year,
            "team_requirements": "A lead peer who knows the front door",
            "version": 0,
        },
    )
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert "The date the meeting was held cannot be in the future" in html
    assert "A lead peer who knows the front door" in html  # nothing typed is lost
    assert not ScopingMeeting.objects.filter(diagnostic=world.own).exists()
    with pytest.raises(DomainError, match="cannot be in the future"):
        dp.record_scoping(
            world.own,
            by=world.pcm,
            scheduled_for=None,
            held_on=date(2027, 1, 5),
            version=UNCHECKED,
            today=date(2027, 1, 4),
        )


def test_a_future_held_on_already_saved_is_explained_at_the_gate(world):  # type: ignore[no-untyped-def]
    ScopingMeeting.objects.create(diagnostic=world.own, held_on=date(2027, 1, 5))
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.SCOPING_SCHEDULED)
    world.own.refresh_from_db()
    held = [
        b.message
        for b in gate_blockers(world.own, Stage.SCOPED, today=date(2027, 1, 4))
        if b.code == "scoping_held"
    ]
    assert held == [
        "The scoping meeting is recorded as held on 5 January 2027, which is still to come: "
        "correct the date once it has taken place"
    ]


# Endorsements dated after day 1 ---------------------------------------------------------


def test_an_endorsement_dated_after_day1_is_warned_at_the_gate_and_on_its_page(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(day1=DAY1, stage=Stage.READY)
    world.own.refresh_from_db()
    Endorsement.objects.create(
        diagnostic=world.own, role="lead_member", status=EndorsementStatus.GIVEN, given_on=DAY1
    )
    assert not [w for w in gate_warnings(world.own, Stage.DELIVERY) if "endorsement" in w]
    Endorsement.objects.create(
        diagnostic=world.own,
        role="chief_executive",
        status=EndorsementStatus.GIVEN,
        given_on=date(2027, 3, 3),
    )
    warning = (
        "The chief executive's endorsement is dated 3 March 2027, after delivery day 1 "
        "(1 March 2027): check the date"
    )
    assert warning in gate_warnings(world.own, Stage.DELIVERY)
    url = reverse("web:endorsement_edit", args=[world.own.reference, "chief_executive"])
    html = _client(world.pcm).get(url).content.decode()
    assert warning.replace("'", "&#x27;") in html
    other = reverse("web:endorsement_edit", args=[world.own.reference, "lead_member"])
    assert "after delivery day 1" not in _client(world.pcm).get(other).content.decode()
