"""The evaluation survey: due 10 working days after issue (decision 12), sent once to the
sponsor and the organiser, answered once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage
from peerdiag.diagnostics.models import AuditEntry, CouncilRole
from peerdiag.evaluation.domain.surveys import (
    answer_survey,
    send_due_surveys,
    send_survey_now,
    surveys_due_on,
)
from peerdiag.evaluation.models import Survey
from tests.evaluation.helpers import DUE, issued

pytestmark = pytest.mark.django_db

GOOD = {
    "usefulness": 5,
    "accuracy": 4,
    "team_quality": 5,
    "impact": 3,
    "comments": "The team listened well.",
    "further_support": True,
    "further_support_what": "Help with our quality assurance framework.",
}


def test_surveys_fall_due_ten_working_days_after_issue_skipping_easter(world):
    d = issued(world.own)
    # 19 March + 10 working days is 2 April, but Good Friday and Easter Monday push it on.
    assert surveys_due_on(d) == DUE == date(2027, 4, 6)
    assert surveys_due_on(world.other) is None


def test_nothing_goes_out_the_working_day_before(world):
    issued(world.own)
    assert send_due_surveys(date(2027, 4, 5)) == 0
    assert mail.outbox == []
    assert not Survey.objects.exists()


def test_sponsor_and_organiser_each_get_a_personal_link_on_the_day(world, settings):
    d = issued(world.own)
    assert send_due_surveys(DUE) == 2
    surveys = {s.role: s for s in Survey.objects.filter(diagnostic=d)}
    assert set(surveys) == {"sponsor", "organiser"}
    assert surveys["sponsor"].respondent == world.sponsor.person
    assert surveys["organiser"].respondent == world.organiser.person
    assert surveys["sponsor"].token != surveys["organiser"].token
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"sponsor@example.org", "organiser@example.org"}
    for email, role in (("sponsor@example.org", "sponsor"), ("organiser@example.org", "organiser")):
        link = settings.SITE_URL + reverse("web:survey", args=[surveys[role].token])
        assert link in by_recipient[email].body
        other = "organiser" if role == "sponsor" else "sponsor"
        assert surveys[other].token not in by_recipient[email].body
    summaries = list(
        AuditEntry.objects.filter(diagnostic=d, action="evaluation").values_list(
            "summary", flat=True
        )
    )
    assert len(summaries) == 2


def test_a_survey_goes_only_once(world):
    issued(world.own)
    send_due_surveys(DUE)
    mail.outbox.clear()
    assert send_due_surveys(date(2027, 4, 7)) == 0
    assert send_due_surveys(date(2027, 5, 3)) == 0
    assert mail.outbox == []
    assert Survey.objects.count() == 2


def test_a_late_run_still_sends_what_was_due(world):
    issued(world.own)
    assert send_due_surveys(date(2027, 4, 20)) == 2


def test_one_survey_when_sponsor_and_organiser_are_the_same_person(world):
    d = issued(world.own)
    CouncilRole.objects.filter(diagnostic=d, role=CouncilRoleKind.ORGANISER).update(
        person=world.sponsor.person
    )
    assert send_due_surveys(DUE) == 1
    (s,) = Survey.objects.filter(diagnostic=d)
    assert (s.role, s.respondent) == ("both", world.sponsor.person)
    assert [m.to for m in mail.outbox] == [["sponsor@example.org"]]


def test_a_missing_organiser_is_skipped(world):
    d = issued(world.own)
    CouncilRole.objects.filter(diagnostic=d, role=CouncilRoleKind.ORGANISER).delete()
    assert send_due_surveys(DUE) == 1
    assert list(Survey.objects.values_list("role", flat=True)) == ["sponsor"]


def test_no_survey_before_issue_or_for_an_ended_diagnostic(world):
    issued(world.other, stage=Stage.CANCELLED)
    assert send_due_surveys(DUE) == 0
    assert not Survey.objects.exists()


def test_the_pcm_may_send_early_but_not_before_issue_nor_twice(world):
    with pytest.raises(DomainError, match="once the written feedback has been issued"):
        send_survey_now(world.own, by=world.pcm)
    d = issued(world.own)
    made = send_survey_now(d, by=world.pcm)
    assert {s.role for s in made} == {"sponsor", "organiser"}
    assert len(mail.outbox) == 2
    with pytest.raises(DomainError, match="already been sent"):
        send_survey_now(d, by=world.pcm)
    # The daily run does not send them again on their date.
    assert send_due_surveys(DUE) == 0


def _survey(world) -> Survey:  # type: ignore[no-untyped-def]
    issued(world.own)
    send_due_surveys(DUE)
    return Survey.objects.get(role="sponsor")


def test_answers_are_recorded_once(world):
    s = _survey(world)
    answer_survey(s, **GOOD)
    s.refresh_from_db()
    assert (s.usefulness, s.accuracy, s.team_quality, s.impact) == (5, 4, 5, 3)
    assert s.further_support is True
    assert s.further_support_what == GOOD["further_support_what"]
    assert s.completed_at is not None
    with pytest.raises(DomainError, match="already been answered"):
        answer_survey(s, **{**GOOD, "usefulness": 1})
    s.refresh_from_db()
    assert s.usefulness == 5
    entry = AuditEntry.objects.filter(action="evaluation").first()
    assert entry is not None
    assert entry.summary == "The sponsor answered the evaluation survey"
    assert "listened" not in entry.summary


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"usefulness": None}, "usefulness"),
        ({"accuracy": 0}, "accuracy"),
        ({"impact": 6}, "impact"),
        ({"further_support": None}, "further_support"),
        ({"further_support_what": "  "}, "further_support_what"),
    ],
)
def test_bad_answers_change_nothing(world, change, field):
    s = _survey(world)
    with pytest.raises(DomainError) as e:
        answer_survey(s, **{**GOOD, **change})
    assert e.value.field == field
    s.refresh_from_db()
    assert s.completed_at is None
    assert s.usefulness is None


def test_no_further_support_drops_what(world):
    s = _survey(world)
    answer_survey(s, **{**GOOD, "further_support": False})
    s.refresh_from_db()
    assert (s.further_support, s.further_support_what) == (False, "")


def test_the_command_sends_the_surveys_due(world):
    issued(world.own)
    out = StringIO()
    call_command("evaluation", "send", "--date", "2027-04-05", stdout=out)
    assert out.getvalue().strip() == "Sent 0 evaluation survey(s) for 2027-04-05"
    call_command("evaluation", "send", "--date", DUE.isoformat(), stdout=out)
    assert "Sent 2 evaluation survey(s) for 2027-04-06" in out.getvalue()
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("evaluation", "send", "--date", "6/4/2027")
