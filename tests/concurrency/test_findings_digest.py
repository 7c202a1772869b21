"""KIT digests, their items and the sponsor's response, and a quote's override: a save made from
a stale page is refused with both texts shown, and an item the person left alone is never
written back over someone else's newer words."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client
from django.urls import reverse

from peerdiag.diagnostics.enums import TeamRole
from peerdiag.findings.domain.notes import add_quote, note_for_session
from peerdiag.findings.models import DigestItem, KitDigest, Quote
from tests.factories import PersonFactory, TeamMemberFactory, UserFactory
from tests.findings.helpers import delivery


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", _page(response)).split())


def _versions(page: str) -> dict[str, str]:
    """The versions a page's forms carry, as the browser sends them back."""
    out = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1).startswith(("version", "shown_")):
            out[name.group(1)] = value.group(1) if value else ""
    assert out, "the page carries no version"
    return out


def _digest(x: Any) -> tuple[KitDigest, DigestItem, DigestItem]:
    digest = KitDigest.objects.create(diagnostic=x.d)
    a = DigestItem.objects.create(digest=digest, text="Calm front door", order=1)
    b = DigestItem.objects.create(digest=digest, text="Slow plans", order=2)
    return digest, a, b


def _form(page: str, first: DigestItem, second: DigestItem, **texts: str) -> dict[str, str]:
    """The digest form as its page showed it, with `texts` (a=..., b=...) typed over."""
    data = _versions(page)
    data[f"text_{first.pk}"] = texts.get("a", first.text)
    data[f"text_{second.pk}"] = texts.get("b", second.text)
    return data


def test_an_item_left_alone_is_not_written_over_someone_elses_newer_words(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    url = reverse("web:kit_digest", args=[x.d.reference, digest.code])
    save = reverse("web:kit_digest_items", args=[x.d.reference, digest.code])
    lead, pcm = _client(x.lead), _client(world.pcm)
    lead_page, pcm_page = _page(lead.get(url)), _page(pcm.get(url))
    assert pcm.post(save, _form(pcm_page, a, b, a="The front door is calm")).status_code == 302
    # The lead peer's page still shows the old words of item 1; they change item 2 only.
    assert lead.post(save, _form(lead_page, a, b, b="Plans are slow")).status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.text, a.version, a.changed_by) == ("The front door is calm", 2, world.pcm)
    assert (b.text, b.version, b.changed_by) == ("Plans are slow", 2, x.lead)


def test_a_stale_save_of_an_item_is_refused_and_saves_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    url = reverse("web:kit_digest", args=[x.d.reference, digest.code])
    save = reverse("web:kit_digest_items", args=[x.d.reference, digest.code])
    lead, pcm = _client(x.lead), _client(world.pcm)
    lead_page, pcm_page = _page(lead.get(url)), _page(pcm.get(url))
    assert pcm.post(save, _form(pcm_page, a, b, a="PCM's words")).status_code == 302
    refused = lead.post(save, _form(lead_page, a, b, a="Lead's words", b="Plans drift"))
    page = _page(refused)
    assert refused.status_code == 409
    assert "1 item changed after you opened the digest, so nothing has been saved" in page
    assert f"{world.pcm.get_full_name()} saved a change at" in page
    assert re.search(rf'<textarea[^>]*name="text_{a.pk}"[^>]*>\s*PCM\'s words</textarea>', page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Lead's words</textarea>", page)
    # Their other change is still in the form, to save again; nothing of it was stored.
    assert re.search(rf'<textarea[^>]*name="text_{b.pk}"[^>]*>\s*Plans drift</textarea>', page)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.text, b.text) == ("PCM's words", "Slow plans")
    again = _versions(page)
    assert again[f"version_{a.pk}"] == "2"
    ok = lead.post(save, {**again, f"text_{a.pk}": "Both", f"text_{b.pk}": "Plans drift"})
    assert ok.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.text, b.text) == ("Both", "Plans drift")


