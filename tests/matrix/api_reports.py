"""Entries for the written feedback and the feedback files in the API.

As on the pages (tests/matrix/reports.py): the council reads the written feedback's state,
reads and adds comments only during its factual-accuracy check, and never builds files; an
LGA administrator does not comment for the council; issuing is the PCM's or an LGA
administrator's (here refused with 400, since no format is chosen).
"""

from __future__ import annotations

from typing import Any

from peerdiag.reports.domain.content import written_for

from . import A_VIEW, RC, Case, R, rel
from .reports import _council_check, _done_job, _issued, _job

A_EXPORT = rel(anon=401, admin=200, pcm=200, team=200, council=403, none=404)
A_BUILD = rel(anon=401, admin=202, pcm=202, team=202, council=403, none=404)
A_COMMENT = rel(anon=401, admin=403, pcm=403, team=403, council=201, none=404)
A_ISSUE = rel(anon=401, admin=400, pcm=400, team=403, council=403, none=404)


def _version(d: Any) -> dict[str, int]:
    return {"version": written_for(d).version}


ENTRIES: dict[str, Case] = {
    "api:feedback_file_list": Case(A_EXPORT, kwargs=R, api=True),
    "api:feedback_file_start": Case(
        A_BUILD, method="POST", data={"kind": "presentation"}, kwargs=R, api=True
    ),
    "api:feedback_file_detail": Case(A_EXPORT, kwargs=RC, make=_job, api=True),
    "api:feedback_file_download": Case(A_EXPORT, kwargs=RC, make=_done_job, api=True),
    "api:written_feedback_detail": Case(A_VIEW, kwargs=R, api=True),
    "api:written_feedback_download": Case(A_VIEW, kwargs=("ref", "which"), make=_issued, api=True),
    "api:factual_comment_list": Case(A_VIEW, kwargs=R, make=_council_check, api=True),
    "api:factual_comment_add": Case(
        A_COMMENT,
        method="POST",
        data={"paragraph_key": "introduction", "text": "The date is wrong."},
        kwargs=R,
        make=_council_check,
        api=True,
    ),
    "api:written_feedback_issue": Case(A_ISSUE, method="POST", data=_version, kwargs=R, api=True),
}
