"""The demo after delivery: written feedback issued on its date through both checks, surveys
sent on their due day by the daily job, answers, the outcome and the destruction that closing
needs, all dated in order before the day the demo is loaded for."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from peerdiag.casereview.models import CaseReview
from peerdiag.common.workdays import add_working_days
from peerdiag.demo.context import Timeline
from peerdiag.demo.plans import Plan, planned
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.evaluation.domain.surveys import survey_overdue_items, surveys_due_on
from peerdiag.evaluation.models import EvaluationOutcome, Survey
from peerdiag.findings.domain.retention import notes_left
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback

pytestmark = pytest.mark.django_db

ISSUED = (Stage.WRITTEN_FEEDBACK_ISSUED, Stage.EVALUATION, Stage.CLOSED)
SURVEYED = (Stage.EVALUATION, Stage.CLOSED)
FROM_DRAFTING = (Stage.DRAFTING, Stage.FEEDBACK_GIVEN, *ISSUED)


def _plans(demo_day: date, stages: tuple[str, ...]) -> list[tuple[Plan, Diagnostic]]:
    """The planned diagnostics meant to stand at one of `stages`, each with its record."""
    out = []
    for plan in planned(demo_day):
        if plan.stage not in stages:
            continue
        d = Diagnostic.objects.get(title=plan.title, host_council__name=plan.council)
        assert d.stage == plan.stage, f"{plan.key} is at {d.stage}, not {plan.stage}"
        out.append((plan, d))
    assert out, f"no plan at {stages}"
    return out


def _cutoff(day: date) -> datetime:
    """The start of `day`: the demo loaded for that day has nothing dated on or after it."""
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def _working_days_between(start: date, end: date) -> int:
    """How many working days after `start` the day `end` is."""
    n = 0
    while add_working_days(start, n) < end:
        n += 1
    return n


def test_written_feedback_issued_on_its_date_with_every_comment_resolved(
    demo: object, demo_day: date
) -> None:
    found = _plans(demo_day, ISSUED)
    assert len(found) == 5
    for plan, d in found:
        tl = Timeline(plan.day1, plan.turnaround)
        written = WrittenFeedback.objects.get(diagnostic=d)
        assert written.state == WrittenState.ISSUED, plan.key
        assert d.written_feedback_issued_on == tl.written_issued, plan.key
        assert timezone.localdate(written.issued_at) == tl.written_issued, plan.key
        assert written.issued_by is not None and written.issued_pdf and written.issued_file
        assert written.pcm_checked_at is not None and written.pcm_checked_by is not None
        assert written.council_returned_at is not None, plan.key
        comments = list(written.comments.all())
        assert 2 <= len(comments) <= 3, plan.key
        assert all(c.resolved_at is not None and c.response for c in comments), plan.key
        # The council's people commented; the PCM answered.
        council = {c.author.person.organisation_id for c in comments if c.author is not None}
        assert council == {d.host_council_id}, plan.key
        taken = _working_days_between(tl.day(7), d.written_feedback_issued_on)
        assert taken == (24 if plan.key == "cornwall-qa" else plan.turnaround), plan.key
    assert any(p.key == "cornwall-qa" for p, _ in found)


def test_surveys_go_out_on_their_due_day_and_never_early(demo: object, demo_day: date) -> None:
    for plan, d in _plans(demo_day, SURVEYED):
        due = surveys_due_on(d)
        assert due == Timeline(plan.day1, plan.turnaround).surveys, plan.key
        sent = list(Survey.objects.filter(diagnostic=d))
        assert {s.role for s in sent} == {"sponsor", "organiser"}, plan.key
        assert all(timezone.localdate(s.sent_at) == due for s in sent), plan.key
        for s in sent:
            assert s.sent_at is not None
            assert s.completed_at is None or s.completed_at > s.sent_at, plan.key
    for plan, d in _plans(demo_day, (Stage.WRITTEN_FEEDBACK_ISSUED,)):
        # Still to go: due today or later, not overdue, and nothing sent ahead of time.
        due = surveys_due_on(d)
        assert due is not None and due >= demo_day, plan.key
        assert survey_overdue_items(d, demo_day) == [], plan.key
        assert not Survey.objects.filter(diagnostic=d).exists(), plan.key


def test_closed_ones_have_an_outcome_and_their_working_data_destroyed(
    demo: object, demo_day: date
) -> None:
    found = _plans(demo_day, (Stage.CLOSED,))
    assert len(found) == 3
    supports = set()
    for plan, d in found:
        tl = Timeline(plan.day1, plan.turnaround)
        outcome = EvaluationOutcome.objects.get(diagnostic=d)
        assert outcome.decided_at is not None and outcome.further_support.strip(), plan.key
        assert timezone.localdate(outcome.decided_at) == tl.outcome, plan.key
        issued, contacted = d.written_feedback_issued_on, outcome.contacted_on
        assert issued is not None and contacted is not None
        assert issued <= contacted <= tl.outcome, plan.key
        supports.add(outcome.further_support)
        assert notes_left(d) == 0, plan.key
        review = CaseReview.objects.filter(diagnostic=d).first()
        assert (review is not None) == plan.case_review, plan.key
        if review is not None:
            assert review.content_destroyed_at is not None, plan.key
            assert review.content_destroyed_at < outcome.decided_at, plan.key
        assert Survey.objects.filter(diagnostic=d, completed_at__isnull=False).exists()
        assert d.audit.filter(action="notes_destroyed").count() == 1, plan.key
    assert len(supports) == 3  # each reached its own decision


def test_the_evaluation_one_has_answers_but_no_outcome_yet(demo: object, demo_day: date) -> None:
    [(plan, d)] = _plans(demo_day, (Stage.EVALUATION,))
    answered = Survey.objects.filter(diagnostic=d, completed_at__isnull=False)
    assert answered.count() >= 1, plan.key
    assert all(s.usefulness is not None and 1 <= s.usefulness <= 5 for s in answered)
    assert not EvaluationOutcome.objects.filter(diagnostic=d).exists()


def test_after_delivery_is_dated_in_order_before_the_cutoff(demo: object, demo_day: date) -> None:
    cutoff = _cutoff(demo_day)
    for plan, d in _plans(demo_day, FROM_DRAFTING):
        tl = Timeline(plan.day1, plan.turnaround)
        trail = [e.at for e in AuditEntry.objects.filter(diagnostic=d).order_by("pk")]
        assert all(t < cutoff for t in trail), plan.key
        # From the first step after delivery on (earlier phases are checked by their tests),
        # every entry is later than the one before and none is dated before drafting starts.
        start = _cutoff(tl.written_start)
        first = next((i for i, t in enumerate(trail) if t >= start), len(trail))
        after = trail[first:]
        assert after == sorted(after) and all(t >= start for t in after), plan.key
        if plan.stage in ISSUED:
            assert len(after) >= 12, plan.key  # the written feedback's steps are all there
        written = WrittenFeedback.objects.filter(diagnostic=d).first()
        if written is None:
            continue
        steps = [
            written.created_at,
            written.submitted_at,
            written.pcm_checked_at,
            written.council_returned_at,
            written.issued_at,
        ]
        done = [s for s in steps if s is not None]
        assert done == sorted(done) and all(s < cutoff for s in done), plan.key
        assert timezone.localdate(written.created_at) >= tl.written_start, plan.key
        # Comments come only after the draft first went to the council (the PCM's check passed).
        passed = d.audit.filter(summary__startswith="Passed the PCM check").order_by("at").first()
        for c in written.comments.all():
            assert passed is not None and c.created_at > passed.at, plan.key
            assert written.council_returned_at is None or c.created_at < written.council_returned_at
            if c.resolved_at is not None:
                assert c.created_at < c.resolved_at < cutoff


def test_the_presentation_and_report_build_for_every_diagnostic_from_drafting_on(
    demo: object, demo_day: date
) -> None:
    from peerdiag.reports.domain.content import feedback_for
    from peerdiag.reports.render.docx import build_report
    from peerdiag.reports.render.pdf import build_report_pdf
    from peerdiag.reports.render.pptx import build_presentation

    found = _plans(demo_day, FROM_DRAFTING)
    assert len(found) == 7
    for plan, d in found:
        fb = feedback_for(d, draft=plan.stage == Stage.DRAFTING)
        assert fb.strengths and fb.areas and fb.recommendations, plan.key
        assert build_presentation(fb)[:2] == b"PK", plan.key
        assert build_report(fb)[:2] == b"PK", plan.key
        assert build_report_pdf(fb)[:5] == b"%PDF-", plan.key
