"""What the feedback outputs say, gathered from the database into render.model.Feedback.

The strengths, areas for consideration and recommendations are the drafting board's, in board
order; only approved ones go into a final output (a draft shows the rest too, marked as such).
Quotes are only the usable ones (the small-group rule) and carry their role group, never a name.
Every piece of text people wrote has the names of the diagnostic's young attendees taken out
(timetable.domain.outbound): outputs speak of children only as a group.
The report's own sections (introduction, context, next steps...) are ReportParagraphs, seeded
with default wording the PCM edits.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from peerdiag.casereview.models import CaseAudit
from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.documents.enums import RequestStatus
from peerdiag.documents.models import DocumentRequest
from peerdiag.findings.domain.board import (
    BoardFinding,
    board_recommendations,
    findings_on_board,
)
from peerdiag.findings.enums import FindingKind
from peerdiag.findings.models import Recommendation
from peerdiag.timetable.domain.attendance import attendance_figures
from peerdiag.timetable.domain.outbound import redactor_for

from ..models import ReportParagraph, WrittenFeedback
from ..render.model import Feedback, Item, Paragraph

# (key, heading, default text); "{council}" and "{focus}" are filled in when seeded.
DEFAULT_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "introduction",
        "Introduction",
        "{council} asked the Local Government Association for a remote peer diagnostic. "
        "This report sets out what the peer team found and what it recommends.",
    ),
    ("scope", "Scope and focus", "{focus}"),
    (
        "context",
        "Context",
        "The peer team read the council's key documents, held interviews and focus groups "
        "online over five days, and fed back its findings on the seventh working day.",
    ),
    (
        "next_steps",
        "Next steps",
        "The council decides how to take the recommendations forward. The LGA will be in touch "
        "to ask how useful the diagnostic was and what further support would help.",
    ),
)


def written_for(diagnostic: Diagnostic) -> WrittenFeedback:
    """The diagnostic's written feedback record, made (with default sections) on first use."""
    with transaction.atomic():
        written, made = WrittenFeedback.objects.get_or_create(diagnostic=diagnostic)
        if made:
            for order, (key, heading, text) in enumerate(DEFAULT_SECTIONS):
                ReportParagraph.objects.create(
                    written=written,
                    key=key,
                    heading=heading,
                    order=order,
                    text=text.format(
                        council=diagnostic.host_council.name,
                        focus=diagnostic.focus_statement
                        or "The focus was agreed with the council at scoping.",
                    ),
                )
    return written


def _delivery(diagnostic: Diagnostic) -> str:
    if diagnostic.day1 is None:
        return "Dates to be confirmed"
    days = delivery_days(diagnostic.day1)
    first, last = days[0], days[-1]
    if first.month == last.month:
        return f"{first.day} to {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B} to {last.day} {last:%B %Y}"


# The order the team is introduced in: the lead peer first, the PCM last.
TEAM_ORDER: dict[str, int] = {
    TeamRole.LEAD_PEER: 0,
    TeamRole.OPERATIONAL_MANAGER: 1,
    TeamRole.CASE_AUDITOR: 2,
    TeamRole.PEER_CHALLENGE_MANAGER: 3,
}
KEY_MESSAGES_EACH = 2  # strengths, then areas, from the top of the board
YOUNG_PEOPLE = "Young people"


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    for end in (". ", "? ", "! "):
        if end in text:
            return text[: text.index(end) + 1]
    return text


def activity(diagnostic: Diagnostic) -> tuple[tuple[str, str, int], ...]:
    """What the team did, counted from the data: days, sessions held, people heard by group
    (children and young people only as one count), documents read, cases reviewed.

    People heard come from the attendance recorded for each held interview or focus group; a
    held session without recorded numbers counts its invited attendees instead
    (timetable.domain.attendance)."""
    d = diagnostic
    figures = attendance_figures(d)
    groups = figures.by_group
    out: list[tuple[str, str, int]] = []
    if d.day1 is not None:
        out.append(("Working days", str(len(delivery_days(d.day1))), 0))
    out.append(("Interviews and focus groups held", str(figures.held), 0))
    out.append(("People heard", str(figures.people), 0))
    out.extend((group, str(n), 1) for group, n in sorted(groups.items()))
    documents = DocumentRequest.objects.filter(
        diagnostic=d, status__in=(RequestStatus.SUPPLIED, RequestStatus.ACCEPTED)
    ).count()
    out.append(("Documents read", str(documents), 0))
    if d.case_review_in_scope:
        cases = (
            CaseAudit.objects.filter(case__review__diagnostic=d, finished_at__isnull=False)
            .values("case")
            .distinct()
            .count()
        )
        out.append(("Case records reviewed", str(cases), 0))
    return tuple(out)


