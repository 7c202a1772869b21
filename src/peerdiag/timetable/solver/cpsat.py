"""The CP-SAT model of a delivery week, solved lexicographically.

This is the only module that touches OR-Tools, and it imports it inside
:func:`optimise`, so importing the solver package stays cheap.

Time is laid out on one axis: minute ``m`` of day number ``d`` is ``d * DAY + m``, with
``DAY`` wide enough that nothing (not even a session stretched by the peer buffer) reaches
from one day into the next. See ``docs/scheduler.md`` for the model in prose.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .availability import Calendar, Options
from .balance import balance, spread_days
from .board import Board
from .check import measure
from .model import MINUTES_PER_DAY, Assignment, Problem, Session

if TYPE_CHECKING:  # pragma: no cover
    from ortools.sat.python import cp_model

DAY = 2 * MINUTES_PER_DAY
SEED = 20270301  # any fixed value; part of what makes runs repeatable
# CP-SAT's deterministic time ("work") allowed per second of the caller's time limit.
# Deterministic time counts operations, not seconds; on the 2-core benchmark machine these
# models run at roughly WORK_PER_SECOND units per wall-clock second or more, so the
# work budget normally runs out before the wall clock does. See docs/scheduler.md.
WORK_PER_SECOND = 0.15

Progress = Callable[[str], None]


@dataclass
class Stage:
    """One level of the lexicographic objective."""

    name: str  # "weight", "changes", "day_peak" or "fairness"
    status: str  # "optimal", "feasible" (stopped by the time limit) or "no solution"
    value: int | None = None
    bound: int | None = None
    seconds: float = 0.0  # time spent on this stage
    proved_at: float | None = None  # seconds since the start, when proven optimal
    work: float = 0.0  # CP-SAT deterministic time used
    # Why the search stopped short of a proof: "work" (the deterministic budget, so the
    # result repeats) or "clock" (the wall-clock backstop, so it may not).
    limited_by: str | None = None

    @property
    def proven(self) -> bool:
        return self.status == "optimal"


@dataclass
class Stats:
    """What happened during a solve; all times are seconds since the solve began."""

    workers: int
    time_limit: float
    stages: list[Stage] = field(default_factory=list)
    first_solution: float | None = None
    best_weight_at: float | None = None
    model_built_at: float | None = None
    wall: float = 0.0
    variables: int = 0
    constraints: int = 0
    bounds_cut_short: bool = False

    @property
    def repeatable(self) -> bool:
        """False when the wall clock, not proof or the work budget, ended a search."""
        return not self.bounds_cut_short and all(s.limited_by != "clock" for s in self.stages)

    def stage(self, name: str) -> Stage | None:
        for s in self.stages:
            if s.name == name:
                return s
        return None


@dataclass
class _SessionVars:
    session: Session
    present: Any
    start: Any
    day: dict[str, Any]  # day -> literal "placed on that day"
    peer: dict[str, Any]  # peer -> literal "sits in"
    peer_day: dict[tuple[str, str], Any]  # (peer, day) -> literal
    by_day: dict[str, list[int]]  # day -> possible starts (minutes)


@dataclass
class _Parts:
    """What the per-session steps of the model collect for the per-person rules after them."""

    buffer: int
    # With a buffer no shorter than lunch the shifted-lunch trick (rule 7) does not work, so
    # peers then get a second no-overlap over unstretched intervals.
    lunch_trick: bool
    peer_intervals: dict[str, list[Any]]  # peer -> stretched intervals (rules 5 and 7)
    plain_intervals: dict[str, list[Any]]  # peer -> unstretched ones (rule 7, no trick)
    minutes_terms: dict[str, list[tuple[Any, int]]]  # peer -> (sits literal, minutes)
    # Peer-days whose lunch window some session might reach into.
    lunch_days: dict[str, set[str]]
    person_intervals: dict[str, list[Any]] = field(default_factory=dict)  # council person
    peer_day_terms: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    @classmethod
    def for_problem(cls, problem: Problem) -> _Parts:
        """Empty collections, with a list per peer where the rules need one."""
        buffer = problem.peer_buffer_minutes
        return cls(
            buffer=buffer,
            lunch_trick=buffer == 0 or problem.week.lunch.minutes > buffer,
            peer_intervals={p.id: [] for p in problem.peers},
            plain_intervals={p.id: [] for p in problem.peers},
            minutes_terms={p.id: [] for p in problem.peers},
            lunch_days={p.id: set() for p in problem.peers},
        )


@dataclass
class _SharedIntervals:
    """A session's intervals that all its required peers share, made on first use."""

    stretched: Any = None
    plain: Any = None


