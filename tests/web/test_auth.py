from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_by_email_works_once(world):  # type: ignore[no-untyped-def]
    c = Client()
    r = c.post(reverse("web:password_reset"), {"email": "PEER@example.org"})
    assert r["Location"] == reverse("web:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["peer@example.org"]
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form = c.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = c.post(
        set_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert done["Location"] == reverse("web:password_reset_complete")
    world.peer.refresh_from_db()
    assert world.peer.check_password("a-new-long-passphrase")
    again = Client().get(link, follow=True)
    assert "This link has expired or was used already" in again.content.decode()


def test_unknown_address_sends_nothing_but_says_the_same(world):  # type: ignore[no-untyped-def]
    r = Client().post(reverse("web:password_reset"), {"email": "nobody@example.org"})
    assert r["Location"] == reverse("web:password_reset_done")
    assert mail.outbox == []


def test_endorsement_with_a_file(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    c = Client()
    c.force_login(world.pcm)
    url = reverse("web:endorsement_edit", args=[world.own.reference, "chief_executive"])
    missing_date = c.post(url, {"status": "given", "version": 0})
    assert "Enter the date the endorsement was given" in missing_date.content.decode()
    letter = SimpleUploadedFile(
        "letter.pdf", b"%PDF-1.4 endorsement", content_type="application/pdf"
    )
    r = c.post(
        url,
        {
            "status": "given",
            "given_on_0": "5",
            "given_on_1": "1",
            "given_on_2": "2027",
            "note": "Signed",
            "file": letter,
            "version": 0,
        },
    )
    assert r.status_code == 302
    e = world.own.endorsements.get(role="chief_executive")
    assert e.status == "given" and e.given_on.isoformat() == "2027-01-05"
    assert e.file.read() == b"%PDF-1.4 endorsement"


def test_the_pcm_invites_a_council_contact_without_a_login(world):  # type: ignore[no-untyped-def]
    from tests.factories import PersonFactory

    contact = PersonFactory(organisation=world.own.host_council, email="cllr@example.org")
    world.own.council_roles.create(person=contact, role="lead_member")
    c = Client()
    c.force_login(world.pcm)
    roles = c.get(reverse("web:council_roles", args=[world.own.reference])).content.decode()
    invite_url = reverse("web:invite_person", args=[world.own.reference, contact.code])
    assert f'action="{invite_url}"' in roles
    r = c.post(invite_url)
    assert r["Location"] == reverse("web:council_roles", args=[world.own.reference])
    assert mail.outbox[-1].to == ["cllr@example.org"]
    contact.refresh_from_db()
    assert contact.user is not None and not contact.user.has_usable_password()
    stranger = PersonFactory(email="x@example.org")
    assert (
        c.post(reverse("web:invite_person", args=[world.own.reference, stranger.code])).status_code
        == 404
    )
