"""Entries for evidence and findings in the API (api/findings.py).

As on the pages: the council never reaches notes, findings, recommendations or the board (403);
an LGA administrator reads them but writes nothing (403: no place on the team); the team (here
the lead peer) and the PCM write, and order and approve the board. A note is changed only by
its author (the matrix's notes are the lead peer's, so the PCM gets 403). KIT digests are read
by the council too: the shared ones.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerdiag.common.models import new_code
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.findings.domain.board import board_fingerprint
from peerdiag.findings.enums import SourceType
from peerdiag.findings.models import (
    EvidenceNote,
    Finding,
    FindingEvidence,
    KitDigest,
    Recommendation,
)

from . import A_INTERNAL, RC, Case, R, rel


def a_write(ok: int) -> dict[str, int]:
    """The team and the PCM write; an LGA admin has no team place; outsiders cannot tell."""
    return rel(anon=401, admin=403, pcm=ok, team=ok, council=403, none=404)


# Only a note's author (the lead peer) changes it.
A_AUTHOR = rel(anon=401, admin=403, pcm=403, team=200, council=403, none=404)
# Digests: the council reads the shared ones.
A_SHARED = rel(anon=401, admin=200, pcm=200, team=200, council=200, none=404)


def _new_note(d: Any) -> EvidenceNote:
    lead = d.team.filter(role=TeamRole.LEAD_PEER).order_by("pk").first()
    return EvidenceNote.objects.create(
        diagnostic=d, author=lead, source_type=SourceType.DOCUMENT, title=f"Note {new_code()}"
    )


def _note(d: Any) -> dict[str, str]:
    return {"code": _new_note(d).code}


def _finding(d: Any) -> dict[str, str]:
    return {"code": Finding.objects.create(diagnostic=d, kind="strength", statement="Calm").code}


def _backed(d: Any) -> dict[str, str]:
    """A finding with a supporting note: it may be approved."""
    f = Finding.objects.create(diagnostic=d, kind="strength", statement="Calm front door")
    FindingEvidence.objects.create(finding=f, note=_new_note(d))
    return {"code": f.code}


def _linked(d: Any) -> dict[str, str]:
    f = Finding.objects.create(diagnostic=d, kind="area", statement="Thresholds unclear")
    note = _new_note(d)
    FindingEvidence.objects.create(finding=f, note=note)
    return {"code": f.code, "note_code": note.code}


def _recommendation(d: Any) -> dict[str, str]:
    f = Finding.objects.create(diagnostic=d, kind="area", statement="Thresholds unclear")
    r = Recommendation.objects.create(diagnostic=d, text="Agree thresholds with schools")
    r.findings.set([f])
    return {"code": r.code}


def _link_body(d: Any) -> dict[str, str]:
    return {"note": _new_note(d).code, "stance": "supports"}


def _recommendation_body(d: Any) -> dict[str, Any]:
    f = Finding.objects.create(diagnostic=d, kind="area", statement="Thresholds unclear")
    return {"text": "Agree thresholds", "findings": [f.code]}


def _fingerprint(d: Any) -> dict[str, str]:
    """The board as it stands (each role's call has added a backed finding of its own)."""
    items: list[Finding | Recommendation] = [
        *Finding.objects.filter(diagnostic=d),
        *Recommendation.objects.filter(diagnostic=d),
    ]
    return {"fingerprint": board_fingerprint(items)}


def _add_backed(d: Any) -> dict[str, str]:
    _backed(d)
    return {}


def _shared_digest(d: Any) -> dict[str, str]:
    return {"code": KitDigest.objects.create(diagnostic=d, shared_at=timezone.now()).code}


VERSION_1 = {"version": 1}

ENTRIES: dict[str, Case] = {
    "api:note_list": Case(A_INTERNAL, kwargs=R, api=True),
    "api:note_detail": Case(A_INTERNAL, kwargs=RC, make=_note, api=True),
    "api:note_create": Case(
        a_write(201),
        method="POST",
        data={"source_type": "data", "title": "Re-referrals"},
        kwargs=R,
        api=True,
    ),
    "api:note_update": Case(
        A_AUTHOR,
        method="PATCH",
        data={"version": 0, "body": "Heard today"},
        kwargs=RC,
        make=_note,
        api=True,
    ),
    "api:finding_list": Case(A_INTERNAL, kwargs=R, api=True),
    "api:finding_detail": Case(A_INTERNAL, kwargs=RC, make=_finding, api=True),
    "api:finding_create": Case(
        a_write(201),
        method="POST",
        data={"kind": "strength", "statement": "Calm front door"},
        kwargs=R,
        api=True,
    ),
    "api:finding_update": Case(
        a_write(200),
        method="PATCH",
        data={"version": 1, "statement": "Calm, quick front door"},
        kwargs=RC,
        make=_finding,
        api=True,
    ),
    "api:finding_link": Case(
        a_write(200), method="POST", data=_link_body, kwargs=RC, make=_finding, api=True
    ),
    "api:finding_unlink": Case(
        a_write(204),
        method="DELETE",
        kwargs=("ref", "code", "note_code"),
        make=_linked,
        api=True,
    ),
    "api:recommendation_list": Case(A_INTERNAL, kwargs=R, api=True),
    "api:recommendation_create": Case(
        a_write(201), method="POST", data=_recommendation_body, kwargs=R, api=True
    ),
    "api:recommendation_update": Case(
        a_write(200),
        method="PATCH",
        data={"version": 1, "text": "Agree thresholds with partners"},
        kwargs=RC,
        make=_recommendation,
        api=True,
    ),
    "api:board_detail": Case(A_INTERNAL, kwargs=R, api=True),
    # The lead peer's actions; the PCM may stand in (both hold findings.lead).
    "api:board_item_approve": Case(
        a_write(200), method="POST", data=VERSION_1, kwargs=RC, make=_backed, api=True
    ),
    "api:board_item_withdraw": Case(
        a_write(200), method="POST", data=VERSION_1, kwargs=RC, make=_backed, api=True
    ),
    "api:board_item_move": Case(
        a_write(200),
        method="POST",
        data={"version": 1, "direction": "up"},
        kwargs=RC,
        make=_finding,
        api=True,
    ),
    "api:board_approve_all": Case(
        a_write(200),
        method="POST",
        data=_fingerprint,
        kwargs=R,
        make=_add_backed,
        api=True,
    ),
    "api:kit_digest_list": Case(A_SHARED, kwargs=R, api=True),
    "api:kit_digest_detail": Case(A_SHARED, kwargs=RC, make=_shared_digest, api=True),
}
