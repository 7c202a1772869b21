"""The daily run destroys each kind of personal data on its date, once, and says so."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from peerdiag.casereview.domain.retention import run_retention
from peerdiag.common.models import Job, JobKind
from peerdiag.diagnostics.domain.retention import REMOVED
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import ConflictDeclaration, Diagnostic, TeamMember
from peerdiag.documents.models import DocumentVersion
from peerdiag.evaluation.models import CheckIn, Survey
from peerdiag.findings.models import DigestItem, KitDigest
from peerdiag.reports.models import FactualComment
from peerdiag.timetable.models import (
    Attendee,
    Availability,
    CalendarFeed,
    SentInvitation,
    Session,
    TimetableVersion,
)

from .helpers import DUE, EVALUATION_DUE, fill

pytestmark = pytest.mark.django_db

DESTROY_BY_STEPS = [
    "internal notes and declarations",
    "personal data of the delivery week",
    "KIT digest text",
    "factual-accuracy comments",
    "personal-data document files",
]


@pytest.fixture
def filled(world):  # type: ignore[no-untyped-def]
    return fill(world)


def _whats(run, ref):  # type: ignore[no-untyped-def]
    return sorted(what for what, r in run.others if r == ref)


def test_nothing_goes_the_day_before_the_destroy_by_date(filled):  # type: ignore[no-untyped-def]
    assert run_retention(today=DUE - timedelta(days=1)).others == []
    assert Attendee.objects.get(pk=filled.attendees[0].pk).email == "a0@council.example"
    assert filled.d.audit.filter(action__endswith="_destroyed").count() == 0


def test_on_the_destroy_by_date_every_step_runs_once(filled):  # type: ignore[no-untyped-def]
    run = run_retention(today=DUE)
    assert _whats(run, filled.d.reference) == sorted(DESTROY_BY_STEPS)
    # Safe to repeat: nothing more is done, nothing more recorded.
    entries = filled.d.audit.count()
    assert run_retention(today=DUE + timedelta(days=1)).others == []
    assert filled.d.audit.count() == entries


def test_the_delivery_week_is_anonymised(filled):  # type: ignore[no-untyped-def]
    run_retention(today=DUE)
    rows = list(
        Attendee.objects.filter(diagnostic=filled.d)
        .order_by("pk")
        .values_list("pk", "name", "email", "job_title", "group")
    )
    assert [r[1:4] for r in rows] == [
        (f"Attendee {n} (removed)", "", "") for n in range(1, len(rows) + 1)
    ]
    groups = {r[0]: r[4] for r in rows}
    assert [groups[a.pk] for a in filled.attendees] == [a.group for a in filled.attendees]
    assert not Availability.objects.filter(diagnostic=filled.d).exists()
    assert not SentInvitation.objects.exists() and not CalendarFeed.objects.exists()
    placed = Session.objects.get(pk=filled.sessions[0].pk)
    assert (placed.notes, placed.supporting_adult, placed.day) == ("", "", 2)
    assert placed.attendees.count() == 1  # sessions still count their people
    assert Session.objects.get(pk=filled.sessions[1].pk).unscheduled_reason == ""
    run = Job.objects.get(diagnostic=filled.d, kind=JobKind.TIMETABLE)
    assert (run.log, run.best, run.message, run.state) == ("", "", "", "done")
    version = TimetableVersion.objects.get(diagnostic=filled.d)
    text = str([version.problem, version.solution, version.snapshot])
    assert "a0@council.example" not in text and "Attendee 0" not in text
    assert "away" not in text and "Sam Carer" not in text and "09:00" not in text
    assert "Attendee 1 (removed)" in text and "Olive Manager" in text  # peers stay
    entry = filled.d.audit.get(action="delivery_data_destroyed")
    assert f"{len(rows)} attendees anonymised" in entry.summary
    assert "2 availability windows deleted" in entry.summary
    assert "1 invitation records deleted" in entry.summary
    assert f"destroy-by date {DUE}" in entry.summary


def test_digests_comments_notes_and_declarations_go(filled):  # type: ignore[no-untyped-def]
    run_retention(today=DUE)
    assert list(DigestItem.objects.values_list("text", "shared")) == [(REMOVED, True)]
    assert KitDigest.objects.get().sponsor_response == REMOVED
    comment = FactualComment.objects.get()
    assert (comment.text, comment.response) == (REMOVED, REMOVED)
    d = Diagnostic.objects.get(pk=filled.d.pk)
    assert d.internal_notes == ""
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.details, declaration.worked_for_host) == ("", True)
    assert set(TeamMember.objects.values_list("council_reason", flat=True)) == {""}
    assert (
        "1 digest items, 1 sponsor responses" in d.audit.get(action="kit_digests_destroyed").summary
    )
    assert (
        "1 comments removed, 1 responses removed"
        in d.audit.get(action="factual_comments_destroyed").summary
    )
    assert (
        "1 internal notes, 1 conflict declaration details, 1 council reasons"
        in d.audit.get(action="internal_notes_destroyed").summary
    )


def test_personal_data_files_are_deleted_and_other_files_stay(filled):  # type: ignore[no-untyped-def]
    storage, name = filled.personal.file.storage, filled.personal.file.name
    assert storage.exists(name)
    run_retention(today=DUE)
    assert not storage.exists(name)
    personal = DocumentVersion.objects.get(pk=filled.personal.pk)
    assert (personal.file.name, personal.original_name) == ("", "Version 1 (file destroyed)")
    official = DocumentVersion.objects.get(pk=filled.official.pk)
    assert official.original_name == "structure chart.pdf"
    assert official.file.storage.exists(official.file.name)
    assert "1 files deleted" in filled.d.audit.get(action="document_files_destroyed").summary


def test_a_file_already_missing_is_passed_over(filled):  # type: ignore[no-untyped-def]
    filled.personal.file.storage.delete(filled.personal.file.name)
    run_retention(today=DUE)
    assert DocumentVersion.objects.get(pk=filled.personal.pk).file.name == ""
    summary = filled.d.audit.get(action="document_files_destroyed").summary
    assert "1 files already missing" in summary and "files deleted" not in summary


def test_the_evaluation_keeps_its_text_for_a_year(filled):  # type: ignore[no-untyped-def]
    run_retention(today=DUE)
    assert Survey.objects.get().comments == "Thanks to Ann"
    assert run_retention(today=EVALUATION_DUE - timedelta(days=1)).others == []
    token = Survey.objects.get().token
    run = run_retention(today=EVALUATION_DUE)
    assert run.others == [("evaluation free text", filled.d.reference)]
    survey = Survey.objects.get()
    assert (survey.comments, survey.further_support_what) == (REMOVED, REMOVED)
    assert (survey.usefulness, survey.further_support) == (5, True)
    assert survey.token != token and survey.token.startswith("removed-")
    assert CheckIn.objects.get().notes == REMOVED
    summary = filled.d.audit.get(action="evaluation_text_destroyed").summary
    assert "1 survey comments removed, 1 survey links closed, 1 check-in notes removed" in summary
    assert run_retention(today=EVALUATION_DUE + timedelta(days=1)).others == []


def test_an_ended_diagnostic_loses_its_working_data_at_once(filled):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=filled.d.pk).update(
        stage=Stage.CANCELLED, written_feedback_issued_on=None
    )
    run = run_retention(today=DUE - timedelta(days=60))
    assert set(DESTROY_BY_STEPS) <= set(_whats(run, filled.d.reference))
    assert "the diagnostic ended" in filled.d.audit.get(action="delivery_data_destroyed").summary
    # The evaluation still waits its year, counted from when the diagnostic ended.
    assert Survey.objects.get().comments == "Thanks to Ann"


def test_other_diagnostics_are_left_alone(world, filled):  # type: ignore[no-untyped-def]
    other = Attendee.objects.create(diagnostic=world.other, name="Kim", email="kim@b.example")
    run_retention(today=DUE)
    other.refresh_from_db()
    assert (other.name, other.email) == ("Kim", "kim@b.example")


def test_the_command_reports_each_step(filled):  # type: ignore[no-untyped-def]
    from unittest import mock

    out = io.StringIO()
    with mock.patch("django.utils.timezone.localdate", return_value=DUE):
        call_command("retention", "run", stdout=out)
    lines = out.getvalue().splitlines()
    for what in DESTROY_BY_STEPS:
        assert f"Destroyed {what} of {filled.d.reference}" in lines
    out = io.StringIO()
    with mock.patch("django.utils.timezone.localdate", return_value=DUE):
        call_command("retention", "run", stdout=out)
    assert out.getvalue().strip() == "Nothing is due for destruction today"
