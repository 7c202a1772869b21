"""Entries for the peer team capability: the bench, the team builder, the council's review,
declarations, the briefing, the confidentiality agreement and data access.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.directory.domain.bench import save_peer_profile
from tests.factories import PersonFactory, TeamMemberFactory

from . import CHANGE, CHANGE_POST, INTERNAL, RC, VIEW, Case, R, rel

# The bench is for LGA staff (the PCMs) and administrators.
BENCH = rel(anon=302, admin=200, pcm=200, team=403, council=403, none=403)
# Only the council (or an LGA administrator) approves or objects to a peer.
DECIDE = rel(anon=302, admin=200, pcm=403, team=403, council=200, none=404)
# A member of the team acting for themself: the PCM and the lead peer.
AS_PEER = rel(anon=302, admin=403, pcm=200, team=200, council=403, none=404)
AS_PEER_POST = rel(anon=302, admin=403, pcm=302, team=302, council=403, none=404)


def _bench_profile(d: Any) -> dict[str, str]:
    person = PersonFactory()
    save_peer_profile(
        person, seniority="ad", roles=["lead_peer"], expertise=["send"], version=UNCHECKED
    )
    return {"code": person.code}


def _case_auditor(d: Any) -> dict[str, str]:
    return {"code": TeamMemberFactory(diagnostic=d, role=TeamRole.CASE_AUDITOR).code}


def _briefing(d: Any) -> dict[str, str]:
    pdf = ContentFile(b"%PDF-1.4 matrix", name="briefing.pdf")
    return {
        "code": issue_briefing(d, by=None, file=pdf, name="briefing.pdf", version=UNCHECKED).code
    }


def _agreement(d: Any) -> dict[str, str]:
    text = f"Keep it confidential ({d.agreements.count() + 1})"
    agreement = set_confidentiality(d, by=None, required=True, text=text, version=UNCHECKED)
    assert agreement is not None
    return {"code": agreement.code}


ENTRIES: dict[str, Case] = {
    "web:bench": Case(BENCH),
    "web:bench_add": Case(BENCH),
    "web:bench_profile": Case(BENCH, kwargs=("code",), per_user=True, make=_bench_profile),
    "web:bench_profile_edit": Case(BENCH, kwargs=("code",), per_user=True, make=_bench_profile),
    # Sent empty, the form comes back with its errors (200) to those allowed to send it.
    "web:bench_recent_work": Case(
        BENCH, method="POST", kwargs=("code",), per_user=True, make=_bench_profile
    ),
    "web:team": Case(INTERNAL, kwargs=R),
    "web:team_remove": Case(CHANGE, kwargs=RC),
    "web:team_continues": Case(
        CHANGE_POST,
        method="POST",
        data={"continues": "yes", "version": 1},
        kwargs=RC,
        make=_case_auditor,
    ),
    "web:team_review": Case(VIEW, kwargs=R),
    "web:team_decide": Case(DECIDE, kwargs=RC),
    "web:declaration": Case(AS_PEER, kwargs=R),
    "web:briefing": Case(INTERNAL, kwargs=R),
    "web:briefing_download": Case(INTERNAL, kwargs=RC, make=_briefing),
    "web:briefing_acknowledge": Case(AS_PEER_POST, method="POST", kwargs=RC, make=_briefing),
    "web:confidentiality": Case(VIEW, kwargs=R),
    # A name that is not the signer's comes back with the error summary (200).
    "web:confidentiality_sign": Case(
        AS_PEER, method="POST", data={"typed_name": "Somebody Else"}, kwargs=RC, make=_agreement
    ),
    "web:data_access": Case(INTERNAL, kwargs=R),
}
