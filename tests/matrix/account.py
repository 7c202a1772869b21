"""Entries for a person's own account: two-factor sign-in pages and invitation links.

None of these URLs names a diagnostic, so each role meets them once (see ROLE_CLASS in
tests/test_permission_matrix.py). The world's users have no authenticator app.
"""

from __future__ import annotations

from typing import Any

from django.core import mail

from peerdiag.accounts.models import User
from peerdiag.common.models import new_code
from peerdiag.directory.domain.invitations import invite_person
from tests.factories import PersonFactory

from . import PUBLIC, SIGNED_IN, Case, rel

# Everyone is redirected (visitors always to sign-in).
ALL_REDIRECTED = rel(anon=302, admin=302, pcm=302, team=302, council=302, none=302)


def _fresh_invitation(d: Any) -> dict[str, str]:
    """A new person invited by an LGA administrator; the token is read from the e-mail."""
    person = PersonFactory()
    admin = User.objects.filter(is_staff=True).first()
    assert admin is not None
    invite_person(person, by=admin, site_url="http://testserver")
    link = mail.outbox[-1].body.split("http://testserver/invitation/", 1)[1]
    return {"token": link.split("/", 1)[0]}


ENTRIES: dict[str, Case] = {
    "web:account": Case(SIGNED_IN),
    "web:two_factor_setup": Case(SIGNED_IN),
    # The world's users have no app yet, so new recovery codes send them to set it up.
    "web:two_factor_recovery_codes": Case(ALL_REDIRECTED),
    # Without a password just given, the code page sends everyone to sign in.
    "web:sign_in_code": Case(ALL_REDIRECTED),
    # Without a password just given, the passkey step sends everyone to sign in.
    "web:sign_in_passkey": Case(ALL_REDIRECTED, method="POST"),
    "web:passkey_add": Case(SIGNED_IN),
    # The world's users have no passkeys: a code that is not theirs is not found.
    "web:passkey_remove": Case(
        rel(anon=302, admin=404, pcm=404, team=404, council=404, none=404),
        kwargs=("code",),
        make=lambda d: {"code": new_code()},
    ),
    # Single sign-on: the world configures no provider, so every key is unknown to everyone
    # (tests/sso/test_sign_in.py drives the pages with a real provider).
    "web:sso_start": Case(
        rel(anon=404, admin=404, pcm=404, team=404, council=404, none=404),
        kwargs=("key",),
        make=lambda d: {"key": "council"},
        per_user=True,
    ),
    "web:sso_callback": Case(
        rel(anon=404, admin=404, pcm=404, team=404, council=404, none=404),
        kwargs=("key",),
        make=lambda d: {"key": "council"},
        per_user=True,
    ),
    # Without a single sign-on session just ended, the signed-out page is the sign-in page.
    "web:signed_out": Case(ALL_REDIRECTED),
    # Invitation links work for whoever holds them, signed in or not.
    "web:invitation_accept": Case(PUBLIC, kwargs=("token",), make=_fresh_invitation),
}
