"""One diagnostic's walk: every step from the council's request to closing, each at its date.

The walk never writes a stage: it calls `advance` (or `postpone`, `cancel`) at the step's date,
and the gate decides. A gate that refuses is a bug in the demo and stops the load with the
blockers listed. The walk ends at the first step dated on or after the cutoff, so the stage
each diagnostic sits in follows from its plan's dates alone.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile

from peerdiag.common.versioning import UNCHECKED
from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.domain import diagnostics as dd
from peerdiag.diagnostics.domain import kloes as dk
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.stages import GateBlocked, advance, cancel, postpone
from peerdiag.diagnostics.enums import (
    CouncilRoleKind,
    EndorsementStatus,
    EndorserRole,
    Platform,
    Stage,
    TeamRole,
)
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Organisation

from . import after, casereview, content, delivery, documents, week
from .cast import Cast
from .context import Ctx, DemoGateRefused, NotYet, clock_at, moment
from .plans import Plan, cancelled_on, not_suitable_on, postponed_on
from .team import pick_team


def request_title(plan: Plan) -> str:
    from peerdiag.diagnostics.enums import DiagnosticType

    return f"{DiagnosticType(plan.type).label} diagnostic requested by {plan.council}"


def find(plan: Plan) -> Diagnostic | None:
    return Diagnostic.objects.filter(
        host_council__name=plan.council,
        host_council__kind="council",
        title__in=[plan.title, request_title(plan)],
    ).first()


def _move(ctx: Ctx, stage: str, day: date, hhmm: str = "09:00") -> None:
    with ctx.at(day, hhmm):
        try:
            advance(ctx.d, stage, by=ctx.pcm)
        except GateBlocked as e:
            lines = "; ".join(b.message for b in e.blockers)
            if os.environ.get("PEERDIAG_DEMO_PARTIAL"):  # while a step is being written
                print(f"demo: {ctx.plan.key} stops at {ctx.d.stage}: {lines}")
                raise NotYet from e
            raise DemoGateRefused(
                f"{ctx.plan.key}: {Stage(ctx.d.stage).label} → {Stage(stage).label} on {day}: "
                f"{lines}"
            ) from e


def request(plan: Plan, cast: Cast, cutoff: datetime) -> Ctx:
    """The council's sponsor asks for the diagnostic; the LGA names its PCM the next day."""
    from peerdiag.diagnostics.domain.requests import request_diagnostic

    from .timeline import Timeline

    council = Organisation.objects.get(name=plan.council, kind="council")
    people = cast.council(plan.council)
    sponsor, organiser = people["sponsor"], people["organiser"]
    tl = Timeline(plan.day1, plan.turnaround)
    text = content.scoping(plan).concerns
    monday = plan.day1 - timedelta(days=plan.day1.weekday())
    with clock_at(tl.enquiry, "11:20", cutoff=cutoff, what=plan.key):
        req = request_diagnostic(
            council,
            by=cast.user_of(sponsor),
            type=plan.type,
            type_other=plan.type_other,
            concerns=text,
            weeks=[monday, monday + timedelta(weeks=1)],
            sponsor_name=sponsor.full_name,
            sponsor_email=sponsor.email,
            sponsor_job_title=sponsor.job_title,
            organiser_name=organiser.full_name,
            organiser_email=organiser.email,
            organiser_job_title=organiser.job_title,
        )
    ctx = Ctx(d=req.diagnostic, plan=plan, cast=cast, cutoff=cutoff, rng=content.rng(plan))
    with ctx.at(add_working_days(tl.enquiry, 1), "09:40"):
        dp.add_team_member(
            ctx.d, by=cast.admin, person=ctx.plan_pcm, role=TeamRole.PEER_CHALLENGE_MANAGER
        )
        dp.assign_council_role(ctx.d, by=cast.admin, person=sponsor, role=CouncilRoleKind.SPONSOR)
    return ctx


