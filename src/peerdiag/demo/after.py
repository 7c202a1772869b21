"""After delivery: the written feedback, the evaluation surveys, the outcome and closing.

Every step goes through the product's own domain functions, as the person who would do it, at
its date (`ctx.at`): the PCM drafts and checks the written feedback, the council's sponsor and
organiser comment on its factual accuracy, the PCM answers and resolves their comments and
issues it; the daily job sends the surveys on their due day and destroys the case content and
peer notes on their destroy-by date; the council people answer their surveys; the PCM records
the evaluation outcome. A step dated on or after the cutoff is not taken, and neither is any
step after it, so each diagnostic stops where its dates say.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.domain.keydates import DESTROY_AFTER_ISSUE_DAYS
from peerdiag.diagnostics.enums import CouncilRoleKind
from peerdiag.reports.models import FactualComment, WrittenFeedback

from . import content
from .context import Ctx, NotYet

if TYPE_CHECKING:
    from peerdiag.accounts.models import User

Step = Callable[[], None]


@dataclass(frozen=True)
class Event:
    """One dated step of this phase: when it happens and what it does."""

    day: date
    hhmm: str
    run: Step


def _run(ctx: Ctx, events: list[Event]) -> None:
    """Take the steps in date order, each at its moment, up to the first that is not due yet.

    Raises NotYet there, so the walk stops this diagnostic: what follows has not happened."""
    for e in sorted(events, key=lambda e: (e.day, e.hhmm)):
        if not ctx.due(e.day, e.hhmm):
            raise NotYet
        with ctx.at(e.day, e.hhmm):
            try:
                e.run()
            except DomainError as err:
                # While earlier phases are being written (PEERDIAG_DEMO_PARTIAL), say which
                # step refused and stop this diagnostic, as the walk does at a refusing gate.
                if not os.environ.get("PEERDIAG_DEMO_PARTIAL"):
                    raise
                step = getattr(e.run, "__name__", "step")
                print(f"demo: {ctx.plan.key} stops at {step} on {e.day}: {err}")
                raise NotYet from err


def _sponsor(ctx: Ctx) -> User:
    """The sponsor's account: the council's comments and survey answers come from it."""
    user = ctx.council_user(CouncilRoleKind.SPONSOR)
    assert user is not None, f"{ctx.plan.key}: the sponsor has no account"
    return user


def _organiser(ctx: Ctx) -> User:
    """The organiser's account (the sponsor's, when the council named no organiser)."""
    return ctx.council_user(CouncilRoleKind.ORGANISER) or _sponsor(ctx)


def _lead_user(ctx: Ctx) -> User:
    """The lead peer's account, who may edit the draft (the PCM's, if the lead has none)."""
    lead = ctx.lead
    if lead is not None and lead.person.user is not None:
        return lead.person.user
    return ctx.pcm


# The written feedback ------------------------------------------------------------------------

# Late by design: a council comment needed a section rewritten, so the draft went round twice.
SECOND_ROUND = "cornwall-qa"


def _introduction(ctx: Ctx) -> str:
    d = ctx.d
    return (
        f"{d.host_council.name} invited a peer team through the Local Government Association "
        f"to look at one question: {ctx.plan.title.lower()}. This report gives the team's view "
        "of what is working, what the council may want to think about, and what it suggests "
        "doing next. It is written for the council's leaders and the staff who took part, and "
        "it is the council's to share."
    )


def _context(ctx: Ctx) -> str:
    days = ctx.tl.days
    return (
        f"The team worked remotely from {days[0]:%-d %B} to {days[4]:%-d %B %Y}. Before the "
        "week it read the documents the council sent; during it, it met staff at every level, "
        "partners and elected members in interviews and focus groups, and checked its emerging "
        "view with the sponsor at short daily meetings. It gave its headline findings to the "
        f"council on {days[6]:%-d %B}, and this report sets them out in full."
    )


def _next_steps(ctx: Ctx) -> str:
    return (
        "The council decides how it takes the recommendations forward and who leads each one. "
        "In a few weeks the LGA will ask the sponsor and the organiser how useful the diagnostic "
        "was, and the peer challenge manager will talk with the sponsor about any further "
        "support that would help."
    )


def _context_after_comment(ctx: Ctx) -> str:
    return (
        _context(ctx) + " Two of the focus groups were held early in the evening, at the "
        "request of partners who could not join during the working day."
    )


# (who, key chooser, text) of the council's comments, and the PCM's answer to each.
COMMENTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "sponsor",
        "area",
        "We accept the finding, but the wording could be read as covering every team. Our "
        "own audits show the pattern mostly in two localities; could the report say where the "
        "team saw it?",
        "We talked this through on the phone: the team heard it from staff in every locality "
        "it met, not only two, so the finding keeps its wording.",
    ),
    (
        "organiser",
        "recommendation",
        "Our improvement board already holds an action close to this one. Please could the "
        "report say the board would own it, rather than suggest setting up a new group?",
        "Agreed in our call: the recommendation names no group, so the board can own it as it "
        "stands. We have noted this in the covering e-mail.",
    ),
    (
        "sponsor",
        "context",
        "The context section does not mention that two focus groups were held in the evening "
        "so partners could attend. It would help readers to know that.",
        "Thank you: the context section now says so.",
    ),
)


def _comment_key(written: WrittenFeedback, items: dict[str, str], kind: str) -> str:
    """The key a comment is made against: a finding or recommendation of that kind when the
    report has one, otherwise one of the report's own sections."""
    if kind in items:
        return items[kind]
    keys = set(written.paragraphs.values_list("key", flat=True))
    return kind if kind in keys else "introduction"


