"""The permission matrix: every URL of the web app and the API, for every role, on a diagnostic
of the user's own council (or team) and on another council's, with the exact outcome.

The entries live in tests/matrix/ (one module per capability; the relations are explained
there). A URL that has no entry fails `test_every_url_is_in_the_matrix`, so the matrix grows
with each capability.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix as matrix_pkg
from peerdiag.accounts.models import ApiToken
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from tests.factories import CouncilRoleFactory, KloeFactory, PersonFactory, TeamMemberFactory
from tests.matrix import Case

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


def _collect() -> dict[str, Case]:
    merged: dict[str, Case] = {}
    for info in pkgutil.iter_modules(matrix_pkg.__path__):
        entries = importlib.import_module(f"tests.matrix.{info.name}").ENTRIES
        clash = set(merged) & set(entries)
        assert not clash, f"{info.name} repeats matrix entries: {sorted(clash)}"
        merged |= entries
    return merged


MATRIX = _collect()


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
    own = {"pcm": "pcm", "peer": "team", "sponsor": "sponsor", "organiser": "council"}
    # other_council is the sponsor of the other diagnostic (tests/conftest.py's world).
    other = {"other_pcm": "pcm", "stranger_peer": "team", "other_council": "sponsor"}
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
    if case.make is not None:
        values |= case.make(d)
    elif "code" in case.kwargs:
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
            if not case.by_relation and target == "other":
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
            relation = _relation(role, target) if case.by_relation else ROLE_CLASS[role]
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
