"""API tokens: the pages to list, make and revoke them, and what the API makes of them."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.domain.reauth import mark_confirmed
from peerdiag.accounts.domain.tokens import (
    issue_token,
    revoke_all_tokens,
    revoke_token,
    token_for,
)
from peerdiag.accounts.domain.two_factor import remove_totp
from peerdiag.accounts.models import ApiToken, Passkey
from peerdiag.api.errors import UNAUTHORISED
from peerdiag.common.errors import DomainError
from tests.factories import PASSWORD

from .helpers import set_up_app

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
    # Read only and 90 days are chosen unless the person chooses otherwise.
    assert re.search(r'value="read" [^>]*checked', form.content.decode())
    assert re.search(r'value="90d" [^>]*checked', form.content.decode())
    before = timezone.now()
    r = c.post(
        reverse("web:api_token_create"),
        {"name": "Weekly export", "scope": "read", "lifetime": "90d"},
    )
    html = r.content.decode()
    raw = re.search(r"<code class=\"app-token\" data-token>(pd_[^<]+)</code>", html).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=world.pcm)
    assert token.name == "Weekly export"
    assert token.scope == "read"
    assert before + timedelta(days=90) <= token.expires_at <= timezone.now() + timedelta(days=90)
    assert '<dd class="govuk-summary-list__value" data-scope>Read only</dd>' in html
    expires = timezone.localtime(token.expires_at)
    assert f"{expires.day} {expires:%B %Y} at {expires:%H:%M}" in html
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


# Expiry and scope --------------------------------------------------------------------------


def test_a_token_is_read_only_for_90_days_unless_chosen_otherwise(world):
    now = timezone.now()
    token, _ = issue_token(world.pcm, name="script", by=world.pcm, now=now)
    assert (token.scope, token.expires_at) == ("read", now + timedelta(days=90))
    week, _ = issue_token(
        world.pcm, name="x", by=world.pcm, scope="write", lifetime=timedelta(days=7), now=now
    )
    assert (week.scope, week.expires_at) == ("write", now + timedelta(days=7))


@pytest.mark.parametrize("lifetime", [timedelta(days=181), timedelta(0), timedelta(days=-1)])
def test_a_token_works_for_180_days_at_most_and_never_for_ever(world, lifetime):
    with pytest.raises(DomainError, match="180 days at most") as e:
        issue_token(world.pcm, name="x", by=world.pcm, scope="write", lifetime=lifetime)
    assert e.value.field == "lifetime"
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused(world):
    with pytest.raises(DomainError, match="Choose what the token may do") as e:
        issue_token(world.pcm, name="x", by=world.pcm, scope="admin")
    assert e.value.field == "scope"


def test_the_list_shows_each_tokens_scope_and_expiry(world):
    now = timezone.now()
    issue_token(world.pcm, name="Live script", by=world.pcm, scope="write", now=now)
    old, _ = issue_token(world.pcm, name="Old script", by=world.pcm, now=now)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=now - timedelta(days=1))
    html = signed_in(world.pcm, confirmed=False).get(reverse("web:api_tokens")).content.decode()
    assert '<th scope="col" class="govuk-table__header">Expires</th>' in html
    # Newest first: the old one was made last.
    old_row, live_row = html.split("Old script", 1)[1].split("Live script", 1)
    expires = timezone.localtime(now + timedelta(days=90))
    assert f"{expires.day} {expires:%B %Y} at {expires:%H:%M}" in live_row
    assert "Read and change" in live_row and "Active" in live_row
    assert '<td class="govuk-table__cell">Expired</td>' in old_row
    assert '<strong class="govuk-tag govuk-tag--grey">Expired</strong>' in old_row
    assert reverse("web:api_token_revoke", args=[old.code]) not in html


# The sensitive scope: a fresh second factor, 8 hours at most -------------------------------


def test_the_sensitive_scope_needs_an_authenticator_app(world):
    now = timezone.now()
    with pytest.raises(DomainError, match="Set up two-factor sign-in") as e:
        issue_token(
            world.pcm,
            name="x",
            by=world.pcm,
            scope="sensitive",
            lifetime=timedelta(hours=1),
            confirmed_at=now,
            now=now,
        )
    assert e.value.field == "scope"
    assert not ApiToken.objects.exists()


def test_the_sensitive_scope_needs_a_code_confirmed_in_the_last_5_minutes(world):
    set_up_app(world.pcm, at=timezone.now() - timedelta(hours=1))
    now = timezone.now()

    def sensitive(confirmed_at):  # type: ignore[no-untyped-def]
        return issue_token(
            world.pcm,
            name="Case export",
            by=world.pcm,
            scope="sensitive",
            lifetime=timedelta(hours=8),
            confirmed_at=confirmed_at,
            now=now,
        )

    for stale in (None, now - timedelta(minutes=5, seconds=1), now + timedelta(minutes=1)):
        with pytest.raises(DomainError, match="confirm your password and second factor") as e:
            sensitive(stale)
        assert e.value.field == "scope"
    assert not ApiToken.objects.exists()
    token, _ = sensitive(now - timedelta(minutes=4))
    assert (token.scope, token.expires_at) == ("sensitive", now + timedelta(hours=8))


def test_a_confirmation_from_before_the_app_was_set_up_is_not_a_second_factor(world):
    now = timezone.now()
    set_up_app(world.pcm, at=now - timedelta(minutes=1))
    with pytest.raises(DomainError, match="confirm your password and second factor"):
        issue_token(
            world.pcm,
            name="x",
            by=world.pcm,
            scope="sensitive",
            lifetime=timedelta(hours=1),
            confirmed_at=now - timedelta(minutes=2),  # the password alone, then the app
            now=now,
        )


def test_a_passkey_is_a_second_factor_for_the_sensitive_scope(world):
    now = timezone.now()
    Passkey.objects.create(
        user=world.pcm,
        name="Laptop",
        credential_id="credential-1",
        public_key=b"not checked here",
        created_at=now - timedelta(minutes=3),
    )

    def sensitive(confirmed_at):  # type: ignore[no-untyped-def]
        return issue_token(
            world.pcm,
            name="x",
            by=world.pcm,
            scope="sensitive",
            lifetime=timedelta(hours=1),
            confirmed_at=confirmed_at,
            now=now,
        )

    # Confirmed before the passkey existed: that was the password alone.
    with pytest.raises(DomainError, match="confirm your password and second factor"):
        sensitive(now - timedelta(minutes=4))
    assert sensitive(now - timedelta(minutes=1))[0].scope == "sensitive"


def test_a_sensitive_token_works_for_8_hours_at_most(world):
    set_up_app(world.pcm, at=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    with pytest.raises(DomainError, match="8 hours at most") as e:
        issue_token(
            world.pcm,
            name="x",
            by=world.pcm,
            scope="sensitive",
            lifetime=timedelta(hours=8, seconds=1),
            confirmed_at=now,
            now=now,
        )
    assert e.value.field == "lifetime"


def test_the_page_asks_for_a_code_again_then_makes_the_sensitive_token(world):
    app, _ = set_up_app(world.pcm, at=timezone.now() - timedelta(hours=1))
    c = signed_in(world.pcm, confirmed=False)
    session = c.session
    mark_confirmed(session, now=time.time() - 10 * 60)  # recent enough for tokens, not for this
    session.save()
    create = reverse("web:api_token_create")
    asked = c.post(create, {"name": "Case export", "scope": "sensitive", "lifetime": "4h"})
    back = f"{create}?name=Case+export&scope=sensitive&lifetime=4h"
    assert asked["Location"] == reverse("web:reauth") + "?" + urlencode({"next": back})
    assert not ApiToken.objects.exists()

    confirmed = c.post(
        reverse("web:reauth"), {"password": PASSWORD, "code": app.now(), "next": back}
    )
    assert confirmed["Location"] == back
    form = c.get(back).content.decode()
    assert 'value="Case export"' in form
    assert re.search(r'value="sensitive" [^>]*checked', form)
    assert re.search(r'value="4h" [^>]*checked', form)
    before = timezone.now()
    made = c.post(create, {"name": "Case export", "scope": "sensitive", "lifetime": "4h"})
    html = made.content.decode()
    assert "Read, change and download sensitive files" in html
    token = ApiToken.objects.get(user=world.pcm)
    assert token.scope == "sensitive"
    assert before + timedelta(hours=4) <= token.expires_at <= timezone.now() + timedelta(hours=4)


def test_the_page_refuses_a_sensitive_token_for_days_or_without_an_app(world):
    c = signed_in(world.pcm)
    create = reverse("web:api_token_create")
    days = c.post(create, {"name": "x", "scope": "sensitive", "lifetime": "90d"}).content.decode()
    assert (
        '<a href="#id_lifetime">A token that can download sensitive files works for 8 hours at '
        "most. Choose 1, 4 or 8 hours</a>" in days
    )
    no_app = c.post(create, {"name": "x", "scope": "sensitive", "lifetime": "8h"}).content.decode()
    assert '<a href="#id_scope">Set up two-factor sign-in (an authenticator app or a passkey)' in (
        no_app
    )
    assert not ApiToken.objects.exists()


# The owner is told ---------------------------------------------------------------------------


def test_making_a_token_emails_its_owner_but_never_the_token(world):
    c = signed_in(world.pcm)
    r = c.post(
        reverse("web:api_token_create"),
        {"name": "Weekly export", "scope": "write", "lifetime": "30d"},
    )
    raw = re.search(r"data-token>(pd_[^<]+)</code>", r.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=world.pcm)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["pcm@example.org"]
    assert sent.subject == "A new API token was made for your peerdiag account"
    made = timezone.localtime(token.created_at)
    expires = timezone.localtime(token.expires_at)
    assert "Name: Weekly export\n" in sent.body
    assert "What it may do: Read and change\n" in sent.body
    assert f"Made: {made.day} {made:%B %Y} at {made:%H:%M}\n" in sent.body
    assert f"Stops working: {expires.day} {expires:%B %Y} at {expires:%H:%M}\n" in sent.body
    assert "If you did not make it" in sent.body
    assert f"on your API tokens page: {settings.SITE_URL}/account/api-tokens/\n" in sent.body
    # Neither the token nor any part of its secret travels by e-mail.
    assert raw not in sent.body and raw not in sent.subject
    assert raw[3:11] not in sent.body


def test_no_token_is_made_if_the_email_cannot_be_sent(world, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("mail server down")

    monkeypatch.setattr("peerdiag.accounts.domain.tokens.send_mail", broken)
    with pytest.raises(DomainError, match="could not be sent, so no token was made"):
        issue_token(world.pcm, name="x", by=world.pcm)
    assert not ApiToken.objects.exists()


# A new password or second factor stops every token ------------------------------------------


def test_a_password_reset_stops_every_token(world):
    _, first = issue_token(world.peer, name="Laptop", by=world.peer, scope="write")
    _, second = issue_token(world.peer, name="Server", by=world.peer)
    _, others = issue_token(world.pcm, name="PCM's", by=world.pcm)
    assert _me(first).status_code == 200
    c = Client()
    c.post(reverse("web:password_reset"), {"email": "peer@example.org"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    set_url = c.get(link, follow=True).redirect_chain[-1][0]
    done = c.post(
        set_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert done["Location"] == reverse("web:password_reset_complete")
    for raw in (first, second):
        refused = _me(raw)
        assert (refused.status_code, refused.json()["detail"]) == (401, UNAUTHORISED)
    assert all(t.state() == "revoked" for t in ApiToken.objects.filter(user=world.peer))
    assert _me(others).status_code == 200  # someone else's tokens are untouched


def test_a_password_change_stops_every_token(world):
    # However it is changed: here by Django's own form, as the admin site's password page does.
    _, raw = issue_token(world.peer, name="Laptop", by=world.peer, scope="write")
    form = AdminPasswordChangeForm(
        world.peer,
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    assert form.is_valid(), form.errors
    form.save()
    refused = _me(raw)
    assert (refused.status_code, refused.json()["detail"]) == (401, UNAUTHORISED)
    # Saving the person for any other reason leaves their tokens alone.
    _, fresh = issue_token(world.peer, name="New laptop", by=world.peer)
    world.peer.full_name = "Someone Else"
    world.peer.save()
    assert _me(fresh).status_code == 200


def test_removing_the_authenticator_app_stops_every_token(world):
    set_up_app(world.pcm)
    _, raw = issue_token(world.pcm, name="Laptop", by=world.pcm, scope="write")
    assert _me(raw).status_code == 200
    remove_totp(world.pcm, by=world.admin)
    assert _me(raw).status_code == 401
    assert ApiToken.objects.get(user=world.pcm).revoked_at is not None


def test_revoke_all_tokens_counts_only_those_not_revoked_yet(world):
    issue_token(world.pcm, name="one", by=world.pcm)
    gone, _ = issue_token(world.pcm, name="two", by=world.pcm)
    first = timezone.now() - timedelta(days=1)
    revoke_token(gone, by=world.pcm, now=first)
    assert revoke_all_tokens(world.pcm, reason="test") == 1
    gone.refresh_from_db()
    assert gone.revoked_at == first
    assert revoke_all_tokens(world.pcm, reason="test") == 0
