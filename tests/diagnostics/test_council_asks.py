"""What a host council still has to do: the list on the council's home page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerdiag.diagnostics.domain.council_asks import council_asks
from peerdiag.diagnostics.enums import EndorsementStatus, Stage, TeamRole
from peerdiag.diagnostics.models import ConfidentialityAgreement, Diagnostic, Endorsement
from tests.factories import DiagnosticFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

DAY1 = date(2027, 3, 1)  # a Monday; February 2027 has no bank holidays
DOCUMENTS_DUE = date(2027, 2, 8)  # 15 working days before day 1
TIMETABLE_DUE = date(2027, 2, 15)  # 10 working days before
DAY_BEFORE = date(2027, 2, 26)  # the working day before day 1
TODAY = date(2027, 2, 10)


def _asks(user, today=TODAY) -> list[tuple[str, str, date | None, str, bool]]:  # type: ignore[no-untyped-def]
    return [
        (a.diagnostic.reference, a.text, a.due, a.url_name, a.overdue)
        for a in council_asks(user, today=today)
    ]


def _at(d: Diagnostic, stage: str, **fields) -> None:  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, **fields)


def test_a_council_user_gets_every_ask_with_due_dates(world):  # type: ignore[no-untyped-def]
    d = world.own
    _at(d, Stage.SCOPED, day1=DAY1)
    TeamMemberFactory(diagnostic=d, role=TeamRole.OPERATIONAL_MANAGER)
    Endorsement.objects.create(diagnostic=d, role="lead_member", status=EndorsementStatus.GIVEN)
    Endorsement.objects.create(diagnostic=d, role="chief_executive", status="pending")
    ref = d.reference
    assert _asks(world.sponsor) == [
        (ref, "Approve or object to 2 proposed peers", None, "web:team_review", False),
        (
            ref,
            "Decide whether peers must sign a confidentiality agreement",
            DOCUMENTS_DUE,
            "web:confidentiality",
            True,
        ),
        (
            ref,
            "Get the chief executive's endorsement before delivery day 1",
            DAY_BEFORE,
            "web:council_roles",
            False,
        ),
        (
            ref,
            "Send the key documents to the peer challenge manager",
            DOCUMENTS_DUE,
            "web:diagnostic_overview",
            True,
        ),
        (
            ref,
            "Agree the timetable with the peer challenge manager",
            TIMETABLE_DUE,
            "web:diagnostic_overview",
            False,
        ),
    ]
    # The organiser, at the same council, gets the same list; nothing of council B's.
    assert _asks(world.organiser) == _asks(world.sponsor)
    assert {a[0] for a in _asks(world.other_council_user)} == {world.other.reference}


def test_overdue_follows_today(world):  # type: ignore[no-untyped-def]
    _at(world.own, Stage.PREPARATION, day1=DAY1)
    world.own.team.filter(role=TeamRole.LEAD_PEER).update(council_decision="approved")

    def overdue(today: date) -> list[str]:
        return [a[1] for a in _asks(world.sponsor, today) if a[4]]

    assert overdue(DOCUMENTS_DUE) == []
    assert overdue(date(2027, 2, 9)) == [
        "Decide whether peers must sign a confidentiality agreement",
        "Send the key documents to the peer challenge manager",
    ]
    assert overdue(date(2027, 2, 16))[-1] == "Agree the timetable with the peer challenge manager"
    assert overdue(date(2027, 3, 1)) == [
        "Decide whether peers must sign a confidentiality agreement",
        "Get the lead member's endorsement before delivery day 1",
        "Get the chief executive's endorsement before delivery day 1",
        "Send the key documents to the peer challenge manager",
        "Agree the timetable with the peer challenge manager",
    ]


def test_asks_end_when_done_or_when_the_stage_has_moved_on(world):  # type: ignore[no-untyped-def]
    d = world.own
    _at(d, Stage.READY, day1=DAY1, confidentiality_required=True)
    world.own.team.update(council_decision="approved")
    assert [a[1] for a in _asks(world.sponsor)] == [
        "Supply the text of the confidentiality agreement",
        "Get the lead member's endorsement before delivery day 1",
        "Get the chief executive's endorsement before delivery day 1",
    ]
    ConfidentialityAgreement.objects.create(diagnostic=d, version=1, text="x", text_sha256="y")
    for role in ("lead_member", "chief_executive"):
        Endorsement.objects.create(diagnostic=d, role=role, status=EndorsementStatus.GIVEN)
    assert _asks(world.sponsor) == []


def test_no_asks_before_the_team_forms_or_after_the_end(world):  # type: ignore[no-untyped-def]
    # At enquiry with only the PCM: nothing for the council yet (no day 1, no peers).
    world.own.team.filter(role=TeamRole.LEAD_PEER).delete()
    assert _asks(world.sponsor) == []
    _at(world.own, Stage.CANCELLED, day1=DAY1)
    TeamMemberFactory(diagnostic=world.own)
    assert _asks(world.sponsor) == []


def test_only_people_at_a_council_get_asks(world):  # type: ignore[no-untyped-def]
    _at(world.own, Stage.TEAM_FORMING, day1=DAY1)
    assert _asks(world.pcm) == []
    assert _asks(world.admin) == []
    # A peer works for a council too, but hosts nothing here.
    assert _asks(world.peer) == []


def test_query_count_does_not_grow_with_diagnostics(world):  # type: ignore[no-untyped-def]
    _at(world.own, Stage.TEAM_FORMING, day1=DAY1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            council_asks(world.sponsor, today=TODAY)
        return len(ctx.captured_queries)

    one = queries()
    for _ in range(2):
        more = DiagnosticFactory(host_council=world.own.host_council, stage=Stage.SCOPED)
        TeamMemberFactory(diagnostic=more)
    assert len({a.diagnostic.pk for a in council_asks(world.sponsor, today=TODAY)}) == 3
    assert queries() == one
