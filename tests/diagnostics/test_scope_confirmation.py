"""The sponsor confirms the scope (or asks for changes) after scoping (issue 17).

The confirmation records who, when and exactly which scope (the focus, the key lines of enquiry
in order and the case review decision); it is a gate item out of scoping and into delivery; a
later change makes it stale; only the diagnostic's sponsor may give it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import kloes as dk
from peerdiag.diagnostics.domain.diagnostics import update_details
from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.domain.scope import answer_scope, current_scope, scope_status
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic, ScopeConfirmation, ScopingMeeting
from peerdiag.directory.models import Person
from tests.factories import KloeFactory


def confirm_scope_as_it_stands(d: Diagnostic, person: Person) -> ScopeConfirmation:
    """Test helper: record `person`'s confirmation of the scope as it stands now (for tests of
    other gate rules, which start from a diagnostic whose gate is open)."""
    scope = current_scope(d)
    return ScopeConfirmation.objects.create(
        diagnostic=d,
        decision="confirmed",
        person=person,
        at=timezone.now(),
        fingerprint=scope.fingerprint,
        focus=scope.focus,
        kloes=list(scope.kloes),
        case_review_in_scope=scope.case_review_in_scope,
    )


def _scoped(d: Diagnostic, stage: str = Stage.SCOPED) -> Diagnostic:
    """`d` just after scoping: held meeting, a focus, two KLOEs, no case review."""
    ScopingMeeting.objects.create(
        diagnostic=d,
        scheduled_for=timezone.now(),
        held_on=date(2026, 11, 2),
        team_requirements="A lead peer",
    )
    KloeFactory(diagnostic=d, order=1, text="How consistent are thresholds at the front door?")
    KloeFactory(diagnostic=d, order=2, text="How well do managers oversee practice?")
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=stage, focus_statement="The front door", case_review_in_scope=False
    )
    return Diagnostic.objects.get(pk=d.pk)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _codes(d: Diagnostic, to: str) -> list[str]:
    return [b.code for b in gate_blockers(Diagnostic.objects.get(pk=d.pk), to)]


def _answer(user: Any, d: Diagnostic, decision: str = "confirmed", **extra: str) -> Any:
    page = _client(user).get(reverse("web:scope", args=[d.reference]))
    fingerprint = extra.pop("fingerprint", None) or page.context["status"].current.fingerprint
    return _client(user).post(
        reverse("web:scope", args=[d.reference]),
        {"decision": decision, "fingerprint": fingerprint, **extra},
        follow=True,
    )


def test_the_sponsor_confirms_and_the_gate_out_of_scoping_opens(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    assert "scope_confirmed" in _codes(d, Stage.TEAM_FORMING)
    page = _client(world.sponsor).get(reverse("web:scope", args=[d.reference]))
    html = page.content.decode()
    assert "Not confirmed yet" in html and "Send my answer" in html
    assert "How consistent are thresholds at the front door?" in html

    r = _answer(world.sponsor, d)
    assert "you have confirmed the scope" in r.content.decode()
    c = ScopeConfirmation.objects.get(diagnostic=d)
    assert (c.decision, c.person, c.by) == ("confirmed", world.sponsor.person, world.sponsor)
    assert c.focus == "The front door" and c.case_review_in_scope is False
    assert c.kloes == [
        "How consistent are thresholds at the front door?",
        "How well do managers oversee practice?",
    ]
    assert c.fingerprint == current_scope(d).fingerprint and len(c.fingerprint) == 64
    assert d.audit.filter(action="scope", actor=world.sponsor).exists()
    assert "scope_confirmed" not in _codes(d, Stage.TEAM_FORMING)
    # The PCM's overview shows who confirmed.
    overview = _client(world.pcm).get(reverse("web:diagnostic_overview", args=[d.reference]))
    assert "Confirmed</strong> by" in overview.content.decode()


@pytest.mark.parametrize(
    "change",
    ["kloe_text", "kloe_order", "kloe_added", "kloe_removed", "focus", "case_review"],
)
def test_any_later_change_makes_the_confirmation_stale(world, change):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    _answer(world.sponsor, d)
    assert scope_status(d).confirmed
    first, second = d.kloes.order_by("order")
    if change == "kloe_text":
        dk.edit_kloe(
            first, by=world.pcm, text="How quickly are referrals decided?", version=UNCHECKED
        )
    elif change == "kloe_order":
        dk.move_kloe(second, by=world.pcm, to_order=1, version=UNCHECKED)
    elif change == "kloe_added":
        dk.add_kloe(d, by=world.pcm, text="How well are families heard?")
    elif change == "kloe_removed":
        dk.remove_kloe(second, by=world.pcm, version=UNCHECKED)
    elif change == "focus":
        update_details(d, by=world.pcm, version=UNCHECKED, focus_statement="Early help")
    else:
        update_details(d, by=world.pcm, version=UNCHECKED, case_review_in_scope=True)
    status = scope_status(d)
    assert status.stale and not status.confirmed and status.changes
    # The gate asks again, naming why, and so does the gate into delivery.
    blockers = gate_blockers(Diagnostic.objects.get(pk=d.pk), Stage.TEAM_FORMING)
    assert [b.message for b in blockers if b.code == "scope_confirmed"] == [
        "The scope changed after the sponsor confirmed it: the sponsor confirms again"
    ]
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.READY)
    assert "scope_confirmed" in _codes(d, Stage.DELIVERY)
    # The sponsor's page shows what changed since they confirmed.
    html = _client(world.sponsor).get(reverse("web:scope", args=[d.reference])).content.decode()
    assert "Changed since it was confirmed" in html and 'id="scope-changes"' in html
    if change == "kloe_text":
        assert "How quickly are referrals decided?" in html
    # Confirming again makes it current.
    _answer(world.sponsor, d)
    assert scope_status(d).confirmed
    assert ScopeConfirmation.objects.filter(diagnostic=d).count() == 2


def test_the_pcm_lga_and_organiser_cannot_confirm_for_the_sponsor(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    fingerprint = current_scope(d).fingerprint
    for user in (world.pcm, world.admin, world.organiser, world.peer):
        r = _client(user).post(
            reverse("web:scope", args=[d.reference]),
            {"decision": "confirmed", "fingerprint": fingerprint},
        )
        assert r.status_code == 403, user
        page = _client(user).get(reverse("web:scope", args=[d.reference])).content.decode()
        assert "Send my answer" not in page
    # Another council's sponsor does not even see it.
    r = _client(world.other_council_user).post(
        reverse("web:scope", args=[d.reference]),
        {"decision": "confirmed", "fingerprint": fingerprint},
    )
    assert r.status_code == 404
    # The domain refuses too, whoever calls it.
    for user in (world.pcm, world.admin, world.organiser):
        with pytest.raises(DomainError, match="Only the diagnostic's sponsor"):
            answer_scope(d, by=user, decision="confirmed", fingerprint=fingerprint)
    assert not ScopeConfirmation.objects.exists()
    assert "scope_confirmed" in _codes(d, Stage.TEAM_FORMING)


def test_a_confirmation_of_a_scope_changed_meanwhile_is_refused(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    seen = current_scope(d).fingerprint
    dk.add_kloe(d, by=world.pcm, text="How well are families heard?")
    r = _answer(world.sponsor, d, fingerprint=seen)
    html = r.content.decode()
    assert "The scope changed after you opened this page" in html
    assert "How well are families heard?" in html
    assert not ScopeConfirmation.objects.exists()


def test_asking_for_changes_needs_a_comment_and_tells_the_pcm(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    world.pcm.person.email = "pcm@example.org"
    world.pcm.person.save()
    r = _answer(world.sponsor, d, "changes_requested", comment="  ")
    assert "Say what should change" in r.content.decode()
    assert not ScopeConfirmation.objects.exists() and mail.outbox == []

    comment = "Add a line on early help, please"
    with django_capture_on_commit_callbacks(execute=True):
        r = _answer(world.sponsor, d, "changes_requested", comment=comment)
    assert "has gone to the peer challenge manager" in r.content.decode()
    c = ScopeConfirmation.objects.get()
    assert (c.decision, c.comment) == ("changes_requested", comment)
    assert [m.to for m in mail.outbox] == [["pcm@example.org"]]
    body = mail.outbox[0].body
    assert (
        d.reference in body
        and "asked for" in body
        and reverse("web:scope", args=[d.reference]) in body
    )
    assert comment not in body  # the e-mail carries no free text (it could name a child)
    blockers = gate_blockers(Diagnostic.objects.get(pk=d.pk), Stage.TEAM_FORMING)
    assert [b.message for b in blockers if b.code == "scope_confirmed"] == [
        "The sponsor asked for changes to the scope: change it, then ask them again"
    ]
    overview = _client(world.pcm).get(reverse("web:diagnostic_overview", args=[d.reference]))
    html = overview.content.decode()
    assert "Changes asked for" in html and comment in html


def test_no_answer_before_the_scoping_meeting_or_after_delivery_starts(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own, stage=Stage.ENQUIRY)
    fingerprint = current_scope(d).fingerprint
    with pytest.raises(DomainError, match="after the scoping meeting"):
        answer_scope(d, by=world.sponsor, decision="confirmed", fingerprint=fingerprint)
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.DELIVERY)
    with pytest.raises(DomainError, match="while the diagnostic is delivery"):
        answer_scope(d, by=world.sponsor, decision="confirmed", fingerprint=fingerprint)
    page = _client(world.sponsor).get(reverse("web:scope", args=[d.reference]))
    assert "Send my answer" not in page.content.decode()
    assert not ScopeConfirmation.objects.exists()


def test_an_incomplete_scope_cannot_be_confirmed(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    Diagnostic.objects.filter(pk=d.pk).update(case_review_in_scope=None)
    d.refresh_from_db()
    with pytest.raises(DomainError, match="not complete"):
        answer_scope(
            d, by=world.sponsor, decision="confirmed", fingerprint=current_scope(d).fingerprint
        )
    assert not ScopeConfirmation.objects.exists()
