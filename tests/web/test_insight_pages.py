"""The insight pages: heat map, search, meeting pack and KIT digests, for the team and the
council."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.findings.domain.findings import add_finding
from peerdiag.findings.domain.notes import add_note
from peerdiag.findings.models import DigestItem, KitDigest
from tests.findings.helpers import delivery


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_heat_map_shows_numbers_levels_in_words_and_what_is_to_come(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    for i in range(4):
        add_note(
            x.d, by=x.lead, source_type="document", title=f"Scorecard note {i}", kloes=[x.kloes[0]]
        )
    page = _client(x.lead).get(reverse("web:evidence_coverage", args=[x.d.reference]))
    html = page.content.decode()
    assert "Evidence coverage" in html
    assert "pd-heat--good" in html and "pd-heat--none" in html
    assert "document notes on How well the front door works: good (4 or more notes)" in html
    assert "Still to come" in html and "not yet placed" in html
    assert x.sessions[0].title in html
    notes = reverse("web:notes", args=[x.d.reference])
    assert f"{notes}?kloe={x.kloes[0].code}&amp;source=document" in html
    refused = _client(world.sponsor).get(reverse("web:evidence_coverage", args=[x.d.reference]))
    assert refused.status_code == 403 and b"Scorecard note" not in refused.content


def test_the_heat_map_page_takes_the_same_queries_for_few_and_many_notes(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    c = _client(x.lead)
    url = reverse("web:evidence_coverage", args=[x.d.reference])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    add_note(x.d, by=x.lead, source_type="data", title="One", kloes=x.kloes)
    few = count()
    for i in range(30):
        add_note(x.d, by=x.lead, source_type="interview", title=f"N{i}", kloes=x.kloes)
    assert count() == few


def test_search_marks_matches_and_escapes_what_peers_typed(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_note(
        x.d,
        by=x.lead,
        source_type="document",
        title="Strategy <b>draft</b>",
        body="The <script>alert(1)</script> referral pathway is unclear",
    )
    url = reverse("web:evidence_search", args=[x.d.reference])
    c = _client(x.lead)
    html = c.get(url, {"q": "referral"}).content.decode()
    assert "1 result for ‘referral’" in html
    assert "<mark>referral</mark>" in html
    # Escaped on SQLite; PostgreSQL's headline drops tags altogether. Never live markup.
    assert "<script>alert" not in html
    assert "Strategy &lt;b&gt;draft&lt;/b&gt;" in html
    assert "No results for ‘nothing’" in c.get(url, {"q": "nothing"}).content.decode()
    assert "Search the team" in c.get(url).content.decode()  # empty state


def test_the_pack_is_for_the_team_only(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_note(x.d, by=x.lead, source_type="interview", title="Calm duty desk", kloes=[x.kloes[0]])
    url = reverse("web:peer_team_pack", args=[x.d.reference])
    html = _client(x.lead).get(url).content.decode()
    assert "Peer team meeting pack" in html and "Calm duty desk" in html
    assert "No line of enquiry has notes pointing both ways" in html
    assert "The quality of practice: no evidence noted yet" in html
    refused = _client(world.organiser).get(url)
    assert refused.status_code == 403 and b"Calm duty desk" not in refused.content


def _hidden(page: str) -> dict[str, str]:
    """The versions a page's forms carry, as a browser would send them back."""
    out = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        # Only the versions: the add-item form's one-time token belongs to another form.
        if name and name.group(1).startswith(("version", "shown_")):
            out[name.group(1)] = value.group(1) if value else ""
    return out


