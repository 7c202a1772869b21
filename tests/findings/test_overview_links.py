"""The diagnostic's overview leads the team to the evidence pages and the council only to what
was shared with the sponsor."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from .helpers import delivery


def _page(user, d) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c.get(reverse("web:diagnostic_overview", args=[d.reference])).content.decode()


def test_the_team_sees_the_evidence_links_and_the_council_does_not(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    team = _page(x.om, x.d)
    for name in ("notes", "findings", "drafting_board", "peer_team_pack", "evidence_search"):
        assert reverse(f"web:{name}", args=[x.d.reference]) in team
    council = _page(world.organiser, x.d)
    for name in ("notes", "findings", "drafting_board", "peer_team_pack", "evidence_search"):
        assert reverse(f"web:{name}", args=[x.d.reference]) not in council
    assert "What the peers shared at keeping-in-touch meetings" in council
    assert reverse("web:kit_digests", args=[x.d.reference]) in council
