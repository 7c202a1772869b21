"""A diagnostic walks from drafting to closed in the browser: the lead peer approves the board
and shares the final messages at a KIT meeting, the PCM moves it on and takes the written
feedback through its checks, the council comments, the sponsor answers the survey by its link,
and the PCM records the outcome and closes it. axe-core checks every page on the way."""

from __future__ import annotations

import re
from datetime import date

from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.models import Survey
from peerdiag.findings.domain.retention import destroy_notes
from peerdiag.reports.models import WrittenFeedback
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD
from tests.reports.helpers import drafted


def _as(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def _url(name: str, ref: str) -> str:
    return reverse(f"web:{name}", args=[ref])


def _move(page: Page, ref: str, label: str) -> None:
    """From the overview, through the confirm page, to the next stage."""
    page.goto(_url("diagnostic_overview", ref))
    page.get_by_role("button", name=f"Move to {label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move to {label}")
    axe_check(page)
    page.get_by_role("button", name=f"Move to {label}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"is now at: {label}"
    )
    axe_check(page)


def test_drafting_to_closed(page: Page, world: World) -> None:
    x = drafted(world, approve=False)
    # Delivery is over: day 1 a Monday in October, so day 7 has passed.
    Diagnostic.objects.filter(pk=x.d.pk).update(
        day1=date(2026, 10, 5), written_feedback_format="report"
    )
    ref = x.d.reference

    # The lead peer approves the board and shares the final messages at the last KIT meeting.
    _as(page, "peer@example.org")
    page.goto(_url("drafting_board", ref))
    axe_check(page)
    page.get_by_role("button", name="Approve the whole board").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)
    page.goto(_url("kit_digests", ref))
    axe_check(page)
    page.get_by_role("button", name="Draft a digest for the next KIT meeting").click()
    expect(page.get_by_label("Item 1", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_label("Item 1 was shared with the sponsor").check()
    page.get_by_role("button", name="Save the items").click()
    page.get_by_role("button", name="Mark as shared with the sponsor").click()
    axe_check(page)
    page.get_by_label("The meeting previewed the final messages with the sponsor").check()
    page.get_by_role("button", name="Mark as shared").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)

    # The PCM moves it on and takes the written feedback to the council.
    _as(page, "pcm@example.org")
    _move(page, ref, "feedback given")
    page.goto(_url("written_feedback", ref))
    axe_check(page)
    page.get_by_role("button", name="Send for the PCM check").click()
    expect(
        page.get_by_role("button", name="Pass the check and send to the council")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Pass the check and send to the council").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)

    # The organiser checks the facts and comments against a paragraph.
    _as(page, "organiser@example.org")
    page.goto(_url("written_feedback", ref))
    axe_check(page)
    page.get_by_label("Which part of the report is your comment about?").select_option(index=1)
    page.get_by_role("textbox", name="Your comment").fill(
        "The new audit tool started in May, not April."
    )
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("The new audit tool started in May, not April.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Our factual check is finished").click()
    axe_check(page)

    # The PCM resolves the comment and issues the report.
    _as(page, "pcm@example.org")
    page.goto(_url("written_feedback", ref))
    page.get_by_role("link", name=re.compile("Respond or resolve")).click()
    axe_check(page)
    page.get_by_label("Your response to the council").fill("Corrected, thank you.")
    page.get_by_label("The comment is dealt with: mark it as resolved").check()
    page.get_by_role("button", name="Save").click()
    mail.outbox.clear()
    page.get_by_role("button", name="Issue the written feedback").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)
    written = WrittenFeedback.objects.get(diagnostic=x.d)
    assert written.state == "issued" and written.issued_file and written.issued_pdf
    _move(page, ref, "written feedback issued")

    # The survey goes out; the sponsor answers it by the link, without signing in.
    page.goto(_url("evaluation", ref))
    axe_check(page)
    page.get_by_role("button", name="Send the survey now").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)
    _move(page, ref, "evaluation")
    survey = Survey.objects.get(diagnostic=x.d, respondent=world.sponsor.person)
    link = reverse("web:survey", args=[survey.token])
    assert any(link in m.body for m in mail.outbox if world.sponsor.email in m.to)
    page.context.clear_cookies()
    page.goto(link)
    axe_check(page)
    for question in (
        "How useful was the diagnostic to your council?",
        "How accurate were the findings?",
        "How would you rate the peer team?",
        "How much difference do you expect it to make?",
    ):
        page.get_by_role("group", name=question).get_by_label("4 – Good").check()
    page.get_by_role(
        "group", name="Would your council like further support from the LGA?"
    ).get_by_label("No").check()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("[Tt]hank"))
    axe_check(page)
    survey.refresh_from_db()
    assert survey.completed_at is not None and survey.usefulness == 4

    # The PCM records the outcome; the notes are destroyed by the daily job; it closes.
    _as(page, "pcm@example.org")
    page.goto(_url("evaluation", ref))
    today = date.today()
    contact = page.get_by_role("group", name="Date the council was contacted")
    contact.get_by_label("Day").fill(str(today.day))
    contact.get_by_label("Month").fill(str(today.month))
    contact.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Further support decided").fill("None needed for now; a check-in in March.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    axe_check(page)
    assert destroy_notes(x.d, by=None, reason="destroy-by date") > 0
    _move(page, ref, "closed")
    assert Diagnostic.objects.get(pk=x.d.pk).stage == "closed"
