"""Benchmark for the timetable scheduler (not a test).

    .venv/bin/python bench/scheduler.py                      # every instance, 2 workers
    .venv/bin/python bench/scheduler.py -i week45 -i replan45 --workers 2
    .venv/bin/python bench/scheduler.py --write-problems var/bench   # just the JSON files
    .venv/bin/python bench/scheduler.py -i week90 --slow 5   # a busy machine: same work, 5x clock

Each instance is generated deterministically, written to a JSON file, and solved in a fresh
Python process so that the times include interpreter start-up, imports, reading and
validating the file and building the model: "from process start". A greedy first-fit
baseline is run on the same instance for comparison.

The generator builds realistic delivery weeks: a peer team (lead peer, operational manager,
peer challenge manager, case auditors, further officer peers), council staff in groups
(senior leaders and elected members with narrow availability, partners who can come on one
or two days, young people after school, foster carers during school hours, front-line
staff with court and visits blocked out), focus groups of 4-10 people from one group,
interviews, case discussions, and the fixed meetings of the week: the opening presentation,
the daily peer team meeting, the daily keeping-in-touch (KIT) meeting with the sponsor and
the closing feedback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PROBLEM_FORMAT = "peer-diagnostic-timetable/1"
FIRST_DAY = dt.date(2027, 3, 1)  # a Monday


@dataclass(frozen=True)
class Spec:
    name: str
    sessions: int  # interviews, focus groups and case discussions; fixed meetings come on top
    peers: int
    people: int
    days: int = 5
    seed: int = 1
    time_limit: float = 60.0
    note: str = ""
    # Everyone (peers and council people) available all day every day, and no session tied
    # to given days: the demo's "All week" case, where the balanced optimum is easy to
    # reason about (a busiest day close to the week's total over the number of days).
    all_week: bool = False


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec("week20", 20, 5, 60, note="small week"),
        Spec("week45", 45, 6, 140, note="target: every level proven within 5 s"),
        Spec(
            "week90",
            90,
            7,
            300,
            note="target: weight proven within 15 s, day_peak within 5% of its bound at 60 s",
        ),
        Spec(
            "allweek45",
            45,
            6,
            140,
            all_week=True,
            note="week45's shape with everyone available all week; "
            "target: busiest day within 5% of the total over the days",
        ),
        Spec("stress200", 200, 10, 600, days=10, note="target: weight proven within 30 s"),
        Spec(
            "tight90",
            90,
            6,
            300,
            note="week90 with one peer fewer, so not everything fits; "
            "target: within 0.5% of the bound in 60 s",
        ),
        Spec(
            "tight60",
            60,
            4,
            180,
            note="a harsher over-full week (4 peers for 60 sessions); no target",
        ),
    )
}
REPLAN = "replan45"  # week45 re-planned after a peer loses an afternoon

_FIRST_NAMES = (
    "Amara Ben Chloe Dev Ellis Farah Gareth Hana Imran Jo Kemi Liam Maya Niall Olu Priya "
    "Quinn Rosa Sam Tariq Una Vik Wren Yusuf Zoe Aled Bea Cai Dina Ewan Fern Gus Holly Ivo "
    "Jess Kai Lena Mo Nina Oren Pia Raj Sian Theo Uma Vera Will Xan Yara Zak"
)
_SURNAMES = (
    "Adams Baker Clarke Davies Evans Foster Green Hughes Iqbal Jones Khan Lewis Morgan "
    "Nolan Owen Patel Quinn Rees Shah Taylor Usman Vaughan Walsh Young Ahmed Bell Carter "
    "Doyle Ellis Fry Grant Hall Islam Jay Kerr Lowe Mills Nash Oakes Price Reid Stone"
)
FIRST_NAMES = _FIRST_NAMES.split()
SURNAMES = _SURNAMES.split()

# (group, share of people, availability pattern, usual session kinds)
GROUPS: tuple[tuple[str, float, str], ...] = (
    ("Senior leadership", 0.05, "senior"),
    ("Elected members", 0.03, "senior"),
    ("Social workers: assessment", 0.12, "staff"),
    ("Social workers: children in need", 0.12, "staff"),
    ("Social workers: children in care", 0.10, "staff"),
    ("Team managers", 0.08, "staff"),
    ("Early help", 0.08, "staff"),
    ("Independent reviewing officers", 0.05, "staff"),
    ("Partners: police", 0.04, "partner"),
    ("Partners: health", 0.05, "partner"),
    ("Partners: schools", 0.06, "partner"),
    ("Foster carers", 0.06, "carer"),
    ("Children in care council", 0.08, "young"),
    ("Care leavers", 0.08, "young"),
)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def week_days(n: int) -> list[str]:
    out: list[str] = []
    day = FIRST_DAY
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def generate(spec: Spec) -> dict[str, Any]:
    """A realistic delivery week as a problem document."""
    rng = random.Random(f"{spec.name}/{spec.seed}")
    days = week_days(spec.days)
    day_start, day_end = 9 * 60, 17 * 60 + 30
    names: set[str] = set()

    def name() -> str:
        while True:
            n = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            if n not in names:
                names.add(n)
                return n

    # -- the peer team ----------------------------------------------------------------
    roles = ["lead_peer", "operational_manager", "peer_challenge_manager"]
    extra = ["case_auditor", "case_auditor", "lead_peer"]  # officer peers use lead_peer
    while len(roles) < spec.peers:
        roles.append(extra[(len(roles) - 3) % len(extra)])
    peers: list[dict[str, Any]] = []
    for i, role in enumerate(roles):
        peer: dict[str, Any] = {
            "id": f"p{i + 1}",
            "name": name(),
            "side": "peer",
            "role": role,
            "max_sessions_per_day": 6,
        }
        if i >= 2 and not spec.all_week and rng.random() < 0.5:
            # Travel, or another commitment: half a day away.
            day = rng.choice(days)
            morning = rng.random() < 0.5
            peer["unavailable"] = [
                {
                    "day": day,
                    "start": hhmm(day_start) if morning else "13:00",
                    "end": "12:30" if morning else hhmm(day_end),
                }
            ]
        peers.append(peer)
    lead, om = peers[0]["id"], peers[1]["id"]
    auditors = [p["id"] for p in peers if p["role"] == "case_auditor"]
    senior_peers = [p["id"] for p in peers if p["role"] != "case_auditor"]

    # -- council people ------------------------------------------------------------------
    people: list[dict[str, Any]] = []
    by_group: dict[str, list[str]] = {}
    kit_times = [(d, 16 * 60 + 30) for d in days[:-1]]
    counts = [max(2, round(share * spec.people)) for _, share, _ in GROUPS]
    counts[2] += spec.people - sum(counts)  # the remainder are assessment social workers
    for (group, _share, pattern), count in zip(GROUPS, counts, strict=True):
        # Groups that come in (partners, young people, carers) have days that suit them,
        # and senior leaders have a slot or two in the week kept for the diagnostic.
        group_days = rng.sample(days, min(len(days), rng.randint(2, 3)))
        shared = [
            (rng.choice(days), rng.choice([10 * 60, 11 * 60, 14 * 60, 15 * 60]))
            for _ in range(max(2, len(days) // 2))
        ]
        for _ in range(count):
            pid = f"c{len(people) + 1}"
            person: dict[str, Any] = {
                "id": pid,
                "name": name(),
                "side": "council",
                "group": group,
            }
            if not spec.all_week:
                person.update(
                    _availability(rng, pattern, days, group_days, shared, day_start, day_end)
                )
            people.append(person)
            by_group.setdefault(group, []).append(pid)
    # The sponsor (the director) must be free for the fixed meetings; senior leaders for
    # the opening and the feedback.
    sponsor = by_group["Senior leadership"][0]
    senior_team = by_group["Senior leadership"][:3]
    for person in [] if spec.all_week else people:
        if person["id"] in senior_team:
            windows = person.setdefault("available", [])
            windows.append({"day": days[0], "start": "09:00", "end": "10:30"})
            windows.append({"day": days[-1], "start": "14:00", "end": "15:30"})
        if person["id"] == sponsor:
            for d, t in kit_times:
                person["available"].append({"day": d, "start": hhmm(t), "end": hhmm(t + 30)})

    # -- fixed meetings ------------------------------------------------------------------
    all_peers = [p["id"] for p in peers]
    sessions: list[dict[str, Any]] = []

    def add(**fields: Any) -> None:
        base: dict[str, Any] = {
            "required_peers": [],
            "eligible_peers": None,
            "days": None,
            "fixed": None,
        }
        base.update(fields)
        sessions.append(base)

    add(
        id="opening",
        title="Opening presentation by the council",
        kind="meeting",
        minutes=90,
        attendees=senior_team,
        peers_needed=len(all_peers),
        required_peers=all_peers,
        priority="must",
        fixed={"day": days[0], "start": "09:00"},
    )
    for i, d in enumerate(days):
        add(
            id=f"team{i + 1}",
            title=f"Peer team meeting, day {i + 1}",
            kind="meeting",
            minutes=30,
            attendees=[],
            peers_needed=len(all_peers),
            required_peers=all_peers,
            priority="must",
            fixed={"day": d, "start": "10:45" if i == 0 else "09:00"},
        )
    for i, (d, t) in enumerate(kit_times):
        add(
            id=f"kit{i + 1}",
            title=f"Keeping in touch with the sponsor, day {i + 1}",
            kind="meeting",
            minutes=30,
            attendees=[sponsor],
            peers_needed=2,
            required_peers=[lead, om],
            priority="must",
            fixed={"day": d, "start": hhmm(t)},
        )
    add(
        id="feedback",
        title="Feedback to the council",
        kind="meeting",
        minutes=90,
        attendees=senior_team,
        peers_needed=len(all_peers),
        required_peers=all_peers,
        priority="must",
        fixed={"day": days[-1], "start": "14:00"},
    )

    # -- interviews, focus groups and case discussions ------------------------------------
    groups = list(by_group)
    weights = [share for _, share, _ in GROUPS]
    for i in range(spec.sessions):
        sid = f"s{i + 1}"
        roll = rng.random()
        priority = "must" if roll < 0.5 else "should" if roll < 0.85 else "could"
        kind_roll = rng.random()
        session: dict[str, Any]
        if kind_roll < 0.35:
            group = rng.choices(groups, weights=weights)[0]
            size = min(len(by_group[group]), rng.randint(4, 10))
            session = {
                "title": f"Focus group: {group.lower()}",
                "kind": "focus_group",
                "minutes": rng.choice([60, 90, 90]),
                "attendees": rng.sample(by_group[group], size),
                "peers_needed": 2,
            }
        elif kind_roll < 0.5 and auditors:
            group = rng.choice(groups[2:5])
            who = rng.choice(by_group[group])
            who_name = next(p["name"] for p in people if p["id"] == who)
            session = {
                "title": f"Case discussion with {who_name}",
                "kind": "interview",
                "minutes": 60,
                "attendees": [who],
                "peers_needed": 1,
                "eligible_peers": auditors,
            }
        else:
            group = rng.choices(groups, weights=weights)[0]
            size = min(len(by_group[group]), rng.choice([1, 1, 1, 2, 2, 3]))
            attendees = rng.sample(by_group[group], size)
            session = {
                "title": f"Interview: {group.lower()}",
                "kind": "interview",
                "minutes": rng.choice([45, 60, 60, 90]),
                "attendees": attendees,
                "peers_needed": rng.choice([1, 2, 2]),
            }
            if group in ("Senior leadership", "Elected members"):
                session["required_peers"] = [lead]
                session["peers_needed"] = 2
            elif group.startswith("Partners"):
                session["eligible_peers"] = senior_peers
            if group == "Partners: schools" and not spec.all_week and rng.random() < 0.6:
                session["days"] = rng.sample(days, min(2, len(days)))
        add(id=sid, priority=priority, **session)

    return {
        "format": PROBLEM_FORMAT,
        "week": {
            "days": days,
            "day_start": hhmm(day_start),
            "day_end": hhmm(day_end),
            "slot_minutes": 15,
            "lunch": {"earliest": "12:00", "latest": "14:00", "minutes": 30},
        },
        "rules": {"peer_buffer_minutes": 15},
        "people": peers + people,
        "sessions": sessions,
    }


def _availability(
    rng: random.Random,
    pattern: str,
    days: list[str],
    group_days: list[str],
    shared: list[tuple[str, int]],
    day_start: int,
    day_end: int,
) -> dict[str, Any]:
    def window(day: str, start: int, minutes: int) -> dict[str, str]:
        return {"day": day, "start": hhmm(start), "end": hhmm(min(day_end, start + minutes))}

    def some(chosen: list[str]) -> list[str]:
        # Most people can make every one of their group's days; some miss one.
        if len(chosen) > 1 and rng.random() < 0.3:
            return [d for d in chosen if d != rng.choice(chosen)]
        return chosen

    slots = list(range(day_start, day_end - 60 + 1, 30))
    if pattern == "senior":
        # Diaries full: the slots kept for the diagnostic, and a few gaps of their own.
        own = [
            window(rng.choice(days), rng.choice(slots), rng.choice([60, 90, 120]))
            for _ in range(rng.randint(2, 4))
        ]
        kept = [window(d, t, 120) for d, t in shared if rng.random() < 0.8]
        return {"available": kept + own}
    if pattern == "partner":
        # Can come on the days their agency set aside.
        return {"available": [window(d, day_start, day_end - day_start) for d in some(group_days)]}
    if pattern == "young":
        # After school or college.
        return {"available": [window(d, 15 * 60 + 30, 120) for d in some(group_days)]}
    if pattern == "carer":
        # During school hours.
        return {"available": [window(d, 9 * 60 + 30, 300) for d in some(group_days)]}
    # Front-line staff: available, with court, visits and the like blocked out.
    blocks = [
        window(rng.choice(days), rng.choice(slots), rng.choice([60, 120, 180]))
        for _ in range(rng.randint(0, 3))
    ]
    return {"unavailable": blocks} if blocks else {}


# ---------------------------------------------------------------------------------------
# Running


def replan_problem(problem: dict[str, Any], solution: dict[str, Any]) -> dict[str, Any]:
    """The same week after a peer loses an afternoon; ``previous`` is the old timetable.

    The peer chosen is the one with the most session minutes in any single afternoon,
    so that the re-plan has real work to do.
    """
    doc = json.loads(json.dumps(problem))
    doc["previous"] = [
        {"session": a["session"], "day": a["day"], "start": a["start"], "peers": a["peers"]}
        for a in solution["assignments"]
    ]
    fixed = {s["id"] for s in problem["sessions"] if s["fixed"] is not None}
    load: dict[tuple[str, str], int] = {}
    for a in solution["assignments"]:
        if a["session"] in fixed or a["start"] < "13:00":
            continue
        for pid in a["peers"]:
            load[(pid, a["day"])] = load.get((pid, a["day"]), 0) + 1
    (peer, day), _ = max(load.items(), key=lambda kv: (kv[1], kv[0]))
    for person in doc["people"]:
        if person["id"] == peer:
            person.setdefault("unavailable", []).append(
                {"day": day, "start": "13:00", "end": doc["week"]["day_end"]}
            )
    doc["_replan"] = {"peer": peer, "day": day}
    return doc


def child(
    problem_path: str, time_limit: float, workers: int, epoch: float, out: str, slow: float = 1.0
) -> None:
    """Solve one instance in this (fresh) process and write figures as JSON to ``out``.

    ``slow`` above 1 stretches the wall clock by that factor while keeping the work budget
    of ``time_limit``: on a busy machine the search then does the same work as on a quiet
    one (and finds the same results, since runs are repeatable), only more slowly.
    """
    if slow != 1.0:
        from peerdiag.timetable.solver import cpsat

        cpsat.WORK_PER_SECOND /= slow
        time_limit *= slow

    def clock() -> float:
        return time.time() - epoch

    from peerdiag.timetable.solver import check_solution, greedy_solution, load_problem, solve
    from peerdiag.timetable.solver.io import solution_to_dict

    problem = load_problem(problem_path)
    read_at = clock()
    lines: list[str] = []
    result = solve(
        problem, time_limit=time_limit, workers=workers, clock=clock, progress=lines.append
    )
    done_at = clock()
    report = check_solution(problem, result.solution)
    started = time.perf_counter()
    baseline = greedy_solution(problem)
    greedy_seconds = time.perf_counter() - started
    base_report = check_solution(problem, baseline)
    stats = result.stats
    figures = {
        "read_at": read_at,
        "done_at": done_at,
        "valid": report.valid,
        "violations": [str(v) for v in report.violations][:5],
        "quality": report.quality.__dict__,
        "first_solution": stats.first_solution,
        "best_weight_at": stats.best_weight_at,
        "model_built_at": stats.model_built_at,
        "variables": stats.variables,
        "constraints": stats.constraints,
        "stages": [s.__dict__ for s in stats.stages],
        "repeatable": stats.repeatable,
        "greedy": {
            "valid": base_report.valid,
            "quality": base_report.quality.__dict__,
            "seconds": greedy_seconds,
        },
        "solution": solution_to_dict(result.solution),
        "log": lines,
    }
    Path(out).write_text(json.dumps(figures), encoding="utf-8")


def run_instance(
    problem_path: Path, time_limit: float, workers: int, workdir: Path, slow: float = 1.0
) -> dict[str, Any]:
    out = workdir / (problem_path.stem + ".result.json")
    script = Path(__file__).resolve()
    epoch = time.time()
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(script),
            "--child",
            str(problem_path),
            "--time-limit",
            str(time_limit),
            "--workers",
            str(workers),
            "--slow",
            repr(slow),
            "--epoch",
            repr(epoch),
            "--result",
            str(out),
        ],
        check=True,
    )
    wall = time.time() - epoch
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    figures["process_wall"] = wall
    return figures


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def weight_gap(f: dict[str, Any]) -> tuple[int, float]:
    """The solver's final bound on the weight and the gap to it, in per cent."""
    w = next(s for s in f["stages"] if s["name"] == "weight")
    bound = w["bound"] if w["bound"] is not None else w["value"]
    weight = f["quality"]["weight"]
    return bound, (0.0 if not bound else max(0.0, (bound - weight) / bound * 100))


