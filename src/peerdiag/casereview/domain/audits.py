"""Case audits: the auditor's header fields, graded domains, overall view, practitioner
contacts (R27) and moderation. Content is encrypted on the way in (crypto.py) and every read
of it is logged by `read_case`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain.audit import record

from ..crypto import decrypt, encrypt
from ..enums import AuditDomain, AuditStatus, Grade
from ..models import (
    CaseAudit,
    CaseReadLog,
    CaseReview,
    DomainGrade,
    Moderation,
    PractitionerContact,
    SampledCase,
)

HEADER_FIELDS = ("period_months", "age_band", "placement_moves", "referrals_last_year")


@dataclass(frozen=True)
class GradeIn:
    grade: str
    evidence: str = ""
    commentary: str = ""


@dataclass
class CaseContent:
    """What a reader sees of one audit, decrypted."""

    grades: dict[str, GradeIn] = field(default_factory=dict)
    difference: str = ""
    contacts: list[dict[str, Any]] = field(default_factory=list)
    moderations: list[dict[str, Any]] = field(default_factory=list)


def log_read(review: CaseReview, *, by: User | None, case: SampledCase | None, what: str) -> None:
    CaseReadLog.objects.create(review=review, case=case, user=by, what=what[:100])


def is_case_auditor(case: SampledCase, by: User | None) -> bool:
    """Whether `by` is the case auditor the case is shared out to."""
    person = getattr(by, "person", None)
    return person is not None and case.auditor is not None and case.auditor.person_id == person.pk


def save_audit(
    case: SampledCase,
    *,
    by: User,
    header: dict[str, Any],
    grades: dict[str, GradeIn],
    overall_grade: str,
    difference: str,
    finish: bool,
) -> CaseAudit:
    """Save the auditor's reading of a case; with `finish`, every domain must be graded (N/A
    where it does not apply) and the overall grade given. Only the auditor the case was given
    to writes it, and only after release. Audit entry without any case content."""
    if case.released_at is None or not is_case_auditor(case, by):
        raise DomainError("Only the case auditor this case was given to can audit it")
    assert case.auditor is not None
    audit = getattr(case, "audit", None) if hasattr(case, "audit") else None
    if audit is not None and audit.status == AuditStatus.DONE:
        raise DomainError("This audit is finished and can no longer change")
    unknown = set(grades) - set(AuditDomain.values)
    bad = [g.grade for g in grades.values() if g.grade not in Grade.values]
    if unknown or bad:
        raise DomainError("Grade each domain on the four-point scale or N/A", field="grades")
    if overall_grade and (overall_grade not in Grade.values or overall_grade == Grade.NA):
        raise DomainError("The overall grade is one of the four grades", field="overall_grade")
    if finish:
        missing = [str(AuditDomain(d).label) for d in AuditDomain.values if d not in grades]
        if missing:
            raise DomainError(
                f"Grade every domain before finishing: {', '.join(missing)}", field="grades"
            )
        if not overall_grade:
            raise DomainError("Give the overall grade before finishing", field="overall_grade")
    with transaction.atomic():
        if audit is None:
            audit = CaseAudit(case=case, auditor=case.auditor)
        for name in HEADER_FIELDS:
            if name in header:
                setattr(audit, name, header[name])
        audit.overall_grade = overall_grade
        audit.difference_enc = encrypt(difference.strip())
        if finish:
            audit.status, audit.finished_at = AuditStatus.DONE, timezone.now()
        audit.save()
        for domain, g in grades.items():
            DomainGrade.objects.update_or_create(
                audit=audit,
                domain=domain,
                defaults={
                    "grade": g.grade,
                    "evidence_enc": encrypt(g.evidence.strip()),
                    "commentary_enc": encrypt(g.commentary.strip()),
                },
            )
        record(
            case.review.diagnostic,
            by=by,
            action="case_audit_finished" if finish else "case_audit_saved",
            summary=f"Audit of case {case.code} {'finished' if finish else 'saved'}",
        )
    return audit


def read_case(case: SampledCase, *, by: User | None, what: str = "case audit") -> CaseContent:
    """The decrypted content of a case's audit; the read is logged (decision 9)."""
    out = CaseContent()
    audit: CaseAudit | None = getattr(case, "audit", None) if hasattr(case, "audit") else None
    log_read(case.review, by=by, case=case, what=what)
    if audit is None:
        return out
    out.difference = decrypt(audit.difference_enc)
    for g in audit.grades.all():
        out.grades[g.domain] = GradeIn(g.grade, decrypt(g.evidence_enc), decrypt(g.commentary_enc))
    out.contacts = [
        {"on": c.contacted_on, "role": c.role_contacted, "note": decrypt(c.note_enc)}
        for c in audit.contacts.all()
    ]
    out.moderations = [
        {"agrees": m.agrees, "note": decrypt(m.note_enc), "at": m.at, "by": m.moderator}
        for m in audit.moderations.select_related("moderator")
    ]
    return out


def record_contact(
    audit: CaseAudit, *, by: User, contacted_on: date, role_contacted: str, note: str
) -> PractitionerContact:
    """Log a conversation with the case's practitioner or manager (R27)."""
    if not is_case_auditor(audit.case, by):
        raise DomainError("Only the case's auditor logs contacts with its practitioner")
    if not role_contacted.strip():
        raise DomainError(
            "Say who was contacted (their role, not their name)", field="role_contacted"
        )
    if contacted_on > timezone.localdate():
        raise DomainError("The date cannot be in the future", field="contacted_on")
    with transaction.atomic():
        contact = PractitionerContact.objects.create(
            audit=audit,
            contacted_on=contacted_on,
            role_contacted=role_contacted.strip()[:100],
            note_enc=encrypt(note.strip()),
            by=by,
        )
        record(
            audit.case.review.diagnostic,
            by=by,
            action="practitioner_contacted",
            summary=f"Practitioner contact logged for case {audit.case.code}",
        )
    return contact


def moderate(audit: CaseAudit, *, by: User, agrees: bool, note: str) -> Moderation:
    """A second reading by someone other than the auditor, agreeing with the grades or not.
    A disagreement needs a note saying why."""
    if is_case_auditor(audit.case, by):
        raise DomainError("Someone other than the auditor moderates an audit")
    if audit.status != AuditStatus.DONE:
        raise DomainError("Only a finished audit can be moderated")
    if not agrees and not note.strip():
        raise DomainError("Say where you disagree", field="note")
    with transaction.atomic():
        m = Moderation.objects.create(
            audit=audit, moderator=by, agrees=agrees, note_enc=encrypt(note.strip())
        )
        record(
            audit.case.review.diagnostic,
            by=by,
            action="case_audit_moderated",
            summary=f"Audit of case {audit.case.code} moderated: "
            + ("agrees" if agrees else "disagrees"),
        )
    return m
