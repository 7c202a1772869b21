"""What the peer team records during delivery and on the drafting day.

Everything goes through the findings domain functions, each step by the peer who would really
take it and at the moment it would happen:

- after each session of a delivery day ends, a peer who was in it (and has an account) writes
  the note, sometimes with a quote from a role group;
- data notes (the council's figures) are read before the sessions start, on days 1 and 3;
- findings emerge from day 2, each backed by the notes that point its way, and pick up more
  evidence as the week goes on; recommendations follow late in the week;
- each day the lead peer drafts the KIT digest before that day's keeping-in-touch meeting,
  ticks what will be shared, and records it shared with the sponsor's response afterwards;
  day 5's digest previews the final messages (the drafting gate needs one that does);
- on day 6 the board is finished and the lead peer approves it, so the gate to feedback given
  on day 7 passes.

A day's steps are gathered first and then run in time order, so the audit trail stays in
order. Nothing is written after 17:20 on a delivery day (the timetable records the sessions as
held from 17:30), and nothing on or after the cutoff: the first step that is not due stops the
diagnostic's walk (`NotYet`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from functools import partial

from peerdiag.accounts.models import User
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Kloe, TeamMember
from peerdiag.findings.domain.board import approve_board, approve_item, board_fingerprint
from peerdiag.findings.domain.digest import (
    add_digest_item,
    draft_kit_digest,
    mark_digest_shared,
    set_item_shared,
)
from peerdiag.findings.domain.findings import (
    add_finding,
    add_recommendation,
    link_evidence,
)
from peerdiag.findings.domain.notes import add_note, add_quote, note_for_session, save_note
from peerdiag.findings.enums import FindingKind, Polarity, SourceType, Stance
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, KitDigest
from peerdiag.findings.models import Recommendation as Rec
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Session

from . import content
from .context import Ctx, NotYet

# The peers who write notes and findings (the PCM is on the team too, but does not).
WRITERS = (TeamRole.LEAD_PEER, TeamRole.OPERATIONAL_MANAGER, TeamRole.CASE_AUDITOR)
# Sessions a peer takes a note of: hearing from people, and discussing case records.
NOTED = (
    SessionType.INTERVIEW,
    SessionType.FOCUS_GROUP,
    SessionType.CASE_DISCUSSION,
    SessionType.PRACTITIONER,
)
NOT_HAPPENING = (SessionStatus.CANCELLED, SessionStatus.RESCHEDULED, SessionStatus.NOT_ATTENDED)
LAST_WRITE = 17 * 60 + 20  # 17:20: the timetable records the day's sessions from 17:30
NOTE_LAG = 10  # minutes after a session ends before its note is written up
# When a day has no sessions yet (the timetable is being written): notes at these times, and a
# KIT meeting at 16:00-16:30.
FALLBACK_KIT = (16 * 60, 30)
# Which days findings emerge on: item i of n on EMERGE[i * len(EMERGE) // n] (6: drafting).
EMERGE = (2, 3, 4, 6)
RECOMMEND_DAY = 5  # recommendations whose findings are on the board by then; the rest on day 6

# The council's figures the team reads before the day's sessions: (day, title, body, polarity).
DATA_NOTES = (
    (
        1,
        "Performance scorecard for the last four quarters",
        "Most measures are close to similar councils. Timeliness of assessments dipped in the "
        "second quarter and has recovered since; repeat referrals are a little above average.",
        Polarity.NEUTRAL,
    ),
    (
        3,
        "The council's own audit results this year",
        "Fewer than half of the files the council audited met its own standard. Its action plan "
        "names the gap but gives no date for the next audit.",
        Polarity.CONCERN,
    ),
)
# How the sponsor answered each day's digest (one sentence each, by delivery day).
RESPONSES = {
    1: "The sponsor thanked the team for a smooth first day and asked to hear early themes.",
    2: "The sponsor recognised the themes and offered a follow-up conversation with finance.",
    3: "The sponsor agreed with the strengths and asked for the concerns to be tested further.",
    4: "The sponsor was not surprised by the areas for consideration and asked for specifics.",
    5: "The sponsor said the messages were fair and would brief the chief executive before "
    "the feedback meeting.",
}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class _Step:
    at: int  # minutes after midnight
    seq: int
    run: Callable[[], object]


@dataclass
class _Day:
    """One day's steps, gathered and then run in time order."""

    steps: list[_Step] = field(default_factory=list)

    def add(self, at: int, run: Callable[[], object]) -> None:
        self.steps.append(_Step(at, len(self.steps), run))

    def run(self, ctx: Ctx, n: int) -> None:
        day = ctx.tl.day(n)
        for step in sorted(self.steps, key=lambda s: (s.at, s.seq)):
            if not ctx.due(day, _hhmm(step.at)):
                raise NotYet
            with ctx.at(day, _hhmm(step.at)):
                step.run()


