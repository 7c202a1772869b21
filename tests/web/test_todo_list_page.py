"""The to-do list at the top of every home page (issue 18): what each role reads there."""

from __future__ import annotations

import html as htmllib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.casereview.enums import AuditStatus
from peerdiag.casereview.models import CaseAudit
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Briefing, ConfidentialityAgreement, Diagnostic
from peerdiag.portfolio.domain import todos
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db


def _signed_in(user, *, two_factor: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    if two_factor:  # as after signing in with a code
        s = c.session
        s["two_factor_verified"] = True
        s.save()
    return c


def _todo_section(user, *, two_factor: bool = False) -> str:  # type: ignore[no-untyped-def]
    page = _signed_in(user, two_factor=two_factor).get(reverse("web:dashboard")).content.decode()
    return page.split('id="todo-list"')[1].split("</section>")[0]


def _clear(world, d: Diagnostic, *users) -> None:  # type: ignore[no-untyped-def]
    """Clear `users` on `d`: a briefing issued and acknowledged, no agreement required."""
    briefing = issue_briefing(
        d, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(d, by=world.sponsor, required=False, version=UNCHECKED)
    for user in users:
        acknowledge_briefing(briefing, by=None, person=user.person)


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
    text = f"Finish the audit of case {case.code}"
    overview = reverse("web:diagnostic_overview", args=[d.reference])
    # Not yet cleared (no briefing acknowledged), the case page would refuse them
    # (web/views/sensitive.py): the to-do leads to the overview, not to a page that answers 403.
    section = _todo_section(auditor, two_factor=True)
    assert _link(overview, text) in section and url not in section
    _clear(world, d, auditor)
    assert _link(url, text) in _todo_section(auditor, two_factor=True)
    assert _client_status(auditor, url, two_factor=True) == 200
    # Cleared, but this session was not signed in with a code: the overview again.
    section = _todo_section(auditor)
    assert _link(overview, text) in section and url not in section
    CaseAudit.objects.update_or_create(
        case=case,
        defaults={
            "auditor": case.auditor,
            "status": AuditStatus.DONE,
            "finished_at": timezone.now(),
        },
    )
    assert "Finish the audit" not in _todo_section(auditor, two_factor=True)


def test_a_case_review_ask_links_to_the_case_review_only_for_a_pcm_who_may_open_it(world):  # type: ignore[no-untyped-def]
    """The case review gate's asks point at the case review, whose page lets in only a cleared
    member of the team with the child-data role, signed in with two-factor: any other PCM reads
    the same asks, linked to the overview."""
    d = _at(world.own, Stage.CASE_REVIEW, day1=date(2027, 3, 1), case_review_in_scope=True)
    asks = [b for b in gate_blockers(d, Stage.READY) if b.fix == "case_review"]
    assert asks
    review = reverse("web:casereview", args=[d.reference])
    overview = reverse("web:diagnostic_overview", args=[d.reference])
    uncleared = _todo_section(world.pcm, two_factor=True)
    assert _client_status(world.pcm, review, two_factor=True) == 403
    _clear(world, d, world.pcm)
    unverified = _todo_section(world.pcm)
    assert _client_status(world.pcm, review) == 403
    cleared = _todo_section(world.pcm, two_factor=True)
    for b in asks:
        assert _link(review, b.message) in cleared, b.code
        assert _link(overview, b.message) in unverified, b.code
        assert _link(overview, b.message) in uncleared, b.code
    # (Opening the page starts the review, so it comes last.)
    assert _client_status(world.pcm, review, two_factor=True) == 200
    assert review not in unverified and review not in uncleared


def _client_status(user, url: str, *, two_factor: bool = False) -> int:  # type: ignore[no-untyped-def]
    return _signed_in(user, two_factor=two_factor).get(url).status_code


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
