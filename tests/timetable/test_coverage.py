"""The KLOE by stakeholder-group coverage matrix and its warnings."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerdiag.diagnostics.enums import DiagnosticType
from peerdiag.timetable.domain.coverage import (
    CHECKLIST,
    FAMILIES,
    SEND,
    checklist_for,
    coverage_matrix,
    coverage_warnings,
    session_groups,
    week_sessions,
)
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session
from tests.factories import KloeFactory


def _session(d, title, kloes, *, group="", attendees=(), type=SessionType.INTERVIEW, **kw):  # type: ignore[no-untyped-def]
    s = Session.objects.create(diagnostic=d, type=type, title=title, group=group, **kw)
    s.kloes.set(kloes)
    s.attendees.set(attendees)
    return s


def test_checklist_depends_on_the_type(world):
    d = world.own
    names = [g.name for g in checklist_for(d)]
    assert "Council leadership" in names and FAMILIES.name in names
    assert SEND.name not in names
    d.type = DiagnosticType.SEND
    assert SEND.name in [g.name for g in checklist_for(d)]
    assert all(g.description for groups in CHECKLIST.values() for g in groups)
    assert set(CHECKLIST) == set(DiagnosticType.values)


def test_a_sessions_groups_are_its_own_or_its_attendees(world):
    d = world.own
    a = Attendee.objects.create(diagnostic=d, name="A", group="Partners")
    b = Attendee.objects.create(diagnostic=d, name="B", group="Frontline practitioners")
    s = _session(d, "Mixed", [], attendees=[a, b])
    assert session_groups(s) == ["Frontline practitioners", "Partners"]
    s.group = "Partners"
    assert session_groups(s) == ["Partners"]


def test_matrix_puts_each_hearing_session_under_its_kloe_and_groups(world):
    d = world.own
    k1 = KloeFactory(diagnostic=d, order=1, text="Front door")
    k2 = KloeFactory(diagnostic=d, order=2, text="Practice")
    youth = Attendee.objects.create(diagnostic=d, name="Y", group="Youth council")
    door = _session(d, "Door managers", [k1], group="Senior and middle managers")
    chat = _session(d, "Youth voice", [k1, k2], attendees=[youth], type=SessionType.FOCUS_GROUP)
    _session(d, "KIT", [k2], group="Council leadership", type=SessionType.KIT)  # not a hearing
    _session(d, "Gone", [k2], group="Partners", status=SessionStatus.CANCELLED)
    m = coverage_matrix(d)
    names = [g.name for g in m.groups]
    assert names[: len(checklist_for(d))] == [g.name for g in checklist_for(d)]
    assert names[-1] == "Youth council"  # another group a session uses
    cell = {
        (r.kloe.code, g.name): c for r in m.rows for g, c in zip(m.groups, r.cells, strict=True)
    }
    assert cell[(k1.code, "Senior and middle managers")] == [door]
    assert cell[(k1.code, "Youth council")] == [chat]
    assert cell[(k2.code, "Youth council")] == [chat]
    assert cell[(k2.code, "Council leadership")] == []
    assert cell[(k2.code, "Partners")] == []
    assert [r.groups_heard for r in m.rows] == [2, 1]


def test_warnings_for_unheard_and_one_group_kloes_and_advice_for_groups(world):
    d = world.own
    k1 = KloeFactory(diagnostic=d, order=1, text="Front door")
    k2 = KloeFactory(diagnostic=d, order=2, text="Practice")
    k3 = KloeFactory(diagnostic=d, order=3, text="Leadership")
    _session(d, "One", [k1], group="Partners")
    _session(d, "Two", [k1], group="Frontline practitioners")
    _session(d, "Three", [k2], group="Partners")
    _session(d, "Four", [k2], group="Partners")
    warnings = coverage_warnings(d)
    by_kloe = {w.kloe.code: w for w in warnings if w.kloe}
    assert k1.code not in by_kloe
    assert by_kloe[k2.code].kind == "kloe_one_group" and "only one" in by_kloe[k2.code].message
    assert by_kloe[k3.code].kind == "kloe_unheard" and "Leadership" in by_kloe[k3.code].message
    advice = {w.group for w in warnings if w.advice}
    assert "Council leadership" in advice and "Partners" not in advice
    assert "Frontline practitioners" not in advice
    # A second group for the practice KLOE clears its warning.
    _session(d, "Five", [k2], group="Council leadership")
    assert k2.code not in {w.kloe.code for w in coverage_warnings(d) if w.kloe}


def test_matrix_costs_the_same_queries_for_one_or_many_sessions(world):
    d = world.own
    k = KloeFactory(diagnostic=d, order=1)
    a = Attendee.objects.create(diagnostic=d, name="A", group="Partners")
    _session(d, "First", [k], attendees=[a])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            coverage_warnings(d, week_sessions(d))
        return len(ctx.captured_queries)

    one = count()
    for i in range(3):
        _session(d, f"More {i}", [k], attendees=[a], group="" if i else "Partners")
    assert count() == one
