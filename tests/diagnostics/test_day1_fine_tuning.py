"""Day 1 fine-tuning (domain.md i.17): the key lines of enquiry stay editable until the end of
delivery day 1 (Europe/London), each change recorded and shown to the sponsor, then lock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import kloes as dk
from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.domain.scope import day1_changes, scope_status
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic, Kloe
from tests.diagnostics.test_scope_confirmation import _scoped, confirm_scope_as_it_stands

LONDON = ZoneInfo("Europe/London")
DAY1 = date(2027, 6, 7)  # a Monday in summer time, so London is an hour ahead of UTC


def _in_delivery(d: Diagnostic, day1: date = DAY1) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.DELIVERY, day1=day1)
    return Diagnostic.objects.get(pk=d.pk)


def _london(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON)


def test_changes_are_allowed_until_the_end_of_day1_in_london_then_locked(world):  # type: ignore[no-untyped-def]
    d = _in_delivery(_scoped(world.own))
    first = d.kloes.get(order=1)
    late_on_day1 = _london(DAY1, 23, 30)  # 22:30 UTC
    assert dk.kloes_editable(d, late_on_day1)
    dk.edit_kloe(
        first,
        by=world.pcm,
        text="How quickly are referrals decided?",
        version=first.version,
        now=late_on_day1,
    )
    dk.add_kloe(d, by=world.pcm, text="How well are families heard?", now=_london(DAY1, 9, 15))
    assert list(d.kloes.values_list("text", flat=True)) == [
        "How quickly are referrals decided?",
        "How well do managers oversee practice?",
        "How well are families heard?",
    ]
    # 23:30 UTC on day 1 is already 00:30 on day 2 in London: locked.
    after = datetime(2027, 6, 7, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert not dk.kloes_editable(d, after)
    first.refresh_from_db()
    with pytest.raises(DomainError, match="fixed once delivery day 1 is over"):
        dk.edit_kloe(first, by=world.pcm, text="Something else", version=first.version, now=after)
    with pytest.raises(DomainError, match="fixed once delivery day 1 is over"):
        dk.add_kloe(d, by=world.pcm, text="Too late", now=after)
    with pytest.raises(DomainError):
        dk.remove_kloe(first, by=world.pcm, version=UNCHECKED, now=after)
    assert d.kloes.count() == 3
    assert Kloe.objects.get(pk=first.pk).text == "How quickly are referrals decided?"
    # Each day-1 change is in the audit trail as such.
    changes = day1_changes(d)
    assert [e.summary for e in changes] == [
        "On delivery day 1: changed key line of enquiry 1",
        "On delivery day 1: added key line of enquiry 3",
    ]
    assert {e.actor for e in changes} == {world.pcm}
    # Before delivery started, and after it ended, the old rules hold.
    assert not dk.kloes_editable(Diagnostic(stage=Stage.DRAFTING, day1=DAY1), late_on_day1)
    assert dk.kloes_editable(Diagnostic(stage=Stage.READY, day1=DAY1), after)


def test_a_day1_change_is_shown_to_the_sponsor_and_asks_for_no_new_confirmation(world):  # type: ignore[no-untyped-def]
    d = _scoped(world.own)
    confirm_scope_as_it_stands(d, world.sponsor.person)
    today = datetime.now(LONDON).date()
    d = _in_delivery(d, day1=today)
    pcm = Client()
    pcm.force_login(world.pcm)
    # The PCM's list offers the changes on day 1.
    page = pcm.get(reverse("web:kloe_list", args=[d.reference])).content.decode()
    assert "Add a key line of enquiry" in page
    kloe = d.kloes.get(order=2)
    r = pcm.post(
        reverse("web:kloe_edit", args=[d.reference, kloe.code]),
        {"text": "How well do managers and leaders oversee practice?", "version": kloe.version},
    )
    assert r.status_code == 302
    assert Kloe.objects.get(pk=kloe.pk).text == "How well do managers and leaders oversee practice?"
    sponsor = Client()
    sponsor.force_login(world.sponsor)
    html = sponsor.get(reverse("web:scope", args=[d.reference])).content.decode()
    assert "Changed on delivery day 1" in html
    assert "On delivery day 1: changed key line of enquiry 2" in html
    assert "How well do managers and leaders oversee practice?" in html
    # The overview meeting agreed it: no gate from delivery on asks the sponsor again.
    assert scope_status(d).stale
    fresh = Diagnostic.objects.get(pk=d.pk)
    assert "scope_confirmed" not in [b.code for b in gate_blockers(fresh, Stage.DRAFTING)]


def test_after_day1_the_pages_offer_no_change_and_refuse_one(world):  # type: ignore[no-untyped-def]
    yesterday = datetime.now(LONDON).date() - timedelta(days=1)
    d = _in_delivery(_scoped(world.own), day1=yesterday)
    pcm = Client()
    pcm.force_login(world.pcm)
    page = pcm.get(reverse("web:kloe_list", args=[d.reference])).content.decode()
    assert "Add a key line of enquiry" not in page
    assert "fixed at the end of delivery day 1" in page
    kloe = d.kloes.get(order=1)
    r = pcm.post(
        reverse("web:kloe_edit", args=[d.reference, kloe.code]),
        {"text": "Too late", "version": kloe.version},
    )
    assert "fixed once delivery day 1 is over" in r.content.decode()
    assert Kloe.objects.get(pk=kloe.pk).text == kloe.text
    assert day1_changes(d) == []