def written(ctx: Ctx) -> None:
    """Between `ctx.tl.written_start` and `ctx.tl.written_issued`: drafted, checked by the
    PCM, the council's factual-accuracy comments resolved, issued."""
    from peerdiag.reports.domain import written as wf
    from peerdiag.reports.domain.content import written_for

    tl, pcm = ctx.tl, ctx.pcm
    second = ctx.plan.key == SECOND_ROUND
    state: dict[str, object] = {}

    def on(k: int) -> date:
        """`k` working days after drafting starts, and never after the issue date."""
        return min(add_working_days(tl.written_start, k), tl.written_issued)

    def w() -> WrittenFeedback:
        return state["w"]  # type: ignore[return-value]

    def start() -> None:
        state["w"] = written_for(ctx.d)
        wf.update_paragraph(
            w(), by=pcm, key="introduction", text=_introduction(ctx), version=UNCHECKED
        )

    def lead_edits() -> None:
        wf.update_paragraph(
            w(), by=_lead_user(ctx), key="context", text=_context(ctx), version=UNCHECKED
        )

    def pcm_finishes() -> None:
        wf.update_paragraph(w(), by=pcm, key="next_steps", text=_next_steps(ctx), version=UNCHECKED)
        wf.submit_for_check(w(), by=pcm, version=UNCHECKED)

    def pcm_resubmits() -> None:
        wf.submit_for_check(w(), by=pcm, version=UNCHECKED)

    def pcm_passes() -> None:
        wf.pass_pcm_check(w(), by=pcm, version=UNCHECKED)

    def comment(i: int) -> Step:
        def run() -> None:
            who, kind, text, _ = COMMENTS[i]
            items = {r.kind: r.key for r in reversed(wf.report_items(ctx.d))}
            user = _sponsor(ctx) if who == "sponsor" else _organiser(ctx)
            c = wf.add_comment(
                w(), by=user, paragraph_key=_comment_key(w(), items, kind), text=text
            )
            state[f"c{i}"] = c

        return run

    def c(i: int) -> FactualComment:
        return state[f"c{i}"]  # type: ignore[return-value]

    def pcm_answers() -> None:
        wf.respond_to_comment(c(0), by=pcm, response=COMMENTS[0][3], version=UNCHECKED)
        wf.resolve_comment(c(1), by=pcm, response=COMMENTS[1][3], version=UNCHECKED)

    def council_finishes() -> None:
        wf.council_done(w(), by=_organiser(ctx), version=UNCHECKED)

    def pcm_resolves() -> None:
        wf.resolve_comment(c(0), by=pcm, version=UNCHECKED)

    def back_to_draft() -> None:
        wf.return_to_draft(
            w(),
            by=pcm,
            reason="The council asked for a fact to be added to the context section",
            version=UNCHECKED,
        )
        wf.update_paragraph(
            w(), by=pcm, key="context", text=_context_after_comment(ctx), version=UNCHECKED
        )
        wf.resolve_comment(c(2), by=pcm, response=COMMENTS[2][3], version=UNCHECKED)

    def issue() -> None:
        wf.issue_written(w(), by=pcm, version=UNCHECKED)

    events = [
        Event(on(0), "09:30", start),
        Event(on(1), "14:10", lead_edits),
        Event(on(3), "16:20", pcm_finishes),
        Event(on(4), "10:05", pcm_passes),
        Event(on(7), "11:15", comment(0)),
        Event(on(8), "14:40", comment(1)),
    ]
    if second:
        # A third comment asks for the text to change: back to the draft and round again.
        events += [
            Event(on(9), "09:50", comment(2)),
            Event(on(11), "10:30", back_to_draft),
            Event(on(12), "15:00", pcm_answers),
            Event(on(14), "11:00", pcm_resubmits),
            Event(on(15), "09:40", pcm_passes),
            Event(on(19), "16:10", council_finishes),
            Event(on(20), "10:20", pcm_resolves),
        ]
    else:
        events += [
            Event(on(9), "15:00", pcm_answers),
            Event(on(10), "12:30", council_finishes),
            Event(on(11), "10:20", pcm_resolves),
        ]
    events.append(Event(tl.written_issued, "16:30", issue))
    _run(ctx, events)