def test_the_lead_peer_drafts_edits_and_shares_and_the_sponsor_sees_only_shared_items(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_finding(x.d, by=x.lead, kind="strength", statement="Calm front door", kloe=None)
    add_finding(x.d, by=x.lead, kind="area", statement="Secret worry about plans", kloe=None)
    lead, sponsor = _client(x.lead), _client(world.sponsor)
    ref = x.d.reference

    r = lead.post(reverse("web:kit_digest_draft", args=[ref]))
    digest = KitDigest.objects.get(diagnostic=x.d)
    assert r["Location"] == reverse("web:kit_digest", args=[ref, digest.code])
    # Before it is shared the sponsor cannot even find it.
    assert sponsor.get(reverse("web:kit_digest", args=[ref, digest.code])).status_code == 404
    listing = sponsor.get(reverse("web:kit_digests", args=[ref])).content.decode()
    assert "Nothing has been shared with you yet" in listing
    assert sponsor.post(reverse("web:kit_digest_draft", args=[ref])).status_code == 403

    area, strength = list(digest.items.all())
    page = lead.get(reverse("web:kit_digest", args=[ref, digest.code])).content.decode()
    assert "Secret worry about plans" in page and "Mark as shared" in page
    data = {
        **_hidden(page),
        f"text_{strength.pk}": "The front door is calm",
        f"shared_{strength.pk}": "on",
        f"text_{area.pk}": "Secret worry about plans",
    }
    r = lead.post(reverse("web:kit_digest_items", args=[ref, digest.code]), data)
    assert r.status_code == 302
    bad = lead.post(
        reverse("web:kit_digest_items", args=[ref, digest.code]),
        {**data, f"text_{area.pk}": ""},
    )
    assert bad.status_code == 400 and "Write item 1, or remove it" in bad.content.decode()
    lead.post(reverse("web:kit_digest_item_add", args=[ref, digest.code]), {"text": "Proud staff"})
    share = reverse("web:kit_digest_share", args=[ref, digest.code])
    r = lead.post(
        share,
        {
            **_hidden(lead.get(share).content.decode()),
            "previews_final_messages": "on",
            "sponsor_response": "Reassured",
        },
    )
    assert r.status_code == 302
    digest.refresh_from_db()
    assert digest.shared_at is not None and digest.previews_final_messages
    assert list(digest.items.filter(shared=True).values_list("text", flat=True)) == [
        "The front door is calm"
    ]

    seen = sponsor.get(reverse("web:kit_digest", args=[ref, digest.code])).content.decode()
    assert "The front door is calm" in seen and "Reassured" in seen
    assert "Secret worry" not in seen and "Proud staff" not in seen
    listing = sponsor.get(reverse("web:kit_digests", args=[ref])).content.decode()
    assert "Emerging themes shared with you" in listing and "Draft" not in listing
    # Shared: no more editing.
    r = lead.post(reverse("web:kit_digest_item_add", args=[ref, digest.code]), {"text": "Too late"})
    assert r.status_code == 400 and "can no longer change" in r.content.decode()
    assert "Too late" not in [i.text for i in DigestItem.objects.all()]


def test_removing_an_item_asks_first(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest = KitDigest.objects.create(diagnostic=x.d)
    item = DigestItem.objects.create(digest=digest, text="Drop me")
    url = reverse("web:kit_digest_item_remove", args=[x.d.reference, digest.code, item.pk])
    c = _client(x.lead)
    assert "Remove this item from the digest?" in c.get(url).content.decode()
    assert DigestItem.objects.filter(pk=item.pk).exists()
    c.post(url, _hidden(c.get(url).content.decode()))
    assert not DigestItem.objects.filter(pk=item.pk).exists()


def test_the_digest_list_takes_the_same_queries_for_few_and_many(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    url = reverse("web:kit_digests", args=[x.d.reference])

    def make(n: int) -> None:
        for _ in range(n):
            g = KitDigest.objects.create(diagnostic=x.d, shared_at=timezone.now())
            DigestItem.objects.create(digest=g, text="Shared theme", shared=True)
            DigestItem.objects.create(digest=g, text="Kept back", shared=False)

    def count(user) -> tuple[int, str]:  # type: ignore[no-untyped-def]
        c = _client(user)
        with CaptureQueriesContext(connection) as ctx:
            html = c.get(url).content.decode()
        return len(ctx.captured_queries), html

    make(1)
    few_team, _ = count(x.lead)
    few_council, _ = count(world.sponsor)
    make(6)
    many_team, html = count(x.lead)
    assert "2 (1)" in html
    many_council, html = count(world.sponsor)
    assert (many_team, many_council) == (few_team, few_council)
    assert len(re.findall(r">Shared \d", html)) == 7
    assert "Kept back" not in html
