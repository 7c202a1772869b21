"""The written feedback page and the feedback files page, as each kind of user sees them."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import finding_key, written_for
from peerdiag.reports.domain.written import add_comment, pass_pcm_check, submit_for_check
from peerdiag.reports.enums import ExportKind, JobState, WrittenState
from peerdiag.reports.models import ExportJob, FactualComment, WrittenFeedback
from tests.reports.helpers import Drafted, drafted

REF = "RPD-2027-001"
PAGE = reverse("web:written_feedback", args=[REF])
MOVE = reverse("web:written_move", args=[REF])
ADD = reverse("web:written_comment_add", args=[REF])


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _v(data: dict[str, str]) -> dict[str, str | int]:
    """A move as the written feedback page sends it: with the version the page showed."""
    return {**data, "version": written_for(Diagnostic.objects.get(reference=REF)).version}


def _ready(world) -> Drafted:  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format="report")
    x.d.refresh_from_db()
    # Internal text the council must never see: an unapproved finding.
    x.findings[1].approved_at = None
    x.findings[1].save()
    return x


def _to_council(world, x: Drafted) -> WrittenFeedback:  # type: ignore[no-untyped-def]
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    return w


def test_the_council_sees_no_draft_before_its_check(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    council = _as(world.sponsor)
    for step in ("draft", "pcm_check"):
        if step == "pcm_check":
            submit_for_check(written_for(x.d), by=world.pcm, version=UNCHECKED)
        html = council.get(PAGE).content.decode()
        assert "The peer team is writing the feedback" in html
        assert "it is due by 9 April 2027" in html
        assert "Leaders are visible." not in html
        assert "asked the Local Government Association" not in html  # the introduction
    pass_pcm_check(written_for(x.d), by=world.pcm, version=UNCHECKED)
    html = council.get(PAGE).content.decode()
    assert "The peer team is writing the feedback" not in html
    assert "Leaders are visible." in html and "Agree a plan template." in html
    assert "asked the Local Government Association" in html
    # Never anything internal: the unapproved finding, the small-group quote, edit links.
    assert "Supervision is regular." not in html
    assert "I am alone in this." not in html
    assert "/sections/" not in html
    assert "Add the comment" in html and "Our factual check is finished" in html
    assert "Issue the written feedback" not in html


def test_the_team_sees_the_draft_with_edit_links_and_the_clock(world):  # type: ignore[no-untyped-def]
    _ready(world)
    html = _as(world.peer).get(PAGE).content.decode()
    left = (date(2027, 4, 9) - timezone.localdate()).days
    assert f"{left} days left" in html
    assert reverse("web:written_paragraph", args=[REF, "context"]) in html
    assert "Send for the PCM check" in html
    assert "Supervision is regular." not in html  # as it will appear: approved items only
    assert "Add the comment" not in html


def test_the_page_says_how_overdue_it_is(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    # Day 1 on 1 March 2027 makes the due date 9 April 2027; move it back a year and a bit.
    Diagnostic.objects.filter(pk=x.d.pk).update(day1=date(2025, 3, 3))
    html = _as(world.pcm).get(PAGE).content.decode()
    due = date(2025, 4, 11)
    assert "11 April 2025" in html
    assert f"by {(timezone.localdate() - due).days} days" in html
    assert "govuk-tag--red" in html


def test_a_section_is_edited_through_its_page(world):  # type: ignore[no-untyped-def]
    _ready(world)
    url = reverse("web:written_paragraph", args=[REF, "next_steps"])
    client = _as(world.peer)
    assert "Edit ‘Next steps’" in client.get(url).content.decode()
    response = client.post(
        url, {"heading": "What happens next", "text": "We meet in May.", "version": 1}
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    p = written_for(Diagnostic.objects.get(reference=REF)).paragraphs.get(key="next_steps")
    assert (p.heading, p.text) == ("What happens next", "We meet in May.")
    response = client.post(url, {"heading": "", "text": "x", "version": 2})
    assert "Enter the section&#x27;s heading" in response.content.decode()
    assert _as(world.sponsor).get(url).status_code == 403
    assert client.get(reverse("web:written_paragraph", args=[REF, "nope"])).status_code == 404


def test_the_steps_through_the_pages(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    pcm, lead, admin = _as(world.pcm), _as(world.peer), _as(world.admin)
    assert lead.post(MOVE, _v({"action": "submit"}))["Location"] == PAGE
    w = written_for(x.d)
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.PCM_CHECK
    # Checking is the PCM's alone: the lead peer and an LGA admin are refused.
    assert lead.post(MOVE, _v({"action": "pass_check"})).status_code == 403
    assert admin.post(MOVE, _v({"action": "pass_check"})).status_code == 403
    response = pcm.post(MOVE, _v({"action": "return", "reason": ""}))
    assert response.status_code == 400
    assert "Say what needs changing before it comes back" in response.content.decode()
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.PCM_CHECK
    pcm.post(MOVE, _v({"action": "pass_check"}))
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.COUNCIL_CHECK

    council = _as(world.organiser)
    key = finding_key(x.findings[0].code)
    response = council.post(ADD, {"paragraph_key": key, "text": "It is a new team."})
    assert response["Location"] == PAGE
    comment = FactualComment.objects.get()
    assert (comment.paragraph_key, comment.author) == (key, world.organiser)
    html = pcm.get(PAGE).content.decode()
    assert "It is a new team." in html and "1 council comment is not resolved yet" in html
    issue = pcm.post(MOVE, _v({"action": "issue"}), follow=True).content.decode()
    assert "1 comment from the council is not resolved yet" in issue
    respond = reverse("web:written_comment_respond", args=[REF, comment.code])
    assert admin.get(respond).status_code == 403
    assert council.get(respond).status_code == 403
    response = pcm.post(respond, {"response": "", "resolve": "", "version": 1})
    assert "Enter your response, or mark the comment as resolved" in response.content.decode()
    pcm.post(
        respond, {"response": "Noted: the team is new since 2026.", "resolve": "on", "version": 1}
    )
    comment.refresh_from_db()
    assert comment.resolved_at is not None and comment.resolved_by == world.pcm
    assert council.post(MOVE, _v({"action": "issue"})).status_code == 403
    council.post(MOVE, _v({"action": "council_done"}))
    assert WrittenFeedback.objects.get(pk=w.pk).council_returned_at is not None
    pcm.post(MOVE, _v({"action": "issue"}))
    w.refresh_from_db()
    assert w.state == WrittenState.ISSUED

    html = council.get(PAGE).content.decode()
    assert reverse("web:written_download", args=[REF, "docx"]) in html
    assert reverse("web:written_download", args=[REF, "pdf"]) in html
    response = council.get(reverse("web:written_download", args=[REF, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="RPD-2027-001-written-feedback.pdf"'
    )
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert council.get(reverse("web:written_download", args=[REF, "pptx"])).status_code == 404


def test_the_council_comments_only_at_its_check_and_on_a_real_paragraph(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    council = _as(world.sponsor)
    assert council.post(ADD, {"paragraph_key": "context", "text": "Early"}).status_code == 403
    _to_council(world, x)
    response = council.post(ADD, {"paragraph_key": "conclusion", "text": "Hm"})
    assert response.status_code == 400
    assert "Choose a part of the report" in response.content.decode()
    unapproved = finding_key(x.findings[1].code)
    assert council.post(ADD, {"paragraph_key": unapproved, "text": "Hm"}).status_code == 400
    assert _as(world.peer).post(ADD, {"paragraph_key": "context", "text": "x"}).status_code == 403
    assert not FactualComment.objects.exists()


def test_the_written_feedback_page_makes_the_same_queries_for_1_or_3_comments(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    w = _to_council(world, x)
    add_comment(w, by=world.sponsor, paragraph_key="context", text="One")
    counts = []
    for n in (1, 3):
        while w.comments.count() < n:
            add_comment(w, by=world.organiser, paragraph_key="scope", text="More")
        for user in (world.pcm, world.sponsor):
            client = _as(user)
            client.get(PAGE)  # warm the session and caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(PAGE).status_code == 200
            counts.append((n, user.email, len(ctx)))
    assert counts[0][2] == counts[2][2] and counts[1][2] == counts[3][2], counts


def test_the_files_page_builds_and_polls_while_running(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    x = drafted(world)
    url = reverse("web:report_exports", args=[REF])
    client = _as(world.peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": ExportKind.PRESENTATION, "draft": "1"})
    assert response["Location"] == url
    job = ExportJob.objects.get()
    assert (job.state, job.progress, job.filename) == (
        JobState.DONE,
        100,
        "RPD-2027-001-feedback-draft.pptx",
    )
    html = client.get(url).content.decode()
    assert reverse("web:report_export_download", args=[REF, job.code]) in html
    assert 'role="status"' in html and "hx-trigger" not in html
    running = ExportJob.objects.create(
        diagnostic=x.d,
        kind=ExportKind.REPORT_PDF,
        state=JobState.RUNNING,
        progress=50,
        message="Building the file",
        filename="RPD-2027-001-written-feedback.pdf",
    )
    status_url = reverse("web:report_export_status", args=[REF, running.code])
    html = client.get(url).content.decode()
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 1s"' in html
    fragment = client.get(status_url, {"seen": "running"}).content.decode()
    assert "50% done: Building the file" in fragment and "hx-swap-oob" not in fragment
    ExportJob.objects.filter(pk=running.pk).update(
        state=JobState.FAILED, message="The file could not be built: no fonts"
    )
    fragment = client.get(status_url, {"seen": "running"}).content.decode()
    assert "Failed" in fragment and "The file could not be built: no fonts" in fragment
    assert "hx-trigger" not in fragment
    assert "RPD-2027-001-written-feedback.pdf could not be built" in fragment  # the status line
    assert _as(world.sponsor).get(url).status_code == 403
