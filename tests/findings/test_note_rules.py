"""Only a note's author changes it: the rule the notes page and the API both ask."""

from __future__ import annotations

import pytest
import rules

from peerdiag.diagnostics.models import TeamMember
from peerdiag.findings.models import EvidenceNote

pytestmark = pytest.mark.django_db


def test_only_the_author_may_change_a_note_not_even_an_lga_superuser(world):  # type: ignore[no-untyped-def]
    lead = TeamMember.objects.get(diagnostic=world.own, person=world.peer.person)
    note = EvidenceNote.objects.create(
        diagnostic=world.own, author=lead, source_type="data", title="Caseloads"
    )
    orphan = EvidenceNote.objects.create(diagnostic=world.own, source_type="data", title="Old")
    assert rules.has_perm("findings.change_note", world.peer, note)
    for other in (world.pcm, world.admin, world.sponsor):
        assert not rules.has_perm("findings.change_note", other, note)
    assert world.admin.is_superuser  # has_perm would say yes: the pages ask the rule itself
    assert not rules.has_perm("findings.change_note", world.peer, orphan)
