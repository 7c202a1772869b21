"""Demo data for evidence and findings: the diagnostic in delivery has notes from the days so
far, quotes (one from a small group), findings with their evidence, recommendations and a KIT
digest shared with the sponsor. Registered as a demo step; safe to run again."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.timetable.enums import HEARING_TYPES
from peerdiag.timetable.models import Session

from .domain.findings import add_finding, add_recommendation, link_evidence
from .domain.notes import add_note, add_quote, note_for_session, save_note
from .enums import Polarity, SourceType
from .models import DigestItem, EvidenceNote, KitDigest

DEMO_TITLE = "Management oversight of practice"

# (polarity, what was heard), used in turn for the sessions held so far.
HEARD = [
    (Polarity.STRENGTH, "Managers know their teams' cases well and supervision happens on time."),
    (Polarity.CONCERN, "Supervision records rarely show reflection or a clear plan for the child."),
    (Polarity.STRENGTH, "Staff describe senior leaders as visible and approachable."),
    (Polarity.CONCERN, "Caseloads in assessment teams have risen since the summer."),
    (Polarity.NEUTRAL, "A new audit tool started in the spring; it is too early to see results."),
    (Polarity.CONCERN, "Partners are unsure how to escalate when they disagree with a decision."),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def load(today: date) -> None:
    d = Diagnostic.objects.filter(title=DEMO_TITLE, stage=Stage.DELIVERY).first()
    if d is None or EvidenceNote.objects.filter(diagnostic=d).exists():
        return
    lead = d.team.filter(role=TeamRole.LEAD_PEER).select_related("person__user").first()
    om = (
        d.team.filter(role=TeamRole.OPERATIONAL_MANAGER, person__user__isnull=False)
        .select_related("person__user")
        .first()
    )
    if lead is None or lead.person.user is None or d.day1 is None:
        return
    peers = [m.person.user for m in (lead, om) if m is not None and m.person.user is not None]
    with transaction.atomic():
        held = [
            s
            for s in Session.objects.filter(diagnostic=d, type__in=HEARING_TYPES, day__isnull=False)
            .prefetch_related("attendees", "kloes")
            .order_by("day", "start")
            if s.day is not None and s.day <= 3
        ][:12]
        notes = []
        for i, s in enumerate(held):
            by = peers[i % len(peers)]
            note = note_for_session(s, by=by)
            polarity, text = HEARD[i % len(HEARD)]
            save_note(note, by=by, revision=note.revision, body=text, polarity=polarity)
            notes.append(note)
        if notes:
            add_quote(
                notes[0],
                by=peers[0],
                text="I always know where to go when I am worried about a child.",
                group="Frontline practitioners",
                group_size=5,
            )
            add_quote(
                notes[1],
                by=peers[0],
                text="I am the only one doing this job, and I am stretched.",
                group="Quality assurance lead",
                group_size=1,
            )
        kloes = list(d.kloes.order_by("order"))
        data = add_note(
            d,
            by=peers[0],
            source_type=SourceType.DATA,
            title="Performance scorecard, last quarter",
            body="Re-referrals are below the national average; assessments on time dropped.",
            kloes=kloes[:1],
            polarity=Polarity.NEUTRAL,
        )
        strengths = [n for n in notes if n.polarity == Polarity.STRENGTH]
        concerns = [n for n in notes if n.polarity == Polarity.CONCERN]
        first = add_finding(
            d,
            by=peers[0],
            kind="strength",
            statement="Managers are visible and know their teams' work well.",
            kloe=kloes[0] if kloes else None,
            evidence=strengths,
        )
        second = add_finding(
            d,
            by=peers[0],
            kind="area",
            statement="Supervision does not yet show reflection or a plan for each child.",
            kloe=kloes[1] if len(kloes) > 1 else None,
            evidence=concerns[:2],
        )
        link_evidence(second, data, by=peers[0])
        add_recommendation(
            d,
            by=peers[0],
            text="Agree a simple supervision record that shows the reflection and the plan.",
            findings=[second],
        )
        digest = KitDigest.objects.create(
            diagnostic=d,
            session=Session.objects.filter(diagnostic=d, type="kit_meeting", day=1).first(),
            created_by=peers[0],
            shared_at=timezone.now(),
            sponsor_response="The sponsor recognised both themes and asked about caseloads.",
        )
        DigestItem.objects.create(digest=digest, text=first.statement, finding=first, shared=True)
        DigestItem.objects.create(
            digest=digest, text=second.statement, finding=second, shared=True, order=1
        )
        DigestItem.objects.create(
            digest=digest,
            text="Caseloads in assessment: still to test with data.",
            shared=False,
            order=2,
        )
