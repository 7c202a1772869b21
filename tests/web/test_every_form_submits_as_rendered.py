"""Every form submits as rendered: pressing a form's button without touching anything never
brings back an error about a value the page itself filled in.

(The move form once showed its start as `12:00:00` and then refused it: "Enter the start time
like 09:30".)

The walk is the one of tests/concurrency/test_every_form_is_guarded.py: every page of the
permission matrix (tests/matrix), opened on the world's own diagnostic with the objects the
matrix makes for it, as each person who may use it (the PCM, the LGA administrator, the lead
peer and the council's organiser). Every form must post to a URL that exists, and every POST
form must carry a CSRF token. Then each POST form is sent exactly as drawn (tests/web/
as_rendered.py), each on a freshly loaded page inside a savepoint that is rolled back after, so
forms that delete or publish change nothing for the next one and the order does not matter.

What fails: an error attached to a field whose rendered value was not blank (by the summary's
`#id_<field>` link, or by a `govuk-error-message` inside the field's form group), or a server
error. What does not: errors on fields the page left blank (a required answer nobody gave yet),
and refusals that are not about a field ("Nothing has changed", a stale version, a confirmation
still to tick), or that are about the situation whatever the value (REFUSALS, each with why).

The same walk then runs on the demo's diagnostic in its delivery week (a published week of
placed sessions, notes, findings), where the matrix can make its objects there.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from peerdiag.diagnostics.models import Diagnostic
from tests.concurrency.test_every_form_is_guarded import _pages
from tests.factories import KloeFactory
from tests.test_permission_matrix import MATRIX, _kwargs

from .as_rendered import FieldError, RenderedForm, about_filled, field_errors, rendered_forms

MATRIX_WORLD = "RPD-2027-001"  # the world fixture's own diagnostic
DAY1 = date(2027, 3, 1)  # a Monday
ROLES = ("pcm", "admin", "peer", "organiser")
# On the demo the administrator sees what the PCM sees; the walk there is the longer one.
DEMO_ROLES = ("pcm", "peer", "organiser")
CSRF = "csrfmiddlewaretoken"
# Every page's header has the same sign-out form; it is sent from the dashboard only.
HEADER = {"web:logout": "web:dashboard"}
# Refusals attached to a field that are about the situation, not the value drawn: whatever the
# value, the answer would be the same. Each with the reason.
REFUSALS: dict[str, str] = {
    "Day 1 cannot change once delivery has started": "the stage refuses any day 1, even the "
    "same one (the demo's diagnostic in delivery)",
    "This move breaks the timetable's rules": "the scheduler's checker refuses the place: the "
    "session the matrix adds at 10:00 on day 1 clashes with the demo's published week",
}


def _html(response: Any) -> str | None:
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    return str(response.content.decode())


def _target(page_path: str, form: RenderedForm) -> tuple[str, str | None]:
    """Where the form posts (path and query) and the URL name it resolves to."""
    parts = urlsplit(form.action)
    path = parts.path or page_path
    url = f"{path}?{parts.query}" if parts.query else path
    try:
        return url, resolve(path).view_name
    except Resolver404:
        return url, None


def problems_after(form: RenderedForm, response: Any) -> list[str]:
    """What the answer to a form sent as rendered says is wrong with values the page filled."""
    html = _html(response)
    if html is None:
        return []
    errors, _ = field_errors(html)
    found = []
    for error in errors:
        if any(error.message.startswith(refusal) for refusal in REFUSALS):
            continue
        hit = about_filled(error, form.filled)
        if hit:
            shown = "; ".join(f"{n}={form.data[n]!r}" for n in sorted(hit))
            found.append(f"{shown}: {error.message!r}")
    return sorted(set(found))


def _submit(client: Client, url: str, form: RenderedForm) -> Any:
    cache.clear()  # rate limits count every try; each form starts afresh
    return client.post(url, form.data)


def enrich(world: Any) -> None:
    """The matrix's world, with what makes more forms appear: a line of enquiry, and delivery
    day 1 (without it the timetable pages show no move or time forms)."""
    KloeFactory(diagnostic=world.own, order=1)
    Diagnostic.objects.filter(pk=world.own.pk).update(day1=DAY1)
    world.own.refresh_from_db()


def walk_page(
    name: str, d: Diagnostic, users: dict[str, Any], roles: tuple[str, ...] = ROLES
) -> tuple[list[str], int]:
    """Every problem found on one page of diagnostic `d` as each role, and how many forms
    were sent."""
    problems: list[str] = []
    sent = 0
    for role in roles:
        with transaction.atomic():  # what the matrix makes for one role is gone for the next
            found, n = _walk_as(name, d, users[role], role)
            problems += found
            sent += n
            transaction.set_rollback(True)
    return problems, sent


def _walk_as(name: str, d: Diagnostic, user: Any, role: str) -> tuple[list[str], int]:
    case = MATRIX[name]
    try:
        with transaction.atomic():
            page_url = reverse(name, kwargs=_kwargs(case, d, name))
    except Exception:
        if d.reference == MATRIX_WORLD:
            raise
        # The matrix makes its objects for its own small world; where it cannot make them on
        # the demo's diagnostic, the page is walked in the world only.
        return [], 0
    return walk_url(name, page_url, user, role)


def walk_url(name: str, page_url: str, user: Any, role: str) -> tuple[list[str], int]:
    """Send every POST form of one page as drawn, each on a freshly loaded page; what is wrong,
    and how many forms were sent."""
    problems: list[str] = []
    sent = 0
    used = False  # whether a form has been sent from this load of the page
    client = Client()
    client.force_login(user)
    html = _html(client.get(page_url))
    if html is None:
        return problems, sent
    forms = rendered_forms(html)
    for i, form in enumerate(forms):
        url, target = _target(page_url, form)
        where = f"form {i + 1} on {name} (as the {role}) posting to {target or url}"
        if target is None:
            problems.append(f"{where}: the action {form.action!r} is no URL")
            continue
        if form.method != "post" or HEADER.get(target, name) != name:
            continue
        if not form.data.get(CSRF, [""])[0]:
            problems.append(f"{where}: no CSRF token")
        with transaction.atomic():
            # A freshly loaded page for each form (the first load is fresh until a form is
            # sent), by someone freshly signed in (a form may sign them out); everything it
            # does is undone after.
            same = form
            if used:
                client = Client()
                client.force_login(user)
                fresh = rendered_forms(_html(client.get(page_url)) or "")
                same = fresh[i] if i < len(fresh) and fresh[i].action == form.action else form
            used = True
            try:
                answer = _submit(client, url, same)
            except Exception as error:  # a crash is a finding, named
                problems.append(f"{where}: server error {type(error).__name__}: {error}")
            else:
                sent += 1
                problems += [f"{where}: {p}" for p in problems_after(same, answer)]
            transaction.set_rollback(True)
    return problems, sent


@pytest.mark.django_db
@pytest.mark.parametrize("name", _pages())
def test_every_form_submits_as_rendered(name: str, world: Any) -> None:
    enrich(world)
    problems, _ = walk_page(name, world.own, world.users())
    assert problems == [], "forms that refuse what they drew:\n" + "\n".join(problems)


def test_the_check_names_an_error_on_a_filled_field_and_not_on_a_blank_one() -> None:
    page = """
    <form method="post" action="/x/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="start" value="12:00:00"><input name="note" value="">
      <input name="due_on_0" value="4"><input name="due_on_1" value="3">
      <input name="due_on_2" value="2027">
      <input type="radio" name="day" value="2" checked><input type="radio" name="day" value="3">
    </form>"""
    (form,) = rendered_forms(page)
    assert form.filled == {
        "csrfmiddlewaretoken",
        "start",
        "due_on_0",
        "due_on_1",
        "due_on_2",
        "day",
    }

    class Answer(dict):  # type: ignore[type-arg]
        status_code = 200

        def __init__(self, html: str) -> None:
            super().__init__({"Content-Type": "text/html; charset=utf-8"})
            self.content = html.encode()

    answer = Answer(
        """<div class="govuk-error-summary"><div class="govuk-error-summary__body"><ul>
        <li><a href="#id_start">Enter the start time like 09:30</a></li>
        <li><a href="#id_note">Enter a note</a></li>
        <li><a href="#id_day_0">Choose a day</a></li>
        <li>Nothing has changed</li></ul></div></div>
        <div class="govuk-form-group govuk-form-group--error">
          <p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>
          Enter a real date</p>
          <div class="govuk-date-input"><input name="due_on_0"><input name="due_on_1"></div>
        </div>"""
    )
    assert problems_after(form, answer) == [
        "day=['2']: 'Choose a day'",
        "due_on_0=['4']; due_on_1=['3']; due_on_2=['2027']: 'Enter a real date'",
        "start=['12:00:00']: 'Enter the start time like 09:30'",
    ]
    assert _target("/x/", RenderedForm("/no-such-page/", "post")) == ("/no-such-page/", None)
    assert _target("/sign-out/", RenderedForm("", "post")) == ("/sign-out/", "web:logout")
    errors, summary = field_errors(answer.content.decode())
    assert FieldError(frozenset({"note"}), "Enter a note") in errors
    assert "Nothing has changed" in summary


@pytest.mark.django_db
def test_the_walk_finds_the_move_form_that_refused_its_own_start(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The move form as it was: the start drawn as 12:00:00, and only 12:00 or 12.00 accepted.
    from peerdiag.web.forms.schedule import MoveForm

    start = MoveForm.base_fields["start"]
    monkeypatch.setattr(start.widget, "format", "%H:%M:%S")
    monkeypatch.setattr(start, "input_formats", ["%H:%M", "%H.%M"])
    enrich(world)
    problems, sent = walk_page("web:session_move", world.own, world.users())
    assert sent >= 3, "the PCM, the administrator and the organiser each send the move form"
    assert problems and all(
        "start=['10:00:00']: 'Enter the start time like 09:30'" in p for p in problems
    ), problems
    assert any("(as the pcm) posting to web:session_move" in p for p in problems)
