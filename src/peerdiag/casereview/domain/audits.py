"""Case audits: the auditor's header fields, graded domains, overall view, practitioner
contacts (R27) and moderation. Content is encrypted on the way in (common/crypto.py) and every read
of it is logged by `read_case`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common.crypto import decrypt, encrypt
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, claim, created_by
from peerdiag.diagnostics.domain.audit import record

from ..enums import AuditStatus, Grade, audit_domains
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
AUDIT_NOUN = "this audit"
# The version an audit form sends when the case had no audit yet: saving is refused as stale if
# an audit was saved meanwhile (another tab of the same auditor, say).
NO_AUDIT_YET = 0


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
    version: int | None,
) -> CaseAudit:
    """Save the auditor's reading of a case; with `finish`, every domain must be graded (N/A
    where it does not apply) and the overall grade given. Only the auditor the case was given
    to writes it, and only after release. Audit entry without any case content.

    `version` is the audit's version the form was drawn from, or NO_AUDIT_YET when there was no
    audit; refused with StaleEdit (nothing saved) when the audit was saved since, so two tabs
    (or two auditors, if the case changes hands) never overwrite each other's grades."""
    if case.released_at is None or not is_case_auditor(case, by):
        raise DomainError("Only the case auditor this case was given to can audit it")
    assert case.auditor is not None
    # A SEND diagnostic's audits are graded under SEND headings, any other's under the
    # social-care domains (enums.audit_domains); a heading of the other kind is refused.
    headings = audit_domains(case.review.diagnostic.type)
    unknown = set(grades) - {value for value, _ in headings}
    bad = [g.grade for g in grades.values() if g.grade not in Grade.values]
    if unknown or bad:
        raise DomainError("Grade each domain on the four-point scale or N/A", field="grades")
    # The overall grade is always one of the four grades: a case has an overall view even
    # when some of its domains do not apply.
    if overall_grade and (overall_grade not in Grade.values or overall_grade == Grade.NA):
        raise DomainError("The overall grade is one of the four grades", field="overall_grade")
    if finish:
        missing = [label for value, label in headings if value not in grades]
        if missing:
            raise DomainError(
                f"Grade every domain before finishing: {', '.join(missing)}", field="grades"
            )
        if not overall_grade:
            raise DomainError("Give the overall grade before finishing", field="overall_grade")
    with transaction.atomic():
        audit = _claim_audit(case, by=by, version=version)
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


def _claim_audit(case: SampledCase, *, by: User, version: int | None) -> CaseAudit:
    """The case's audit, moved to its next version (made at version 1 if there is none yet);
    StaleEdit if it is no longer at `version`. Call inside the saving transaction."""
    assert case.auditor is not None
    audit = CaseAudit.objects.filter(case=case).first()
    if audit is None:
        if version not in (UNCHECKED, NO_AUDIT_YET):
            raise DomainError(
                "This audit was removed after you opened it: open the case again and make "
                "your changes"
            )
        try:
            with transaction.atomic():
                return CaseAudit.objects.create(case=case, auditor=case.auditor, **created_by(by))
        except IntegrityError:
            # Made at the same moment elsewhere: theirs stands and ours is refused below.
            audit = CaseAudit.objects.get(case=case)
    if audit.status == AuditStatus.DONE:
        raise DomainError("This audit is finished and can no longer change")
    claim(audit, version=version, by=by, noun=AUDIT_NOUN)
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
    if len(role_contacted.strip()) > 100:
        raise DomainError(
            "Who you spoke to can be up to 100 characters: give their role only",
            field="role_contacted",
        )
    with transaction.atomic():
        contact = PractitionerContact.objects.create(
            audit=audit,
            contacted_on=contacted_on,
            role_contacted=role_contacted.strip(),
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
        # Each second reading is a row of its own, never edited: two moderators at once add
        # two readings and neither overwrites the other.
        m = Moderation.objects.create(
            audit=audit,
            moderator=by,
            agrees=agrees,
            note_enc=encrypt(note.strip()),
            **created_by(by),
        )
        record(
            audit.case.review.diagnostic,
            by=by,
            action="case_audit_moderated",
            summary=f"Audit of case {audit.case.code} moderated: "
            + ("agrees" if agrees else "disagrees"),
        )
    return m
