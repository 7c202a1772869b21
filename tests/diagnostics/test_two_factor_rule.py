"""Who must sign in with a second factor: whoever can see children's data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.domain import two_factor
from peerdiag.diagnostics.domain.access import needs_two_factor
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import PersonFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_rule(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(two_factor, "_requirements", [needs_two_factor])


def test_pcm_lead_peer_and_case_auditor_need_it_others_do_not(world, real_rule):  # type: ignore[no-untyped-def]
    om = UserFactory()
    PersonFactory(user=om)
    TeamMemberFactory(diagnostic=world.own, person=om.person, role="operational_manager")
    auditor = UserFactory()
    PersonFactory(user=auditor)
    TeamMemberFactory(diagnostic=world.own, person=auditor.person, role="case_auditor")
    assert [two_factor.two_factor_required(u) for u in (world.pcm, world.peer, auditor)] == [
        True
    ] * 3
    assert [two_factor.two_factor_required(u) for u in (om, world.sponsor, world.admin)] == [
        False
    ] * 3


def test_the_need_ends_with_the_diagnostic(world, real_rule):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CLOSED)
    assert not two_factor.two_factor_required(world.peer)


def test_a_lead_peer_without_an_app_is_sent_to_set_it_up(world, real_rule):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.peer)
    r = c.get(reverse("web:dashboard"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("web:two_factor_setup"))
    sponsor = Client()
    sponsor.force_login(world.sponsor)
    assert sponsor.get(reverse("web:dashboard")).status_code == 200


def test_token_links_open_for_someone_who_has_not_set_up_two_factor_yet(world, real_rule):  # type: ignore[no-untyped-def]
    # A PCM who must set up two-factor sign-in is sent to the set-up page from app pages, but a
    # calendar feed or survey link (opened by its token, not the account) is not held up.
    from peerdiag.timetable.domain.feeds import feed_for_person

    c = Client()
    c.force_login(world.pcm)
    setup = reverse("web:two_factor_setup")
    assert c.get(reverse("web:dashboard"))["Location"].startswith(setup)
    token = feed_for_person(world.pcm.person).token
    feed = c.get(reverse("web:calendar_feed", args=[token]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    missing = c.get("/survey/no-such-token/")
    assert missing.status_code == 404  # answered by the survey page, not redirected
