"""The drafting-day board: ordering within a section, approval by the lead peer (or the PCM),
all-or-nothing approval of the whole board, and its readiness for the findings gate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.findings.domain.board import (
    BoardNotReady,
    approve_board,
    approve_item,
    board_readiness,
    move_on_board,
    unapprove,
)
from peerdiag.findings.domain.findings import add_finding, add_recommendation
from peerdiag.findings.domain.notes import add_note
from peerdiag.findings.models import Finding, Recommendation

from .helpers import delivery


def _board(x):  # type: ignore[no-untyped-def]
    def note(title: str):  # type: ignore[no-untyped-def]
        return add_note(x.d, by=x.lead, source_type="document", title=title)

    s1 = add_finding(
        x.d, by=x.lead, kind="strength", statement="S1", kloe=None, evidence=[note("a")]
    )
    s2 = add_finding(
        x.d, by=x.lead, kind="strength", statement="S2", kloe=None, evidence=[note("b")]
    )
    s3 = add_finding(
        x.d, by=x.lead, kind="strength", statement="S3", kloe=None, evidence=[note("c")]
    )
    a1 = add_finding(x.d, by=x.lead, kind="area", statement="A1", kloe=None, evidence=[note("d")])
    r1 = add_recommendation(x.d, by=x.lead, text="R1", findings=[a1])
    r2 = add_recommendation(x.d, by=x.lead, text="R2", findings=[a1, s1])
    return SimpleNamespace(s1=s1, s2=s2, s3=s3, a1=a1, r1=r1, r2=r2)


def _order(kind: str | None = None) -> list[str]:
    if kind is None:
        return list(Recommendation.objects.order_by("order", "pk").values_list("text", flat=True))
    qs = Finding.objects.filter(kind=kind).order_by("order", "pk")
    return list(qs.values_list("statement", flat=True))


def test_moving_reorders_within_its_own_section_only(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    b = _board(x)
    s1, s3, r1 = b.s1, b.s3, b.r1
    assert move_on_board(s3, by=x.lead, direction="up", version=UNCHECKED) is True
    assert _order("strength") == ["S1", "S3", "S2"]
    assert move_on_board(s3, by=x.lead, direction="up", version=UNCHECKED) is True
    assert _order("strength") == ["S3", "S1", "S2"]
    # Already at the top: nothing moves, and the areas and recommendations never move.
    assert move_on_board(s3, by=x.lead, direction="up", version=UNCHECKED) is False
    assert _order("strength") == ["S3", "S1", "S2"]
    assert _order("area") == ["A1"]
    assert move_on_board(r1, by=world.pcm, direction="down", version=UNCHECKED) is True
    assert _order() == ["R2", "R1"]
    assert _order("strength") == ["S3", "S1", "S2"]
    assert AuditEntry.objects.filter(diagnostic=x.d, summary__startswith="Moved").count() == 3
    with pytest.raises(DomainError) as err:
        move_on_board(s1, by=x.lead, direction="sideways", version=UNCHECKED)
    assert err.value.field == "direction"


def test_only_the_lead_peer_or_the_pcm_orders_and_approves(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1 = _board(x).s1
    for outsider in (x.om, world.admin, world.sponsor):
        with pytest.raises(DomainError, match="lead peer or the peer challenge manager"):
            approve_item(s1, by=outsider, version=UNCHECKED)
        with pytest.raises(DomainError, match="lead peer or the peer challenge manager"):
            move_on_board(s1, by=outsider, direction="down", version=UNCHECKED)
    s1.refresh_from_db()
    assert s1.approved_at is None and s1.order == 1


def test_approving_records_who_and_is_refused_without_evidence_or_finding(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    b = _board(x)
    s1, r1 = b.s1, b.r1
    approve_item(s1, by=x.lead, version=UNCHECKED)
    s1.refresh_from_db()
    assert s1.approved_by == x.lead and s1.approved_at is not None
    bare = add_finding(x.d, by=x.lead, kind="area", statement="Unbacked", kloe=None)
    with pytest.raises(DomainError, match="No evidence supports the finding ‘Unbacked’"):
        approve_item(bare, by=x.lead, version=UNCHECKED)
    Recommendation.objects.filter(pk=r1.pk).first().findings.clear()  # type: ignore[union-attr]
    r1 = Recommendation.objects.get(pk=r1.pk)
    with pytest.raises(DomainError, match="‘R1’ follows from no finding"):
        approve_item(r1, by=world.pcm, version=UNCHECKED)
    unapprove(s1, by=world.pcm, version=UNCHECKED)
    s1.refresh_from_db()
    assert s1.approved_at is None and s1.approved_by is None
    summaries = list(AuditEntry.objects.filter(diagnostic=x.d).values_list("summary", flat=True))
    assert "Approved the strength ‘S1’" in summaries
    assert "Withdrew the approval of the strength ‘S1’" in summaries


def test_approving_the_whole_board_is_all_or_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1 = _board(x).s1
    bare = add_finding(x.d, by=x.lead, kind="area", statement="Unbacked", kloe=None)
    lonely = add_recommendation(x.d, by=x.lead, text="Lonely", findings=[bare])
    lonely.findings.clear()
    with pytest.raises(BoardNotReady) as err:
        approve_board(x.d, by=x.lead, fingerprint=None)
    assert err.value.blocking == [
        "No evidence supports the finding ‘Unbacked’",
        "The recommendation ‘Lonely’ follows from no finding",
    ]
    assert not Finding.objects.filter(approved_at__isnull=False).exists()
    assert not Recommendation.objects.filter(approved_at__isnull=False).exists()
    bare.delete()
    lonely.delete()
    approve_item(s1, by=x.lead, version=UNCHECKED)
    assert approve_board(x.d, by=x.lead, fingerprint=None) == 5  # s1 was already approved
    assert not Finding.objects.filter(approved_at__isnull=True).exists()
    assert set(Recommendation.objects.values_list("approved_by", flat=True)) == {x.lead.pk}


def test_readiness_lists_what_the_findings_gate_still_needs_at_any_stage(world):  # type: ignore[no-untyped-def]
    x = delivery(world)  # in delivery, not drafting: the gate itself would say nothing
    assert board_readiness(x.d).messages == [
        "The presentation has no strength",
        "The presentation has no area for consideration",
        "There are no recommendations",
        "No KIT meeting is recorded as previewing the final messages with the sponsor",
    ]
    _board(x)
    approve_board(x.d, by=x.lead, fingerprint=None)
    ready = board_readiness(x.d)
    assert ready.messages == [
        "No KIT meeting is recorded as previewing the final messages with the sponsor"
    ]
    assert not ready.ready
    x.d.refresh_from_db()
    assert x.d.stage == "delivery"  # asking changed nothing


def test_readiness_says_exactly_what_the_findings_gate_says_at_drafting(world):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from peerdiag.diagnostics.enums import Stage
    from peerdiag.diagnostics.models import Diagnostic
    from peerdiag.findings.domain.gate import findings_blockers
    from peerdiag.findings.models import KitDigest

    x = delivery(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(stage=Stage.DRAFTING)
    d = Diagnostic.objects.get(pk=x.d.pk)

    def gate() -> list[str]:
        return [b.message for b in findings_blockers(d, Stage.FEEDBACK_GIVEN)]

    assert board_readiness(d).messages == gate()
    b = _board(x)
    bare = add_finding(d, by=x.lead, kind="area", statement="Unbacked " + "x" * 90, kloe=None)
    lonely = add_recommendation(d, by=x.lead, text="Lonely " + "y" * 90, findings=[bare])
    lonely.findings.clear()
    approve_item(b.s2, by=x.lead, version=UNCHECKED)
    assert len(gate()) == 4 and board_readiness(d).messages == gate()
    bare.delete()
    lonely.delete()
    approve_board(d, by=x.lead, fingerprint=None)
    KitDigest.objects.create(diagnostic=d, shared_at=timezone.now(), previews_final_messages=True)
    assert board_readiness(d).messages == gate() == []
    assert board_readiness(d).ready
