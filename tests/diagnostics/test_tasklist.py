"""The overview's task list (issue 18): one section per part of the work, the current gate first,
and a status per task that can never disagree with the gate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from peerdiag.diagnostics.domain import capabilities
from peerdiag.diagnostics.domain.capabilities import Blocker
from peerdiag.diagnostics.domain.tasklist import (
    GATE_TASKS,
    SECTIONS,
    Section,
    Status,
    Task,
    current_blockers,
    task_list,
)
from peerdiag.diagnostics.enums import MAIN_LINE, Stage
from peerdiag.diagnostics.models import Diagnostic
from tests.diagnostics.test_gates import TODAY, _complete
from tests.factories import DiagnosticFactory

pytestmark = pytest.mark.django_db

GATED = [s for s in MAIN_LINE if s != Stage.CLOSED]
AFTER_THE_WEEK = date(2027, 3, 15)  # delivery (from DAY1, 1 March 2027) and day 7 are over


def _link(fix: str) -> str:
    return f"/fix/{fix}/" if fix else ""


def _tasks(sections: list[Section]) -> list[Task]:
    return [t for s in sections for t in s.tasks]


def _fresh(d: Diagnostic) -> Diagnostic:
    return Diagnostic.objects.get(pk=d.pk)  # as a new request would see it


def _assert_agrees_with_gate(
    d: Diagnostic, today: date = TODAY
) -> tuple[list[Blocker], list[Section]]:
    """Every blocker of the next gate is an unfinished task of the current (first) section; no
    task shown Completed carries or names a blocker."""
    d = _fresh(d)
    blockers = current_blockers(d, today=today)
    sections = task_list(d, link_for=_link, today=today)
    assert sections[0].current, d.stage
    assert [s for s in sections if s.current] == [sections[0]]
    shown = [b for t in sections[0].tasks for b in t.blockers]
    assert sorted(shown, key=repr) == sorted(blockers, key=repr), d.stage
    gate = Stage(d.stage)
    for t in sections[0].tasks:
        if t.gate == gate:
            assert (t.status == Status.COMPLETED) == (not t.blockers), (d.stage, t.key)
        else:
            assert not t.blockers
    codes = {b.code for b in blockers}
    defs = {t.key: t for gate in GATE_TASKS.values() for t in gate}
    for t in _tasks(sections):
        if t.status == Status.COMPLETED:
            assert not t.blockers
            assert t.key not in defs or not codes & set(defs[t.key].codes), (d.stage, t.key)
    return blockers, sections


@pytest.mark.parametrize("review", [False, True], ids=["no case review", "case review"])
@pytest.mark.parametrize("stage", GATED, ids=str)
def test_a_bare_diagnostic_at_each_stage_shows_every_blocker_as_a_task(stage, review):  # type: ignore[no-untyped-def]
    if stage == Stage.CASE_REVIEW and not review:
        pytest.skip("no case review stage without a case review")
    d = DiagnosticFactory(stage=stage, case_review_in_scope=review)
    blockers, sections = _assert_agrees_with_gate(d)
    assert blockers, "a bare diagnostic has something missing at every gate"
    assert any(t.status != Status.COMPLETED for t in sections[0].tasks)


@pytest.mark.parametrize("review", [False, True], ids=["no case review", "case review"])
@pytest.mark.parametrize("stage", GATED, ids=str)
def test_a_diagnostic_meeting_the_core_rules_shows_them_completed(stage, review):  # type: ignore[no-untyped-def]
    if stage == Stage.CASE_REVIEW and not review:
        pytest.skip("no case review stage without a case review")
    d = _complete(stage, case_review=review)
    blockers, sections = _assert_agrees_with_gate(d, today=AFTER_THE_WEEK)
    current = sections[0]
    # Only capability conditions can be left: the core ones read Completed.
    core = [t for t in current.tasks if t.blockers and all("." not in b.code for b in t.blockers)]
    assert not core, [(t.key, t.hint) for t in core]
    if not blockers:
        assert all(t.done for t in current.tasks if t.gate == stage)
    order = [key for key, _, _ in SECTIONS]
    at = order.index(current.key)
    for s in sections[1:]:
        if order.index(s.key) < at:
            assert s.status == Status.COMPLETED, s.key
        else:
            assert {t.status for t in s.tasks} == {Status.CANNOT_START}, s.key
            assert not any(t.link for t in s.tasks)


def test_the_sections_follow_the_work_and_the_current_one_comes_first():  # type: ignore[no-untyped-def]
    d = _complete(Stage.PREPARATION, case_review=True)
    keys = [s.key for s in task_list(_fresh(d), link_for=_link, today=TODAY)]
    assert keys == [
        "preparation",
        "scoping",
        "team",
        "case_review",
        "delivery",
        "written",
        "evaluation",
    ]
    d = _complete(Stage.PREPARATION, case_review=False)
    keys = [s.key for s in task_list(_fresh(d), link_for=_link, today=TODAY)]
    assert "case_review" not in keys


def test_statuses_at_scoping_from_what_is_recorded():  # type: ignore[no-untyped-def]
    d = DiagnosticFactory(stage=Stage.SCOPING_SCHEDULED, focus_statement="The front door")
    sections = task_list(_fresh(d), link_for=_link, today=TODAY)
    scoping = sections[0]
    assert scoping.key == "scoping" and scoping.current
    by_key = {t.key: t for t in scoping.tasks}
    # The enquiry gate is behind: its tasks are done.
    assert by_key["sponsor"].status == Status.COMPLETED
    assert by_key["focus"].status == Status.COMPLETED
    assert by_key["focus"].link == "/fix/details/"
    assert by_key["kloes"].status == Status.NOT_STARTED
    assert by_key["kloes"].hint == "Agree at least one key line of enquiry"
    # The scoped gate is ahead: it cannot start, and offers no link.
    assert by_key["organiser"].status == Status.CANNOT_START
    assert by_key["organiser"].link == ""
    assert scoping.status == Status.IN_PROGRESS


def test_work_begun_but_unfinished_is_in_progress():  # type: ignore[no-untyped-def]
    d = _complete(Stage.SCOPING_SCHEDULED)
    d.scoping.attendees.clear()  # held, but without the sponsor
    by_key = {t.key: t for t in task_list(_fresh(d), link_for=_link, today=TODAY)[0].tasks}
    assert by_key["scoping_held"].status == Status.IN_PROGRESS
    assert by_key["scoping_held"].hint == "Record the sponsor among those at scoping"


@pytest.fixture
def saved_capabilities() -> Iterator[None]:
    saved = capabilities.registered()
    yield
    capabilities.restore(saved)


def test_a_capability_not_built_yet_cannot_start(saved_capabilities):  # type: ignore[no-untyped-def]
    capabilities.unregister_capability("documents")
    d = _complete(Stage.PREPARATION)
    _assert_agrees_with_gate(d)
    by_key = {t.key: t for t in task_list(_fresh(d), link_for=_link, today=TODAY)[0].tasks}
    assert by_key["documents"].status == Status.CANNOT_START
    assert "not yet available" in by_key["documents"].hint


def test_a_blocker_no_task_names_becomes_a_task_of_its_own(saved_capabilities):  # type: ignore[no-untyped-def]
    capabilities.register_capability(
        "evaluation", lambda d, to: [Blocker("mystery", "Something new to do", "closing")]
    )
    d = _complete(Stage.EVALUATION)
    _, sections = _assert_agrees_with_gate(d)
    mystery = [t for t in sections[0].tasks if t.key == "mystery"]
    assert len(mystery) == 1
    assert mystery[0].name == "Something new to do"
    assert mystery[0].status == Status.NOT_STARTED
    assert mystery[0].link == "/fix/closing/"
    # The council never reads a stray blocker.
    council = task_list(_fresh(d), link_for=_link, council_only=True, today=TODAY)
    assert "mystery" not in {t.key for t in _tasks(council)}


def test_a_link_comes_only_from_link_for():  # type: ignore[no-untyped-def]
    d = DiagnosticFactory(stage=Stage.ENQUIRY)
    sections = task_list(_fresh(d), link_for=lambda fix: "", today=TODAY)
    assert _tasks(sections) and not any(t.link for t in _tasks(sections))


def test_the_council_reads_only_its_own_tasks():  # type: ignore[no-untyped-def]
    d = DiagnosticFactory(stage=Stage.SCOPING_SCHEDULED)
    everything = {t.key for t in _tasks(task_list(_fresh(d), link_for=_link, today=TODAY))}
    council = {
        t.key for t in _tasks(task_list(_fresh(d), link_for=_link, council_only=True, today=TODAY))
    }
    assert {"kloes", "focus", "scope_confirmed", "documents"} <= council
    assert not {"team_needs", "suitability", "covid", "region"} & council
    assert council < everything


def test_a_changed_scope_reopens_the_earlier_confirmation():  # type: ignore[no-untyped-def]
    d = _complete(Stage.READY)
    Diagnostic.objects.filter(pk=d.pk).update(focus_statement="Something else entirely")
    sections = task_list(_fresh(d), link_for=_link, today=TODAY)
    assert sections[0].key == "delivery"
    by_key = {t.key: t for t in _tasks(sections)}
    assert by_key["scope_still_confirmed"].status == Status.NOT_STARTED
    assert by_key["scope_confirmed"].status == Status.IN_PROGRESS
    assert by_key["scope_confirmed"].hint == "Needs doing again"


def test_a_postponed_diagnostic_has_no_current_section():  # type: ignore[no-untyped-def]
    d = _complete(Stage.TEAM_FORMING)
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=Stage.POSTPONED, stage_before_pause=Stage.TEAM_FORMING
    )
    sections = task_list(_fresh(d), link_for=_link, today=TODAY)
    assert not any(s.current for s in sections)
    by_key = {s.key: s for s in sections}
    assert by_key["scoping"].status == Status.COMPLETED
    team = by_key["team"]
    assert {t.status for t in team.tasks} == {Status.CANNOT_START}
    assert all(t.hint == "Paused while the diagnostic is postponed" for t in team.tasks)


def test_closed_is_all_done_and_cancelled_has_no_list():  # type: ignore[no-untyped-def]
    d = DiagnosticFactory(stage=Stage.CLOSED, case_review_in_scope=True)
    sections = task_list(_fresh(d), link_for=_link, today=TODAY)
    assert len(sections) == len(SECTIONS)
    assert all(s.status == Status.COMPLETED for s in sections)
    d = DiagnosticFactory(stage=Stage.CANCELLED)
    assert task_list(_fresh(d), link_for=_link, today=TODAY) == []


def test_a_diagnostic_found_not_suitable_has_only_its_closing_left():  # type: ignore[no-untyped-def]
    d = _complete(Stage.SCOPED)
    Diagnostic.objects.filter(pk=d.pk).update(suitability="not_suitable")
    sections = task_list(_fresh(d), link_for=_link, today=TODAY)
    assert [s.key for s in sections] == ["scoping"]
    tasks = {t.key: t for t in sections[0].tasks}
    assert tasks["close_unsuitable"].status == Status.COMPLETED
    assert "organiser" not in tasks


def test_delivery_days_still_to_come_are_not_started():  # type: ignore[no-untyped-def]
    d = _complete(Stage.DELIVERY)
    early = date(2027, 3, 2)  # day 2 of the week that starts on DAY1
    sections = task_list(_fresh(d), link_for=_link, today=early)
    by_key = {t.key: t for t in sections[0].tasks}
    assert by_key["days_done"].status == Status.NOT_STARTED
    assert by_key["days_done"].link == "/fix/dates/"
    after = task_list(_fresh(d), link_for=_link, today=date(2027, 3, 15))
    assert {t.key: t for t in after[0].tasks}["days_done"].status == Status.COMPLETED
