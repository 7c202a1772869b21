"""Issue 18: a key line of enquiry is never cut mid-sentence. The notes pages (the list's
filter, the new-note form) and the add-session form show each line's whole text, wrapped."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import KloeFactory

pytestmark = pytest.mark.django_db

REF = "RPD-2027-001"  # world.own
LONG = (
    "How well do leaders, managers and partners understand the experiences of children and "
    "families at the front door, and how do they know that thresholds are applied the same "
    "way in every locality and out of hours, including at weekends?"
)


def _page(user, name: str) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"web:{name}", args=[REF]))
    assert response.status_code == 200, name
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


@pytest.mark.parametrize("name", ["notes", "note_add", "session_add"])
def test_the_whole_line_of_enquiry_is_shown(world, name: str) -> None:  # type: ignore[no-untyped-def]
    assert len(LONG) > 200  # longer than any cut there was (90 or 60 characters)
    KloeFactory(diagnostic=world.own, text=LONG, order=1)
    page = _page(world.pcm, name)
    assert f"1. {LONG}" in page