def writers(ctx: Ctx) -> list[TeamMember]:
    """The team's peers who have an account (only they can write), lead peer first."""
    rows = [m for m in ctx.members(*WRITERS) if m.person.user_id is not None]
    return sorted(rows, key=lambda m: (m.role != TeamRole.LEAD_PEER, m.pk))


def lead_user(ctx: Ctx) -> User:
    """The lead peer's account: the digest and the board are theirs."""
    lead = ctx.lead
    if lead is None or lead.person.user is None:
        raise NotYet(f"{ctx.plan.key}: no lead peer with an account")
    return lead.person.user


def sessions_of(ctx: Ctx, n: int) -> list[Session]:
    """Day `n`'s sessions from the published timetable that go ahead, in time order."""
    return list(
        Session.objects.filter(diagnostic=ctx.d, day=n, start__isnull=False)
        .exclude(status__in=NOT_HAPPENING)
        .prefetch_related("kloes", "peers__person__user")
        .order_by("start", "pk")
    )


def _kit_times(kit: Session | None) -> tuple[int, int]:
    """When the digest is drafted (before the KIT meeting) and shared (just after it)."""
    if kit is not None and kit.start is not None:
        start, length = _minutes(kit.start), kit.minutes
    else:
        start, length = FALLBACK_KIT
    drafted = max(start - 20, 9 * 60)
    shared = min(start + length + 5, LAST_WRITE)
    return drafted, max(shared, drafted + 10)


def _heard_for(heard: list[content.Heard], kloe_indexes: set[int], i: int) -> content.Heard:
    """The i-th thing heard, preferring what was heard on one of the session's KLOEs."""
    fitting = [h for h in heard if h.kloe in kloe_indexes] or heard
    return fitting[i % len(fitting)]