def target(name: str, f: dict[str, Any]) -> str:
    """Whether the instance met its target from the issue, with the figure that decides."""
    stages = {s["name"]: s for s in f["stages"]}

    def proved(*names: str) -> float | None:
        times = [stages[n]["proved_at"] for n in names if n in stages]
        return None if None in times else max(times)

    def within(seconds: float | None, limit: float, what: str) -> str:
        if seconds is None:
            return f"NOT MET: {what} not proven"
        verdict = "met" if seconds <= limit else "NOT MET"
        return f"{verdict}: {what} proven at {seconds:.2f}s (target {limit:g}s)"

    if name == "week45":
        return within(proved(*stages), 5, "every level")
    if name == "week90":
        first = within(proved("weight"), 15, "weight")
        _, _, gap = day_peak_gap(f)
        verdict = "met" if gap <= 5 else "NOT MET"
        return f"{first}; {verdict}: day_peak {gap:.1f}% above its bound (target 5% at 60s)"
    if name == "stress200":
        return within(proved("weight"), 30, "weight")
    if name == "allweek45":
        ratio = f["quality"]["day_peak"] / max(1, average_day(f))
        verdict = "met" if ratio <= 1.05 else "NOT MET"
        return f"{verdict}: busiest day {ratio:.3f} x the average day (target 1.05)"
    if name == REPLAN:
        return within(proved("weight", "changes"), 3, "weight and fewest changes")
    if name == "tight90":
        _, gap = weight_gap(f)
        verdict = "met" if gap <= 0.5 else "NOT MET"
        return f"{verdict}: gap {gap:.2f}% at {f['done_at']:.1f}s (target 0.5% in 60s)"
    return "no target"