def test_words_for_an_item_removed_meanwhile_are_shown_not_lost(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    url = reverse("web:kit_digest", args=[x.d.reference, digest.code])
    lead = _client(x.lead)
    lead_page = _page(lead.get(url))
    remove = reverse("web:kit_digest_item_remove", args=[x.d.reference, digest.code, b.pk])
    pcm = _client(world.pcm)
    assert pcm.post(remove, _versions(_page(pcm.get(remove)))).status_code == 302
    refused = lead.post(
        reverse("web:kit_digest_items", args=[x.d.reference, digest.code]),
        _form(lead_page, a, b, a="Calm", b="My careful words on plans"),
    )
    text = _text(refused)
    assert refused.status_code == 409
    assert "An item someone removed after you opened the digest" in text
    assert "My careful words on plans" in text
    a.refresh_from_db()
    assert a.text == "Calm front door"


def test_removing_an_item_changed_since_the_confirmation_is_refused(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    remove = reverse("web:kit_digest_item_remove", args=[x.d.reference, digest.code, a.pk])
    lead, pcm = _client(x.lead), _client(world.pcm)
    shown = _versions(_page(lead.get(remove)))
    pcm_page = _page(pcm.get(reverse("web:kit_digest", args=[x.d.reference, digest.code])))
    pcm.post(
        reverse("web:kit_digest_items", args=[x.d.reference, digest.code]),
        _form(pcm_page, a, b, a="Reworded by the PCM"),
    )
    refused = lead.post(remove, shown)
    text = _text(refused)
    assert refused.status_code == 409
    assert f"{world.pcm.get_full_name()} changed this item at" in text
    assert "so it has not been removed" in text and "Reworded by the PCM" in text
    assert DigestItem.objects.get(pk=a.pk).text == "Reworded by the PCM"


def test_removing_with_no_real_version_says_the_page_is_out_of_date(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, _b = _digest(x)
    remove = reverse("web:kit_digest_item_remove", args=[x.d.reference, digest.code, a.pk])
    lead = _client(x.lead)
    for sent in ({"version": "0"}, {"version": "-3"}, {}):
        text = _text(lead.post(remove, sent))
        assert "This page is out of date: read the item again" in text, sent
        assert "changed this item at" not in text, "no false claim that someone else changed it"
    assert DigestItem.objects.filter(pk=a.pk).exists()


def test_sharing_from_a_stale_page_is_refused_and_shows_what_the_sponsor_would_now_see(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    DigestItem.objects.filter(pk=a.pk).update(shared=True)
    share = reverse("web:kit_digest_share", args=[x.d.reference, digest.code])
    lead, pcm = _client(x.lead), _client(world.pcm)
    shown = _versions(_page(lead.get(share)))
    # The PCM ticks item 2 as shared after the lead peer opened the share page.
    pcm_page = _page(pcm.get(reverse("web:kit_digest", args=[x.d.reference, digest.code])))
    pcm.post(
        reverse("web:kit_digest_items", args=[x.d.reference, digest.code]),
        {**_form(pcm_page, a, b), f"shared_{a.pk}": "on", f"shared_{b.pk}": "on"},
    )
    refused = lead.post(share, {**shown, "sponsor_response": "Reassured"})
    page = _page(refused)
    text = _text(refused)
    assert f"{world.pcm.get_full_name()} saved a change at" in text
    assert "The sponsor will see these 2 items" in text and "Slow plans" in text
    assert re.search(r"<textarea[^>]*readonly[^>]*>Reassured</textarea>", page)
    digest.refresh_from_db()
    assert digest.shared_at is None and digest.sponsor_response == ""
    ok = lead.post(share, {**_versions(page), "sponsor_response": "Reassured"})
    assert ok.status_code == 302
    digest.refresh_from_db()
    assert digest.shared_at is not None and digest.sponsor_response == "Reassured"


def test_a_second_person_sharing_sees_the_first_response_and_keeps_their_own(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, _ = _digest(x)
    DigestItem.objects.filter(pk=a.pk).update(shared=True)
    share = reverse("web:kit_digest_share", args=[x.d.reference, digest.code])
    lead, pcm = _client(x.lead), _client(world.pcm)
    lead_seen, pcm_seen = _versions(_page(lead.get(share))), _versions(_page(pcm.get(share)))
    pcm.post(share, {**pcm_seen, "sponsor_response": "Pleased with progress"})
    refused = lead.post(share, {**lead_seen, "sponsor_response": "Asked about caseloads"})
    page = _page(refused)
    assert "has now been recorded as shared, so it can no longer change" in page
    assert "Pleased with progress" in page
    assert re.search(r"<textarea[^>]*readonly[^>]*>Asked about caseloads</textarea>", page)
    assert "Mark as shared</button>" not in page
    digest.refresh_from_db()
    assert digest.sponsor_response == "Pleased with progress"


def test_a_stale_override_of_a_quote_is_refused_with_both_reasons(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    other = UserFactory(email="pcm3@example.org")
    TeamMemberFactory(
        diagnostic=x.d,
        person=PersonFactory(full_name="Paula Second", email="pcm3@example.org", user=other),
        role=TeamRole.PEER_CHALLENGE_MANAGER,
    )
    note = note_for_session(x.sessions[0], by=x.lead)
    quote = add_quote(note, by=x.lead, text="I am on my own", group="IRO", group_size=1)
    url = reverse("web:quote_override", args=[x.d.reference, note.code, quote.pk])
    first, second = _client(world.pcm), _client(other)
    v_first = _versions(_page(first.get(url)))
    v_second = _versions(_page(second.get(url)))
    assert v_first == v_second == {"version": "1"}
    assert first.post(url, {**v_first, "reason": "The IRO agreed"}).status_code == 302
    refused = second.post(url, {**v_second, "reason": "Nobody could tell who"})
    page = _page(refused)
    assert f"{world.pcm.get_full_name()} saved a change at" in page
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*The IRO agreed</textarea>', page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Nobody could tell who</textarea>", page)
    quote = Quote.objects.get(pk=quote.pk)
    assert (quote.override_reason, quote.overridden_by, quote.version) == (
        "The IRO agreed",
        world.pcm,
        2,
    )


def test_saving_the_items_unchanged_does_not_make_an_open_share_page_stale(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    digest, a, b = _digest(x)
    DigestItem.objects.filter(pk=a.pk).update(shared=True)
    a.refresh_from_db()
    share = reverse("web:kit_digest_share", args=[x.d.reference, digest.code])
    lead, pcm = _client(x.lead), _client(world.pcm)
    shown = _versions(_page(lead.get(share)))
    pcm_page = _page(pcm.get(reverse("web:kit_digest", args=[x.d.reference, digest.code])))
    saved = pcm.post(
        reverse("web:kit_digest_items", args=[x.d.reference, digest.code]),
        {**_form(pcm_page, a, b), f"shared_{a.pk}": "on"},
    )
    assert saved.status_code == 302
    assert lead.post(share, {**shown, "sponsor_response": "Fine"}).status_code == 302
    digest.refresh_from_db()
    assert digest.shared_at is not None and digest.sponsor_response == "Fine"
