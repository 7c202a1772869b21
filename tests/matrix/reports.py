"""Entries for the written feedback and the feedback files.

The council reads the written feedback page (it says the draft is being written until the
factual-accuracy check), comments only while the check is on, and never builds files. Checking
(and responding to comments) is the PCM's alone: an LGA admin is refused there.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.written import update_paragraph
from peerdiag.reports.enums import ExportKind, JobState, WrittenState
from peerdiag.reports.models import ExportJob, FactualComment, WrittenFeedback

from . import RC, VIEW, Case, R, rel

# The PCM and the lead peer edit; the council may not; outsiders learn nothing.
EDIT = rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)
EDIT_POST = rel(anon=302, admin=302, pcm=302, team=302, council=403, none=404)
# The PCM alone (an LGA admin is refused).
PCM_ONLY = rel(anon=302, admin=403, pcm=200, team=403, council=403, none=404)
# The host council alone, while the factual-accuracy check is on.
COUNCIL_POST = rel(anon=302, admin=403, pcm=403, team=403, council=302, none=404)
EXPORT = rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)


def _council_check(d: Any) -> dict[str, str]:
    WrittenFeedback.objects.filter(pk=written_for(d).pk).update(state=WrittenState.COUNCIL_CHECK)
    return {}


def _paragraph(d: Any) -> dict[str, str]:
    written_for(d)
    return {"key": "introduction"}


def _history(d: Any) -> dict[str, str]:
    """A section with two saved versions, so there is an earlier one to put back (in the
    draft, where versions can be put back)."""
    written = written_for(d)
    WrittenFeedback.objects.filter(pk=written.pk).update(state=WrittenState.DRAFT)
    for text in ("First words.", "Second words."):
        p = written.paragraphs.get(key="introduction")
        update_paragraph(written, by=None, key="introduction", text=text, version=p.version)
    return {"key": "introduction"}


def _put_back(d: Any) -> dict[str, Any]:
    """Put back the first version, from the section's version as it is now."""
    p = written_for(d).paragraphs.get(key="introduction")
    return {"restore": 1, "version": p.version}


def _section_presence(d: Any) -> dict[str, str]:
    written_for(d)
    return {"kind": "section", "code": "introduction"}


def _comment(d: Any) -> dict[str, str]:
    written = written_for(d)
    WrittenFeedback.objects.filter(pk=written.pk).update(state=WrittenState.COUNCIL_CHECK)
    c = FactualComment.objects.create(
        written=written, paragraph_key="introduction", text="The date is wrong."
    )
    return {"code": c.code}


def _issued(d: Any) -> dict[str, str]:
    written = written_for(d)
    if not written.issued_file:
        written.issued_file.save("x.docx", ContentFile(b"PK word"), save=False)
        written.state = WrittenState.ISSUED
        written.save()
    return {"which": "docx"}


def _job(d: Any, done: bool = False) -> dict[str, str]:
    job = ExportJob.objects.create(
        diagnostic=d,
        kind=ExportKind.PRESENTATION,
        state=JobState.DONE if done else JobState.RUNNING,
        progress=100 if done else 50,
        filename=f"{d.reference}-feedback.pptx",
        finished_at=timezone.now() if done else None,
    )
    if done:
        job.file.save(job.filename, ContentFile(b"PK slides"))
    return {"code": job.code}


def _done_job(d: Any) -> dict[str, str]:
    return _job(d, done=True)


ENTRIES: dict[str, Case] = {
    "web:written_feedback": Case(VIEW, kwargs=R),
    "web:written_paragraph": Case(EDIT, kwargs=("ref", "key"), make=_paragraph),
    # Sending for the PCM check is refused with a message (nothing is approved) and redirects.
    "web:written_paragraph_history": Case(EDIT, kwargs=("ref", "key"), make=_history),
    # Putting a version back redirects to the history page (and saves a new version).
    "web:written_paragraph_restore": Case(
        EDIT_POST, method="POST", kwargs=("ref", "key"), make=_history, data=_put_back
    ),
    # Who else has a section open: the same permission as the section's edit page.
    "web:presence": Case(EDIT, kwargs=("ref", "kind", "code"), make=_section_presence),
    "web:written_move": Case(
        EDIT_POST, method="POST", kwargs=R, data={"action": "submit", "version": 1}
    ),
    "web:written_comment_add": Case(
        COUNCIL_POST,
        method="POST",
        kwargs=R,
        make=_council_check,
        data={"paragraph_key": "introduction", "text": "The date is wrong."},
    ),
    "web:written_comment_respond": Case(PCM_ONLY, kwargs=RC, make=_comment),
    "web:written_download": Case(VIEW, kwargs=("ref", "which"), make=_issued),
    "web:report_exports": Case(EXPORT, kwargs=R),
    "web:report_export_status": Case(EXPORT, kwargs=RC, make=_job),
    "web:report_export_download": Case(EXPORT, kwargs=RC, make=_done_job),
}