def average_day(f: dict[str, Any]) -> float:
    days = f["quality"]["day_minutes"]
    return sum(minutes for _, minutes in days) / max(1, len(days))


def day_peak_gap(f: dict[str, Any]) -> tuple[int, int, float]:
    """The busiest day's peer-minutes, the solver's proven bound on it and the gap in %."""
    peak = f["quality"]["day_peak"]
    stage = next((s for s in f["stages"] if s["name"] == "day_peak"), None)
    bound = peak if stage is None or stage["bound"] is None else stage["bound"]
    return peak, bound, (0.0 if not bound else max(0.0, (peak - bound) / bound * 100))


def day_note(f: dict[str, Any]) -> str:
    """The week's shape: busiest day, its bound, and how it compares with the average day."""
    peak, bound, gap = day_peak_gap(f)
    average = average_day(f)
    days = ", ".join(f"{minutes}" for _, minutes in f["quality"]["day_minutes"])
    return (
        f"day_peak {peak} (bound {bound}, gap {gap:.1f}%), "
        f"{peak / max(1.0, average):.2f} x the average day; peer-minutes by day: {days}"
    )


def fairness_note(f: dict[str, Any]) -> str:
    q = f["quality"]
    fair = next(s for s in f["stages"] if s["name"] == "fairness")
    if q["fairness"] <= 30:
        return f"fairness {q['fairness']} min: within 30"
    if fair["status"] == "optimal":
        return f"fairness {q['fairness']} min: the problem allows no better (proven)"
    return f"fairness {q['fairness']} min: NOT within 30 (bound {fair['bound']})"