def scoping(ctx: Ctx) -> None:
    tl, plan = ctx.tl, ctx.plan
    meeting = moment(tl.scoping_held, "10:00")
    with ctx.at(tl.scoping_booked, "14:05"):
        dp.record_scoping(ctx.d, by=ctx.pcm, scheduled_for=meeting, version=UNCHECKED)
    _move(ctx, Stage.SCOPING_SCHEDULED, tl.scoping_booked, "14:10")

    if not ctx.due(tl.scoping_held, "12:00"):
        raise NotYet
    people = ctx.cast.council(plan.council)
    notes = content.scoping(plan)
    suitable = plan.stage != Stage.CLOSED_NOT_SUITABLE
    with ctx.at(tl.scoping_held, "12:00"):
        for role in (CouncilRoleKind.ORGANISER, "lead_member", "chief_executive"):
            if role in people:
                dp.assign_council_role(ctx.d, by=ctx.pcm, person=people[role], role=role)
        dd.update_details(
            ctx.d,
            by=ctx.pcm,
            title=plan.title,
            focus_statement=content.focus(plan),
            covid_theme=False,
            case_review_in_scope=plan.case_review,
            online_platform=Platform.TEAMS,
            written_feedback_format="report",
            version=UNCHECKED,
        )
        for theme, text in content.kloes(plan):
            dk.add_kloe(ctx.d, by=ctx.pcm, text=text, theme=theme)
        attendees = [p for p in (people.get("sponsor"), people.get("organiser"), ctx.plan_pcm) if p]
        dp.record_scoping(
            ctx.d,
            by=ctx.pcm,
            scheduled_for=meeting,
            held_on=tl.scoping_held,
            attendees=attendees,
            suitability="suitable" if suitable else "not_suitable",
            suitability_rationale=notes.rationale
            if suitable
            else content.not_suitable_rationale(plan),
            team_requirements=notes.team_requirements,
            background_information=notes.background,
            case_list_names=notes.case_lists,
            version=UNCHECKED,
        )
        _record_endorsements(ctx, EndorsementStatus.PENDING, "Asked for by e-mail after scoping")
    _move(ctx, Stage.SCOPED, tl.scoping_held, "15:30")
    if not suitable:
        _move(ctx, Stage.CLOSED_NOT_SUITABLE, not_suitable_on(tl), "11:00")
        return

    from peerdiag.diagnostics.domain.scope import answer_scope, current_scope

    sponsor = ctx.council_user(CouncilRoleKind.SPONSOR)
    if sponsor is None:
        raise DemoGateRefused(f"{plan.key}: the sponsor has no login to confirm the scope")
    with ctx.at(tl.scope_confirmed, "09:30"):
        answer_scope(
            ctx.d,
            by=sponsor,
            decision="confirmed",
            fingerprint=current_scope(ctx.d).fingerprint,
        )
    with ctx.at(tl.scope_confirmed, "11:00"):
        dd.set_day1(ctx.d, by=ctx.pcm, day1=plan.day1, version=UNCHECKED, today=tl.scope_confirmed)
    _move(ctx, Stage.TEAM_FORMING, tl.team_forming, "10:00")


DEMO_BRIEFING = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_AGREEMENT = (
    "I will use what I see during this diagnostic only for the diagnostic. I will not copy, "
    "keep or share any record about a child or family, and I will tell the peer challenge "
    "manager at once if I think information has been lost or seen by someone it should not be."
)


