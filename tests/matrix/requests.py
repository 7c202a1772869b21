"""Entries for a council's request for a diagnostic (issue 17)."""

from __future__ import annotations

from typing import Any

from peerdiag.diagnostics.models import CouncilRequest
from tests.factories import PersonFactory, UserFactory

from . import CHANGE_POST, RC, VIEW, Case, R, rel


def _request(d: Any) -> dict[str, str]:
    if not CouncilRequest.objects.filter(diagnostic=d).exists():
        CouncilRequest.objects.create(
            diagnostic=d,
            requested_by=UserFactory(),
            concerns="Front door decisions are slow",
            preferred_weeks=["2099-03-02"],
            sponsor_name="Sam Sponsor",
            sponsor_email="sam@example.org",
            sponsor_job_title="Director of Children's Services",
            organiser_name="Olu Organiser",
            organiser_email="olu@example.org",
            organiser_job_title="Business manager",
        )
    return {}


def _role_holder(d: Any) -> dict[str, str]:
    person = PersonFactory(organisation=d.host_council)
    d.council_roles.create(person=person, role="partner_rep")
    return {"code": person.code}


ENTRIES: dict[str, Case] = {
    # Anyone signed in at a council may ask (the matrix's peers work at a council too); the LGA
    # opens diagnostics its own way.
    "web:council_request_create": Case(
        rel(anon=302, admin=403, pcm=403, team=200, council=200, none=403)
    ),
    "web:council_request": Case(VIEW, kwargs=R, make=_request),
    "web:council_request_sent": Case(VIEW, kwargs=R, make=_request),
    # Declining: the LGA (administrators and the diagnostic's PCM) only.
    "web:council_request_decline": Case(
        rel(anon=302, admin=200, pcm=200, team=403, council=403, none=404),
        kwargs=R,
        make=_request,
    ),
    # Marking someone as the DCS or equivalent: whoever changes the diagnostic.
    "web:person_dcs_flag": Case(
        CHANGE_POST,
        method="POST",
        data={"value": "yes", "version": 1},
        kwargs=RC,
        make=_role_holder,
    ),
}
