"""Erasing the demo's lead peer, who is on open diagnostics with records of every kind."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.test import Client

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import TeamMember
from peerdiag.privacy.domain.subject_access import subject_access_export
from tests.privacy.test_erasure import _erase

pytestmark = pytest.mark.django_db


def test_the_demo_peer_is_erased_and_every_diagnostic_of_theirs_still_renders(demo):  # type: ignore[no-untyped-def]
    # The demo has records of every kind; the peer is on open diagnostics.
    user = User.objects.get(email="peer@peerdiag.test")
    old_name = user.full_name
    refs = sorted(
        TeamMember.objects.filter(person__user=user).values_list("diagnostic__reference", flat=True)
    )
    assert refs
    with pytest.raises(CommandError) as info:
        _erase("peer@peerdiag.test", "--yes")
    assert info.value.returncode == 2
    assert "which have not ended" in str(info.value)
    out = _erase("peer@peerdiag.test", "--yes", "--force")
    assert f"Audit entries added to {', '.join(refs)}." in out
    with pytest.raises(DomainError):
        subject_access_export("peer@peerdiag.test")
    admin = Client()
    admin.force_login(User.objects.get(email="admin@peerdiag.test"))
    name = User.objects.get(pk=user.pk).full_name
    for ref in refs:
        for url in (f"/diagnostics/{ref}/team/", f"/diagnostics/{ref}/audit/"):
            r = admin.get(url)
            assert r.status_code == 200, url
            assert name in r.content.decode(), url
        assert old_name not in admin.get(f"/diagnostics/{ref}/team/").content.decode()
