"""Every form that creates something carries a one-time token and guards its button.

The walk opens every page in the permission matrix (tests/matrix) as the PCM, the lead peer
and the council's organiser, finds each POST form, and works out from its action which URL it
posts to. A form posting to a URL that creates something must carry `{% once_token %}` (so a
double click or a replay makes one thing: web/middleware.py) and its submit buttons must have
GOV.UK's data-prevent-double-click="true". A new create form without them fails here, named.

Which URLs create: names ending in one of CREATE_SUFFIXES, plus CREATES_TOO (pages that post
to themselves to add something). Other writes (edits, moves, removals) are guarded by their
versions and by being repeatable, not by a token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.factories import KloeFactory
from tests.test_permission_matrix import MATRIX, _kwargs

from .forms_on_page import PostForm, post_forms

CREATE_SUFFIXES = ("_add", "_new", "_create", "_upload", "_import", "_add_suggestion")
CREATES_TOO = {
    "web:kloe_list",  # the KLOE page's own form adds a line of enquiry
    "web:casereview_raise_concern",  # raises a safeguarding concern
    "web:casereview_contact",  # logs a contact with a case's practitioner
    "web:kit_digest_draft",  # drafts a KIT digest
    "web:team",  # the team page's forms propose a member
    "web:report_exports",  # starts building a presentation or report
    "web:portfolio_export_start",  # starts building the portfolio spreadsheet
}
# The create forms the walk must reach, so it cannot pass by finding nothing.
MUST_SEE = {
    "web:finding_add",
    "web:recommendation_add",
    "web:kloe_list",
    "web:kloe_add_suggestion",
    "web:attendee_add",
    "web:document_request_create",
    "web:note_add",
    "web:diagnostic_create",
    "web:session_add",
    "web:api_token_create",
    "web:team",
    "web:report_exports",
    "web:portfolio_export_start",
}


def creates(url_name: str) -> bool:
    return url_name in CREATES_TOO or url_name.endswith(CREATE_SUFFIXES)


def _target(form: PostForm, page_path: str) -> str | None:
    path = urlsplit(form.action).path if form.action else page_path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def problems_on(page_name: str, page_path: str, html: str) -> tuple[list[str], set[str]]:
    """What is wrong with the page's create forms, and which create URLs its forms post to."""
    found, seen = [], set()
    for form in post_forms(html):
        target = _target(form, page_path)
        if target is None or not creates(target):
            continue
        seen.add(target)
        where = f"the form on {page_name} posting to {target}"
        if not form.once:
            found.append(f"{where} has no {{% once_token %}}")
        unguarded = [b for b in form.buttons if b.get("data-prevent-double-click") != "true"]
        if unguarded:
            found.append(f'{where} has a button without data-prevent-double-click="true"')
    return found, seen


def test_the_check_names_a_create_form_without_a_token_or_a_guarded_button():
    page = reverse("web:note_add", args=["RPD-2027-001"])
    html = (
        '<form method="post"><input name="csrfmiddlewaretoken" value="x">'
        "<button>Add the note</button></form>"
        '<form method="post" action="/elsewhere-not-a-url/"><button>Other</button></form>'
    )
    found, seen = problems_on("web:note_add", page, html)
    assert seen == {"web:note_add"}
    assert found == [
        "the form on web:note_add posting to web:note_add has no {% once_token %}",
        "the form on web:note_add posting to web:note_add has a button without "
        'data-prevent-double-click="true"',
    ]
    good = (
        '<form method="post"><input type="hidden" name="once" value="abcdefghijklmnopqrst">'
        '<button data-prevent-double-click="true">Add</button></form>'
    )
    assert problems_on("web:note_add", page, good) == ([], {"web:note_add"})


@pytest.mark.django_db
def test_every_create_form_carries_a_one_time_token(world):  # type: ignore[no-untyped-def]
    KloeFactory(diagnostic=world.own, order=1)
    found: list[str] = []
    seen: set[str] = set()
    clients: dict[str, Client] = {}
    for role in ("pcm", "peer", "organiser"):
        clients[role] = Client()
        clients[role].force_login(world.users()[role])
    for name, case in sorted(MATRIX.items()):
        if case.api or case.method != "GET" or not name.startswith("web:"):
            continue
        for role, client in clients.items():
            url = reverse(name, kwargs=_kwargs(case, world.own, name))
            response: Any = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            problems, targets = problems_on(name, url, response.content.decode())
            found += [f"{p} (as the {role})" for p in problems]
            seen |= targets
    assert found == [], "create forms need {% once_token %} and a guarded button:\n" + "\n".join(
        sorted(set(found))
    )
    assert seen >= MUST_SEE, f"the walk never reached these create forms: {MUST_SEE - seen}"
