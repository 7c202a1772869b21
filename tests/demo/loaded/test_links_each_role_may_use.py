"""No link leads to a page its reader may not use (issue 23).

An audit of the demo found peers, operational managers and case auditors shown "Generate",
"Publish" and "Case review" links that answered 403. Here every demo account of the peer team
and of the council opens the overview and the timetable pages of each diagnostic it may see,
follows every link on them with the same session, and no link may answer 403.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
import rules
from django.test import Client
from django.urls import reverse

from peerdiag.accounts.middleware import VERIFIED_SESSION_KEY
from peerdiag.accounts.models import User
from peerdiag.demo.cast import TWO_FACTOR_ACCOUNTS
from peerdiag.diagnostics.models import Diagnostic

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    "peer@peerdiag.test",
    "manager@peerdiag.test",
    "auditor@peerdiag.test",
    "sponsor@peerdiag.test",
    "organiser@peerdiag.test",
    "sponsor.bristol@peerdiag.test",
]
# The pages whose links are followed, by URL name (each takes the diagnostic's reference).
START_PAGES = ["web:diagnostic_overview", "web:timetable", "web:schedule_grid"]
HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"]*)"')
# Not pages: sign-out ends the session, static files are not behind permissions.
SKIP = re.compile(r"^/(static|media)/|^/sign-out/")


def _client(user: User) -> Client:
    """A session as the person would have it: two-factor verified where the demo asks for it."""
    client = Client()
    client.force_login(user)
    if user.email in TWO_FACTOR_ACCOUNTS:
        session = client.session
        session[VERIFIED_SESSION_KEY] = True
        session.save()
    return client


def _links(html: str) -> set[str]:
    found = set()
    for href in HREF.findall(html):
        link = urldefrag(unescape(href))[0]
        if link and not SKIP.search(urlsplit(link).path):
            found.add(link)
    return found


def _forbidden_links(user: User) -> tuple[list[tuple[str, str]], int]:
    """(start page, link) for every link that answers 403, and how many links were followed."""
    client = _client(user)
    answers: dict[str, int] = {}
    forbidden = []
    for d in Diagnostic.objects.order_by("reference"):
        if not rules.has_perm("diagnostics.view_diagnostic", user, d):
            continue
        for name in START_PAGES:
            page = reverse(name, args=[d.reference])
            response = client.get(page)
            if response.status_code != 200:
                answers.setdefault(page, response.status_code)
                if response.status_code == 403:
                    forbidden.append(("(start)", page))
                continue
            for link in sorted(_links(response.content.decode())):
                if link not in answers:
                    answers[link] = client.get(link).status_code
                if answers[link] == 403:
                    forbidden.append((page, link))
    return forbidden, len(answers)


@pytest.mark.parametrize("email", ACCOUNTS)
def test_no_link_on_the_overview_or_timetable_answers_403(demo, email: str) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(email=email)
    forbidden, followed = _forbidden_links(user)
    assert forbidden == []
    # The crawl really went somewhere: each account sees a diagnostic with many links.
    assert followed >= 20
