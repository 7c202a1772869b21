"""The permission matrix: every URL of the web app and the API, for every role, on a diagnostic
of the user's own council (or team) and on another council's, with the exact outcome.

A URL that is not in MATRIX fails `test_every_url_is_in_the_matrix`, so the matrix grows with
each capability. Outcomes are given per *relation* between the user and the diagnostic:

  anon     not signed in
  admin    LGA administrator
  pcm      the diagnostic's peer challenge manager
  team     a peer on its team (here: the lead peer)
  council  a user at its host council (sponsor or organiser)
  none     anyone else signed in (another council, another team's PCM or peer)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peerdiag.accounts.models import ApiToken
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import CouncilRoleFactory, KloeFactory, PersonFactory, TeamMemberFactory

RELATIONS = ("anon", "admin", "pcm", "team", "council", "none")


@dataclass(frozen=True)
class Case:
    """How to call one URL and what each relation gets back."""

    expect: dict[str, int]
    method: str = "GET"
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    kwargs: tuple[str, ...] = ()  # which of ref/code/role/to/uidb64/token the URL takes
    api: bool = False


def _rel(**outcomes: int) -> dict[str, int]:
    assert set(outcomes) == set(RELATIONS), f"give every relation: {sorted(outcomes)}"
    return outcomes


SIGNED_IN = _rel(anon=302, admin=200, pcm=200, team=200, council=200, none=200)
PUBLIC = _rel(anon=200, admin=200, pcm=200, team=200, council=200, none=200)
VIEW = _rel(anon=302, admin=200, pcm=200, team=200, council=200, none=404)
INTERNAL = _rel(anon=302, admin=200, pcm=200, team=200, council=403, none=404)
CHANGE = _rel(anon=302, admin=200, pcm=200, team=403, council=403, none=404)
CHANGE_POST = _rel(anon=302, admin=302, pcm=302, team=403, council=403, none=404)
ADD = _rel(anon=302, admin=200, pcm=200, team=403, council=403, none=403)

R = ("ref",)
RC = ("ref", "code")

# The API answers 401 where the pages redirect to sign-in.
A_SIGNED_IN = _rel(anon=401, admin=200, pcm=200, team=200, council=200, none=200)
A_PUBLIC = _rel(anon=200, admin=200, pcm=200, team=200, council=200, none=200)
A_VIEW = _rel(anon=401, admin=200, pcm=200, team=200, council=200, none=404)
A_INTERNAL = _rel(anon=401, admin=200, pcm=200, team=200, council=403, none=404)
A_ADD = _rel(anon=401, admin=201, pcm=201, team=403, council=403, none=403)


def a_change(ok: int) -> dict[str, int]:
    return _rel(anon=401, admin=ok, pcm=ok, team=403, council=403, none=404)


def _new_partner(d: Any) -> dict[str, Any]:
    return {"person": PersonFactory().code, "role": "partner_rep"}


MATRIX: dict[str, Case] = {
    "web:dashboard": Case(SIGNED_IN),
    "web:login": Case(_rel(anon=200, admin=302, pcm=302, team=302, council=302, none=302)),
    "web:logout": Case(
        _rel(anon=302, admin=302, pcm=302, team=302, council=302, none=302), method="POST"
    ),
    "web:password_reset": Case(PUBLIC),
    "web:password_reset_done": Case(PUBLIC),
    "web:password_reset_confirm": Case(PUBLIC, kwargs=("uidb64", "token")),
    "web:password_reset_complete": Case(PUBLIC),
    "web:diagnostic_create": Case(ADD),
    "web:diagnostic_overview": Case(VIEW, kwargs=R),
    "web:diagnostic_edit": Case(CHANGE, kwargs=R),
    "web:diagnostic_dates": Case(CHANGE, kwargs=R),
    "web:diagnostic_audit": Case(INTERNAL, kwargs=R),
    "web:kloe_list": Case(VIEW, kwargs=R),
    "web:kloe_add_suggestion": Case(CHANGE_POST, method="POST", kwargs=R),
    "web:kloe_edit": Case(CHANGE, kwargs=RC),
    "web:kloe_move": Case(CHANGE_POST, method="POST", data={"direction": "up"}, kwargs=RC),
    "web:kloe_delete": Case(CHANGE, kwargs=RC),
    "web:council_roles": Case(VIEW, kwargs=R),
    "web:council_role_remove": Case(CHANGE, kwargs=RC),
    "web:endorsement_edit": Case(CHANGE, kwargs=("ref", "role")),
    "web:scoping": Case(CHANGE, kwargs=R),
    "web:team": Case(INTERNAL, kwargs=R),
    "web:team_remove": Case(CHANGE, kwargs=RC),
    "web:advance": Case(CHANGE, kwargs=("ref", "to")),
    "web:postpone": Case(CHANGE, kwargs=R),
    "web:resume": Case(CHANGE, kwargs=R),
    "web:cancel": Case(CHANGE, kwargs=R),
    "admin:index": Case(_rel(anon=302, admin=200, pcm=302, team=302, council=302, none=302)),
    # The HTTP API (bearer tokens).
    "api:api-root": Case(
        _rel(anon=404, admin=404, pcm=404, team=404, council=404, none=404), api=True
    ),
    "api:openapi-json": Case(A_PUBLIC, api=True),
    "api:openapi-view": Case(A_PUBLIC, api=True),
    "api:me": Case(A_SIGNED_IN, api=True),
    "api:diagnostic_list": Case(A_SIGNED_IN, api=True),
    "api:diagnostic_create": Case(
        A_ADD,
        method="POST",
        data=lambda d: {"host_council": d.host_council.code, "title": "New", "type": "send"},
        api=True,
    ),
    "api:diagnostic_detail": Case(A_VIEW, kwargs=R, api=True),
    "api:diagnostic_update": Case(
        a_change(200), method="PATCH", data={"title": "Renamed"}, kwargs=R, api=True
    ),
    "api:kloe_list": Case(A_VIEW, kwargs=R, api=True),
    "api:kloe_create": Case(
        a_change(201), method="POST", data={"text": "How well?"}, kwargs=R, api=True
    ),
    "api:kloe_update": Case(
        a_change(200), method="PATCH", data={"text": "How far?"}, kwargs=RC, api=True
    ),
    "api:kloe_delete": Case(a_change(204), method="DELETE", kwargs=RC, api=True),
    "api:council_role_list": Case(A_VIEW, kwargs=R, api=True),
    "api:council_role_create": Case(
        a_change(201), method="POST", data=_new_partner, kwargs=R, api=True
    ),
    "api:council_role_delete": Case(a_change(204), method="DELETE", kwargs=RC, api=True),
    "api:gate_check": Case(A_INTERNAL, kwargs=("ref", "to_stage"), api=True),
    "api:diagnostic_advance": Case(
        a_change(409), method="POST", data={"to_stage": "scoping_scheduled"}, kwargs=R, api=True
    ),
    "api:diagnostic_postpone": Case(
        a_change(200), method="POST", data={"reason": "Council asked"}, kwargs=R, api=True
    ),
    "api:diagnostic_resume": Case(a_change(400), method="POST", kwargs=R, api=True),
    "api:diagnostic_cancel": Case(
        a_change(200), method="POST", data={"reason": "Council asked"}, kwargs=R, api=True
    ),
}

# Django's admin registers many URLs of its own; only LGA admins pass its index (checked above)
# and every admin view checks staff status the same way.
IGNORED_NAMESPACES = {"admin"}


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.append(f"{prefix}{p.name}")
    return names


def all_url_names() -> set[str]:
    return {
        n for n in _walk(get_resolver().url_patterns) if n.split(":")[0] not in IGNORED_NAMESPACES
    }


def missing_from_matrix() -> set[str]:
    return all_url_names() - set(MATRIX)


def test_every_url_is_in_the_matrix():
    assert missing_from_matrix() == set(), "add these URLs to MATRIX with their exact outcomes"
    stale = {n for n in MATRIX if n not in all_url_names() and n != "admin:index"}
    assert stale == set(), "these MATRIX entries name no URL"


def test_a_new_url_without_an_entry_fails_the_matrix(settings):  # type: ignore[no-untyped-def]
    from django.urls import clear_url_caches, path

    import peerdiag.web.urls as web_urls

    web_urls.urlpatterns.append(path("surprise/", lambda r: None, name="surprise"))
    clear_url_caches()
    try:
        assert missing_from_matrix() == {"web:surprise"}
    finally:
        web_urls.urlpatterns.pop()
        clear_url_caches()
    assert missing_from_matrix() == set()


# For URLs that name no diagnostic, what kind of user each role is.
ROLE_CLASS = {
    "anon": "anon",
    "admin": "admin",
    "pcm": "pcm",
    "other_pcm": "pcm",
    "peer": "team",
    "stranger_peer": "team",
    "sponsor": "council",
    "organiser": "council",
    "other_council": "council",
}


def _relation(role: str, target: str) -> str:
    if role == "anon":
        return "anon"
    if role == "admin":
        return "admin"
    own = {"pcm": "pcm", "peer": "team", "sponsor": "council", "organiser": "council"}
    other = {"other_pcm": "pcm", "stranger_peer": "team", "other_council": "council"}
    table = own if target == "own" else other
    return table.get(role, "none")


def _kwargs(case: Case, d: Any, name: str) -> dict[str, str]:
    """URL arguments; a URL that names an object gets a new one, so deletes can repeat."""
    values: dict[str, str] = {
        "ref": d.reference,
        "uidb64": "MQ",
        "token": "set-password",
        "role": "lead_member",
        "to": "scoping_scheduled",
        "to_stage": "scoping_scheduled",
    }
    if "code" in case.kwargs:
        if "kloe" in name:
            values["code"] = KloeFactory(diagnostic=d, order=d.kloes.count() + 1).code
        elif "council_role" in name:
            values["code"] = CouncilRoleFactory(
                diagnostic=d, role="partner_rep", person=PersonFactory()
            ).code
        else:
            values["code"] = TeamMemberFactory(diagnostic=d).code
    return {k: values[k] for k in case.kwargs}


def _call(case: Case, client: Client, url: str, d: Any, headers: dict[str, str]) -> Any:
    data = case.data(d) if callable(case.data) else case.data
    method = getattr(client, case.method.lower())
    if case.api and case.method != "GET":
        return method(url, data=json.dumps(data), content_type="application/json", headers=headers)
    return method(url, data=data, headers=headers)


ROLES = [
    "anon",
    "admin",
    "pcm",
    "peer",
    "sponsor",
    "organiser",
    "other_council",
    "other_pcm",
    "stranger_peer",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_outcome_for_every_role_on_own_and_other_diagnostic(world, name):  # type: ignore[no-untyped-def]
    case = MATRIX[name]
    for d in (world.own, world.other):
        KloeFactory(diagnostic=d, order=1)
    users = world.users()
    failures = []
    for role in ROLES:
        for target, d in (("own", world.own), ("other", world.other)):
            if not case.kwargs and target == "other":
                continue
            client = Client()
            headers = {}
            if role != "anon":
                user = users[role]
                if case.api:
                    _, raw = ApiToken.issue(user, "matrix")
                    headers["Authorization"] = f"Bearer {raw}"
                else:
                    client.force_login(user)
            url = reverse(name, kwargs=_kwargs(case, d, name))
            response = _call(case, client, url, d, headers)
            # Stage actions are undone between calls so each role meets the same diagnostic.
            Diagnostic.objects.filter(pk__in=[world.own.pk, world.other.pk]).update(
                stage=Stage.ENQUIRY, stage_before_pause=""
            )
            relation = _relation(role, target) if case.kwargs else ROLE_CLASS[role]
            expected = case.expect[relation]
            if response.status_code != expected:
                failures.append(
                    f"{role} on {target} ({relation}): {response.status_code}, expected {expected}"
                    f" {response.content[:200]!r}"
                )
            elif (
                expected == 302
                and relation == "anon"
                and name.startswith("web:")
                and name != "web:logout"
            ):
                assert response["Location"].startswith(reverse("web:login")), name
    assert failures == [], f"{name}: " + "; ".join(failures)
