"""security.txt says where to report a problem, and never goes out of date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone


def test_security_txt_names_the_contact_and_an_expiry_less_than_a_year_away(settings, db):  # type: ignore[no-untyped-def]
    settings.SECURITY_CONTACT = "mailto:report@example.org"
    response = Client().get("/.well-known/security.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(
        line.split(": ", 1) for line in response.content.decode().splitlines() if line.strip()
    )
    assert fields["Contact"] == "mailto:report@example.org"
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"
    assert fields["Preferred-Languages"] == "en"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    ahead = expires - timezone.now()
    assert timedelta(days=30) < ahead < timedelta(days=365)
