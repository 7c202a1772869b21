"""The drafting board acts only on what the lead peer read: every button sends the version of its
item (approve-all, a fingerprint of every version shown), so approving words changed since the
board was drawn is refused and says who changed them."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client
from django.urls import reverse

from peerdiag.findings.domain.findings import add_finding, add_recommendation, update_finding
from peerdiag.findings.domain.notes import add_note
from peerdiag.findings.models import Finding, Recommendation
from tests.findings.helpers import delivery


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def _board(x: Any) -> tuple[Finding, Finding, Recommendation]:
    def note(title: str) -> Any:
        return add_note(x.d, by=x.lead, source_type="document", title=title)

    s1 = add_finding(
        x.d,
        by=x.lead,
        kind="strength",
        statement="Calm front door",
        kloe=None,
        evidence=[note("a")],
    )
    a1 = add_finding(
        x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None, evidence=[note("b")]
    )
    r1 = add_recommendation(x.d, by=x.lead, text="Speed up plans", findings=[a1])
    return s1, a1, r1


def _item_version(page: str, action: str, code: str) -> str:
    """The version the board's form for `code` carries (action: 'approve' or 'move')."""
    form = re.search(rf'action="[^"]*/{code}/{action}/"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no {action} form for {code}"
    version = re.search(r'name="version" value="(\d+)"', form.group(1))
    assert version, "the board's button carries no version"
    return version.group(1)


def _fingerprint(page: str) -> str:
    m = re.search(r'name="fingerprint" value="([^"]*)"', page)
    assert m, "approve-all carries no fingerprint"
    return m.group(1)


def test_approving_words_changed_since_the_board_was_drawn_is_refused(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1, _, _ = _board(x)
    lead = _client(x.lead)
    board = reverse("web:drafting_board", args=[x.d.reference])
    page = lead.get(board).content.decode()
    shown = _item_version(page, "approve", s1.code)
    assert shown == "1"
    # The manager rewords the finding while the lead peer reads the board.
    update_finding(
        s1, by=x.om, kind="strength", statement="Calm, quick front door", kloe=None, version=1
    )
    approve = reverse("web:board_approve", args=[x.d.reference, s1.code])
    refused = lead.post(approve, {"version": shown}, follow=True)
    text = _text(refused)
    assert (
        f"{x.om.get_full_name()} changed the strength ‘Calm, quick front door’ at" in text
        and "after you opened the board, so it was not approved" in text
    )
    s1.refresh_from_db()
    assert s1.approved_at is None
    # Read again (the redrawn board carries the new version), it is approved.
    assert _item_version(refused.content.decode(), "approve", s1.code) == "2"
    lead.post(approve, {"version": "2"})
    s1.refresh_from_db()
    assert s1.approved_by == x.lead
    # Approving changes no words, so it does not make an open edit page stale.
    assert s1.version == 2
    update_finding(
        s1, by=x.om, kind="strength", statement="Calm front door again", kloe=None, version=2
    )


def test_moving_or_withdrawing_from_a_stale_board_changes_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1, _, _ = _board(x)
    s2 = add_finding(x.d, by=x.lead, kind="strength", statement="Proud staff", kloe=None)
    Finding.objects.filter(pk=s1.pk).update(approved_at=s1.created_at, approved_by=x.lead)
    lead = _client(x.lead)
    page = lead.get(reverse("web:drafting_board", args=[x.d.reference])).content.decode()
    shown = _item_version(page, "move", s2.code)
    update_finding(s2, by=x.om, kind="strength", statement="Proud staff!", kloe=None, version=1)
    s1 = Finding.objects.get(pk=s1.pk)
    update_finding(s1, by=x.om, kind="strength", statement="Calm door", kloe=None, version=1)
    Finding.objects.filter(pk=s1.pk).update(approved_at=s1.created_at, approved_by=x.lead)
    moved = lead.post(
        reverse("web:board_move", args=[x.d.reference, s2.code]),
        {"direction": "up", "version": shown},
        follow=True,
    )
    assert "so it was not moved" in _text(moved)
    assert list(
        Finding.objects.filter(kind="strength").order_by("order").values_list("pk", flat=True)
    ) == [s1.pk, s2.pk]
    withdrawn = lead.post(
        reverse("web:board_approve", args=[x.d.reference, s1.code]),
        {"action": "withdraw", "version": "1"},
        follow=True,
    )
    assert f"{x.om.get_full_name()} changed the strength ‘Calm door’" in _text(withdrawn)
    assert Finding.objects.get(pk=s1.pk).approved_at is not None


def test_approving_the_whole_board_is_refused_when_anything_changed_since_it_was_drawn(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    _, a1, _ = _board(x)
    lead = _client(x.lead)
    board = reverse("web:drafting_board", args=[x.d.reference])
    fingerprint = _fingerprint(lead.get(board).content.decode())
    update_finding(a1, by=x.om, kind="area", statement="Plans drift", kloe=None, version=1)
    extra = add_recommendation(x.d, by=x.om, text="Audit the plans", findings=[a1])
    response = lead.post(
        reverse("web:board_approve_all", args=[x.d.reference]), {"fingerprint": fingerprint}
    )
    text = _text(response)
    assert "Nothing was approved: the board changed after you opened it" in text
    who = x.om.get_full_name()
    assert f"{who} changed the area for consideration ‘Plans drift’ at" in text
    assert f"{who} added the recommendation ‘Audit the plans’ at" in text
    assert not Finding.objects.filter(approved_at__isnull=False).exists()
    assert not Recommendation.objects.filter(approved_at__isnull=False).exists()
    # The board it showed carries the new fingerprint: approving from it approves all four.
    again = lead.post(
        reverse("web:board_approve_all", args=[x.d.reference]),
        {"fingerprint": _fingerprint(response.content.decode())},
        follow=True,
    )
    assert "Every item is approved (4 newly approved)" in _text(again)
    extra.refresh_from_db()
    assert extra.approved_by == x.lead


def test_approving_the_whole_board_without_its_fingerprint_approves_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    _board(x)
    text = _text(_client(x.lead).post(reverse("web:board_approve_all", args=[x.d.reference])))
    assert "This page is out of date: nothing was changed" in text
    assert not Finding.objects.filter(approved_at__isnull=False).exists()