def team(ctx: Ctx) -> None:
    from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
    from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, sign_agreement
    from peerdiag.diagnostics.domain.conflicts import declare_interests

    tl = ctx.tl
    with ctx.at(tl.team_named, "10:30"):
        for person, role in pick_team(ctx):
            dp.add_team_member(ctx.d, by=ctx.pcm, person=person, role=role)
        if ctx.plan.case_review:
            first = ctx.members(TeamRole.CASE_AUDITOR)[:1]
            for m in first:
                dp.set_continues_to_delivery(m, by=ctx.pcm, continues=True, version=UNCHECKED)
    if ctx.plan.stage == Stage.CANCELLED:
        with ctx.at(cancelled_on(tl), "16:00"):
            cancel(ctx.d, by=ctx.pcm, reason="The council chose a different kind of support.")
        return
    members = ctx.members(TeamRole.LEAD_PEER, TeamRole.OPERATIONAL_MANAGER, TeamRole.CASE_AUDITOR)
    sponsor = ctx.council_user(CouncilRoleKind.SPONSOR)
    with ctx.at(tl.team_approved, "09:15"):
        for m in members:
            dp.decide_on_peer(m, by=sponsor, decision="approved", version=UNCHECKED)
    for i, m in enumerate(members):
        with ctx.at(tl.team_approved, f"{11 + i % 6}:{10 + i:02d}"):
            declare_interests(
                ctx.d, by=ctx.cast.user_of(m.person), person=m.person, worked_for_host=False
            )
    with ctx.at(tl.briefing_issued, "10:00"):
        briefing = issue_briefing(
            ctx.d,
            by=ctx.pcm,
            file=ContentFile(DEMO_BRIEFING),
            name="peer-team-briefing.pdf",
            version=UNCHECKED,
        )
        agreement = set_confidentiality(
            ctx.d, by=ctx.pcm, required=True, text=DEMO_AGREEMENT, version=UNCHECKED
        )
    # Each peer reads and signs on one of the next four working days, in date order.
    everyone = ctx.members()
    signings = sorted(
        (add_working_days(tl.briefing_issued, 1 + i % 4), f"{9 + i % 8:02d}:{(7 * i) % 60:02d}", i)
        for i in range(len(everyone))
    )
    for day, hhmm, i in signings:
        m = everyone[i]
        if not ctx.due(day, "18:00"):
            raise NotYet
        with ctx.at(day, hhmm):
            by = ctx.cast.user_of(m.person)  # every peer signs in as themselves
            acknowledge_briefing(briefing, by=by, person=m.person)
            if agreement is not None:
                sign_agreement(agreement, by=by, person=m.person, typed_name=m.person.full_name)
    _move(ctx, Stage.PREPARATION, tl.preparation, "09:00")


def endorsements(ctx: Ctx) -> None:
    """The lead member and chief executive say yes, between documents and the timetable."""
    day = add_working_days(ctx.tl.documents_end, 1)
    with ctx.at(day, "12:00"):
        _record_endorsements(
            ctx,
            EndorsementStatus.GIVEN,
            "Confirmed by e-mail to the peer challenge manager",
            given_on=day,
        )


def _record_endorsements(ctx: Ctx, status: str, note: str, given_on: date | None = None) -> None:
    """The PCM records both endorsements (lead member, chief executive) as they stand."""
    for role in EndorserRole:
        dp.record_endorsement(
            ctx.d,
            by=ctx.pcm,
            role=role,
            status=status,
            given_on=given_on,
            note=note,
            version=UNCHECKED,
        )


def walk(ctx: Ctx) -> None:
    """Run every step of `ctx.plan` dated before the cutoff."""
    tl, plan = ctx.tl, ctx.plan
    try:
        scoping(ctx)
        if plan.stage == Stage.CLOSED_NOT_SUITABLE:
            return
        team(ctx)
        if plan.stage == Stage.CANCELLED:
            return
        documents.run(ctx)
        if plan.stage == Stage.POSTPONED:
            with ctx.at(postponed_on(tl), "15:00"):
                postpone(
                    ctx.d,
                    by=ctx.pcm,
                    reason="The council asked to move delivery after a change of director.",
                )
            return
        endorsements(ctx)
        week.prepare(ctx)
        if plan.case_review:
            _move(ctx, Stage.CASE_REVIEW, tl.case_review, "09:00")
            casereview.run(ctx)
        _move(ctx, Stage.READY, tl.ready, "09:00")
        week.confirm(ctx)
        _move(ctx, Stage.DELIVERY, tl.day1, "08:30")
        for n in range(1, 6):
            delivery.day(ctx, n)
            week.hold(ctx, n)
        _move(ctx, Stage.DRAFTING, tl.day(6), "08:30")
        delivery.draft(ctx)
        _move(ctx, Stage.FEEDBACK_GIVEN, tl.day(7), "16:30")
        after.written(ctx)
        _move(ctx, Stage.WRITTEN_FEEDBACK_ISSUED, tl.written_issued, "17:00")
        after.surveys(ctx)
        _move(ctx, Stage.EVALUATION, tl.surveys, "10:00")
        after.close(ctx)
        _move(ctx, Stage.CLOSED, tl.closed, "16:00")
    except NotYet:
        pass
