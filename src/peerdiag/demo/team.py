"""The peer team for a demo diagnostic, chosen as a PCM would from the team builder's ranking."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.directory.models import Person

from .cast import FITS, KEPT_FOR, SOCIAL_CARE
from .context import Ctx
from .plans import planned

# Each plan's delivery week (first to last day), by the day the demo is loaded for.
_WINDOWS: dict[date, dict[str, tuple[date, date]]] = {}


def pick_team(ctx: Ctx) -> list[tuple[Person, str]]:
    """The peers for `ctx.d`, each with a role, lead peer first (the PCM is named apart).

    Chosen as a PCM would from the team builder's ranking on the day the team is named:
    a lead peer, two or three operational managers, and two case auditors when case
    records are reviewed. Nobody is chosen whose delivery week on another diagnostic
    overlaps this one's, and the demo accounts go where demo users expect them (KEPT_FOR).
    """
    from peerdiag.diagnostics.domain.team_builder import suggest_peers

    today = timezone.localdate()
    busy = _busy(ctx)
    chosen: set[int] = set()
    team: list[tuple[Person, str]] = []

    def take(role: str, n: int) -> None:
        found = suggest_peers(ctx.d, role, today=today, limit=200)
        # A PCM looks first at peers whose expertise fits the lines of enquiry or the type.
        fits = [s for s in found if any(r.startswith(FITS) for r in s.reasons)]
        ranked = [s.person for s in fits + [s for s in found if s not in fits]]
        if role == TeamRole.CASE_AUDITOR:
            ranked = [p for p in ranked if _social_care(p)]
        kept = [
            ctx.cast.accounts[e]
            for e, (r, keys) in KEPT_FOR.items()
            if r == role and ctx.plan.key in keys
        ]
        order = [p for p in kept if p in ranked] + [p for p in ranked if p not in kept]
        got = 0
        for person in order:
            if got == n:
                break
            if person.pk in busy or person.pk in chosen:
                continue
            chosen.add(person.pk)
            team.append((person, role))
            got += 1

    take(TeamRole.LEAD_PEER, 1)
    take(TeamRole.OPERATIONAL_MANAGER, 2 + ctx.plan.seed % 2)
    if ctx.plan.case_review:
        take(TeamRole.CASE_AUDITOR, 2)
    return team


def _window(day1: date) -> tuple[date, date]:
    days = delivery_days(day1)
    return days[0], days[-1]


def _busy(ctx: Ctx) -> set[int]:
    """Ids of people who cannot join `ctx.d`: on another diagnostic whose delivery week
    overlaps this one, or a demo account kept for a clashing plan."""
    from peerdiag.diagnostics.models import TeamMember

    start, end = _window(ctx.plan.day1)

    def clashes(day1: date) -> bool:
        other_start, other_end = _window(day1)
        return other_start <= end and start <= other_end

    busy = {
        person_id
        for person_id, day1 in TeamMember.objects.exclude(diagnostic=ctx.d)
        .exclude(role=TeamRole.PEER_CHALLENGE_MANAGER)
        .filter(diagnostic__day1__isnull=False)
        .values_list("person_id", "diagnostic__day1")
        if day1 is not None and clashes(day1)
    }
    today = timezone.localtime(ctx.cutoff).date()
    if today not in _WINDOWS:
        _WINDOWS[today] = {p.key: _window(p.day1) for p in planned(today)}
    windows = _WINDOWS[today]
    for email, (_role, keys) in KEPT_FOR.items():
        mine = ctx.plan.key in keys
        ahead = keys[: keys.index(ctx.plan.key)] if mine else keys
        for key in ahead:
            window = windows.get(key)
            if window and key != ctx.plan.key and clashes(window[0]):
                busy.add(ctx.cast.accounts[email].pk)
    return busy


def _social_care(person: Person) -> bool:
    """Whether the peer comes from children's social care (only they audit case records)."""
    return any(e.area in SOCIAL_CARE for e in person.peer_profile.expertise.all())
