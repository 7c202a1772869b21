"""The written feedback's steps: draft → PCM check → council check → issued, and each refusal."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from docx import Document
from pptx import Presentation

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import finding_key, written_for
from peerdiag.reports.domain.written import (
    add_comment,
    comment_keys,
    council_done,
    issue_written,
    pass_pcm_check,
    report_items,
    resolve_comment,
    respond_to_comment,
    return_to_draft,
    submit_for_check,
    update_paragraph,
)
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import WrittenFeedback

from .helpers import Drafted, drafted

ISSUE_DAY = date(2027, 4, 2)


def _drafted(world, fmt: str = "report", **kw) -> Drafted:  # type: ignore[no-untyped-def]
    x = drafted(world, **kw)
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format=fmt)
    x.d.refresh_from_db()
    return x


def _at_council_check(world, fmt: str = "report") -> tuple[Drafted, WrittenFeedback]:  # type: ignore[no-untyped-def]
    x = _drafted(world, fmt)
    w = written_for(x.d)
    submit_for_check(w, by=world.peer, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    return x, w


def _text(docx_bytes: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs]


def test_a_section_is_edited_only_in_the_draft(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    p = update_paragraph(
        w, by=world.pcm, key="context", heading="Background", text=" New words ", version=UNCHECKED
    )
    assert (p.heading, p.text) == ("Background", "New words")
    assert w.paragraphs.get(key="context").text == "New words"
    assert x.d.audit.filter(summary="Edited the section ‘Background’ of the written feedback")
    with pytest.raises(DomainError, match="no such section"):
        update_paragraph(w, by=world.pcm, key="nope", text="x", version=UNCHECKED)
    with pytest.raises(DomainError, match="heading"):
        update_paragraph(w, by=world.pcm, key="context", heading="  ", text="x", version=UNCHECKED)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="only be done when it is being drafted"):
        update_paragraph(w, by=world.pcm, key="context", text="Later words", version=UNCHECKED)
    assert w.paragraphs.get(key="context").text == "New words"


def test_the_whole_way_from_draft_to_issued(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    submit_for_check(w, by=world.peer, version=UNCHECKED)
    assert w.state == WrittenState.PCM_CHECK and w.submitted_at is not None
    assert mail.outbox == []
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    assert w.state == WrittenState.COUNCIL_CHECK
    assert w.pcm_checked_by == world.pcm and w.sent_to_council_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["organiser@example.org", "sponsor@example.org"]
    assert sent.subject == "RPD-2027-001: draft written feedback for your factual check"
    assert f"{settings.SITE_URL}/diagnostics/RPD-2027-001/written-feedback/" in sent.body

    on_context = add_comment(w, by=world.sponsor, paragraph_key="context", text=" Wrong year. ")
    area_key = finding_key(x.findings[2].code)
    on_area = add_comment(w, by=world.organiser, paragraph_key=area_key, text="Plans improved.")
    assert (on_context.text, on_context.author) == ("Wrong year.", world.sponsor)
    with pytest.raises(DomainError, match="2 comments from the council are not resolved"):
        issue_written(w, by=world.pcm, version=UNCHECKED)
    respond_to_comment(on_context, by=world.pcm, response="Corrected to 2026.", version=UNCHECKED)
    assert on_context.resolved_at is None and on_context.response == "Corrected to 2026."
    resolve_comment(on_context, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="1 comment from the council is not resolved"):
        issue_written(w, by=world.pcm, version=UNCHECKED)
    resolve_comment(
        on_area,
        by=world.pcm,
        response="We keep the finding: the audit showed it.",
        version=UNCHECKED,
    )
    with pytest.raises(DomainError, match="already resolved"):
        resolve_comment(on_area, by=world.pcm, version=UNCHECKED)
    council_done(w, by=world.sponsor, version=UNCHECKED)
    assert w.council_returned_at is not None
    with pytest.raises(DomainError, match="already recorded"):
        council_done(w, by=world.sponsor, version=UNCHECKED)

    issue_written(w, by=world.pcm, version=UNCHECKED, today=ISSUE_DAY)
    w.refresh_from_db()
    x.d.refresh_from_db()
    assert w.state == WrittenState.ISSUED and w.issued_by == world.pcm
    assert x.d.written_feedback_issued_on == ISSUE_DAY
    assert w.issued_file.name.endswith("RPD-2027-001-written-feedback.docx")
    assert w.issued_pdf.name.endswith("RPD-2027-001-written-feedback.pdf")
    with w.issued_file.open("rb") as f:
        lines = _text(f.read())
    order = [
        "Leaders are visible.",
        "Supervision is regular.",
        "Plans lack detail.",
        "Partners are unsure how to escalate.",
        "Agree a plan template.",
        "Publish an escalation route.",
    ]
    found = [next(i for i, t in enumerate(lines) if s in t) for s in order]
    assert found == sorted(found)
    assert not any("I am alone in this." in t for t in lines)
    with w.issued_pdf.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    summaries = list(x.d.audit.values_list("summary", flat=True))
    assert "Issued the written feedback (Report)" in summaries
    assert "Sent the written feedback for PCM check" in summaries
    # Nothing moves once issued.
    with pytest.raises(DomainError, match="The written feedback is issued; this can only be done"):
        add_comment(w, by=world.sponsor, paragraph_key="context", text="Late")
    with pytest.raises(DomainError, match="The written feedback is issued; this can only be done"):
        return_to_draft(w, by=world.pcm, reason="again", version=UNCHECKED)


def test_slides_are_issued_as_a_presentation(world):  # type: ignore[no-untyped-def]
    _, w = _at_council_check(world, "slides")
    issue_written(w, by=world.admin, version=UNCHECKED, today=ISSUE_DAY)
    assert w.issued_file.name.endswith("RPD-2027-001-written-feedback.pptx")
    assert not w.issued_pdf
    with w.issued_file.open("rb") as f:
        deck = Presentation(io.BytesIO(f.read()))
    text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Leaders are visible." in text and "Publish an escalation route." in text


def test_the_format_may_change_until_issue(world):  # type: ignore[no-untyped-def]
    x, w = _at_council_check(world, "slides")
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format="report")
    w.diagnostic.refresh_from_db()
    issue_written(w, by=world.pcm, version=UNCHECKED)
    assert w.issued_file.name.endswith(".docx") and w.issued_pdf.name.endswith(".pdf")
    assert Diagnostic.objects.get(pk=x.d.pk).written_feedback_issued_on == timezone.localdate()


def test_issuing_needs_a_format(world):  # type: ignore[no-untyped-def]
    _, w = _at_council_check(world, "")
    with pytest.raises(DomainError, match="Choose report or slides"):
        issue_written(w, by=world.pcm, version=UNCHECKED)
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.COUNCIL_CHECK


def test_an_empty_board_cannot_go_for_checking(world):  # type: ignore[no-untyped-def]
    x = _drafted(world, approve=False)
    w = written_for(x.d)
    with pytest.raises(DomainError, match="No finding on the drafting board is approved"):
        submit_for_check(w, by=world.pcm, version=UNCHECKED)
    x.findings[0].approved_at = timezone.now()
    x.findings[0].save()
    with pytest.raises(DomainError, match="No recommendation on the drafting board"):
        submit_for_check(w, by=world.pcm, version=UNCHECKED)
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.DRAFT


def test_moves_from_the_wrong_step_are_refused(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    with pytest.raises(DomainError, match="only be done when it is with the peer challenge"):
        pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="only be done when it is with the council"):
        council_done(w, by=world.sponsor, version=UNCHECKED)
    with pytest.raises(DomainError, match="only after the council's factual-accuracy check"):
        issue_written(w, by=world.pcm, version=UNCHECKED)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="only be done when it is being drafted"):
        submit_for_check(w, by=world.pcm, version=UNCHECKED)
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.PCM_CHECK
    assert mail.outbox == []


def test_the_pcm_returns_the_draft_with_a_reason(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    submit_for_check(w, by=world.peer, version=UNCHECKED)
    with pytest.raises(DomainError, match="Say what needs changing") as e:
        return_to_draft(w, by=world.pcm, reason="  ", version=UNCHECKED)
    assert e.value.field == "reason"
    return_to_draft(w, by=world.pcm, reason="The context is too long", version=UNCHECKED)
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.DRAFT
    assert x.d.audit.filter(
        summary="Returned the written feedback to the draft: The context is too long"
    ).exists()


def test_a_comment_needing_a_change_sends_the_text_back_to_the_draft(world):  # type: ignore[no-untyped-def]
    _, w = _at_council_check(world)
    c = add_comment(w, by=world.sponsor, paragraph_key="context", text="Wrong year.")
    return_to_draft(w, by=world.pcm, reason="Fix the year", version=UNCHECKED)
    update_paragraph(w, by=world.pcm, key="context", text="Fixed year.", version=UNCHECKED)
    resolve_comment(c, by=world.pcm, response="Fixed", version=UNCHECKED)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    assert w.state == WrittenState.COUNCIL_CHECK and w.council_returned_at is None
    assert len(mail.outbox) == 2


def test_the_council_comments_only_during_its_check(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    with pytest.raises(DomainError, match="only be done when it is with the council"):
        add_comment(w, by=world.sponsor, paragraph_key="context", text="Too early")
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="only be done when it is with the council"):
        add_comment(w, by=world.sponsor, paragraph_key="context", text="Too early")
    assert not w.comments.exists()


def test_a_comment_must_point_at_a_part_of_the_report(world):  # type: ignore[no-untyped-def]
    x, w = _at_council_check(world)
    keys = comment_keys(w)
    assert {"introduction", "scope", "context", "next_steps"} <= keys
    assert finding_key(x.recommendations[0].code) in keys
    for bad in ("conclusion", "item-nope", x.findings[0].code):
        with pytest.raises(DomainError, match="Choose a paragraph") as e:
            add_comment(w, by=world.sponsor, paragraph_key=bad, text="Hm")
        assert e.value.field == "paragraph_key"
    with pytest.raises(DomainError, match="Enter your comment"):
        add_comment(w, by=world.sponsor, paragraph_key="context", text=" ")
    assert not w.comments.exists()


def test_unapproved_items_are_not_keys_and_not_report_items(world):  # type: ignore[no-untyped-def]
    x, w = _at_council_check(world)
    x.findings[1].approved_at = None
    x.findings[1].save()
    assert finding_key(x.findings[1].code) not in comment_keys(w)
    items = report_items(x.d)
    assert [(i.kind, i.item.text) for i in items] == [
        ("strength", "Leaders are visible."),
        ("area", "Plans lack detail."),
        ("area", "Partners are unsure how to escalate."),
        ("recommendation", "Agree a plan template."),
        ("recommendation", "Publish an escalation route."),
    ]
    assert items[0].key == finding_key(x.findings[0].code)


def test_nothing_changes_once_the_diagnostic_has_ended(world):  # type: ignore[no-untyped-def]
    x = _drafted(world)
    w = written_for(x.d)
    Diagnostic.objects.filter(pk=x.d.pk).update(stage=Stage.CANCELLED)
    w.diagnostic.refresh_from_db()
    with pytest.raises(DomainError, match="has ended"):
        submit_for_check(w, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="has ended"):
        update_paragraph(w, by=world.pcm, key="context", text="x", version=UNCHECKED)
