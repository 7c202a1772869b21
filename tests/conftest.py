"""Shared fixtures: a small world with two councils and a person in every role.

`world.own` is a diagnostic at council A managed by `pcm`, with `peer` on its team and
`sponsor`/`organiser` at council A; `world.other` is a diagnostic at council B with a different
PCM and team. Each role is a logged-in-able user with password factories.PASSWORD.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from peerdiag.accounts.models import User
from peerdiag.diagnostics.enums import CouncilRoleKind, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import (
    CouncilFactory,
    CouncilRoleFactory,
    DiagnosticFactory,
    LgaFactory,
    PersonFactory,
    TeamMemberFactory,
    UserFactory,
)


@dataclass
class World:
    admin: User
    pcm: User
    peer: User
    sponsor: User
    organiser: User
    other_council_user: User
    other_pcm: User
    stranger_peer: User
    own: Diagnostic
    other: Diagnostic

    def users(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "pcm": self.pcm,
            "peer": self.peer,
            "sponsor": self.sponsor,
            "organiser": self.organiser,
            "other_council": self.other_council_user,
            "other_pcm": self.other_pcm,
            "stranger_peer": self.stranger_peer,
        }


def _user_for(email: str, organisation, **kw) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(email=email, **kw)
    PersonFactory(user=user, organisation=organisation, full_name=user.full_name, email=email)
    return user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    # Hashing strength is not under test; the default hasher costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_two_factor_rules(monkeypatch):  # type: ignore[no-untyped-def]
    # Most tests sign people in with force_login and are not about two-factor sign-in; the
    # real rule is tested in tests/diagnostics/test_two_factor_rule.py, which registers it.
    monkeypatch.setattr("peerdiag.accounts.domain.two_factor._requirements", [])


@pytest.fixture(autouse=True)
def _admin_second_factor_passed(monkeypatch):  # type: ignore[no-untyped-def]
    # Tests sign administrators in with force_login, which passes no second factor, and the
    # admin site refuses such a session. Those not about that count it as passed; the real rule
    # is tested in tests/accounts/test_admin_two_factor.py (it puts the real check back).
    monkeypatch.setattr("peerdiag.accounts.admin_site.admin_session_verified", lambda request: True)


@pytest.fixture(autouse=True)
def _recent_sign_in(request, monkeypatch):  # type: ignore[no-untyped-def]
    # Tests sign people in with force_login, which records no password confirmation; they are
    # not about re-authentication, so it counts as recent. Tests marked `real_reauth`
    # (tests/accounts/test_reauth.py, test_tokens.py) get the real rule.
    if request.node.get_closest_marker("real_reauth") is None:
        monkeypatch.setattr("peerdiag.web.views.common.auth_is_recent", lambda *a, **k: True)


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    # Rate-limit counters live in the cache; each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Uploaded files from tests land in a throwaway folder, never in var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    lga = LgaFactory()
    council_a = CouncilFactory(name="Council A")
    council_b = CouncilFactory(name="Council B")
    council_c = CouncilFactory(name="Council C")
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    pcm = _user_for("pcm@example.org", lga)
    other_pcm = _user_for("pcm2@example.org", lga)
    peer = _user_for("peer@example.org", council_c)
    stranger_peer = _user_for("peer2@example.org", council_c)
    sponsor = _user_for("sponsor@example.org", council_a)
    organiser = _user_for("organiser@example.org", council_a)
    other_council_user = _user_for("sponsor-b@example.org", council_b)
    own = DiagnosticFactory(host_council=council_a, reference="RPD-2027-001")
    other = DiagnosticFactory(host_council=council_b, reference="RPD-2027-002")
    TeamMemberFactory(diagnostic=own, person=pcm.person, role=TeamRole.PEER_CHALLENGE_MANAGER)
    TeamMemberFactory(diagnostic=own, person=peer.person, role=TeamRole.LEAD_PEER)
    TeamMemberFactory(
        diagnostic=other, person=other_pcm.person, role=TeamRole.PEER_CHALLENGE_MANAGER
    )
    TeamMemberFactory(diagnostic=other, person=stranger_peer.person, role=TeamRole.LEAD_PEER)
    CouncilRoleFactory(diagnostic=own, person=sponsor.person, role=CouncilRoleKind.SPONSOR)
    CouncilRoleFactory(diagnostic=own, person=organiser.person, role=CouncilRoleKind.ORGANISER)
    CouncilRoleFactory(
        diagnostic=other, person=other_council_user.person, role=CouncilRoleKind.SPONSOR
    )
    return World(
        admin=admin,
        pcm=pcm,
        peer=peer,
        sponsor=sponsor,
        organiser=organiser,
        other_council_user=other_council_user,
        other_pcm=other_pcm,
        stranger_peer=stranger_peer,
        own=own,
        other=other,
    )
