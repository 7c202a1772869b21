"""A diagnostic with a little of every kind of personal data the retention steps destroy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from peerdiag.common.models import Job, JobKind
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import ConflictDeclaration, Diagnostic, TeamMember
from peerdiag.documents.models import DocumentRequest, DocumentVersion
from peerdiag.evaluation.models import CheckIn, Survey
from peerdiag.findings.models import DigestItem, KitDigest
from peerdiag.reports.models import FactualComment, ReportParagraph, WrittenFeedback
from peerdiag.timetable.domain.versions import snapshot
from peerdiag.timetable.models import (
    Attendee,
    Availability,
    CalendarFeed,
    SentInvitation,
    Session,
    Timetable,
    TimetableVersion,
)
from tests.timetable.helpers import planned_week

ISSUED = date(2027, 4, 1)
DUE = ISSUED + timedelta(days=30)
EVALUATION_DUE = ISSUED + timedelta(days=365)


@dataclass
class Filled:
    d: Diagnostic
    attendees: list[Attendee]
    sessions: list[Session]
    digest: KitDigest
    comment: FactualComment
    survey: Survey
    personal: DocumentVersion
    official: DocumentVersion


def fill(world) -> Filled:  # type: ignore[no-untyped-def]
    w = planned_week(world.own, interviews=3)
    d = w.d
    first = w.attendees[0]
    Attendee.objects.filter(pk=first.pk).update(job_title="Team manager", availability_given=True)
    Availability.objects.create(
        diagnostic=d, attendee=first, day=2, start=time(9), end=time(12), available=True
    )
    Availability.objects.create(
        diagnostic=d, member=w.om, day=3, start=time(9), end=time(12), available=False
    )
    placed, left = w.interviews[0], w.interviews[1]
    Session.objects.filter(pk=placed.pk).update(
        day=2, start=time(10), notes="Bring the audit", supporting_adult="Sam Carer"
    )
    Session.objects.filter(pk=left.pk).update(unscheduled_reason="Attendee 1 is away all week")
    SentInvitation.objects.create(
        session=placed,
        email="a0@council.example",
        name="Attendee 0",
        sequence=0,
        method="email",
        sent_at=timezone.now(),
    )
    CalendarFeed.objects.create(attendee=first)
    Timetable.objects.get_or_create(diagnostic=d)
    Job.objects.create(
        kind=JobKind.TIMETABLE,
        diagnostic=d,
        state="done",
        log="Attendee 0 is busy",
        best="2 placed",
        message="Attendee 0 could not be placed",
    )
    TimetableVersion.objects.create(
        diagnostic=d,
        number=1,
        published_at=timezone.now(),
        problem={
            "people": [
                {
                    "id": first.code,
                    "name": first.name,
                    "side": "council",
                    "available": [{"day": "2027-02-02", "start": "09:00", "end": "12:00"}],
                },
                {"id": w.om.code, "name": "Olive Manager", "side": "peer"},
            ]
        },
        solution={"unscheduled": [{"session": left.code, "reason": "Attendee 1 is away"}]},
        snapshot=snapshot(d),
    )
    Diagnostic.objects.filter(pk=d.pk).update(internal_notes="The DCS is off sick")
    ConflictDeclaration.objects.create(
        diagnostic=d,
        person=w.om.person,
        worked_for_host=True,
        details="Interim at Council A in 2025",
        declared_at=timezone.now(),
    )
    TeamMember.objects.filter(pk=w.om.pk).update(council_reason="Knows our director")
    digest = KitDigest.objects.create(diagnostic=d, sponsor_response="Jo agrees")
    DigestItem.objects.create(digest=digest, text="Front door is slow, says Jo", shared=True)
    written = WrittenFeedback.objects.create(diagnostic=d)
    ReportParagraph.objects.create(written=written, key="context", heading="Context", text="")
    comment = FactualComment.objects.create(
        written=written, paragraph_key="context", text="Jo Bloggs left in May", response="Fixed"
    )
    survey = Survey.objects.create(
        diagnostic=d,
        respondent=world.sponsor.person,
        role="sponsor",
        usefulness=5,
        comments="Thanks to Ann",
        further_support=True,
        further_support_what="Coaching for Jo",
    )
    CheckIn.objects.create(diagnostic=d, months=3, due_on=ISSUED, notes="Spoke to Jo")
    ask = DocumentRequest.objects.create(diagnostic=d, title="Case tracker")
    personal = _version(ask, 1, "personal_data", "tracker Jo Bloggs.xlsx")
    official = _version(ask, 2, "official", "structure chart.pdf")
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=Stage.EVALUATION, written_feedback_issued_on=ISSUED
    )
    d.refresh_from_db()
    return Filled(d, w.attendees, w.interviews, digest, comment, survey, personal, official)


def _version(ask: DocumentRequest, n: int, classification: str, name: str) -> DocumentVersion:
    v = DocumentVersion(
        request=ask,
        version=n,
        original_name=name,
        size=5,
        content_type="application/octet-stream",
        classification=classification,
        sha256="0" * 64,
    )
    v.file.save(name, ContentFile(b"hello"), save=False)
    v.save()
    return v
