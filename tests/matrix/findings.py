"""Entries for findings, recommendations and the drafting-day board.

The council never reaches any of them (403). An LGA administrator reads the pages but writes
nothing (403 on every write, by permission: it has no place on the team). Writes are open to
the team (here the lead peer) and the PCM; ordering and approving the board to the lead peer
and the PCM.
"""

from __future__ import annotations

from typing import Any

from peerdiag.common.versioning import record_revision
from peerdiag.findings.domain.findings import finding_text, recommendation_text
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, Recommendation

from . import INTERNAL, RC, Case, R, rel

# Read pages: the LGA and the team; never the council.
READ = INTERNAL
# Forms of the team's writers (GET, or a POST re-shown with its error summary).
WRITE = rel(anon=302, admin=403, pcm=200, team=200, council=403, none=404)
# Writes that redirect back (with a message when refused).
WRITE_POST = rel(anon=302, admin=403, pcm=302, team=302, council=403, none=404)
# The lead peer's board actions (the PCM may stand in).
LEAD_POST = WRITE_POST


def _finding(d: Any) -> dict[str, str]:
    f = Finding.objects.create(diagnostic=d, kind="strength", statement="Calm front door")
    return {"code": f.code}


def _linked(d: Any) -> dict[str, str]:
    f = Finding.objects.create(diagnostic=d, kind="area", statement="Thresholds unclear")
    note = EvidenceNote.objects.create(diagnostic=d, source_type="document", title="Audit")
    FindingEvidence.objects.create(finding=f, note=note)
    return {"code": f.code, "note_code": note.code}


def _recommendation(d: Any) -> dict[str, str]:
    f = Finding.objects.create(diagnostic=d, kind="area", statement="Thresholds unclear")
    r = Recommendation.objects.create(diagnostic=d, text="Agree thresholds with schools")
    r.findings.set([f])
    return {"code": r.code}


def _finding_v2(d: Any) -> dict[str, str]:
    """A finding with two kept versions, to put version 1 back."""
    f = Finding.objects.create(diagnostic=d, kind="strength", statement="Calm front door")
    record_revision(f, data=finding_text(f), by=None)
    Finding.objects.filter(pk=f.pk).update(statement="Calm, quick front door", version=2)
    f.refresh_from_db()
    record_revision(f, data=finding_text(f), by=None)
    return {"code": f.code, "version": "1"}


def _recommendation_v2(d: Any) -> dict[str, str]:
    r = Recommendation.objects.get(code=_recommendation(d)["code"])
    record_revision(r, data=recommendation_text(r), by=None)
    Recommendation.objects.filter(pk=r.pk).update(text="Agree thresholds with partners", version=2)
    r.refresh_from_db()
    record_revision(r, data=recommendation_text(r), by=None)
    return {"code": r.code, "version": "1"}


# Putting back version 1 sends the version the history showed (2): saved, then back to a page.
RESTORE = {"version": "2"}

ENTRIES: dict[str, Case] = {
    "web:findings": Case(READ, kwargs=R),
    "web:finding_add": Case(WRITE, kwargs=R),
    "web:finding_detail": Case(READ, kwargs=RC, make=_finding),
    "web:finding_edit": Case(WRITE, kwargs=RC, make=_finding),
    # Sent without a note, the finding comes back with its error summary (200).
    "web:finding_link": Case(WRITE, method="POST", kwargs=RC, make=_finding),
    "web:finding_unlink": Case(
        WRITE_POST, method="POST", kwargs=("ref", "code", "note_code"), make=_linked
    ),
    "web:recommendation_add": Case(WRITE, kwargs=R),
    "web:recommendation_edit": Case(WRITE, kwargs=RC, make=_recommendation),
    "web:finding_history": Case(READ, kwargs=RC, make=_finding_v2),
    "web:finding_restore": Case(
        WRITE_POST,
        method="POST",
        kwargs=("ref", "code", "version"),
        make=_finding_v2,
        data=RESTORE,
    ),
    "web:recommendation_history": Case(READ, kwargs=RC, make=_recommendation_v2),
    "web:recommendation_restore": Case(
        WRITE_POST,
        method="POST",
        kwargs=("ref", "code", "version"),
        make=_recommendation_v2,
        data=RESTORE,
    ),
    "web:drafting_board": Case(READ, kwargs=R),
    # Without the version the board showed: refused with a message and back to the board.
    "web:board_move": Case(LEAD_POST, method="POST", kwargs=RC, make=_finding),
    # Without the version the board showed: refused with a message and back to the board.
    "web:board_approve": Case(LEAD_POST, method="POST", kwargs=RC, make=_finding),
    # Without the board's fingerprint: the board again, saying it was out of date (200).
    "web:board_approve_all": Case(
        rel(anon=302, admin=403, pcm=200, team=200, council=403, none=404),
        method="POST",
        kwargs=R,
        make=_finding,
    ),
}
