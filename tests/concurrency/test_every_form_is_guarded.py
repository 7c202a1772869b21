"""Every form on every page either carries the version of what it edits or a one-time token for
what it creates, and a form that carries a version really has it checked.

The walk: every page of the permission matrix (tests/matrix), opened as the PCM, the lead peer
and the organiser on their own diagnostic, with the objects the matrix makes for it. Each POST
form found must carry `version` (an edit) or `once` (a creation), unless its target is listed
in ACTIONS below with the reason it needs neither. Then every versioned form is sent back as
rendered but with a version nobody holds: the answer must be the "changed after you opened it"
refusal, so a view that shows a version but ignores it fails here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.factories import KloeFactory
from tests.test_permission_matrix import MATRIX, _kwargs

# Form targets that neither edit a shared object nor create one, and why.
ACTIONS: dict[str, str] = {
    "web:logout": "signs the person out",
    "web:password_reset": "asks for a reset e-mail; shared by nobody",
    "web:reauth": "the person confirms their own password; edits nothing shared",
    "web:two_factor_setup": "the person's own authenticator; nobody else edits it",
    "web:invitation_accept": "an invitation is accepted once; a second try is refused",
    "web:declaration": "each peer's own declaration of interests; nobody else edits it",
    "web:survey": "one respondent's own answers; a completed survey refuses a second answer",
    "web:postpone": "a stage move: refused once the diagnostic is no longer in a stage it leaves",
    "web:resume": "a stage move: only a postponed diagnostic can be resumed; a repeat is refused",
    "web:cancel": "a stage move: a cancelled diagnostic cannot be cancelled again",
    "web:council_roles": "names who holds a role; the form carries the holder it showed "
    "(`replacing`), and naming over someone named meanwhile is refused "
    "(tests/concurrency/test_diagnostics_conflicts.py)",
    "web:document_seed": "asks only for the standard documents not yet requested: safe to repeat",
    "web:notes_pull_case_review": "makes each theme's note once: safe to repeat",
    "web:schedule_generate": "a second generate while one is queued or running is refused",
}

# Forms that carry one version per row (`version_<code>`): each row's stale save is refused by
# name while fresh rows save, so a page-wide probe does not apply; tested on its own in
# tests/concurrency/test_timetable_conflicts.py.
PER_ROW = {"web:session_links"}

# The refusal of a stale save says so in these words (notes say "since", the rest "after").
STALE = re.compile(r"(after|since) you opened (it|this|the)")
VERSION_NAMES = ("version", "revision")  # evidence notes call theirs a revision
ROLES = ("pcm", "peer", "organiser")


class _Forms(HTMLParser):
    """The POST forms of a page: action and every named field with its value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {"action": a.get("action", ""), "fields": {}, "multi": {}, "long": []}
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._current["multi"].setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._current["fields"][a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._current["long"].append(a["name"])
            self._current["fields"][a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._current["fields"].setdefault(a["name"], "")
            self._select = a["name"]
        elif tag == "option" and "selected" in a and getattr(self, "_select", None):
            self._current["fields"][self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea:
            self._current["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _target(page_url: str, action: str) -> tuple[str, str]:
    url = urlsplit(action).path or urlsplit(page_url).path
    try:
        match = resolve(url)
    except Resolver404:
        return url, "(no such URL)"
    return url, match.view_name


def _pages() -> list[str]:
    return sorted(n for n, c in MATRIX.items() if n.startswith("web:") and c.method == "GET")


@pytest.mark.django_db
def test_every_form_carries_a_version_or_a_one_time_token(world):  # type: ignore[no-untyped-def]
    KloeFactory(diagnostic=world.own, order=1)
    users = world.users()
    unguarded: set[str] = set()
    unchecked: set[str] = set()
    seen_versioned = 0
    checked = 0
    for name in _pages():
        case = MATRIX[name]
        for role in ROLES:
            client = Client()
            client.force_login(users[role])
            page_url = reverse(name, kwargs=_kwargs(case, world.own, name))
            response = client.get(page_url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in _forms(response.content.decode()):
                url, target = _target(page_url, form["action"])
                fields = form["fields"]
                named = next((v for v in VERSION_NAMES if v in fields), None)
                if target in PER_ROW and any(f.startswith("version_") for f in fields):
                    seen_versioned += 1
                elif named is not None:
                    seen_versioned += 1
                    data: dict[str, Any] = {**fields, **form["multi"]}
                    data[named] = str(int(fields[named] or 0) + 1000)
                    for long in form["long"]:  # different words, so no save is a no-op
                        data[long] = f"{data[long]} (probe)"
                    answer = client.post(url, data, follow=True)
                    content = answer.content.decode()
                    if STALE.search(content):
                        checked += 1
                    elif "There is a problem" in content:
                        # The form as drawn is not a valid answer (a required choice left
                        # empty, a file to attach), so the version is never reached: each
                        # kind's own test in tests/concurrency covers it.
                        pass
                    else:
                        unchecked.add(
                            f"{target} (form on {name}) {answer.status_code} {_words(answer)}"
                        )
                elif "once" not in fields and target not in ACTIONS:
                    unguarded.add(f"{target} (form on {name})")
    assert sorted(unguarded) == [], "neither version nor token:\n" + "\n".join(sorted(unguarded))
    assert seen_versioned > 20, "the walk found almost no versioned forms: is it still walking?"
    assert checked > 15, "almost no versioned form could be probed: is the probe still working?"
    assert sorted(unchecked) == [], "version not checked:\n" + "\n".join(sorted(unchecked))


def _words(answer: Any) -> str:
    import re as _re

    text = _re.sub(r"\s+", " ", _re.sub(r"<[^>]+>", " ", answer.content.decode()))
    i = text.find("There is a problem")
    return text[i : i + 300] if i >= 0 else text[:300]
