"""Demo data for the delivery week: a full, published timetable for the diagnostic in delivery.

Registered as a demo step (see diagnostics/demo.py); safe to run again. The week is solved by
the real scheduler and published through the real domain functions, without e-mails.
"""

from __future__ import annotations

from datetime import date, time

from django.db import transaction

from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.timetable.solver import solution_to_dict, solve

from .domain.placements import apply_solution
from .domain.problem import problem_for
from .domain.versions import publish
from .domain.week import seed_fixed_meetings
from .enums import Priority, SessionStatus, SessionType
from .models import Attendee, Availability, Session, TimetableVersion

DEMO_TITLE = "Management oversight of practice"

# (group, how many people, job title)
GROUPS: tuple[tuple[str, int, str], ...] = (
    ("Council leadership", 3, "Assistant Director"),
    ("Senior and middle managers", 6, "Head of Service"),
    ("Team managers and practice supervisors", 6, "Team Manager"),
    ("Frontline practitioners", 10, "Social Worker"),
    ("Quality assurance and performance", 3, "Quality Assurance Lead"),
    ("Partners", 6, "Partner agency lead"),
    ("Children, young people and families", 4, "Member of the Children in Care Council"),
)
FIRST = [
    "Amira",
    "Aziz",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hari",
    "Isla",
    "Jack",
    "Kemi",
    "Leo",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vic",
    "Wes",
    "Yara",
    "Zoe",
    "Alex",
    "Bea",
    "Cal",
    "Dina",
    "Eli",
    "Faye",
    "Gus",
    "Hana",
    "Ivo",
    "Jade",
    "Kai",
    "Lola",
]
LAST = [
    "Abbott",
    "Baker",
    "Carter",
    "Dunn",
    "Evans",
    "Fox",
    "Green",
    "Hughes",
    "Irwin",
    "Jones",
    "Khan",
    "Lewis",
    "Moore",
    "Nash",
    "Owen",
    "Patel",
    "Quinn",
    "Reid",
    "Shaw",
    "Turner",
    "Usman",
    "Vance",
    "Walsh",
    "Young",
]


# The young people have surnames no adult in the demo shares, so a search for their names in
# what leaves the service (tests/timetable/test_no_child_names_leave.py) finds only them.
YOUNG_NAMES = ("Ivo Pemberton", "Jade Lindqvist", "Kai Marchetti", "Lola Achterberg")

# What the organiser says about the Children in Care Council session: the group, never names.
YOUNG_SESSION_NOTES = (
    "Four members of the Children in Care Council, aged 13 to 17, with their participation "
    "worker. They chose to take part and consent is recorded."
)


def _attendees(d: Diagnostic) -> dict[str, list[Attendee]]:
    out: dict[str, list[Attendee]] = {}
    n = 0
    for group, count, job in GROUPS:
        for _ in range(count):
            young = group.startswith("Children")
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
            if young:
                name = YOUNG_NAMES[len(out.get(group, [])) % len(YOUNG_NAMES)]
            a = Attendee.objects.create(
                diagnostic=d,
                name=name,
                job_title=job,
                email="" if young else f"{name.lower().replace(' ', '.')}@kent.example",
                group=group,
                young_person=young,
            )
            out.setdefault(group, []).append(a)
            if n % 4 == 1:  # some people are free only part of the week
                a.availability_given = True
                a.save(update_fields=["availability_given"])
                for day in (1, 2, 3, 4, 5):
                    if (day + n) % 3:
                        Availability.objects.create(
                            diagnostic=d,
                            attendee=a,
                            day=day,
                            start=time(9, 0) if day % 2 else time(12, 0),
                            end=time(13, 0) if day % 2 else time(17, 30),
                            available=True,
                        )
            n += 1
    return out


def _session(
    d: Diagnostic,
    title: str,
    kind: str,
    group: str,
    people: list[Attendee],
    kloes: list[Kloe],
    *,
    minutes: int = 60,
    peers: int = 1,
    priority: str = Priority.MUST,
) -> Session:
    s = Session.objects.create(
        diagnostic=d,
        type=kind,
        title=title,
        minutes=minutes,
        priority=priority,
        group=group,
        peers_needed=peers,
    )
    s.attendees.set(people)
    s.kloes.set(kloes)
    return s


