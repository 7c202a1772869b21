"""The to-do list (issue 18): every open ask of a person, derived where possible from the gates.

The expected items are worked out from `gate_blockers`, so a new gate check that names a person
or the council shows up here as a failure until the list carries it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import (
    Briefing,
    ConfidentialityAgreement,
    Diagnostic,
    ScopingMeeting,
)
from peerdiag.portfolio.domain import todos
from peerdiag.portfolio.domain.todos import todos_for
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback
from tests.factories import DiagnosticFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 2, 10)


def _at(d: Diagnostic, stage: str, **fields) -> Diagnostic:  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, **fields)
    d.refresh_from_db()
    return d


def _outstanding_clearance(d: Diagnostic, by) -> None:  # type: ignore[no-untyped-def]
    """A briefing issued and an agreement to sign, neither done by anyone yet."""
    Briefing.objects.create(
        diagnostic=d, version=1, file="briefings/b.pdf", original_name="b.pdf", issued_by=by
    )
    ConfidentialityAgreement.objects.create(diagnostic=d, version=1, text="x", text_sha256="y")


def _texts(user, today=TODAY) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text for t in todos_for(user, today=today)]


# Peers: what the team gate says each of them still owes ----------------------------------------

# What a peer is asked to do for each thing the gate finds missing about them.
PEER_ASK_FOR = {
    "team.declaration": ["Declare your interests"],
    "acknowledge the latest briefing": ["Read and acknowledge the briefing"],
    "sign the current confidentiality agreement": ["Sign the confidentiality agreement"],
}
# Gate items that name a peer but that someone else acts on: the PCM (seniority, conflicts) or
# the council (its approval). They appear on those people's lists, not the peer's.
ABOUT_A_PEER_NOT_THEIRS = {
    "team.lead_seniority",
    "team.council_pending",
    "team.council_objected",
    "team.conflict",
}


def test_a_peer_sees_every_gate_item_that_names_them(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.TEAM_FORMING, confidentiality_required=True)
    _outstanding_clearance(d, world.pcm)
    name = str(world.peer.person)
    about_peer = [b for b in gate_blockers(d, Stage.PREPARATION, today=TODAY) if name in b.message]
    expected = []
    for b in about_peer:
        if b.code == "team.declaration":
            expected += PEER_ASK_FOR[b.code]
        elif b.code in ABOUT_A_PEER_NOT_THEIRS:
            continue
        elif b.code == "team.not_cleared":
            for part in b.message.split(": ", 1)[1].split("; "):
                expected += PEER_ASK_FOR[part]
        else:  # a new gate item about a peer: the list must learn to ask for it
            pytest.fail(f"No to-do item for the gate item {b.code}: {b.message}")
    assert sorted(expected) == [
        "Declare your interests",
        "Read and acknowledge the briefing",
        "Sign the confidentiality agreement",
    ]
    mine = [t for t in todos_for(world.peer, today=TODAY) if t.diagnostic == d]
    assert sorted(t.text for t in mine) == sorted(expected)
    assert {t.url_name for t in mine} == {
        "web:declaration",
        "web:briefing",
        "web:confidentiality",
    }
    # Someone else's team, and the PCM's own clearance, are not the peer's to-do.
    assert all(t.diagnostic == d for t in todos_for(world.peer, today=TODAY))


def test_a_peer_s_asks_go_when_done(world):  # type: ignore[no-untyped-def]
    from peerdiag.diagnostics.models import BriefingAcknowledgement, ConflictDeclaration, Signature

    d = _at(world.own, Stage.TEAM_FORMING, confidentiality_required=True)
    _outstanding_clearance(d, world.pcm)
    now = timezone.now()
    person = world.peer.person
    ConflictDeclaration.objects.create(
        diagnostic=d, person=person, worked_for_host=False, declared_at=now
    )
    BriefingAcknowledgement.objects.create(
        briefing=d.briefings.get(), person=person, acknowledged_at=now
    )
    Signature.objects.create(
        agreement=d.agreements.get(),
        person=person,
        typed_name=person.full_name,
        text_sha256="y",
        signed_at=now,
    )
    assert _texts(world.peer) == []
    assert not [
        b
        for b in gate_blockers(d, Stage.PREPARATION, today=TODAY)
        if str(person) in b.message and b.code not in ABOUT_A_PEER_NOT_THEIRS
    ]


def test_the_lead_peer_approves_board_items_while_drafting(world):  # type: ignore[no-untyped-def]
    from peerdiag.findings.models import Finding, Recommendation

    d = _at(world.own, Stage.DRAFTING)
    Finding.objects.create(diagnostic=d, kind="strength", statement="Good front door")
    Recommendation.objects.create(diagnostic=d, text="Keep it up")
    unapproved = [
        b
        for b in gate_blockers(d, Stage.FEEDBACK_GIVEN, today=TODAY)
        if b.code.endswith("unapproved")
    ]
    assert unapproved and "lead peer" in unapproved[0].message
    assert _texts(world.peer) == ["Approve 2 items on the drafting board"]


def test_a_peer_writes_up_today_s_sessions_during_delivery(world):  # type: ignore[no-untyped-def]
    from datetime import time

    from peerdiag.findings.models import EvidenceNote
    from peerdiag.timetable.models import Session

    d = _at(world.own, Stage.DELIVERY, day1=date(2027, 2, 9))  # today is day 2
    member = d.team.get(person=world.peer.person)
    heard = Session.objects.create(
        diagnostic=d, type="interview", title="Front door managers", day=2, start=time(10)
    )
    heard.peers.add(member)
    tomorrow = Session.objects.create(diagnostic=d, type="interview", title="Later", day=3)
    tomorrow.peers.add(member)
    Session.objects.create(diagnostic=d, type="interview", title="Not mine", day=2)
    asks = [t for t in todos_for(world.peer, today=TODAY) if t.url_name == "web:session_note"]
    assert [(t.text, t.url_kwargs["code"], t.due) for t in asks] == [
        ("Write up your notes of today's session at 10:00: Front door managers", heard.code, TODAY)
    ]
    note = EvidenceNote.objects.create(
        diagnostic=d, author=member, source_type="interview", session=heard, title="x"
    )
    assert len(todos_for(world.peer, today=TODAY)) == 1  # opened, not yet saved
    EvidenceNote.objects.filter(pk=note.pk).update(revision=1)
    assert todos_for(world.peer, today=TODAY) == []


# The council: the gate items the council must act on -------------------------------------------

# Gate items the host council acts on, and the words of its to-do item.
COUNCIL_ASK_FOR = {
    "team.council_pending": "Approve or object to 1 proposed peer",
    "team.confidentiality_decision": "Decide whether peers must sign a confidentiality agreement",
    "scope_confirmed": "Confirm the scope: the focus, key lines of enquiry and case review",
    "reports.not_issued": (
        "Check the draft written feedback for factual accuracy, then say you have finished"
    ),
}


def _council_world(world, stage: str) -> Diagnostic:  # type: ignore[no-untyped-def]
    d = _at(world.own, stage, day1=date(2027, 3, 1))
    ScopingMeeting.objects.create(diagnostic=d, held_on=date(2027, 1, 5))
    if stage == Stage.FEEDBACK_GIVEN:
        WrittenFeedback.objects.create(diagnostic=d, state=WrittenState.COUNCIL_CHECK)
    return d


@pytest.mark.parametrize("stage", [Stage.SCOPED, Stage.TEAM_FORMING, Stage.FEEDBACK_GIVEN])
def test_the_sponsor_sees_every_gate_item_that_is_the_council_s(world, stage):  # type: ignore[no-untyped-def]
    d = _council_world(world, stage)
    blockers = [b for to in next_stages(d) for b in gate_blockers(d, to, today=TODAY)]
    councils = [b for b in blockers if b.code in COUNCIL_ASK_FOR]
    assert councils, "each stage here has at least one item for the council"
    # Any gate item that says the council or the sponsor must act needs an ask in the list.
    for b in blockers:
        words = b.message.lower()
        if b.code not in COUNCIL_ASK_FOR and (
            words.startswith("the council must") or words.startswith("the sponsor confirms")
        ):
            pytest.fail(f"No council to-do item for the gate item {b.code}: {b.message}")
    texts = _texts(world.sponsor)
    for b in councils:
        assert COUNCIL_ASK_FOR[b.code] in texts, b.code
    # Nothing of this diagnostic for the other council.
    assert all(t.diagnostic != d for t in todos_for(world.other_council_user, today=TODAY))


def test_the_sponsor_sees_the_factual_check_and_then_the_survey(world):  # type: ignore[no-untyped-def]
    from peerdiag.evaluation.models import Survey

    d = _council_world(world, Stage.FEEDBACK_GIVEN)
    check = [
        t for t in todos_for(world.sponsor, today=TODAY) if t.url_name == "web:written_feedback"
    ]
    assert [t.text for t in check] == [COUNCIL_ASK_FOR["reports.not_issued"]]
    assert check[0].url == f"/diagnostics/{d.reference}/written-feedback/"
    WrittenFeedback.objects.filter(diagnostic=d).update(council_returned_at=timezone.now())
    assert COUNCIL_ASK_FOR["reports.not_issued"] not in _texts(world.sponsor)
    _at(d, Stage.WRITTEN_FEEDBACK_ISSUED)
    survey = Survey.objects.create(
        diagnostic=d, respondent=world.sponsor.person, role="sponsor", sent_at=timezone.now()
    )
    asks = [t for t in todos_for(world.sponsor, today=TODAY) if t.url_name == "web:survey"]
    assert [(t.text, t.url_kwargs) for t in asks] == [
        ("Answer the evaluation survey", {"token": survey.token})
    ]
    # The organiser answers their own survey, not the sponsor's.
    assert "Answer the evaluation survey" not in _texts(world.organiser)


def test_a_council_user_never_sees_another_council_s_asks(world):  # type: ignore[no-untyped-def]
    for d in (world.own, world.other):
        _at(d, Stage.TEAM_FORMING, day1=date(2027, 3, 1))
    own = todos_for(world.sponsor, today=TODAY)
    other = todos_for(world.other_council_user, today=TODAY)
    assert own and other
    assert {t.diagnostic for t in own} == {world.own}
    assert {t.diagnostic for t in other} == {world.other}


# The PCM: every item of the next gate, and what is overdue ------------------------------------

STAGES = [
    Stage.ENQUIRY,
    Stage.SCOPING_SCHEDULED,
    Stage.SCOPED,
    Stage.TEAM_FORMING,
    Stage.PREPARATION,
    Stage.READY,
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
]


@pytest.mark.parametrize("stage", STAGES)
def test_the_pcm_sees_every_gate_item_and_every_overdue_date(world, stage):  # type: ignore[no-untyped-def]
    from peerdiag.diagnostics.domain.keydates import overdue_items

    d = _at(world.own, stage, day1=date(2027, 2, 1))
    expected = [
        (b.message, todos.FIX_PAGES.get(b.fix) or todos.OTHER_FIX_PAGES.get(b.fix))
        for to in next_stages(d)
        for b in gate_blockers(d, to, today=TODAY)
    ]
    assert expected
    got = [(t.text, t.url_name) for t in todos_for(world.pcm, today=TODAY)]
    for item in expected:
        assert item in got
    for text in overdue_items(d, TODAY):
        assert (text, "web:diagnostic_overview") in got
    # Nothing of the other PCM's diagnostic.
    assert all(t.diagnostic == d for t in todos_for(world.pcm, today=TODAY))


def test_an_lga_admin_answers_councils_requests(world):  # type: ignore[no-untyped-def]
    from peerdiag.diagnostics.domain.requests import contact_by
    from peerdiag.diagnostics.models import CouncilRequest

    req = CouncilRequest.objects.create(
        diagnostic=world.own,
        requested_by=world.sponsor,
        concerns="Our front door",
        preferred_weeks=["2027-03-01"],
        sponsor_name="S",
        sponsor_email="s@example.org",
        sponsor_job_title="DCS",
        organiser_name="O",
        organiser_email="o@example.org",
        organiser_job_title="PA",
    )
    asks = todos_for(world.admin, today=TODAY)
    assert [(t.text, t.url, t.due) for t in asks] == [
        (
            "Answer Council A's request for a diagnostic",
            f"/diagnostics/{world.own.reference}/request/",
            contact_by(timezone.localdate(req.created_at)),
        )
    ]
    # Not the council's own to-do: it waits for the LGA.
    assert "Answer Council A's request for a diagnostic" not in _texts(world.sponsor)


# Cost ------------------------------------------------------------------------------------------


def _count(user) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        todos_for(user, today=TODAY)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_diagnostics_for_peers_and_councils(world):  # type: ignore[no-untyped-def]
    def add() -> None:
        d = DiagnosticFactory(
            host_council=world.own.host_council,
            stage=Stage.TEAM_FORMING,
            day1=date(2027, 3, 1),
            confidentiality_required=True,
        )
        _outstanding_clearance(d, world.pcm)
        TeamMemberFactory(diagnostic=d, person=world.peer.person, role=TeamRole.LEAD_PEER)
        ScopingMeeting.objects.create(diagnostic=d, held_on=date(2027, 1, 5))
        from peerdiag.diagnostics.models import CouncilRole

        CouncilRole.objects.create(diagnostic=d, person=world.sponsor.person, role="sponsor")

    add()
    peer, sponsor = _count(world.peer), _count(world.sponsor)
    n = len(todos_for(world.peer, today=TODAY))
    add()
    add()
    assert len(todos_for(world.peer, today=TODAY)) == 3 * n
    assert _count(world.peer) == peer
    assert _count(world.sponsor) == sponsor
