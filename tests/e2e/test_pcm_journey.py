"""A peer challenge manager moves a diagnostic through its first gate in a real browser.

Every page visited is checked with axe-core for WCAG 2.2 A and AA violations (see conftest).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.people import record_scoping
from peerdiag.diagnostics.models import AuditEntry
from tests.conftest import World
from tests.e2e.conftest import axe_check, goto_expecting, sign_in
from tests.factories import PASSWORD

REF = "RPD-2027-001"
OVERVIEW = re.compile(rf"/diagnostics/{REF}/$")


def _stage_tag(page: Page) -> Locator:
    return page.locator(".pd-stage-tag")


def test_pcm_books_scoping_and_moves_the_diagnostic_on(page: Page, world: World) -> None:
    assert world.own.host_council.region, "the gate needs the host council's region"
    assert world.own.stage == "enquiry"

    # Signing in: an anonymous visitor is sent to the sign-in page, styled by GOV.UK Frontend.
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to peerdiag")
    header_background = page.locator(".govuk-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header_background == "rgb(11, 12, 12)", "GOV.UK Frontend CSS did not load"
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    axe_check(page)
    sign_in(page, "pcm@example.org", PASSWORD)

    # The dashboard lists the PCM's diagnostic and not the other council's.
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My diagnostics")
    expect(page.get_by_role("link", name="RPD-2027-002")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name=REF).click()

    # The overview shows the gate as a task list: only the scoping meeting is missing.
    page.wait_for_url(OVERVIEW)
    expect(_stage_tag(page)).to_have_text("Enquiry")
    checklist = page.locator("#current-tasks .govuk-task-list__item[data-status='Not started']")
    expect(checklist).to_have_count(1)
    expect(checklist).to_contain_text("Book the online scoping meeting")
    axe_check(page)
    checklist.get_by_role("link", name="Book the scoping meeting").click()

    # The scoping page; first send it with a date that does not exist.
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/scoping/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Scoping record")
    axe_check(page)
    when = timezone.localdate() + timedelta(days=14)
    booked = when.isoformat() + "T10:30"
    page.get_by_label("Meeting booked for").fill(booked)
    held = page.get_by_role("group", name="Date the meeting was held")
    held.get_by_label("Day").fill("31")
    held.get_by_label("Month").fill("2")
    held.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save").click()

    # The GOV.UK error summary: titled, linked to the field, focused, and the page title says so.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("alert")).to_contain_text("There is a problem")
    error_link = summary.get_by_role("link", name="Enter a real date, for example 1 3 2027")
    expect(error_link).to_have_attribute("href", "#id_held_on_0")
    expect(summary).to_be_focused()
    expect(held.locator(".govuk-error-message")).to_contain_text("Enter a real date")
    expect(page.get_by_label("Meeting booked for")).to_have_value(booked)
    axe_check(page)
    error_link.click()
    expect(held.get_by_label("Day")).to_be_focused()

    # Put it right: leave the meeting unheld, keep the booking.
    for part in ("Day", "Month", "Year"):
        held.get_by_label(part).fill("")
    page.get_by_role("button", name="Save").click()

    # Back on the overview the gate is clear; move on through the confirm page.
    page.wait_for_url(OVERVIEW)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Scoping record saved"
    )
    expect(page.get_by_text("Everything needed is in place.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Move to scoping meeting booked").click()

    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/advance/scoping_scheduled/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Move to scoping meeting booked")
    expect(page.get_by_text("Everything the gate asks for is in place.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Move to scoping meeting booked").click()

    page.wait_for_url(OVERVIEW)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{REF} is now at: scoping meeting booked"
    )
    expect(_stage_tag(page)).to_have_text("Scoping meeting booked")
    page.locator("#overview-audit summary").click()  # recent changes are folded
    recent = page.get_by_role("table", name="Changes, newest first")
    latest = recent.locator("tbody tr").first
    expect(latest).to_contain_text("Moved to scoping meeting booked")
    expect(latest).to_contain_text(world.pcm.full_name)
    expect(latest).to_contain_text("Stage: Enquiry → Scoping meeting booked")
    axe_check(page)

    world.own.refresh_from_db()
    assert world.own.stage == "scoping_scheduled"
    meeting = world.own.scoping
    expected = timezone.make_aware(datetime.combine(when, time(10, 30)))
    assert meeting.scheduled_for == expected
    assert meeting.held_on is None
    moves = AuditEntry.objects.filter(diagnostic=world.own, action="stage")
    assert [(m.actor_id, m.summary) for m in moves] == [
        (world.pcm.pk, "Moved to scoping meeting booked")
    ]

    # Key lines of enquiry: add one.
    page.get_by_role("link", name="Add or change key lines of enquiry").click()
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/kloes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Key lines of enquiry")
    axe_check(page)
    kloe = "How consistently are thresholds applied at the front door?"
    page.get_by_label("Key line of enquiry", exact=True).fill(kloe)
    page.get_by_label("Theme (optional)").fill("Front door")
    page.get_by_role("button", name="Add it").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Key line of enquiry added"
    )
    expect(page.get_by_role("table", name="Key lines of enquiry in order")).to_contain_text(kloe)
    axe_check(page)
    assert list(world.own.kloes.values_list("text", flat=True)) == [kloe]

    # The details page.
    page.get_by_role("link", name=f"Back to {REF}").click()
    page.wait_for_url(OVERVIEW)
    page.get_by_role("link", name="Change the details").click()
    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/details/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Details")
    axe_check(page)


def test_council_organiser_sees_their_diagnostic_without_internal_parts(
    page: Page, world: World
) -> None:
    world.own.internal_notes = "Only for the LGA and the peer team"
    world.own.save(update_fields=["internal_notes"])
    page.goto("/sign-in/")
    sign_in(page, "organiser@example.org", PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name=REF).click()

    page.wait_for_url(OVERVIEW)
    expect(page.get_by_role("heading", level=1)).to_have_text(world.own.title)
    main = page.locator("main")
    expect(main.get_by_text("About this diagnostic", exact=True)).to_be_visible()
    for internal in ("Internal notes", "Peer team", "Recent changes", "Next step"):
        expect(main.get_by_text(internal, exact=True)).to_have_count(0)
    for secret in (world.own.internal_notes, world.peer.full_name):
        expect(main).not_to_contain_text(secret)
    expect(main.get_by_role("link", name="Change the details")).to_have_count(0)
    axe_check(page)

    # The other council's diagnostic does not exist, as far as they can tell.
    goto_expecting(page, f"/diagnostics/{world.other.reference}/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(world.other.title)).to_have_count(0)
    axe_check(page)


def test_scoping_page_shows_the_booked_meeting_again(page: Page, world: World) -> None:
    """Reopening the scoping record shows the booked time; saving it unchanged changes nothing.

    A July date: 10:30 in London is 09:30 UTC, so the field must show local time, and the audit
    trail must not see a change between the two spellings of the same moment.
    """
    booked = timezone.make_aware(datetime(timezone.localdate().year + 1, 7, 15, 10, 30))
    record_scoping(world.own, by=world.pcm, scheduled_for=booked, version=UNCHECKED)
    page.goto(f"/sign-in/?next=/diagnostics/{REF}/scoping/")
    sign_in(page, "pcm@example.org", PASSWORD)

    page.wait_for_url(re.compile(rf"/diagnostics/{REF}/scoping/$"))
    axe_check(page)
    expect(page.get_by_label("Meeting booked for")).to_have_value(f"{booked.year}-07-15T10:30")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(OVERVIEW)
    world.own.scoping.refresh_from_db()
    assert world.own.scoping.scheduled_for == booked
    changes = [e.changes for e in AuditEntry.objects.filter(diagnostic=world.own, action="scoping")]
    assert len(changes) == 1, f"saving an unchanged scoping record was audited: {changes[0]}"
