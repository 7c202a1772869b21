"""Every text-like field of every peerdiag model says whether it holds personal data, and what
becomes of it; the steps the inventory names are the ones the daily run runs."""

from __future__ import annotations

from django.db import models

from peerdiag.casereview.domain.retention import CASE_CONTENT_STEP
from peerdiag.common.personal_data import (
    Kind,
    inventory,
    peerdiag_models,
    stale,
    text_fields,
    unclassified,
)
from peerdiag.diagnostics.domain.retention import registered_steps


def test_every_text_like_field_of_every_peerdiag_model_is_classified():
    assert unclassified() == []


def test_no_declaration_names_a_field_that_is_gone():
    assert stale() == []


def test_the_walk_covers_every_app_and_the_fields_the_issue_named():
    labels = {m._meta.label for m in peerdiag_models()}
    assert {"timetable.Attendee", "evaluation.Survey", "documents.DocumentVersion"} <= labels
    fields = {f"{m._meta.label}.{f.name}" for m in peerdiag_models() for f in text_fields(m)}
    assert "timetable.Attendee.email" in fields and "reports.FactualComment.text" in fields
    assert "documents.DocumentVersion.file" in fields  # FileFields count as text-like
    assert "timetable.Session.allowed_days" in fields  # JSONFields too


def test_a_new_unclassified_field_is_named(monkeypatch):
    from peerdiag.timetable.models import Attendee

    extra = models.CharField(max_length=20, blank=True)
    extra.set_attributes_from_name("nickname")
    extra.model = Attendee
    real = Attendee._meta.get_fields

    monkeypatch.setattr(Attendee._meta, "get_fields", lambda **kw: [*real(**kw), extra])
    assert unclassified() == ["timetable.Attendee.nickname"]


def test_personal_data_is_destroyed_by_a_step_that_runs_or_kept_with_a_reason():
    steps = set(registered_steps()) | {CASE_CONTENT_STEP}
    for label, fields in inventory().items():
        for name, policy in fields.items():
            where = f"{label}.{name}"
            if policy.kind == Kind.DESTROYED:
                assert policy.step in steps, where
                assert policy.when and policy.note, where
            if policy.kind == Kind.KEPT:
                assert policy.note, where


def test_the_gaps_of_the_issue_are_destroyed_not_kept():
    got = inventory()
    for where in [
        "timetable.Attendee.name",
        "timetable.Attendee.email",
        "timetable.SentInvitation.email",
        "timetable.Session.notes",
        "timetable.Session.supporting_adult",
        "timetable.CalendarFeed.token",
        "findings.KitDigest.sponsor_response",
        "findings.DigestItem.text",
        "reports.FactualComment.text",
        "reports.FactualComment.response",
        "evaluation.Survey.comments",
        "evaluation.Survey.token",
        "casereview.SafeguardingConcern.escalated_to",
        "diagnostics.ConflictDeclaration.details",
        "diagnostics.Diagnostic.internal_notes",
        "documents.DocumentVersion.file",
    ]:
        label, name = where.rsplit(".", 1)
        assert got[label][name].kind == Kind.DESTROYED, where
    assert got["directory.Person"]["email"].kind == Kind.ERASED_ON_REQUEST
    assert got["accounts.User"]["full_name"].kind == Kind.ERASED_ON_REQUEST
