"""Demo data after delivery: the diagnostics from drafting onwards get a drafting board, the
written feedback (issued from "written feedback issued" on, with its files), answered surveys
and, for the closed one, an evaluation outcome. Registered as a demo step; safe to run again.

It writes the records directly (no e-mails go out while the demo loads); the files are built by
the real renderers.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.findings.domain.retention import destroy_notes
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, Recommendation
from peerdiag.reports.domain.content import feedback_for, written_for
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.render.docx import build_report
from peerdiag.reports.render.pdf import build_report_pdf

from .models import EvaluationOutcome, Survey

AFTER_DELIVERY = (
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CLOSED,
)
ISSUED = (Stage.WRITTEN_FEEDBACK_ISSUED, Stage.EVALUATION, Stage.CLOSED)
# Days from the feedback meeting to the written feedback: one of them late, for the charts.
TURNAROUND: dict[str, int] = {
    Stage.WRITTEN_FEEDBACK_ISSUED: 26,
    Stage.EVALUATION: 35,
    Stage.CLOSED: 21,
}
BOARD = (
    ("strength", "Leaders know their services well and are open about what needs to improve."),
    ("strength", "Practitioners feel supported and describe a learning culture."),
    ("area", "Plans for children are not always specific about who does what by when."),
    ("area", "Partners are not yet clear how to raise a disagreement about a decision."),
)
RECOMMENDATIONS = (
    ("Agree a short plan format that names actions, owners and dates.", 2),
    ("Publish a simple escalation route for partners and test that it is used.", 3),
)
RATINGS: dict[str, int] = {Stage.WRITTEN_FEEDBACK_ISSUED: 4, Stage.EVALUATION: 5, Stage.CLOSED: 4}


def _board(d: Diagnostic, *, approve: bool) -> None:
    """Notes, findings and recommendations, written straight to the tables: the closed demo
    diagnostic has ended, and the domain functions rightly refuse to change an ended one."""
    lead = d.team.filter(role=TeamRole.LEAD_PEER, person__user__isnull=False).first()
    if lead is None:
        return
    kloes = list(d.kloes.order_by("order"))
    notes = [
        EvidenceNote.objects.create(
            diagnostic=d, author=lead, source_type=source, title=title, body=body
        )
        for source, title, body in (
            ("document", "Self-assessment and improvement plan", "The council's own view."),
            ("data", "Performance data, last four quarters", "Timeliness has improved."),
        )
    ]
    for n in notes:
        n.kloes.set(kloes[:2])
    now = timezone.now() if approve else None
    by = lead.person.user if approve else None
    findings = []
    for i, (kind, text) in enumerate(BOARD):
        f = Finding.objects.create(
            diagnostic=d,
            kind=kind,
            statement=text,
            kloe=kloes[i % len(kloes)] if kloes else None,
            author=lead,
            order=i + 1,
            approved_at=now,
            approved_by=by,
        )
        FindingEvidence.objects.bulk_create(FindingEvidence(finding=f, note=n) for n in notes)
        findings.append(f)
    for order, (text, index) in enumerate(RECOMMENDATIONS, start=1):
        r = Recommendation.objects.create(
            diagnostic=d, text=text, author=lead, order=order, approved_at=now, approved_by=by
        )
        r.findings.set([findings[index]])


def _issue(d: Diagnostic, today: date) -> None:
    assert d.day1 is not None
    issued_on = min(today, delivery_days(d.day1)[6] + timedelta(days=TURNAROUND[d.stage]))
    if not d.written_feedback_format:
        Diagnostic.objects.filter(pk=d.pk).update(written_feedback_format="report")
        d.written_feedback_format = "report"
    written = written_for(d)
    fb = feedback_for(d)
    written.issued_file.save(
        f"{d.reference}-written-feedback.docx", ContentFile(build_report(fb)), save=False
    )
    written.issued_pdf.save(
        f"{d.reference}-written-feedback.pdf", ContentFile(build_report_pdf(fb)), save=False
    )
    written.state = WrittenState.ISSUED
    written.issued_at = timezone.now()
    written.save()
    Diagnostic.objects.filter(pk=d.pk).update(written_feedback_issued_on=issued_on)
    d.written_feedback_issued_on = issued_on


def _surveys(d: Diagnostic) -> None:
    roles = d.council_roles.filter(
        role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
    ).select_related("person")
    score = RATINGS[d.stage]
    for role in roles:
        Survey.objects.get_or_create(
            diagnostic=d,
            role=role.role,
            defaults={
                "respondent": role.person,
                "sent_at": timezone.now(),
                "completed_at": timezone.now(),
                "usefulness": score,
                "accuracy": score,
                "team_quality": 5,
                "impact": score - 1,
                "comments": "The team listened and the findings rang true.",
                "further_support": False,
            },
        )


def load(today: date) -> None:
    for d in Diagnostic.objects.filter(stage__in=AFTER_DELIVERY, day1__isnull=False).order_by(
        "reference"
    ):
        if Finding.objects.filter(diagnostic=d).exists():
            continue
        with transaction.atomic():
            _board(d, approve=d.stage != Stage.DRAFTING)
            if d.stage in ISSUED:
                _issue(d, today)
            if d.stage in (Stage.EVALUATION, Stage.CLOSED):
                _surveys(d)
            if d.stage == Stage.CLOSED:
                EvaluationOutcome.objects.get_or_create(
                    diagnostic=d,
                    defaults={
                        "contacted_on": today,
                        "further_support": "No further support needed; a check-in in six months.",
                        "decided_at": timezone.now(),
                    },
                )
                destroy_notes(d, by=None, reason="the diagnostic closed")