class _Model:
    """Builds the CP-SAT model; keeps the variables needed to read a solution back."""

    def __init__(self, cp: Any, problem: Problem, calendar: Calendar) -> None:
        self.cp = cp
        self.problem = problem
        self.calendar = calendar
        self.model: cp_model.CpModel = cp.CpModel()
        self.day_index = {d: i for i, d in enumerate(problem.week.days)}
        self.vars: dict[str, _SessionVars] = {}
        self.lunch: dict[tuple[str, str], Any] = {}
        self.unchanged: dict[str, Any] = {}
        self.peer_minutes: dict[str, Any] = {}
        self.weight_terms: list[tuple[Any, int]] = []
        self.weight_caps: list[tuple[int, int]] = []  # (group's full weight, its bound)
        self.capped: set[str] = set()  # sessions in a group with a weight cap
        self.forced: set[str] = set()  # sessions every timetable of the frozen weight places
        self.cut_short = False  # a group bound was stopped by the wall clock
        self.hi: Any = None
        self.lo: Any = None
        self.peak: Any = None  # the busiest day's peer-minutes, in units of ``day_unit``
        self.day_unit = 1
        self._build()

    def at(self, day: str, minute: int) -> int:
        return self.day_index[day] * DAY + minute

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        """Every variable and constraint, rule by rule (docs/scheduler.md, "The model").

        The order in which variables and constraints are created is part of what the search
        does, so the steps below keep it: per session, its times, its attendees' interval
        and its peers; then the per-person rules; then the objectives' variables.
        """
        parts = _Parts.for_problem(self.problem)
        for s in self.problem.sessions:
            options = self.calendar.options(s)
            if not options.starts:
                continue
            sv = self._day_grid_and_fixed_starts(s, options)
            self._attendee_interval(sv, parts)
            self._required_and_eligible_peers(sv, options, parts)
        self._council_people_in_one_place(parts)
        self._add_energy()
        self._lunch_forces_a_gap(parts)
        self._peer_buffer_and_lunch(parts)
        self._daily_cap(parts)
        self._previous_placement_kept()
        self._fairness_spread(parts)
        self._add_day_peak()

    def _day_grid_and_fixed_starts(self, s: Session, options: Options) -> _SessionVars:
        """Rules 1 and 2, in the domains: ``start[s]`` takes only the session's possible starts.

        One literal per day with possible starts says the session is placed that day (the
        ``present`` literal itself when there is only one such day) and pins the start to it.
        """
        m = self.model
        by_day: dict[str, list[int]] = {}
        for day, t in options.starts:
            by_day.setdefault(day, []).append(t)
        values = [self.at(d, t) for d, t in options.starts]
        present = m.new_bool_var(f"present[{s.id}]")
        start = m.new_int_var_from_domain(self.cp.Domain.from_values(values), f"start[{s.id}]")
        if len(by_day) == 1:
            day_lit = {next(iter(by_day)): present}
        else:
            day_lit = {d: m.new_bool_var(f"day[{s.id},{d}]") for d in by_day}
            m.add(sum(day_lit.values()) == present)
            for d, ts in by_day.items():
                m.add(start >= self.at(d, ts[0])).only_enforce_if(day_lit[d])
                m.add(start <= self.at(d, ts[-1])).only_enforce_if(day_lit[d])
        sv = _SessionVars(s, present, start, day_lit, {}, {}, by_day)
        self.vars[s.id] = sv
        self.weight_terms.append((present, s.weight))
        return sv

    def _attendee_interval(self, sv: _SessionVars, parts: _Parts) -> None:
        """The session's interval in each council attendee's no-overlap (rule 5, no buffer)."""
        s = sv.session
        if s.attendees:
            interval = self.model.new_optional_fixed_size_interval_var(
                sv.start, s.minutes, sv.present, f"session[{s.id}]"
            )
            for pid in s.attendees:
                parts.person_intervals.setdefault(pid, []).append(interval)

    def _required_and_eligible_peers(
        self, sv: _SessionVars, options: Options, parts: _Parts
    ) -> None:
        """Rule 3: required peers sit in exactly when the session is placed, and eligible
        peers free at some possible start fill the other places, day by day."""
        s = sv.session
        required = set(s.required_peers)
        shared = _SharedIntervals()
        count: dict[str, list[Any]] = {d: [] for d in sv.by_day}
        for pid in self.problem.eligible_peers(s):
            allowed = [(d, t) for d, t in options.starts if pid in options.peers_at[(d, t)]]
            if not allowed:
                continue
            p_days = list(dict.fromkeys(d for d, _ in allowed))
            sits = self._sits(sv, pid, p_days, pid in required, count)
            if pid not in required and len(allowed) < len(options.starts):
                self._peer_available_at_start(sv, allowed, sits)
            sv.peer[pid] = sits
            parts.minutes_terms[pid].append((sits, s.minutes))
            self._peer_intervals(sv, pid, sits, pid in required, shared, parts)
            self._peer_days(sv, pid, allowed, p_days, parts)
        extra = s.peers_needed - len(required)
        for d, lits in count.items():
            self.model.add(sum(lits) == extra * sv.day[d])

    def _sits(
        self,
        sv: _SessionVars,
        pid: str,
        p_days: list[str],
        is_required: bool,
        count: dict[str, list[Any]],
    ) -> Any:
        """The literal "``pid`` sits in", split by day when the session has several days.

        A required peer sits in exactly when the session is present. Another peer's day
        literals go into ``count``, the per-day sums of rule 3.
        """
        m, s = self.model, sv.session
        if is_required:
            for d in sv.by_day:
                sv.peer_day[(pid, d)] = sv.day[d]
            return sv.present
        sits = m.new_bool_var(f"sits[{s.id},{pid}]")
        if len(sv.by_day) == 1:
            sv.peer_day[(pid, p_days[0])] = sits
            count[p_days[0]].append(sits)
            return sits
        lits = []
        for d in p_days:
            lit = m.new_bool_var(f"sits[{s.id},{pid},{d}]")
            m.add_implication(lit, sv.day[d])
            sv.peer_day[(pid, d)] = lit
            count[d].append(lit)
            lits.append(lit)
        m.add(sum(lits) == sits)
        return sits

    def _peer_available_at_start(
        self, sv: _SessionVars, allowed: list[tuple[str, int]], sits: Any
    ) -> None:
        """Rule 4 for a peer who is not required: sitting in restricts the start to the
        possible starts at which the peer is free."""
        domain = self.cp.Domain.from_values([self.at(d, t) for d, t in allowed])
        self.model.add_linear_expression_in_domain(sv.start, domain).only_enforce_if(sits)

    def _peer_intervals(
        self,
        sv: _SessionVars,
        pid: str,
        sits: Any,
        is_required: bool,
        shared: _SharedIntervals,
        parts: _Parts,
    ) -> None:
        """The peer's interval stretched by the buffer (rule 5) and, when the buffer is no
        shorter than lunch, an unstretched one for rule 7. Required peers share them."""
        m, s, buffer = self.model, sv.session, parts.buffer
        if is_required:
            if shared.stretched is None:
                shared.stretched = m.new_optional_fixed_size_interval_var(
                    sv.start, s.minutes + buffer, sv.present, f"peers[{s.id}]"
                )
            interval = shared.stretched
        else:
            interval = m.new_optional_fixed_size_interval_var(
                sv.start, s.minutes + buffer, sits, f"peer[{s.id},{pid}]"
            )
        parts.peer_intervals[pid].append(interval)
        if parts.lunch_trick:
            return
        if is_required:
            if shared.plain is None:
                shared.plain = m.new_optional_fixed_size_interval_var(
                    sv.start, s.minutes, sv.present, f"plain[{s.id}]"
                )
            plain = shared.plain
        else:
            plain = m.new_optional_fixed_size_interval_var(
                sv.start, s.minutes, sits, f"plain[{s.id},{pid}]"
            )
        parts.plain_intervals[pid].append(plain)

    def _peer_days(
        self,
        sv: _SessionVars,
        pid: str,
        allowed: list[tuple[str, int]],
        p_days: list[str],
        parts: _Parts,
    ) -> None:
        """Note the peer's day literals (for rule 6) and the days on which the session could
        reach into the peer's lunch window (for rule 7)."""
        lunch = self.problem.week.lunch
        for d in p_days:
            parts.peer_day_terms.setdefault((pid, d), []).append(sv.peer_day[(pid, d)])
            if any(
                t < lunch.latest and t + sv.session.minutes > lunch.earliest
                for dd, t in allowed
                if dd == d
            ):
                parts.lunch_days[pid].add(d)

    def _council_people_in_one_place(self, parts: _Parts) -> None:
        """Rule 5 for council people: one place at a time, no buffer."""
        for intervals in parts.person_intervals.values():
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _lunch_forces_a_gap(self, parts: _Parts) -> None:
        """Rule 7: a lunch interval per peer-day that sessions might crowd.

        Sessions in the peer's no-overlap are stretched by the buffer; a lunch starting at L
        is entered as [L + buffer, L + lunch), so a session may end right at L and start
        right at L + lunch, exactly as if neither had a buffer.
        """
        m, problem, buffer = self.model, self.problem, parts.buffer
        lunch = problem.week.lunch
        for peer in problem.peers:
            for d in problem.week.days:
                if d not in parts.lunch_days[peer.id]:
                    continue
                earliest = self.at(d, lunch.earliest)
                latest = self.at(d, lunch.latest - lunch.minutes)
                begin = m.new_int_var(earliest, latest, f"lunch[{peer.id},{d}]")
                self.lunch[(peer.id, d)] = begin
                if parts.lunch_trick:
                    parts.peer_intervals[peer.id].append(
                        m.new_fixed_size_interval_var(
                            begin + buffer, lunch.minutes - buffer, f"lunchi[{peer.id},{d}]"
                        )
                    )
                else:
                    parts.plain_intervals[peer.id].append(
                        m.new_fixed_size_interval_var(
                            begin, lunch.minutes, f"lunchi[{peer.id},{d}]"
                        )
                    )

    def _peer_buffer_and_lunch(self, parts: _Parts) -> None:
        """Rule 5 for peers (stretched intervals keep the buffer) and rule 7."""
        for intervals in parts.peer_intervals.values():
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)
        for intervals in parts.plain_intervals.values():
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _daily_cap(self, parts: _Parts) -> None:
        """Rule 6: a peer's daily cap on sessions, where it could bite."""
        for (pid, _day), lits in parts.peer_day_terms.items():
            cap = self.problem.person(pid).max_sessions_per_day
            if cap is not None and len(lits) > cap:
                self.model.add(sum(lits) <= cap)

    def _previous_placement_kept(self) -> None:
        """Re-plans: a literal per previously placed session meaning "kept exactly as it was"."""
        m = self.model
        for prev in self.problem.previous:
            sv_prev = self.vars.get(prev.session)
            if sv_prev is None:
                continue
            s = sv_prev.session
            options = self.calendar.options(s)
            candidates = options.peers_at.get((prev.day, prev.start))
            peers = set(prev.peers)
            if (
                candidates is None
                or len(peers) != s.peers_needed
                or not set(s.required_peers) <= peers
                or not peers <= set(candidates)
            ):
                continue  # cannot be kept: it counts as a change whatever we do
            kept = m.new_bool_var(f"kept[{s.id}]")
            m.add_implication(kept, sv_prev.day[prev.day])
            m.add(sv_prev.start == self.at(prev.day, prev.start)).only_enforce_if(kept)
            for pid in peers:
                m.add_implication(kept, sv_prev.peer_day[(pid, prev.day)])
            self.unchanged[s.id] = kept

    def _fairness_spread(self, parts: _Parts) -> None:
        """Fairness: the spread between the busiest and the least busy peer.

        Counted in units of the largest step every session length shares (15 minutes when
        all are multiples of 15), which lets the solver see that a spread between 0 and one
        step is impossible. The total over all peers is tied to the sessions placed, so that
        n * most >= total >= n * least is known to the solver.
        """
        problem, m = self.problem, self.model
        unit = 0
        for s in problem.sessions:
            unit = math.gcd(unit, s.minutes)
        self.unit = max(unit, 1)
        top = sum(s.minutes * max(1, s.peers_needed) for s in problem.sessions) // self.unit
        self.hi = m.new_int_var(0, top, "most_units")
        self.lo = m.new_int_var(0, top, "least_units")
        n_peers = len(parts.minutes_terms)
        if not n_peers:
            return
        for pid, terms in parts.minutes_terms.items():
            total = sum(lit * (minutes // self.unit) for lit, minutes in terms)
            self.peer_minutes[pid] = total
            m.add(self.hi >= total)
            m.add(self.lo <= total)
        grand = sum(
            sv.present * (sv.session.minutes // self.unit * sv.session.peers_needed)
            for sv in self.vars.values()
        )
        m.add(n_peers * self.hi >= grand)
        m.add(n_peers * self.lo <= grand)
        # Someone has the most and someone the least, so the total lies between
        # (n-1)*least + most and least + (n-1)*most. With whole units this tells the
        # solver, for instance, that a spread of one unit is impossible when the total
        # divides evenly between the peers: everyone would have to be level.
        if n_peers > 1:
            m.add(grand >= (n_peers - 1) * self.lo + self.hi)
            m.add(grand <= self.lo + (n_peers - 1) * self.hi)

    def _add_day_peak(self) -> None:
        """Day balance: ``peak`` is at least every listed day's peer-minutes.

        A session's peer-minutes are its minutes times ``peers_needed`` (the number of its
        peers is exact), counted in units of the largest step they all share. A day's load
        is then a plain sum over the sessions' day literals. One cut states that the busiest
        day carries at least the average: ``days * peak >= total``, which gives the LP
        relaxation the bound it could not otherwise see through the maximum.
        """
        m = self.model
        loads = {sid: sv.session.minutes * sv.session.peers_needed for sid, sv in self.vars.items()}
        unit = 0
        for value in loads.values():
            unit = math.gcd(unit, value)
        self.day_unit = max(unit, 1)
        top = sum(loads.values()) // self.day_unit
        self.peak = m.new_int_var(0, top, "day_peak_units")
        per_day: dict[str, list[tuple[Any, int]]] = {d: [] for d in self.problem.week.days}
        for sid, sv in self.vars.items():
            if loads[sid]:
                for d, lit in sv.day.items():
                    per_day[d].append((lit, loads[sid] // self.day_unit))
        for terms in per_day.values():
            if sum(units for _, units in terms) > 0:
                m.add(self.peak >= sum(lit * units for lit, units in terms))
        total = sum(
            sv.present * (loads[sid] // self.day_unit)
            for sid, sv in self.vars.items()
            if loads[sid]
        )
        if self.problem.week.days and top:
            m.add(len(self.problem.week.days) * self.peak >= total)

    def _add_energy(self) -> None:
        """Redundant "it must add up" constraints that tighten the LP relaxation.

        Each is implied by the no-overlap constraints but states directly that the session
        minutes someone sits in on a day cannot exceed their free minutes that day (less
        lunch for peers, and counting the buffers between sessions). They let the solver
        prove quickly that, say, two 90-minute focus groups cannot both use a councillor's
        single two-hour gap.
        """
        problem, m = self.problem, self.model
        week = problem.week
        lunch, buffer = week.lunch, problem.peer_buffer_minutes

        def clipped(pid: str, day: str) -> list[tuple[int, int]]:
            return [
                (max(a, week.day_start), min(b, week.day_end))
                for a, b in self.calendar.spans(pid, day)
                if min(b, week.day_end) > max(a, week.day_start)
            ]

        council: dict[tuple[str, str], list[_SessionVars]] = {}
        for sv in self.vars.values():
            for pid in sv.session.attendees:
                for d in sv.by_day:
                    council.setdefault((pid, d), []).append(sv)
        for (pid, d), svs in council.items():
            if len(svs) < 2:
                continue
            spans = clipped(pid, d)
            # Per free window, for sessions that can only sit in that window.
            for a, b in spans:
                inside = [
                    sv
                    for sv in svs
                    if all(a <= t and t + sv.session.minutes <= b for t in sv.by_day[d])
                ]
                if len(inside) < 2:
                    continue
                first = min(min(sv.by_day[d]) for sv in inside)
                last = max(max(sv.by_day[d]) + sv.session.minutes for sv in inside)
                self._fit(d, inside, last - first)
            self._fit(d, svs, sum(b - a for a, b in spans))

        peers: dict[tuple[str, str], list[tuple[Any, int]]] = {}
        for sv in self.vars.values():
            for (pid, d), lit in sv.peer_day.items():
                peers.setdefault((pid, d), []).append((lit, sv.session.minutes))
        for (pid, d), terms in peers.items():
            if len(terms) < 2:
                continue
            spans = clipped(pid, d)
            room = sum(b - a for a, b in spans)
            lunch_inside = (
                any(a <= lunch.earliest and lunch.latest <= b for a, b in spans)
                and week.day_start <= lunch.earliest
                and lunch.latest <= week.day_end
            )
            if lunch_inside:
                room -= lunch.minutes
            if sum(minutes for _, minutes in terms) > room:
                m.add(sum(lit * minutes for lit, minutes in terms) <= room)
            if buffer and len(spans) == 1:
                a, b = spans[0]
                if sum(minutes + buffer for _, minutes in terms) > b - a + buffer:
                    m.add(sum(lit * (minutes + buffer) for lit, minutes in terms) <= b - a + buffer)

    def _fit(self, day: str, svs: list[_SessionVars], room: int) -> None:
        """State that the sessions placed on ``day`` among ``svs`` fit in ``room`` minutes.

        Besides the sum of minutes, sessions longer than a half (a third, ...) of the room
        go in at most one (two, ...) at a time: the solver then sees at once that, say,
        only one of three 90-minute focus groups fits in a two-hour window.
        """
        m = self.model
        if sum(sv.session.minutes for sv in svs) <= room:
            return
        m.add(sum(sv.session.minutes * sv.day[day] for sv in svs) <= room)
        for k in range(1, len(svs)):
            longer = [sv for sv in svs if sv.session.minutes * (k + 1) > room]
            if len(longer) <= k:
                break
            m.add(sum(sv.day[day] for sv in longer) <= k)

    # -- objectives ---------------------------------------------------------------------

    def weight_expr(self) -> Any:
        return sum(lit * w for lit, w in self.weight_terms)

    def weight_upper_bound(self) -> int:
        """Every session with a possible time placed, less what the group caps rule out."""
        total = sum(w for _, w in self.weight_terms)
        return total - sum(full - bound for full, bound in self.weight_caps)

    def cap_weight(self, group: Sequence[Session], bound: int) -> None:
        """Record and impose that ``group`` can reach at most ``bound``."""
        self.model.add(sum(self.vars[s.id].present * s.weight for s in group) <= bound)
        self.weight_caps.append((sum(s.weight for s in group), bound))
        self.capped.update(s.id for s in group)

    def force_present(self, weight: int) -> None:
        """Once the weight is frozen at ``weight``, fix the sessions it cannot do without.

        The weight's upper bound is a sum of independent parts: each session outside the
        capped groups, plus each group's cap. Leaving out such a session therefore costs its
        full weight against that bound; if what is left falls short of ``weight``, every
        timetable of that weight places the session. Stating it outright lets the later
        levels count on the session's minutes: without it the LP relaxation may place a
        fraction of the sessions, and the bound on the busiest day is far too low.
        """
        top = self.weight_upper_bound()
        for sid, sv in self.vars.items():
            if sid not in self.capped and top - sv.session.weight < weight:
                self.model.add(sv.present == 1)
                self.forced.add(sid)

    def day_peak_lower_bound(self) -> int:
        """A bound the busiest day cannot beat, from the sessions that must be placed.

        The forced sessions' peer-minutes spread over the listed days, and on each day those
        of the forced sessions that can go on no other day.
        """
        days = self.problem.week.days
        if not days:
            return 0
        total = 0
        only: dict[str, int] = {d: 0 for d in days}
        for sid in self.forced:
            sv = self.vars[sid]
            units = sv.session.minutes * sv.session.peers_needed // self.day_unit
            total += units
            if len(sv.day) == 1:
                only[next(iter(sv.day))] += units
        return max(-(-total // len(days)), max(only.values()))

    def changes_expr(self) -> Any:
        return len(self.problem.previous) - sum(self.unchanged.values())

    def changes_lower_bound(self) -> int:
        return len(self.problem.previous) - len(self.unchanged)

    def day_loads(self, assignments: Sequence[Assignment]) -> dict[str, int]:
        """Each listed day's peer-minutes under ``assignments``, in units of ``day_unit``."""
        out = {d: 0 for d in self.problem.week.days}
        for a in assignments:
            if a.day in out:
                out[a.day] += (a.end - a.start) * len(a.peers) // self.day_unit
        return out

    def fairness_expr(self) -> Any:
        """Spread in units of ``self.unit`` minutes."""
        return self.hi - self.lo

    # -- hints and solutions --------------------------------------------------------------

    def hint_from(self, assignments: Sequence[Assignment]) -> None:
        """Hint every variable from a valid timetable (normally the first-fit one)."""
        values: dict[int, int] = {}

        def hint(var: Any, value: int | bool) -> None:
            values[var.index] = int(value)

        placed = {a.session: a for a in assignments}
        busy: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for sid, sv in self.vars.items():
            a = placed.get(sid)
            hint(sv.present, a is not None)
            first = sv.start.proto.domain[0]
            hint(sv.start, first if a is None else self.at(a.day, a.start))
            for d, lit in sv.day.items():
                hint(lit, a is not None and a.day == d)
            for pid, lit in sv.peer.items():
                hint(lit, a is not None and pid in a.peers)
            for (pid, d), lit in sv.peer_day.items():
                hint(lit, a is not None and a.day == d and pid in a.peers)
            if a is not None:
                for pid in a.peers:
                    busy.setdefault((pid, a.day), []).append((a.start, a.end))
        lunch = self.problem.week.lunch
        for (pid, d), var in self.lunch.items():
            begin = lunch.earliest
            for start, end in sorted(busy.get((pid, d), [])):
                if start >= begin + lunch.minutes:
                    break
                begin = max(begin, end)
            hint(var, self.at(d, min(begin, lunch.latest - lunch.minutes)))
        for sid, lit in self.unchanged.items():
            prev = self.problem.previous_for(sid)
            a = placed.get(sid)
            hint(
                lit,
                prev is not None
                and a is not None
                and (a.day, a.start) == (prev.day, prev.start)
                and set(a.peers) == set(prev.peers),
            )
        minutes = [v for _, v in measure(self.problem, assignments).peer_minutes] or [0]
        hint(self.hi, max(minutes) // self.unit)
        hint(self.lo, min(minutes) // self.unit)
        hint(self.peak, max(self.day_loads(assignments).values(), default=0))
        self.model.clear_hints()
        proto = self.model.proto.solution_hint
        proto.vars.extend(values.keys())
        proto.values.extend(values.values())

    def hint_from_response(self, response: Any) -> None:
        self.model.clear_hints()
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(response.solution)))
        hint.values.extend(response.solution)

    def read(self, solver: Any) -> list[Assignment]:
        out = []
        for sid, sv in self.vars.items():
            if not solver.boolean_value(sv.present):
                continue
            start = solver.value(sv.start)
            day = self.problem.week.days[start // DAY]
            minute = start % DAY
            peers = tuple(pid for pid, lit in sv.peer.items() if solver.boolean_value(lit))
            out.append(Assignment(sid, day, minute, minute + sv.session.minutes, peers))
        return out


_LevelSpec = tuple[str, Any, bool, int, int]  # name, objective, maximise?, bound, minutes per unit


@dataclass
class _Run:
    """What :func:`optimise` carries from one level to the next."""

    cp: Any
    built: _Model
    stats: Stats
    current: list[Assignment]  # the best timetable so far
    work_left: float  # CP-SAT deterministic time still to share out
    time_limit: float
    workers: int
    clock: Callable[[], float]
    say: Progress


def optimise(
    problem: Problem,
    calendar: Calendar,
    hint: Sequence[Assignment],
    *,
    time_limit: float,
    workers: int,
    clock: Callable[[], float],
    progress: Progress | None = None,
) -> tuple[list[Assignment], Stats]:
    """Improve the valid timetable ``hint`` level by level: weight, changes, day_peak, fairness.

    ``clock()`` gives seconds since the solve began; the whole call keeps within
    ``time_limit`` of that clock (bar the last stage's wind-down). Each level is
    solved to proven optimality when time allows, then frozen (``>= best`` or
    ``<= best``) before the next.
    """
    from ortools.sat.python import cp_model

    say = progress or (lambda _line: None)
    stats = Stats(workers=workers, time_limit=time_limit)
    built = _Model(cp_model, problem, calendar)
    _say_model_built(built, stats, clock, say)
    current = list(hint)
    stats.first_solution = clock()
    stats.best_weight_at = clock()
    built.hint_from(current)
    _cap_group_weights(cp_model, built, current, stats, clock, say)
    levels = _levels(built)
    # Each level gets a share of the remaining *work* budget, measured in CP-SAT's
    # deterministic time, so that how a run is split between levels never depends on how
    # busy the machine is. The wall clock is only a backstop.
    run = _Run(
        cp_model,
        built,
        stats,
        current,
        work_left=time_limit * WORK_PER_SECOND,
        time_limit=time_limit,
        workers=workers,
        clock=clock,
        say=say,
    )
    for index in range(len(levels)):
        _optimise_level(run, levels, index)
    # The quality order stops at the busiest day; the days below it may still be uneven
    # (when a day of fixed meetings is the busiest, say). Even them out, moving sessions
    # with their own peers only, so that no level's value changes.
    evened = _spread(problem, calendar, run.current, keep_peers=True)
    if _no_worse(problem, evened, run.current):
        run.current = evened
    stats.wall = clock()
    return run.current, stats


def _say_model_built(
    built: _Model, stats: Stats, clock: Callable[[], float], say: Progress
) -> None:
    """Record the model's size in ``stats`` and report it."""
    stats.model_built_at = clock()
    stats.variables = len(built.model.proto.variables)
    stats.constraints = len(built.model.proto.constraints)
    say(
        f"[{clock():6.2f}s] model: {len(built.vars)} sessions with possible times, "
        f"{stats.variables} variables, {stats.constraints} constraints"
    )


def _cap_group_weights(
    cp: Any,
    built: _Model,
    current: Sequence[Assignment],
    stats: Stats,
    clock: Callable[[], float],
    say: Progress,
) -> None:
    """Tighten the weight bound group by group (see :func:`_group_bounds`)."""
    time_limit = stats.time_limit
    caps = _group_bounds(cp, built, current, time_limit * WORK_PER_SECOND * 0.1, time_limit * 0.2)
    for group, bound in caps:
        built.cap_weight(group, bound)
    stats.bounds_cut_short = built.cut_short
    if built.weight_caps:
        say(
            f"[{clock():6.2f}s] weight: at most {built.weight_upper_bound()} "
            f"({len(built.weight_caps)} group{'s' if len(built.weight_caps) > 1 else ''} "
            "of sessions that cannot all be placed)"
        )


def _levels(built: _Model) -> list[_LevelSpec]:
    """The levels of the quality order, each with its objective.

    Each objective is a variable whose domain already holds the known bound, so CP-SAT
    reports that bound from the start and stops as soon as a timetable reaches it.
    """
    problem, model = built.problem, built.model
    weight = model.new_int_var(0, built.weight_upper_bound(), "weight")
    model.add(weight == built.weight_expr())
    levels: list[_LevelSpec] = [("weight", weight, True, built.weight_upper_bound(), 1)]
    if problem.previous:
        changes = model.new_int_var(built.changes_lower_bound(), len(problem.previous), "changes")
        model.add(changes == built.changes_expr())
        levels.append(("changes", changes, False, built.changes_lower_bound(), 1))
    levels.append(("day_peak", built.peak, False, 0, built.day_unit))  # bound set later
    levels.append(("fairness", built.fairness_expr(), False, 0, built.unit))
    return levels


def _optimise_level(run: _Run, levels: list[_LevelSpec], index: int) -> None:
    """Optimise level ``index`` from the best timetable so far, then freeze it."""
    name, expr, maximise, trivial, scale = levels[index]
    started = run.clock()
    trivial = _prepare_level(run, name, expr, trivial)
    now = measure(run.built.problem, run.current)
    value = {
        "weight": now.weight,
        "changes": now.changes or 0,
        "day_peak": now.day_peak // run.built.day_unit,
        "fairness": now.fairness // run.built.unit,
    }[name]
    if value == trivial:
        # The starting timetable already meets a bound that cannot be beaten.
        stage = Stage(name, "optimal", value * scale, trivial * scale, 0.0, run.clock())
        run.say(
            f"[{run.clock():6.2f}s] {name}: {value * scale}, bound {trivial * scale} "
            "(cannot be bettered)"
        )
    else:
        level = _Level(name, expr, maximise, value, scale)
        stage, value = _search_level(run, level, index, later=len(levels) - index - 1)
        stage.seconds = run.clock() - started
    run.stats.stages.append(stage)
    # Freeze this level before optimising the next.
    if maximise:
        run.built.model.add(expr >= value)
    else:
        run.built.model.add(expr <= value)
    if name == "weight":
        run.built.force_present(value)
    run.built.hint_from(run.current)


def _prepare_level(run: _Run, name: str, expr: Any, trivial: int) -> int:
    """Before day balance and fairness, a local search improves the starting timetable.

    Returns the level's bound: for day balance, once the weight is frozen, the sessions it
    cannot do without give the level a bound of its own, so that the solver stops as soon
    as a timetable reaches it.
    """
    built, problem, calendar = run.built, run.built.problem, run.built.calendar
    if name == "day_peak":
        before = measure(problem, run.current).day_peak
        trivial = built.day_peak_lower_bound()
        if trivial:
            built.model.add(expr >= trivial)
        run.current = _spread(problem, calendar, run.current)
        built.hint_from(run.current)
        run.say(
            f"[{run.clock():6.2f}s] day_peak: {measure(problem, run.current).day_peak} after "
            f"spreading (was {before})"
        )
    if name == "fairness":
        run.current = _balanced(problem, calendar, run.current)
        built.hint_from(run.current)
        run.say(
            f"[{run.clock():6.2f}s] fairness: {measure(problem, run.current).fairness} "
            "after balancing"
        )
    return trivial


def _search_level(run: _Run, level: _Level, index: int, *, later: int) -> tuple[Stage, int]:
    """Search one level with its share of the budgets; its stage and its value, in units.

    The best timetable so far is replaced only by a better one.
    """
    # Most of the budget for this level, some kept back for the later ones. A share of the
    # remaining wall-clock time is the level's backstop too, so that on a busy machine
    # (where the clock, not the work budget, runs out first) one level cannot leave the
    # next ones with nothing; the weight keeps most of it.
    share = 1.0 if later == 0 else (0.8 if index == 0 else 0.5)
    clock_share = 1.0 if later == 0 else (0.9 if index == 0 else 0.5)
    stage, solution, best_at = _solve_level(
        run.cp,
        run.built,
        level,
        work=run.work_left * share,
        seconds=(run.time_limit - run.clock()) * clock_share,
        workers=run.workers,
        clock=run.clock,
        say=run.say,
    )
    run.work_left = max(0.0, run.work_left - stage.work)
    value = level.start
    found = None if stage.value is None else stage.value // level.scale
    if solution is not None and found is not None:
        if (found > value) if level.maximise else (found < value):
            value, run.current = found, solution
            if level.name == "weight":
                run.stats.best_weight_at = best_at
        else:
            # Never trade the timetable we have for a worse one.
            stage.value = value * level.scale
    return stage, value


def _no_worse(problem: Problem, new: list[Assignment], old: list[Assignment]) -> bool:
    """Whether ``new`` is at least as good as ``old`` at every level of the quality order."""
    a, b = measure(problem, new), measure(problem, old)
    return (
        a.weight >= b.weight
        and (a.changes or 0) <= (b.changes or 0)
        and a.day_peak <= b.day_peak
        and a.fairness <= b.fairness
    )


def _groups(problem: Problem, calendar: Calendar) -> list[list[Session]]:
    """Sessions with possible times, grouped by shared council attendees (transitively)."""
    sessions = [s for s in problem.sessions if calendar.options(s).starts]
    parent = {s.id: s.id for s in sessions}

    def root(sid: str) -> str:
        while parent[sid] != sid:
            parent[sid] = parent[parent[sid]]
            sid = parent[sid]
        return sid

    first_with: dict[str, str] = {}
    for s in sessions:
        for pid in s.attendees:
            if pid in first_with:
                parent[root(s.id)] = root(first_with[pid])
            else:
                first_with[pid] = s.id
    groups: dict[str, list[Session]] = {}
    for s in sessions:
        groups.setdefault(root(s.id), []).append(s)
    return list(groups.values())


def _group_bounds(
    cp: Any,
    built: _Model,
    current: Sequence[Assignment],
    work: float,
    seconds: float,
) -> list[tuple[list[Session], int]]:
    """Upper bounds on the weight each group of sessions can reach, ignoring the others.

    Each group of sessions linked by shared council attendees is solved on its own with
    only the rules that concern it alone: its possible starts, its attendees' and its
    required peers' no-overlap (with buffers). Any full timetable keeps those rules, so a
    group can never do better than its own optimum. Added to the main model as
    constraints, these bounds let it prove the best weight at once whenever the peer team
    is not what limits the week. Groups the starting timetable places in full are skipped.
    """
    problem = built.problem
    placed = {a.session for a in current}
    out: list[tuple[list[Session], int]] = []
    groups = [
        g
        for g in _groups(problem, built.calendar)
        if len(g) > 1 and any(s.id not in placed for s in g)
    ]
    if not groups:
        return out
    share = work / len(groups)
    seconds /= len(groups)
    for group in groups:
        m = cp.CpModel()
        present = {}
        people: dict[str, list[Any]] = {}
        for s in group:
            sv = built.vars[s.id]
            values = [built.at(d, t) for d, ts in sv.by_day.items() for t in ts]
            lit = m.new_bool_var(s.id)
            start = m.new_int_var_from_domain(cp.Domain.from_values(values), "")
            interval = m.new_optional_fixed_size_interval_var(start, s.minutes, lit, "")
            stretched = m.new_optional_fixed_size_interval_var(
                start, s.minutes + problem.peer_buffer_minutes, lit, ""
            )
            for pid in s.attendees:
                people.setdefault(pid, []).append(interval)
            for pid in s.required_peers:
                people.setdefault("peer:" + pid, []).append(stretched)
            present[s.id] = lit
            m.add_hint(lit, s.id in placed)
        for intervals in people.values():
            if len(intervals) > 1:
                m.add_no_overlap(intervals)
        m.maximize(sum(present[s.id] * s.weight for s in group))
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = SEED
        solver.parameters.max_deterministic_time = max(0.01, share)
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        began = time.perf_counter()
        status = solver.solve(m)
        if status != cp.OPTIMAL and time.perf_counter() - began >= seconds * 0.98:
            built.cut_short = True
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            bound = math.floor(solver.best_objective_bound + 1e-6)
            if bound < sum(s.weight for s in group):
                out.append((group, bound))
    return out


def _spread(
    problem: Problem, calendar: Calendar, current: list[Assignment], *, keep_peers: bool = False
) -> list[Assignment]:
    board = Board(problem, calendar)
    for a in current:
        board.add(a)
    spread_days(board, keep_peers=keep_peers)
    return list(board.placed.values())


def _balanced(problem: Problem, calendar: Calendar, current: list[Assignment]) -> list[Assignment]:
    board = Board(problem, calendar)
    for a in current:
        board.add(a)
    balance(board)
    return list(board.placed.values())


@dataclass(frozen=True)
class _Level:
    name: str
    expr: Any
    maximise: bool
    start: int  # the starting timetable's value, in units
    scale: int  # minutes per unit (fairness) or 1


def subsolvers(workers: int) -> list[str]:
    """The full-problem CP-SAT strategies interleaved, by number of threads.

    With two threads the LP-guided search (proofs) and the plain search (fast
    propagation) do the work, with CP-SAT's neighbourhood searches between them. More
    threads add more of CP-SAT's usual portfolio. Each strategy has to load the whole
    model, so on two cores a wider mix costs more than it brings.
    """
    names = ["default_lp", "no_lp"]
    if workers >= 4:
        names += ["max_lp", "quick_restart"]
    if workers >= 8:
        names += ["core", "reduced_costs", "pseudo_costs", "quick_restart_no_lp"]
    return names


def _solve_level(
    cp: Any,
    built: _Model,
    level: _Level,
    *,
    work: float,
    seconds: float,
    workers: int,
    clock: Callable[[], float],
    say: Progress,
) -> tuple[Stage, list[Assignment] | None, float]:
    """Optimise one level; the stage record, the best timetable found and when it was found."""
    name, scale, maximise = level.name, level.scale, level.maximise
    model = built.model
    if maximise:
        model.maximize(level.expr)
    else:
        model.minimize(level.expr)
    solver = cp.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = SEED
    # Interleaved search runs CP-SAT's strategies in fixed-size slices and exchanges
    # solutions between them only at slice boundaries, so a run does not depend on thread
    # timing. Together with the deterministic-time limit this makes runs repeatable.
    params.interleave_search = True
    params.subsolvers.extend(subsolvers(workers))
    params.max_deterministic_time = max(0.01, work)
    params.max_time_in_seconds = max(0.01, seconds)
    params.log_search_progress = False
    # Probing (trying each literal both ways during presolve) costs several seconds on
    # these models, whose many optional intervals make every probe expensive, and it
    # tightens almost nothing: the benchmark weeks solve far faster without it.
    params.cp_model_probing_level = 0

    state = {"best": level.start, "best_at": clock()}

    class Callback(cp.CpSolverSolutionCallback):  # type: ignore[misc]
        def on_solution_callback(self) -> None:
            value = round(self.objective_value)
            better = value > state["best"] if maximise else value < state["best"]
            if better:
                state["best"] = value
                state["best_at"] = clock()
            bound = round(self.best_objective_bound)
            say(f"[{clock():6.2f}s] {name}: best {value * scale}, bound {bound * scale}")

    began = clock()
    status = solver.solve(model, Callback())
    took = clock() - began
    stage = Stage(name, "no solution", work=solver.deterministic_time)
    if status == cp.OPTIMAL:
        stage.status = "optimal"
    elif status == cp.FEASIBLE:
        stage.status = "feasible"
    if status != cp.OPTIMAL:
        # CP-SAT does not say which limit stopped it; the wall clock did if the stage ran
        # (nearly) as long as it was allowed to.
        stage.limited_by = "clock" if took >= seconds * 0.98 else "work"
    if status in (cp.OPTIMAL, cp.FEASIBLE):
        stage.value = round(solver.objective_value) * scale
        stage.bound = round(solver.best_objective_bound) * scale
        if stage.proven:
            stage.proved_at = clock()
        say(f"[{clock():6.2f}s] {name}: {stage.value} ({stage.status}), bound {stage.bound}")
        return stage, built.read(solver), state["best_at"]
    # Only when time ran out before even the starting timetable was loaded. Keep it.
    stage.value = level.start * scale
    say(f"[{clock():6.2f}s] {name}: stopped without a solution ({solver.status_name(status)})")
    return stage, None, state["best_at"]
