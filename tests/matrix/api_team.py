"""Entries for the peer team and the peer bench in the API."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality, shown_version
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.domain.bench import save_peer_profile
from tests.factories import PersonFactory, TeamMemberFactory

from . import A_INTERNAL, A_VIEW, RC, Case, R, a_change, rel


# Peers act for themselves: an LGA admin who is not on the team may not act as one of it.
def a_peer(ok: int) -> dict[str, int]:
    return rel(anon=401, admin=403, pcm=ok, team=ok, council=403, none=404)


# The bench is LGA staff's (an LGA admin, a PCM).
A_BENCH = rel(anon=401, admin=200, pcm=200, team=403, council=403, none=403)
A_BENCH_NEW = rel(anon=401, admin=201, pcm=201, team=403, council=403, none=403)


def _new_peer(d: Any) -> dict[str, Any]:
    person = PersonFactory()
    save_peer_profile(
        person,
        seniority="service_manager",
        roles=["operational_manager"],
        expertise=[],
        version=UNCHECKED,
    )
    return {"person": person.code, "role": "operational_manager"}


def _case_auditor(d: Any) -> dict[str, str]:
    return {"code": TeamMemberFactory(diagnostic=d, role=TeamRole.CASE_AUDITOR).code}


def _briefing_issued(d: Any) -> dict[str, str]:
    issue_briefing(
        d, by=None, file=ContentFile(b"%PDF-1.4", name="b.pdf"), name="b.pdf", version=UNCHECKED
    )
    return {}


def _agreement_set(d: Any) -> dict[str, str]:
    set_confidentiality(
        d, by=None, required=True, text="I will keep what I read private.", version=UNCHECKED
    )
    return {}


def _on_bench(d: Any) -> dict[str, str]:
    person = PersonFactory()
    save_peer_profile(
        person, seniority="ad", roles=["lead_peer"], expertise=["send"], version=UNCHECKED
    )
    return {"person_code": person.code}


def _agreement_change(d: Any) -> dict[str, Any]:
    # Every role sets the same diagnostic's agreement, so each sends the version shown now.
    return {
        "version": shown_version(Diagnostic.objects.get(pk=d.pk)),
        "required": True,
        "text": "Nothing leaves the room.",
    }


def _not_on_bench(d: Any) -> dict[str, str]:
    return {"person_code": PersonFactory().code}


ENTRIES: dict[str, Case] = {
    "api:team_list": Case(A_INTERNAL, kwargs=R, api=True),
    "api:team_create": Case(a_change(201), method="POST", data=_new_peer, kwargs=R, api=True),
    "api:team_suggestions": Case(
        a_change(200), kwargs=("ref", "role"), make=lambda d: {"role": "lead_peer"}, api=True
    ),
    "api:team_update": Case(
        a_change(200),
        method="PATCH",
        data={"version": 1, "continues_to_delivery": True},
        kwargs=RC,
        make=_case_auditor,
        api=True,
    ),
    "api:team_delete": Case(a_change(204), method="DELETE", kwargs=RC, api=True),
    "api:team_decision": Case(
        rel(anon=401, admin=200, pcm=403, team=403, council=200, none=404),
        method="POST",
        data={"version": 1, "decision": "approved"},
        kwargs=RC,
        api=True,
    ),
    "api:proposed_peer_list": Case(A_VIEW, kwargs=R, api=True),
    "api:declaration_submit": Case(
        a_peer(200), method="POST", data={"worked_for_host": False}, kwargs=R, api=True
    ),
    "api:briefing_acknowledge": Case(
        a_peer(200), method="POST", kwargs=R, make=_briefing_issued, api=True
    ),
    # The matrix cannot type each caller's own name, so a member gets as far as the name check.
    "api:confidentiality_sign": Case(
        a_peer(400),
        method="POST",
        data={"typed_name": "Somebody Else"},
        kwargs=R,
        make=_agreement_set,
        api=True,
    ),
    "api:confidentiality_detail": Case(A_VIEW, kwargs=R, api=True),
    "api:confidentiality_set": Case(
        rel(anon=401, admin=200, pcm=200, team=403, council=200, none=404),
        method="PUT",
        data=_agreement_change,
        kwargs=R,
        api=True,
    ),
    "api:data_access": Case(A_INTERNAL, kwargs=R, api=True),
    "api:bench_list": Case(A_BENCH, api=True),
    "api:bench_detail": Case(
        A_BENCH, kwargs=("person_code",), per_user=True, make=_on_bench, api=True
    ),
    "api:bench_save": Case(
        A_BENCH_NEW,
        method="PUT",
        data={"version": 0, "seniority": "ad", "roles": ["lead_peer"]},
        kwargs=("person_code",),
        per_user=True,
        make=_not_on_bench,
        api=True,
    ),
}