def finding_key(code: str) -> str:
    """The paragraph key of a finding or recommendation, for comments against it."""
    return f"item-{code}"


def _item(b: BoardFinding, clean: Callable[[str], str]) -> Item:
    """A finding on the board as the outputs show it, with its usable quotes."""
    f = b.finding
    quotes = tuple(f"“{clean(q.text)}” ({clean(q.group.lower())})" for q in b.quotes)
    return Item(text=clean(f.statement), kloe=clean(f.kloe.text) if f.kloe else "", quotes=quotes)


def _board_items(
    board: list[BoardFinding],
    recs: list[Recommendation],
    *,
    clean: Callable[[str], str],
    draft: bool,
) -> tuple[tuple[Item, ...], tuple[Item, ...], tuple[Item, ...]]:
    """The strengths, the areas for consideration and the recommendations, in board order:
    the approved ones only, or with `draft` all of them."""

    def keep(approved_at: object) -> bool:
        return draft or approved_at is not None

    strengths = tuple(
        _item(b, clean)
        for b in board
        if b.finding.kind == FindingKind.STRENGTH and keep(b.finding.approved_at)
    )
    areas = tuple(
        _item(b, clean)
        for b in board
        if b.finding.kind == FindingKind.AREA and keep(b.finding.approved_at)
    )
    recommendations = tuple(
        Item(
            text=clean(r.text),
            answers=tuple(
                _first_sentence(clean(f.statement))
                for f in r.findings.all()
                if f.kind == FindingKind.AREA and keep(f.approved_at)
            ),
        )
        for r in recs
        if keep(r.approved_at)
    )
    return strengths, areas, recommendations


def _team_in_order(d: Diagnostic) -> list[TeamMember]:
    """The peer team in the order it is introduced (TEAM_ORDER, then by name)."""
    return sorted(
        d.team.select_related("person__organisation"),
        key=lambda m: (TEAM_ORDER.get(m.role, 9), m.person.full_name),
    )


def _team_line(m: TeamMember) -> str:
    """'Name, role, organisation' for one member of the team."""
    return f"{m.person.full_name}, {m.get_role_display().lower()}" + (
        f", {m.person.organisation.name}" if m.person.organisation_id else ""
    )


def feedback_for(diagnostic: Diagnostic, *, draft: bool = False) -> Feedback:
    """Everything the presentation and the report say, in order.

    With `draft`, unapproved findings and recommendations are included (outputs are then marked
    as drafts); otherwise only the approved ones.
    """
    d = diagnostic
    board = findings_on_board(d, quotes=True)
    recs = board_recommendations(d)
    clean = redactor_for(d).text  # no child's name leaves in a finding, quote or section
    strengths, areas, recommendations = _board_items(board, recs, clean=clean, draft=draft)
    team = _team_in_order(d)
    lead = next((m for m in team if m.role == TeamRole.LEAD_PEER), None)
    key_messages = tuple(_first_sentence(i.text) for i in strengths[:KEY_MESSAGES_EACH]) + tuple(
        _first_sentence(i.text) for i in areas[:KEY_MESSAGES_EACH]
    )
    written = written_for(d)
    paragraphs = tuple(
        Paragraph(key=p.key, heading=clean(p.heading), text=clean(p.text))
        for p in written.paragraphs.all()
    )
    by_key = {p.key: p.text for p in paragraphs}
    return Feedback(
        reference=d.reference,
        council=d.host_council.name,
        title=clean(d.title),
        diagnostic_type=d.type_other or d.get_type_display(),
        delivery=_delivery(d),
        lead_peer=lead.person.full_name if lead else "",
        team=tuple(_team_line(m) for m in team),
        scope=clean(d.focus_statement),
        kloes=tuple(clean(k.text) for k in d.kloes.order_by("order")),
        context=by_key.get("context", ""),
        strengths=strengths,
        areas=areas,
        recommendations=recommendations,
        next_steps=by_key.get("next_steps", ""),
        paragraphs=paragraphs,
        draft=draft,
        # Group names are typed by people: a child's name in one leaves no more than elsewhere.
        activity=tuple(
            (label if level == 0 or label == YOUNG_PEOPLE else clean(label), n, level)
            for label, n, level in activity(d)
        ),
        key_messages=key_messages,
    )