def _sessions(d: Diagnostic, people: dict[str, list[Attendee]]) -> None:
    kloes = list(d.kloes.order_by("order"))
    k = lambda *i: [kloes[j % len(kloes)] for j in i]  # noqa: E731
    lead = people["Council leadership"]
    for a in lead:
        _session(
            d,
            f"Interview: {a.name}, {a.job_title}",
            SessionType.INTERVIEW,
            a.group,
            [a],
            k(0, 1, 2),
            peers=2,
        )
    for i, a in enumerate(people["Senior and middle managers"]):
        _session(d, f"Interview: {a.name}", SessionType.INTERVIEW, a.group, [a], k(i, i + 1))
    tms = people["Team managers and practice supervisors"]
    for i in range(0, len(tms), 2):
        _session(
            d,
            f"Team managers conversation {i // 2 + 1}",
            SessionType.INTERVIEW,
            tms[i].group,
            tms[i : i + 2],
            k(i, i + 2),
        )
    for i, a in enumerate(tms):
        _session(
            d,
            f"Practice supervision walk-through with {a.name}",
            SessionType.INTERVIEW,
            a.group,
            [a],
            k(i + 1),
            minutes=45,
            priority=Priority.SHOULD,
        )
    sw = people["Frontline practitioners"]
    for i in range(0, len(sw), 5):
        _session(
            d,
            f"Social workers focus group {i // 5 + 1}",
            SessionType.FOCUS_GROUP,
            sw[i].group,
            sw[i : i + 5],
            k(0, 1, 2),
            minutes=90,
            peers=2,
        )
    for i, a in enumerate(sw[:6]):
        _session(
            d,
            f"Case discussion with {a.name}",
            SessionType.INTERVIEW,
            a.group,
            [a],
            k(i),
            minutes=45,
            priority=Priority.SHOULD,
        )
    qa = people["Quality assurance and performance"]
    _session(
        d, "Quality assurance and performance", SessionType.FOCUS_GROUP, qa[0].group, qa, k(1, 2)
    )
    partners = people["Partners"]
    for i in range(0, len(partners), 3):
        _session(
            d,
            f"Partners focus group {i // 3 + 1}",
            SessionType.FOCUS_GROUP,
            partners[i].group,
            partners[i : i + 3],
            k(0, 2),
            peers=2,
        )
    young = people["Children, young people and families"]
    s = _session(
        d, "Children in Care Council", SessionType.FOCUS_GROUP, young[0].group, young, k(1), peers=2
    )
    s.young_people = True
    s.supporting_adult = "Participation worker, Children in Care Council"
    s.consent_recorded_on = d.day1
    s.notes = YOUNG_SESSION_NOTES
    s.save(update_fields=["young_people", "supporting_adult", "consent_recorded_on", "notes"])


def build_demo_week(d: Diagnostic, today: date, *, seconds: float = 4.0) -> TimetableVersion:
    """Give `d` a solved, linked and published week (the demo in delivery)."""
    with transaction.atomic():
        for m in d.team.filter(role=TeamRole.CASE_AUDITOR)[:1]:
            m.continues_to_delivery = True
            m.save(update_fields=["continues_to_delivery"])
        seed_fixed_meetings(d, by=None)
        _sessions(d, _attendees(d))
        result = solve(problem_for(d, with_previous=False), time_limit=seconds, workers=2)
        apply_solution(d, solution_to_dict(result.solution), by=None, summary="Demo week solved")
        for s in Session.objects.filter(diagnostic=d):
            s.platform_link = f"https://teams.microsoft.com/l/meetup-join/demo-{s.code}"
            s.save(update_fields=["platform_link"])
        version = publish(d, by=None, note="Demo week", notify=False)
        dates = {n: day for n, day in enumerate(sorted(version.snapshot["days"].values()), 1)}
        past = [n for n, day in dates.items() if date.fromisoformat(day) < today]
        Session.objects.filter(
            diagnostic=d, type__in=[SessionType.KIT, SessionType.PEER_TEAM], day__in=past
        ).update(status=SessionStatus.HELD)
    return version


def load(today: date) -> None:
    d = Diagnostic.objects.filter(title=DEMO_TITLE, stage=Stage.DELIVERY).first()
    if d is None or d.day1 is None or TimetableVersion.objects.filter(diagnostic=d).exists():
        return
    build_demo_week(d, today)