def summarise(name: str, spec_note: str, f: dict[str, Any]) -> list[str]:
    q = f["quality"]
    g = f["greedy"]["quality"]
    bound, gap = weight_gap(f)
    lines = [
        f"{name}: {q['sessions']} sessions ({spec_note})",
        f"  solver : weight {q['weight']}/{q['max_weight']} (bound {bound}, gap {gap:.2f}%), "
        f"musts {q['musts_placed']}/{q['musts_total']}, day_peak {q['day_peak']}, "
        f"fairness {q['fairness']} min"
        + (f", changes {q['changes']}" if q["changes"] is not None else "")
        + f", valid={f['valid']}, repeatable={f['repeatable']}",
        f"  greedy : weight {g['weight']}/{g['max_weight']}, musts {g['musts_placed']}/"
        f"{g['musts_total']}, day_peak {g['day_peak']}, fairness {g['fairness']} min"
        + (f", changes {g['changes']}" if g["changes"] is not None else "")
        + f", valid={f['greedy']['valid']}, {f['greedy']['seconds']:.2f}s",
        f"  times from process start: read {_fmt(f['read_at'])}s, model built "
        f"{_fmt(f['model_built_at'])}s, first solution {_fmt(f['first_solution'])}s, "
        f"best weight {_fmt(f['best_weight_at'])}s, done {_fmt(f['done_at'])}s, "
        f"process exit {_fmt(f['process_wall'])}s",
    ]
    for s in f["stages"]:
        lines.append(
            f"  {s['name']:8}: {s['value']} ({s['status']}"
            + (f" at {s['proved_at']:.2f}s" if s["proved_at"] is not None else "")
            + f", bound {s['bound']}, {s['seconds']:.2f}s and {s['work']:.2f} work units)"
        )
    lines.append(f"  days   : {day_note(f)}")
    lines.append(f"  model: {f['variables']} variables, {f['constraints']} constraints")
    lines.append(f"  target: {target(name, f)}; {fairness_note(f)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    choices = [*SPECS, REPLAN]
    parser.add_argument("-i", "--instance", action="append", choices=choices)
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--slow",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="on a busy machine: allow FACTOR times the wall clock for the same work budget "
        "(results then match a quiet machine's; times do not)",
    )
    parser.add_argument("--seed", type=int, default=None, help="generate with this seed")
    parser.add_argument("--write-problems", metavar="DIR", help="write the problems and stop")
    parser.add_argument("--keep", metavar="DIR", help="keep problems and results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--epoch", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.time_limit, args.workers, args.epoch, args.result, args.slow)
        return 0

    def spec(name: str) -> Spec:
        found = SPECS[name]
        return found if args.seed is None else replace(found, seed=args.seed)

    names = args.instance or choices
    if args.write_problems:
        target_dir = Path(args.write_problems)
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            if name in SPECS:
                path = target_dir / f"{name}.json"
                path.write_text(json.dumps(generate(spec(name)), indent=1), encoding="utf-8")
                print(path)
        return 0

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="peerdiag-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    seed = "" if args.seed is None else f", seed {args.seed}"
    print(f"{os.cpu_count()} CPUs, {args.workers} workers{seed}, results in {workdir}", flush=True)
    for name in names:
        if name == REPLAN:
            base = spec("week45")
            base_path = workdir / "week45.json"
            base_path.write_text(json.dumps(generate(base)), encoding="utf-8")
            # The published timetable: the full week45 solve.
            first = run_instance(
                base_path, args.time_limit or 60.0, args.workers, workdir, args.slow
            )
            doc = replan_problem(generate(base), first["solution"])
            info = doc.pop("_replan")
            path = workdir / f"{name}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            note = (
                f"week45 re-planned after {info['peer']} loses the afternoon of {info['day']}; "
                "target: within 3 s"
            )
            figures = run_instance(path, args.time_limit or 60.0, args.workers, workdir, args.slow)
        else:
            path = workdir / f"{name}.json"
            path.write_text(json.dumps(generate(spec(name))), encoding="utf-8")
            note = SPECS[name].note
            figures = run_instance(
                path, args.time_limit or SPECS[name].time_limit, args.workers, workdir, args.slow
            )
        print("\n".join(summarise(name, note, figures)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
