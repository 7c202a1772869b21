"""The written feedback and the feedback files over the API: what each role reads and may do."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import finding_key, written_for
from peerdiag.reports.domain.written import (
    add_comment,
    pass_pcm_check,
    resolve_comment,
    submit_for_check,
)
from peerdiag.reports.enums import ExportKind, JobState, WrittenState
from peerdiag.reports.models import ExportJob, FactualComment, WrittenFeedback
from tests.api.conftest import ApiClient, iso
from tests.reports.helpers import Drafted, drafted

REF = "RPD-2027-001"
W = f"/diagnostics/{REF}/written-feedback"
F = f"/diagnostics/{REF}/feedback-files"


def _ready(world) -> Drafted:  # type: ignore[no-untyped-def]
    """Drafted with the format chosen, and one finding not approved (never shown here)."""
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format="report")
    x.d.refresh_from_db()
    x.findings[1].approved_at = None
    x.findings[1].save()
    return x


def _to_council(world, x: Drafted) -> WrittenFeedback:  # type: ignore[no-untyped-def]
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    return WrittenFeedback.objects.get(pk=w.pk)


def _fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["detail"]]


# --- The written feedback's state ---------------------------------------------------------


def test_the_council_hears_the_step_and_due_date_but_not_the_draft(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    council = ApiClient(world.sponsor)
    body = council.get(W).json()
    assert (body["state"], body["state_label"]) == ("draft", "Being drafted")
    assert body["due_on"] == "2027-04-09"
    assert [s["status"] for s in body["steps"]] == ["current", "todo", "todo", "todo"]
    assert body["draft_visible"] is False
    assert (body["parts"], body["unresolved_comments"], body["files"]) == ([], None, [])
    response = council.get(W + "/comments")
    assert response.status_code == 403
    assert "once the factual-accuracy check begins" in response.json()["detail"]

    # The team sees the parts a comment may point at: sections, then approved items only.
    body = ApiClient(world.peer).get(W).json()
    assert body["draft_visible"] is True and body["unresolved_comments"] == 0
    keys = [p["key"] for p in body["parts"]]
    assert keys[0] == "introduction"
    assert finding_key(x.findings[0].code) in keys
    assert finding_key(x.findings[1].code) not in keys  # not approved
    labels = [p["label"] for p in body["parts"]]
    assert "Strength 1: Leaders are visible." in labels
    assert "Supervision is regular." not in " ".join(labels)

    _to_council(world, x)
    body = council.get(W).json()
    assert body["state"] == "council_check" and body["draft_visible"] is True
    assert [s["status"] for s in body["steps"]] == ["done", "done", "current", "todo"]
    w = WrittenFeedback.objects.get(diagnostic=x.d)
    assert body["submitted_at"] == iso(w.submitted_at) is not None
    assert body["sent_to_council_at"] == iso(w.sent_to_council_at) is not None
    assert body["version"] == w.version
    assert council.get(W + "/comments").json() == []


def test_outsiders_hear_nothing(world):  # type: ignore[no-untyped-def]
    _ready(world)
    for path in (W, W + "/comments", F):
        response = ApiClient(world.other_council_user).get(path)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found"})


# --- The council's comments ---------------------------------------------------------------


def test_the_council_comments_only_during_its_check(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    council = ApiClient(world.organiser)
    key = finding_key(x.findings[0].code)
    early = council.post(W + "/comments", {"paragraph_key": key, "text": "Too early"})
    assert early.status_code == 403
    assert "during its factual-accuracy check" in early.json()["detail"]
    _to_council(world, x)

    response = council.post(W + "/comments", {"paragraph_key": key, "text": "It is a new team."})
    assert response.status_code == 201
    comment = FactualComment.objects.get()
    assert (comment.paragraph_key, comment.text, comment.author) == (
        key,
        "It is a new team.",
        world.organiser,
    )
    body = response.json()
    assert body["code"] == comment.code and body["resolved"] is False
    assert body["author"] == world.organiser.get_full_name()

    # The team reads it, with the count of unresolved comments.
    listed = ApiClient(world.pcm).get(W + "/comments").json()
    assert [(c["code"], c["text"]) for c in listed] == [(comment.code, "It is a new team.")]
    assert ApiClient(world.pcm).get(W).json()["unresolved_comments"] == 1

    # Neither the team nor an LGA administrator comments for the council.
    for user in (world.peer, world.pcm, world.admin):
        refused = ApiClient(user).post(W + "/comments", {"paragraph_key": key, "text": "x"})
        assert refused.status_code == 403, user
    assert FactualComment.objects.count() == 1


def test_a_comment_must_point_at_a_shown_part_and_say_something(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    _to_council(world, x)
    council = ApiClient(world.sponsor)
    unapproved = finding_key(x.findings[1].code)
    for key in ("conclusion", unapproved):
        response = council.post(W + "/comments", {"paragraph_key": key, "text": "Hm"})
        assert (response.status_code, _fields(response)) == (400, ["paragraph_key"])
    blank = council.post(W + "/comments", {"paragraph_key": "context", "text": "   "})
    assert (blank.status_code, _fields(blank)) == (400, ["text"])
    extra = council.post(W + "/comments", {"paragraph_key": "context", "text": "x", "by": "me"})
    assert (extra.status_code, _fields(extra)) == (422, ["by"])
    long = council.post(W + "/comments", {"paragraph_key": "x" * 61, "text": "x"})
    assert (long.status_code, _fields(long)) == (422, ["paragraph_key"])
    assert not FactualComment.objects.exists()


def test_reading_comments_costs_the_same_queries_for_1_or_3(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    w = _to_council(world, x)
    counts = []
    for n in (1, 3):
        while w.comments.count() < n:
            add_comment(w, by=world.organiser, paragraph_key="scope", text="More")
        for user in (world.pcm, world.sponsor):
            client = ApiClient(user)
            for path in (W, W + "/comments"):
                client.get(path)  # the token's first use writes its last-used time
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(path).status_code == 200
                counts.append(len(ctx))
    assert counts[:4] == counts[4:], counts


# --- Issuing ------------------------------------------------------------------------------


def test_the_pcm_issues_it_once_every_comment_is_resolved(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    w = _to_council(world, x)
    comment = add_comment(w, by=world.sponsor, paragraph_key="context", text="Wrong year")
    pcm = ApiClient(world.pcm)
    version = pcm.get(W).json()["version"]

    # The council and the lead peer may not issue it.
    for user in (world.sponsor, world.peer):
        refused = ApiClient(user).post(W + "/issue", {"version": version})
        assert refused.status_code == 403, user
    # The same gate as the page: not while a comment is open.
    response = pcm.post(W + "/issue", {"version": version})
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == (
        "1 comment from the council is not resolved yet"
    )
    resolve_comment(comment, by=world.pcm, version=UNCHECKED, response="Fixed")

    stale = pcm.post(W + "/issue", {"version": version - 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == version
    assert WrittenFeedback.objects.get(pk=w.pk).state == WrittenState.COUNCIL_CHECK

    response = pcm.post(W + "/issue", {"version": version})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["files"]) == ("issued", ["docx", "pdf"])
    assert [s["status"] for s in body["steps"]] == ["done"] * 4
    w.refresh_from_db()
    assert w.state == WrittenState.ISSUED and w.issued_by == world.pcm
    assert Diagnostic.objects.get(pk=x.d.pk).written_feedback_issued_on is not None

    council = ApiClient(world.sponsor)
    pdf = council.get(W + "/files/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="RPD-2027-001-written-feedback.pdf"'
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert council.get(W + "/files/pptx").status_code == 404
    assert (council.get(W + "/files/odt").status_code, _fields(council.get(W + "/files/odt"))) == (
        422,
        ["which"],
    )


def test_issue_needs_a_version(world):  # type: ignore[no-untyped-def]
    x = _ready(world)
    _to_council(world, x)
    response = ApiClient(world.pcm).post(W + "/issue", {})
    assert (response.status_code, _fields(response)) == (422, ["version"])
    assert WrittenFeedback.objects.get(diagnostic=x.d).state == WrittenState.COUNCIL_CHECK


def test_no_file_before_it_is_issued(world):  # type: ignore[no-untyped-def]
    _ready(world)
    assert ApiClient(world.pcm).get(W + "/files/docx").status_code == 404


# --- Feedback files -----------------------------------------------------------------------


def test_a_peer_builds_a_file_and_follows_its_progress(  # type: ignore[no-untyped-def]
    world, django_capture_on_commit_callbacks
):
    drafted(world)
    lead = ApiClient(world.peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(F, {"kind": "presentation", "draft": True})
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response.json()["code"] == job.code
    assert response.json()["filename"] == "RPD-2027-001-feedback-draft.pptx"
    assert (job.state, job.created_by) == (JobState.DONE, world.peer)

    body = lead.get(f"{F}/{job.code}").json()
    assert (body["state"], body["progress"], body["ready"]) == ("done", 100, True)
    assert body["requested_by"] == world.peer.get_full_name()
    assert [j["code"] for j in lead.get(F).json()] == [job.code]
    download = lead.get(f"{F}/{job.code}/file")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="RPD-2027-001-feedback-draft.pptx"'
    )
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_a_file_still_building_is_not_downloaded(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    running = ExportJob.objects.create(
        diagnostic=x.d,
        kind=ExportKind.REPORT_PDF,
        state=JobState.RUNNING,
        progress=50,
        message="Building the file",
        filename="RPD-2027-001-written-feedback.pdf",
    )
    pcm = ApiClient(world.pcm)
    body = pcm.get(f"{F}/{running.code}").json()
    assert (body["state"], body["progress"], body["message"], body["ready"]) == (
        "running",
        50,
        "Building the file",
        False,
    )
    assert pcm.get(f"{F}/{running.code}/file").status_code == 404
    # A file of another diagnostic is not found through this one.
    elsewhere = ExportJob.objects.create(diagnostic=world.other, kind=ExportKind.PRESENTATION)
    assert pcm.get(f"{F}/{elsewhere.code}").status_code == 404


def test_the_council_builds_no_files_and_bad_kinds_are_refused(world):  # type: ignore[no-untyped-def]
    drafted(world)
    council = ApiClient(world.sponsor)
    assert council.get(F).status_code == 403
    assert council.post(F, {"kind": "presentation"}).status_code == 403
    response = ApiClient(world.pcm).post(F, {"kind": "portfolio_csv"})
    assert (response.status_code, _fields(response)) == (422, ["kind"])
    Diagnostic.objects.filter(reference=REF).update(stage=Stage.CANCELLED)
    ended = ApiClient(world.pcm).post(F, {"kind": "presentation"})
    assert ended.status_code == 400
    assert "can no longer be built" in ended.json()["detail"][0]["message"]
    assert not ExportJob.objects.exists()


def test_a_read_token_starts_no_build(world):  # type: ignore[no-untyped-def]
    from peerdiag.accounts.models import ApiToken

    drafted(world)
    _, raw = ApiToken.issue(world.pcm, "reader", scope=ApiToken.Scope.READ)
    response = ApiClient(None, token=raw).post(F, {"kind": "presentation"})
    assert response.status_code == 403 and "read scope" in response.json()["detail"]
    assert not ExportJob.objects.exists()
