"""A subject access export: everything peerdiag holds about one person, found by e-mail.

It lives in the privacy app, which sits above every domain app and so may read all their
records. Secrets are never exported (password hashes, token hashes, calendar-feed and
survey tokens, authenticator secrets) and neither is encrypted case content: a case record
review holds children's records, not the requester's, and is released only through the LGA's
own process. Everything else linked to the person is listed section by section.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from peerdiag.accounts.models import ApiToken, Invitation, TotpDevice, User
from peerdiag.casereview.models import CaseReadLog
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import (
    AuditEntry,
    BriefingAcknowledgement,
    ConflictDeclaration,
    CouncilRole,
    DataAccessEvent,
    Signature,
    TeamMember,
)
from peerdiag.directory.models import PeerExpertise, PeerProfile, PeerRecentWork, Person
from peerdiag.documents.models import DocumentVersion
from peerdiag.evaluation.models import Survey
from peerdiag.findings.models import EvidenceNote, Finding, Quote, Recommendation
from peerdiag.reports.models import FactualComment
from peerdiag.timetable.models import Attendee, CalendarFeed, SentInvitation

# Field names never exported, whatever the model.
_SECRET_WORDS = ("password", "token", "hash", "secret", "_enc")


def _secret(name: str) -> bool:
    return any(word in name for word in _SECRET_WORDS)


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    if f.is_relation:
        related = getattr(obj, f.name)
        if related is None:
            return None
        return getattr(related, "code", None) or str(related)
    value = getattr(obj, f.attname)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(f, models.FileField):
        return value.name if value else ""
    return value


def row(obj: models.Model) -> dict[str, Any]:
    """A record as plain JSON-ready values, secrets left out, links shown by code or name."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if _secret(f.name) or f.primary_key:
            continue
        out[f.name] = _value(obj, f)
    return out


def _rows(qs: models.QuerySet[Any]) -> list[dict[str, Any]]:
    return [row(obj) for obj in qs]


def subject_access_export(email: str) -> dict[str, Any]:
    """Everything held about the person with this e-mail address; DomainError if no one."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    person_q = Q(email__iexact=email)
    if user is not None:
        person_q |= Q(user=user)
    people = list(Person.objects.filter(person_q))
    attendees = list(Attendee.objects.filter(email__iexact=email))
    if user is None and not people and not attendees:
        raise DomainError(f"No one is held with the e-mail address {email}", field="email")
    members = TeamMember.objects.filter(person__in=people)
    notes = EvidenceNote.objects.filter(author__in=members)
    feeds = CalendarFeed.objects.filter(Q(person__in=people) | Q(attendee__in=attendees))
    export: dict[str, Any] = {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "user": row(user) if user else None,
        "api_tokens": _rows(ApiToken.objects.filter(user=user)) if user else [],
        "authenticator_app": _rows(TotpDevice.objects.filter(user=user)) if user else [],
        "account_invitations": _rows(Invitation.objects.filter(user=user)) if user else [],
        "people": [row(p) for p in people],
        "peer_profiles": _rows(PeerProfile.objects.filter(person__in=people)),
        "peer_expertise": _rows(PeerExpertise.objects.filter(profile__person__in=people)),
        "peer_recent_work": _rows(PeerRecentWork.objects.filter(profile__person__in=people)),
        "team_places": _rows(members),
        "council_roles": _rows(CouncilRole.objects.filter(person__in=people)),
        "conflict_declarations": _rows(ConflictDeclaration.objects.filter(person__in=people)),
        "briefing_acknowledgements": _rows(
            BriefingAcknowledgement.objects.filter(person__in=people)
        ),
        "signatures": _rows(Signature.objects.filter(person__in=people)),
        "data_access_events": _rows(DataAccessEvent.objects.filter(person__in=people)),
        "evidence_notes_written": _rows(notes),
        "quotes_in_their_notes": _rows(Quote.objects.filter(note__in=notes)),
        "findings_written": _rows(Finding.objects.filter(author__in=members)),
        "recommendations_written": _rows(Recommendation.objects.filter(author__in=members)),
        "factual_comments": _rows(FactualComment.objects.filter(author=user)) if user else [],
        "documents_uploaded": (
            _rows(DocumentVersion.objects.filter(uploaded_by=user)) if user else []
        ),
        "audit_entries_as_actor": (
            _rows(AuditEntry.objects.filter(actor=user).order_by("at", "id")) if user else []
        ),
        "case_record_reads": _rows(CaseReadLog.objects.filter(user=user)) if user else [],
        "survey_answers": _rows(Survey.objects.filter(respondent__in=people)),
        "attendee_records": [row(a) for a in attendees],
        "calendar_feeds": _rows(feeds),
        "sent_invitations": _rows(SentInvitation.objects.filter(email__iexact=email)),
    }
    return export
