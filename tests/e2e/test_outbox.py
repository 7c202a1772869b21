"""The outbox in a real browser (issue 18): the PCM finds a failed invitation among the e-mails
of their diagnostic, reads it, and sends it again after confirming; each page passes axe-core
and fits a 375 px phone and a 1280 px screen without sticking out sideways."""

from __future__ import annotations

from django.core import mail
from playwright.sync_api import Page, expect

from peerdiag.common import outbox
from peerdiag.common.models import MailKind, MailStatus, OutboxMessage
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD

REF = "RPD-2027-001"


def _fits(page: Page) -> None:
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        wide, window = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide <= window, f"{page.url} at {width}px is {wide}px wide"
    axe_check(page)


def test_the_pcm_finds_a_failed_invitation_and_sends_it_again(page: Page, world: World) -> None:
    d = world.own
    outbox.send(
        kind=MailKind.FEEDBACK_REMINDER,
        subject=f"{d.reference}: written feedback due in 14 days",
        body="The written feedback is due soon.",
        to=["pcm@example.org", "peer@example.org"],
        diagnostic=d,
    )
    failed = outbox.send(
        kind=MailKind.INVITATION,
        subject=f"{d.reference}: invitation to the opening meeting",
        body="Please come to the opening meeting on delivery day 1.",
        to=["a-rather-long-address.for-a-council-officer@council-a.example.org"],
        diagnostic=d,
    )
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=MailStatus.FAILED, error="SMTPRecipientsRefused: 550 5.1.1 User unknown"
    )
    mail.outbox.clear()

    page.goto("/sign-in/")
    sign_in(page, "pcm@example.org", PASSWORD)
    page.goto(f"/diagnostics/{REF}/outbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    table = page.locator("#outbox")
    expect(table).to_contain_text("Failed")
    expect(table).to_contain_text("550 5.1.1 User unknown")
    _fits(page)

    page.get_by_label("Kind of e-mail").select_option(MailKind.INVITATION)
    page.get_by_role("button", name="Show these e-mails").click()
    expect(table).not_to_contain_text("written feedback due")
    page.get_by_role("link", name=f"{REF}: invitation to the opening meeting").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Please come to the opening meeting")
    _fits(page)

    page.get_by_role("button", name="Send this e-mail again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this e-mail again?")
    _fits(page)
    page.get_by_role("button", name="Yes, send it again").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The e-mail was sent again"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("Sent again from")
    assert [m.to for m in mail.outbox] == [
        ["a-rather-long-address.for-a-council-officer@council-a.example.org"]
    ]
    again = OutboxMessage.objects.get(resent_from=failed)
    assert again.status == MailStatus.SENT and again.sent_by == world.pcm
    axe_check(page)
