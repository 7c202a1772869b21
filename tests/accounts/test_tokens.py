"""API tokens: the pages to list, make and revoke them, and what the API makes of them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.domain.reauth import mark_confirmed
from peerdiag.accounts.domain.tokens import issue_token, revoke_token, token_for
from peerdiag.accounts.models import ApiToken
from peerdiag.common.errors import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.real_reauth]


def signed_in(user, *, confirmed: bool = True) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    if confirmed:
        session = c.session
        mark_confirmed(session)
        session.save()
    return c


def _me(raw: str):  # type: ignore[no-untyped-def]
    return Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})


# The domain ------------------------------------------------------------------------------


def test_a_token_is_made_only_by_its_owner_and_needs_a_name(world):
    with pytest.raises(DomainError, match="only make API tokens for yourself"):
        issue_token(world.pcm, name="x", by=world.admin)
    with pytest.raises(DomainError, match="Enter a name") as e:
        issue_token(world.pcm, name="   ", by=world.pcm)
    assert e.value.field == "name"
    token, raw = issue_token(world.pcm, name="  Weekly   export ", by=world.pcm)
    assert token.name == "Weekly export"
    assert raw.startswith("pd_") and raw[3:11] == token.prefix
    assert ApiToken.objects.get().key_hash != raw  # only the hash is kept


def test_revoking_stops_the_token_at_once_and_only_once(world):
    token, raw = issue_token(world.pcm, name="script", by=world.pcm)
    assert _me(raw).json()["email"] == "pcm@example.org"
    with pytest.raises(DomainError, match="owner or an LGA administrator"):
        revoke_token(token, by=world.peer)
    first = timezone.now() - timedelta(minutes=5)
    assert revoke_token(token, by=world.pcm, now=first) is True
    assert revoke_token(token, by=world.admin) is False
    token.refresh_from_db()
    assert token.revoked_at == first
    refused = _me(raw)
    assert (refused.status_code, refused.json()["detail"]) == (
        401,
        "Send a valid API token in the header 'Authorization: Bearer <token>'",
    )


def test_last_used_is_written_at_most_once_a_minute(world):
    token, raw = issue_token(world.pcm, name="script", by=world.pcm)
    t0 = timezone.now()
    assert token_for(raw, now=t0).last_used_at == t0  # type: ignore[union-attr]
    assert token_for(raw, now=t0 + timedelta(seconds=59)).last_used_at == t0  # type: ignore[union-attr]
    token.refresh_from_db()
    assert token.last_used_at == t0
    later = t0 + timedelta(seconds=60)
    assert token_for(raw, now=later).last_used_at == later  # type: ignore[union-attr]
    token.refresh_from_db()
    assert token.last_used_at == later
    assert token_for("pd_not-a-token") is None
    assert token_for("") is None


def test_the_api_records_last_use(world):
    token, raw = issue_token(world.pcm, name="script", by=world.pcm)
    assert token.last_used_at is None
    assert _me(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=30)


# The pages -------------------------------------------------------------------------------


def test_the_list_shows_only_your_own_tokens_with_their_state(world):
    used, _ = issue_token(world.pcm, name="Used script", by=world.pcm)
    ApiToken.objects.filter(pk=used.pk).update(
        last_used_at=timezone.now().replace(year=2026, month=3, day=4, hour=9, minute=5)
    )
    gone, _ = issue_token(world.pcm, name="Old laptop", by=world.pcm)
    revoke_token(gone, by=world.pcm)
    issue_token(world.peer, name="Peer's own", by=world.peer)
    html = signed_in(world.pcm, confirmed=False).get(reverse("web:api_tokens")).content.decode()
    names = re.findall(
        r'<td class="govuk-table__cell">([^<]+)</td>\s*<td class="govuk-table__cell"><code>', html
    )
    assert names == ["Old laptop", "Used script"]
    assert "Peer&#x27;s own" not in html
    assert "4 Mar 2026" in html
    assert "Never" in html
    assert "Revoked " in html
    assert reverse("web:api_token_revoke", args=[used.code]) in html
    assert reverse("web:api_token_revoke", args=[gone.code]) not in html


def test_the_list_makes_the_same_queries_for_one_token_or_three(world):
    c = signed_in(world.pcm, confirmed=False)
    issue_token(world.pcm, name="one", by=world.pcm)
    c.get(reverse("web:api_tokens"))  # session and last-seen writes settle first
    with CaptureQueriesContext(connection) as one:
        assert c.get(reverse("web:api_tokens")).status_code == 200
    issue_token(world.pcm, name="two", by=world.pcm)
    issue_token(world.pcm, name="three", by=world.pcm)
    with CaptureQueriesContext(connection) as three:
        assert "three" in c.get(reverse("web:api_tokens")).content.decode()
    assert len(one) == len(three)


def test_making_a_token_shows_it_once_and_it_works(world):
    c = signed_in(world.pcm)
    form = c.get(reverse("web:api_token_create"))
    assert '<h1 class="govuk-heading-l">Make a new API token</h1>' in form.content.decode()
    r = c.post(reverse("web:api_token_create"), {"name": "Weekly export"})
    html = r.content.decode()
    raw = re.search(r"<code class=\"app-token\" data-token>(pd_[^<]+)</code>", html).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=world.pcm)
    assert token.name == "Weekly export"
    assert _me(raw).json()["email"] == "pcm@example.org"
    assert raw not in c.get(reverse("web:api_tokens")).content.decode()


def test_a_token_without_a_name_is_refused_with_an_error_summary(world):
    r = signed_in(world.pcm).post(reverse("web:api_token_create"), {"name": ""})
    html = r.content.decode()
    assert "<title>Error: Make a new API token – peerdiag</title>" in html
    assert '<a href="#id_name">Enter a name for the token</a>' in html
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_the_api_refuses_the_token(world):
    token, raw = issue_token(world.pcm, name="Old laptop", by=world.pcm)
    c = signed_in(world.pcm)
    url = reverse("web:api_token_revoke", args=[token.code])
    ask = c.get(url).content.decode()
    assert "Revoke the token “Old laptop”?" in ask
    token.refresh_from_db()
    assert token.revoked_at is None
    r = c.post(url)
    assert r["Location"] == reverse("web:api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "The token “Old laptop” is revoked" in c.get(r["Location"]).content.decode()
    assert _me(raw).status_code == 401


def test_another_persons_token_cannot_be_revoked_or_seen(world):
    token, raw = issue_token(world.peer, name="Peer's", by=world.peer)
    c = signed_in(world.pcm)
    url = reverse("web:api_token_revoke", args=[token.code])
    assert c.get(url).status_code == 404
    assert c.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _me(raw).status_code == 200


def test_making_and_revoking_need_a_recent_password(world):
    token, _ = issue_token(world.pcm, name="x", by=world.pcm)
    c = signed_in(world.pcm, confirmed=False)
    create = reverse("web:api_token_create")
    revoke = reverse("web:api_token_revoke", args=[token.code])
    assert c.post(create, {"name": "y"})["Location"] == (
        reverse("web:reauth") + "?next=%2Faccount%2Fapi-tokens%2Fnew%2F"
    )
    assert c.post(revoke)["Location"].startswith(reverse("web:reauth") + "?next=")
    assert ApiToken.objects.filter(user=world.pcm).count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
