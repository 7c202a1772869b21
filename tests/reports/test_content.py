"""What the feedback outputs are made from."""

from __future__ import annotations

from django.utils import timezone

from peerdiag.findings.models import Finding
from peerdiag.reports.domain.content import feedback_for, written_for

from .helpers import drafted


def test_feedback_holds_the_approved_board_in_order_with_usable_quotes_only(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    fb = feedback_for(x.d)
    assert [i.text for i in fb.strengths] == ["Leaders are visible.", "Supervision is regular."]
    assert [i.text for i in fb.areas] == [
        "Plans lack detail.",
        "Partners are unsure how to escalate.",
    ]
    assert [i.text for i in fb.recommendations] == [
        "Agree a plan template.",
        "Publish an escalation route.",
    ]
    assert fb.strengths[0].quotes == ("“We are heard.” (social workers)",)
    assert fb.council == x.d.host_council.name and fb.delivery == "1 to 9 March 2027"
    assert [p.key for p in fb.paragraphs] == ["introduction", "scope", "context", "next_steps"]
    assert not fb.draft


def test_only_approved_items_go_into_a_final_output(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    Finding.objects.filter(pk=x.findings[1].pk).update(approved_at=None)
    assert [i.text for i in feedback_for(x.d).strengths] == ["Leaders are visible."]
    assert len(feedback_for(x.d, draft=True).strengths) == 2
    Finding.objects.filter(pk=x.findings[1].pk).update(approved_at=timezone.now())


def test_the_written_feedback_record_is_made_once_with_default_sections(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    w = written_for(x.d)
    assert written_for(x.d).pk == w.pk
    assert w.paragraphs.get(key="introduction").text.startswith(x.d.host_council.name)
