"""The audit trail cannot be changed or deleted, nor its actor: why erasing a person pseudonymises
them rather than deleting them (peerdiag/privacy/domain/erasure.py)."""

from __future__ import annotations

import pytest

from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_audit_trail_cannot_be_changed_or_deleted(world):  # type: ignore[no-untyped-def]
    entry = AuditEntry.objects.create(
        diagnostic=world.own, actor=world.pcm, action="test", summary="Something happened"
    )
    entry.summary = "Rewritten"
    with pytest.raises(TypeError, match="cannot be changed"):
        entry.save()
    with pytest.raises(TypeError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(TypeError, match="cannot be changed"):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="Rewritten")
    with pytest.raises(TypeError, match="cannot be deleted"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.summary == "Something happened"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_cannot_rewrite_who_did_what(world):  # type: ignore[no-untyped-def]
    from django.db.models import ProtectedError

    audit.record(world.own, by=world.pcm, action="stage", summary="Moved on")
    with pytest.raises(ProtectedError):
        world.pcm.delete()
    entry = AuditEntry.objects.get(summary="Moved on")
    assert entry.actor_id == world.pcm.pk
