"""The to-do list at the top of every home page (issue 18): what each role reads there."""

from __future__ import annotations

import html as htmllib
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.casereview.enums import AuditStatus
from peerdiag.casereview.models import CaseAudit
from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Briefing, ConfidentialityAgreement, Diagnostic
from peerdiag.portfolio.domain import todos
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db


def _todo_section(user) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    page = c.get(reverse("web:dashboard")).content.decode()
    return page.split('id="todo-list"')[1].split("</section>")[0]


def _link(url: str, text: str) -> str:
    return f'href="{url}">{htmllib.escape(text, quote=True)}</a>'


def _at(d: Diagnostic, stage: str, **fields) -> Diagnostic:  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=d.pk).update(stage=stage, **fields)
    d.refresh_from_db()
    return d


def test_a_peer_with_clearance_outstanding_reads_the_three_asks(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.TEAM_FORMING, confidentiality_required=True)
    Briefing.objects.create(
        diagnostic=d, version=1, file="briefings/b.pdf", original_name="b.pdf", issued_by=None
    )
    ConfidentialityAgreement.objects.create(diagnostic=d, version=1, text="x", text_sha256="y")
    # The team gate says the same three things about this peer.
    about = " ".join(
        b.message
        for b in gate_blockers(d, Stage.PREPARATION)
        if str(world.peer.person) in b.message
    )
    assert "has not declared their interests" in about
    assert "acknowledge the latest briefing" in about
    assert "sign the current confidentiality agreement" in about
    section = _todo_section(world.peer)
    ref = d.reference
    assert _link(f"/diagnostics/{ref}/declaration/", "Declare your interests") in section
    assert _link(f"/diagnostics/{ref}/briefing/", "Read and acknowledge the briefing") in section
    assert (
        _link(f"/diagnostics/{ref}/confidentiality/", "Sign the confidentiality agreement")
        in section
    )
    assert f"{ref}: {htmllib.escape(d.title)}" in section
    assert "Nothing needs you now" not in section


def test_the_sponsor_reads_the_factual_check(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.FEEDBACK_GIVEN, day1=date(2027, 3, 1))
    WrittenFeedback.objects.create(diagnostic=d, state=WrittenState.COUNCIL_CHECK)
    text = "Check the draft written feedback for factual accuracy, then say you have finished"
    url = f"/diagnostics/{d.reference}/written-feedback/"
    assert _link(url, text) in _todo_section(world.sponsor)
    assert _link(url, text) in _todo_section(world.organiser)
    # Another council's user reads nothing of it.
    other = _todo_section(world.other_council_user)
    assert d.reference not in other and text not in other


@pytest.mark.parametrize(
    "stage", [Stage.ENQUIRY, Stage.TEAM_FORMING, Stage.READY, Stage.DRAFTING, Stage.EVALUATION]
)
def test_the_pcm_reads_every_item_of_the_next_gate(world, stage):  # type: ignore[no-untyped-def]
    d = _at(world.own, stage, day1=date(2027, 3, 1))
    blockers = [b for to in next_stages(d) for b in gate_blockers(d, to)]
    assert blockers
    section = _todo_section(world.pcm)
    for b in blockers:
        name = todos.FIX_PAGES.get(b.fix) or todos.OTHER_FIX_PAGES.get(
            b.fix, "web:diagnostic_overview"
        )
        assert _link(reverse(name, args=[d.reference]), b.message) in section, b.code
    assert world.other.reference not in section


def test_a_case_auditor_reads_the_audits_to_finish(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.CASE_REVIEW, day1=date(2027, 3, 1))
    auditor = add_auditor(d, "auditor@example.org")
    case = released_case(d, auditor)
    assert case.auditor is not None and case.auditor.person == auditor.person
    assert any(b.code == "case_review.audits" for b in gate_blockers(d, Stage.READY))
    url = reverse("web:casereview_case", args=[d.reference, case.code])
    assert _link(url, f"Finish the audit of case {case.code}") in _todo_section(auditor)
    CaseAudit.objects.update_or_create(
        case=case,
        defaults={
            "auditor": case.auditor,
            "status": AuditStatus.DONE,
            "finished_at": timezone.now(),
        },
    )
    assert "Finish the audit" not in _todo_section(auditor)


def test_the_list_is_empty_only_when_nothing_is_open(world):  # type: ignore[no-untyped-def]
    # The other diagnostic's lead peer at enquiry: nothing asked of them yet.
    assert "Nothing needs you now." in _todo_section(world.stranger_peer)
    _at(world.other, Stage.TEAM_FORMING)
    section = _todo_section(world.stranger_peer)
    assert "Nothing needs you now." not in section
    assert "Declare your interests" in section


def test_two_factor_set_up_is_asked_for_when_the_role_needs_it(world, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        "peerdiag.accounts.domain.two_factor._requirements", [lambda user: user == world.peer]
    )
    asks = todos.todos_for(world.peer, today=date(2027, 2, 10))
    assert [(t.text, t.url, t.diagnostic) for t in asks] == [
        ("Set up two-factor sign-in for your account", "/account/two-factor/", None)
    ]
    # The home page itself sends them to set it up first (accounts/middleware.py).
    c = Client()
    c.force_login(world.peer)
    assert c.get(reverse("web:dashboard"))["Location"] == "/account/two-factor/"
    assert "two-factor" not in _todo_section(world.sponsor)