class _Notes:
    """Writes the day's notes; counts across days so texts and quotes are spread evenly."""

    def __init__(self, ctx: Ctx, kloes: list[Kloe]) -> None:
        self.ctx = ctx
        self.kloes = kloes
        self.heard = content.heard(ctx.plan)
        self.quotes = content.quotes(ctx.plan)
        self.count = EvidenceNote.objects.filter(diagnostic=ctx.d, session__isnull=False).count()

    def _quote(self, note: EvidenceNote, i: int, by: User | None) -> None:
        # Every third note carries a quote, until the plan's quotes run out.
        if i % 3 == 1 and i // 3 < len(self.quotes):
            q = self.quotes[i // 3]
            add_quote(note, by=by, text=q.text, group=q.group, group_size=q.group_size)

    def of_session(self, session: Session, peer: TeamMember) -> None:
        """`peer`'s note of `session`: opened (pre-filled with who was there and the session's
        KLOEs), then saved with what they heard."""
        if not self.heard:
            return
        i = self.count
        self.count += 1
        by = peer.person.user
        index = {k.pk: n for n, k in enumerate(self.kloes)}
        mine = {index[k.pk] for k in session.kloes.all() if k.pk in index}
        h = _heard_for(self.heard, mine, i)
        note = note_for_session(session, by=by)
        save_note(
            note,
            by=by,
            revision=note.revision,
            body=h.text,
            polarity=h.polarity,
            kloes=None if mine else self._kloe(h),
        )
        self._quote(note, i, by)

    def _kloe(self, h: content.Heard) -> list[Kloe]:
        return [self.kloes[h.kloe % len(self.kloes)]] if self.kloes else []


def _author(peers: list[TeamMember], able: set[int], i: int) -> TeamMember | None:
    """One of the session's peers who can write, taking turns."""
    fit = [p for p in peers if p.pk in able]
    return fit[i % len(fit)] if fit else None


@dataclass(frozen=True)
class _Seen:
    """What matching a note to a finding needs, read as plain rows (fast)."""

    pk: int
    source_type: str
    polarity: str
    kloes: frozenset[int]


def _seen(ctx: Ctx) -> list[_Seen]:
    """The diagnostic's notes so far (two queries)."""
    on: dict[int, set[int]] = {}
    through = EvidenceNote.kloes.through.objects.filter(evidencenote__diagnostic=ctx.d)
    for note_id, kloe_id in through.values_list("evidencenote_id", "kloe_id"):
        on.setdefault(note_id, set()).add(kloe_id)
    rows = EvidenceNote.objects.filter(diagnostic=ctx.d, destroyed_at__isnull=True).order_by("pk")
    return [
        _Seen(pk, source, polarity, frozenset(on.get(pk, ())))
        for pk, source, polarity in rows.values_list("pk", "source_type", "polarity")
    ]


def _fits(note: _Seen, item: content.BoardItem, kloe: Kloe | None) -> bool:
    """Whether a note points the way of a board item: on its KLOE, and a strength for a
    strength, a concern for an area (neutral data notes count for any finding on their KLOE)."""
    if kloe is not None and kloe.pk not in note.kloes:
        return False
    wanted = Polarity.STRENGTH if item.kind == FindingKind.STRENGTH else Polarity.CONCERN
    if note.source_type == SourceType.DATA and note.polarity == Polarity.NEUTRAL:
        return True
    return note.polarity == wanted


def _emerges(i: int, total: int) -> int:
    return EMERGE[i * len(EMERGE) // total]


def _findings_by_statement(ctx: Ctx) -> dict[str, Finding]:
    return {f.statement: f for f in Finding.objects.filter(diagnostic=ctx.d)}


def _backing(notes: list[_Seen], item: content.BoardItem, kloe: Kloe | None) -> list[int]:
    """The notes that back a new finding: those on its KLOE pointing its way, and when none of
    them was heard in a session, up to two heard elsewhere that point its way."""
    chosen = [x.pk for x in notes if _fits(x, item, kloe)]
    if not any(x.pk in chosen and x.source_type != SourceType.DATA for x in notes):
        chosen += [x.pk for x in notes if _fits(x, item, None)][:2]
    if not chosen and notes:
        chosen = [notes[0].pk]
    return list(dict.fromkeys(chosen))


def _board_work(ctx: Ctx, n: int, kloes: list[Kloe], team: list[TeamMember]) -> None:
    """The team's work on the board on day `n`: notes written since a finding was added that
    point its way are linked to it (a few a day), then the items that emerge today are added
    with the notes that back them so far."""
    items = content.board(ctx.plan)
    if not items:
        return
    new = [(i, item) for i, item in enumerate(items) if _emerges(i, len(items)) == n]
    have = _findings_by_statement(ctx)
    if not have and not new:
        return
    notes = _seen(ctx)
    by_text = {b.statement: b for b in items}
    linked = set(
        FindingEvidence.objects.filter(finding__diagnostic=ctx.d).values_list(
            "finding_id", "note_id"
        )
    )
    plans: list[tuple[Finding, list[int], TeamMember]] = []
    for i, f in enumerate(sorted(have.values(), key=lambda f: f.pk)):
        item = by_text.get(f.statement)
        if item is None:
            continue
        kloe = kloes[item.kloe % len(kloes)] if kloes else None
        fresh = [x.pk for x in notes if (f.pk, x.pk) not in linked and _fits(x, item, kloe)]
        if fresh:
            plans.append((f, fresh[:2], team[i % len(team)]))  # the clearest, not every note
    wanted = {pk for _, pks, _ in plans for pk in pks}
    added: list[tuple[int, content.BoardItem, Kloe | None, list[int]]] = []
    for i, item in new:
        if item.statement in have:
            continue
        kloe = kloes[item.kloe % len(kloes)] if kloes else None
        pks = _backing(notes, item, kloe)
        wanted |= set(pks)
        added.append((i, item, kloe, pks))
    loaded = EvidenceNote.objects.in_bulk(list(wanted))
    for f, pks, peer in plans:
        for pk in pks:
            link_evidence(f, loaded[pk], by=peer.person.user, stance=Stance.SUPPORTS)
    for i, item, kloe, pks in added:
        add_finding(
            ctx.d,
            by=team[i % len(team)].person.user,
            kind=item.kind,
            statement=item.statement,
            kloe=kloe,
            evidence=[loaded[pk] for pk in pks],
        )


def _add_recommendations(ctx: Ctx, by: User) -> None:
    """The plan's recommendations whose findings are all on the board (and not yet made)."""
    items = content.board(ctx.plan)
    have = _findings_by_statement(ctx)
    made = {r.text for r in Rec.objects.filter(diagnostic=ctx.d)}
    for advice in content.recommendations(ctx.plan):
        if advice.text in made:
            continue
        wanted = [items[i].statement for i in advice.findings if 0 <= i < len(items)]
        if not wanted or any(s not in have for s in wanted):
            continue
        add_recommendation(ctx.d, by=by, text=advice.text, findings=[have[s] for s in wanted])


def _digest(ctx: Ctx, n: int, kit: Session | None, day: _Day) -> None:
    """Day `n`'s digest: drafted before the KIT meeting, shared after it."""
    drafted, shared = _kit_times(kit)
    by = lead_user(ctx)
    box: dict[str, KitDigest] = {}

    def draft() -> None:
        digest = draft_kit_digest(ctx.d, by=by, session=kit)
        if n == 5:
            strengths = Finding.objects.filter(diagnostic=ctx.d, kind=FindingKind.STRENGTH).count()
            areas = Finding.objects.filter(diagnostic=ctx.d, kind=FindingKind.AREA).count()
            recs = Rec.objects.filter(diagnostic=ctx.d).count()
            add_digest_item(
                digest,
                by=by,
                text=f"The messages for the feedback meeting: {_count(strengths, 'strength')}, "
                f"{_count(areas, 'area')} for consideration and "
                f"{_count(recs, 'recommendation')}, as discussed today.",
            )
        items = list(digest.items.order_by("order"))
        if not items:
            add_digest_item(
                digest, by=by, text="The team has begun its sessions; no themes to share yet."
            )
            items = list(digest.items.order_by("order"))
        # Findings are shared, except an area still being tested on day 4; of the counts per
        # line of enquiry, all but the last (kept for the team while it is checked).
        held_back = None
        if n == 4:
            testing = [x for x in items if x.finding_id and x.text.startswith("Area")]
            held_back = testing[-1].pk if testing else None
        counts = [x for x in items if x.finding_id is None]
        for x in items:
            share = x.pk != held_back
            if x.finding_id is None and len(counts) > 1 and x.pk == counts[-1].pk and n < 5:
                share = False
            if share:
                set_item_shared(x, by=by, shared=True, version=x.version)
        box["digest"] = digest

    def share() -> None:
        digest = box["digest"]
        digest.refresh_from_db()
        mark_digest_shared(
            digest,
            by=by,
            previews_final_messages=n == 5,
            sponsor_response=RESPONSES[n],
            version=digest.version,
        )

    day.add(drafted, draft)
    day.add(shared, share)


def day(ctx: Ctx, n: int) -> None:
    """During delivery day `n` (1-5): data notes before the sessions, a note of each session
    after it ends (by a peer who was there), findings from day 2, recommendations on day 5,
    the KIT digest shared with the sponsor. Raises NotYet at the first step not yet due."""
    if not ctx.due(ctx.tl.day(n), "08:00"):
        raise NotYet
    team = writers(ctx)
    if not team:
        return
    able = {m.pk for m in team}
    kloes = list(ctx.d.kloes.order_by("order"))
    notes = _Notes(ctx, kloes)
    plan = _Day()

    for when, title, body, polarity in DATA_NOTES:
        if when == n:
            plan.add(
                8 * 60 + 40,
                partial(
                    add_note,
                    ctx.d,
                    by=team[0].person.user,
                    source_type=SourceType.DATA,
                    title=title,
                    body=body,
                    kloes=kloes,
                    polarity=polarity,
                ),
            )

    # The week is published before delivery (the gate to ready needs it): a note per session.
    sessions = sessions_of(ctx, n)
    for i, s in enumerate(x for x in sessions if x.type in NOTED):
        assert s.start is not None
        ends = _minutes(s.start) + s.minutes + NOTE_LAG
        peer = _author(list(s.peers.all()), able, i)
        if peer is None or ends > LAST_WRITE:
            continue
        plan.add(ends, partial(notes.of_session, s, peer))

    kit = next((s for s in sessions if s.type == SessionType.KIT), None)
    drafted, _ = _kit_times(kit)
    if n > 1:
        plan.add(drafted - 10, lambda: _board_work(ctx, n, kloes, team))
    if n == RECOMMEND_DAY:
        plan.add(drafted - 5, lambda: _add_recommendations(ctx, lead_user(ctx)))
    _digest(ctx, n, kit, plan)
    plan.run(ctx, n)


def draft(ctx: Ctx) -> None:
    """On day 6 (drafting, from 08:45): the last findings and recommendations, the evidence
    linked, and the board approved by the lead peer (a few items one by one as they are
    read, then the rest at once). Raises NotYet when the day is not yet due."""
    team = writers(ctx)
    if not team:
        return
    by = lead_user(ctx)
    kloes = list(ctx.d.kloes.order_by("order"))
    plan = _Day()
    plan.add(8 * 60 + 45, lambda: _board_work(ctx, 6, kloes, team))
    plan.add(10 * 60 + 15, lambda: _add_recommendations(ctx, by))

    def first_reads() -> None:
        for f in Finding.objects.filter(diagnostic=ctx.d).order_by("kind", "order")[:2]:
            approve_item(f, by=by, version=f.version)

    def whole_board() -> None:
        items: list[Finding | Rec] = [*Finding.objects.filter(diagnostic=ctx.d)]
        items += Rec.objects.filter(diagnostic=ctx.d)
        approve_board(ctx.d, by=by, fingerprint=board_fingerprint(items))

    plan.add(11 * 60 + 40, first_reads)
    plan.add(15 * 60 + 10, whole_board)
    plan.run(ctx, 6)