# The evaluation ------------------------------------------------------------------------------


def surveys(ctx: Ctx) -> None:
    """On `ctx.tl.surveys`: the evaluation surveys go to the sponsor and organiser.

    Sent by the daily job (`send_due_surveys`) on the day they fall due, ten working days
    after the written feedback was issued; nobody sends them early."""
    from peerdiag.evaluation.domain.surveys import send_due_surveys

    day = ctx.tl.surveys
    if not ctx.due(day, "09:00"):
        raise NotYet
    with ctx.at(day, "09:00"):
        send_due_surveys(day)


# (usefulness, accuracy, team quality, impact, comment, further support wanted), by answer.
Answer = tuple[int, int, int, int, str, str]
ANSWERS: tuple[Answer, ...] = (
    (
        5,
        4,
        5,
        4,
        "The team listened well and the findings matched what our own staff had been telling "
        "us. Having it all in one report has helped us agree priorities.",
        "",
    ),
    (
        4,
        4,
        5,
        3,
        "Well organised and the daily check-ins kept us informed. The week was intense for a "
        "small team, and a little more notice of the timetable would have helped.",
        "A follow-up session with our managers in about six months to look at progress.",
    ),
    (
        3,
        4,
        4,
        3,
        "Useful, though much of it confirmed what we knew. The recommendations were realistic.",
        "",
    ),
    (
        5,
        5,
        4,
        5,
        "The challenge was fair and the team were careful to hear from front-line staff. It "
        "has given our improvement plan a sharper focus.",
        "Help from a peer who has led the same change elsewhere.",
    ),
)

# Who left the survey unanswered (the closed diagnostics show one gap in the evaluation).
UNANSWERED = {"nland-earlyhelp": "organiser"}

OUTCOMES: tuple[str, ...] = (
    "No further support needed now. The sponsor will send the improvement board's progress "
    "report in six months, and the LGA will check in then.",
    "A mentor from a council that made a similar change, for six months, arranged through the "
    "regional improvement network.",
    "A short follow-up visit by two of the peers after the council's next self-assessment, "
    "to test progress on the recommendations.",
)

# Which outcome each closed diagnostic reached, so the three differ (others: by their seed).
OUTCOME_FOR = {"nland-earlyhelp": 0, "kent-permanence": 1, "bristol-missing": 2}


def close(ctx: Ctx) -> None:
    """Between `ctx.tl.surveys` and `ctx.tl.closed`: answers, the outcome and further support
    recorded, case content and peer notes destroyed."""
    from peerdiag.casereview.domain.retention import destroy_case_content
    from peerdiag.casereview.models import CaseReview
    from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, record_outcome
    from peerdiag.evaluation.domain.surveys import answer_survey
    from peerdiag.evaluation.models import Survey
    from peerdiag.findings.domain.retention import destroy_notes

    tl, plan = ctx.tl, ctx.plan
    rng = content.rng(plan, "after")
    picks = rng.sample(range(len(ANSWERS)), 2)
    events: list[Event] = []

    for n, survey in enumerate(Survey.objects.filter(diagnostic=ctx.d).order_by("pk")):
        if UNANSWERED.get(plan.key) in (survey.role, "both"):
            continue

        def answer(s: Survey = survey, a: Answer = ANSWERS[picks[n % 2]]) -> None:
            usefulness, accuracy, team, impact, comments, more = a
            answer_survey(
                s,
                usefulness=usefulness,
                accuracy=accuracy,
                team_quality=team,
                impact=impact,
                comments=comments,
                further_support=bool(more),
                further_support_what=more,
            )

        events.append(
            Event(add_working_days(tl.surveys, 1 + 2 * n), f"{10 + 3 * n}:{17 + 11 * n}", answer)
        )

    # The daily retention job, on the destroy-by date (30 days after issue; decision 9).
    issued = ctx.d.written_feedback_issued_on
    assert issued is not None, f"{plan.key}: the written feedback is not issued"
    destroy_on = issued + timedelta(days=DESTROY_AFTER_ISSUE_DAYS)
    reason = f"destroy-by date {destroy_on}"

    def retention() -> None:
        review = CaseReview.objects.filter(diagnostic=ctx.d).first()
        if review is not None:
            destroy_case_content(review, by=None, reason=reason)
        destroy_notes(ctx.d, by=None, reason=reason)

    events.append(Event(destroy_on, "06:00", retention))

    # The PCM talks with the sponsor, then records what was agreed.
    contacted = add_working_days(tl.outcome, -2)
    pick = OUTCOME_FOR.get(plan.key, content.rng(plan, "outcome").randrange(len(OUTCOMES)))
    decided = OUTCOMES[pick]

    def outcome() -> None:
        record_outcome(
            ctx.d,
            by=ctx.pcm,
            contacted_on=contacted,
            further_support=decided,
            version=NO_OUTCOME_YET,
        )

    events.append(Event(tl.outcome, "11:40", outcome))
    _run(ctx, events)
