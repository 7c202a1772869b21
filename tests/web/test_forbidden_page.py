"""The 403 page: a person who may see the diagnostic but not this step is told so without being
told, wrongly, that the step is the LGA's (the council owns some steps the PCM cannot take)."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client
from django.urls import reverse


def _get(user, name: str, reference: str):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c.get(reverse(name, args=[reference]))


def test_the_refusal_names_the_role_not_one_owner(world):  # type: ignore[no-untyped-def]
    refused = _get(world.sponsor, "web:team", world.own.reference)
    assert refused.status_code == 403
    text = re.sub(r"\s+", " ", unescape(refused.content.decode()))
    assert '<h1 class="govuk-heading-l">You cannot do that</h1>' in text
    assert "your role on it does not include this page or action" in text
    assert "ask the diagnostic's peer challenge manager" in text
    assert "belongs to its peer challenge manager or an LGA administrator" not in text
    # Another council's diagnostic is not admitted to exist at all.
    assert _get(world.other_pcm, "web:team", world.own.reference).status_code == 404
