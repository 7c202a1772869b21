"""The organiser's delivery week in the browser: availability, generate, publish, with axe-core
checks on every page on the way."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from peerdiag.timetable.models import Session, TimetableVersion
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD
from tests.timetable.helpers import planned_week


def test_organiser_enters_availability_generates_and_publishes(page: Page, world: World) -> None:
    w = planned_week(world.own)
    ref = w.d.reference
    person = w.attendees[0]
    page.goto("/sign-in/")
    sign_in(page, "organiser@example.org", PASSWORD)

    page.goto(f"/diagnostics/{ref}/")
    page.get_by_role("link", name=re.compile("Delivery week|Timetable")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("week|imetable"))
    # The council never sees the peer team's own meetings.
    expect(page.get_by_text("Peer team meeting, day 1")).to_have_count(0)
    axe_check(page)

    # Availability: only Monday morning and Tuesday afternoon.
    page.goto(f"/diagnostics/{ref}/attendees/")
    axe_check(page)
    page.goto(f"/diagnostics/{ref}/availability/{person.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.name)
    axe_check(page)
    page.get_by_label("Only at the times ticked").check()
    for label in ("Mon 1 Mar, 09:00", "Mon 1 Mar, 10:00", "Mon 1 Mar, 11:00", "Tue 2 Mar, 14:00"):
        page.get_by_label(re.compile(f"Available {label}")).check()
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_text(f"{person.name}'s availability saved")).to_be_visible()
    axe_check(page)
    person.refresh_from_db()
    assert person.availability_given
    assert sorted((x.day, x.start.hour, x.end.hour) for x in person.windows.all()) == [
        (1, 9, 12),
        (2, 14, 15),
    ]

    # Generate: the run finishes and the result is listed.
    page.goto(f"/diagnostics/{ref}/timetable/generate/")
    axe_check(page)
    page.get_by_label("How long may the scheduler take, in seconds?").fill("5")
    page.get_by_role("button", name="Generate the timetable").click()
    banner = page.locator("#generate-progress .govuk-notification-banner__heading")
    expect(banner).to_have_text(re.compile(r"\d+ sessions? placed"), timeout=30_000)
    expect(page.get_by_role("status")).to_have_text(re.compile(r"Finished: \d+ sessions placed"))
    axe_check(page)
    first = Session.objects.get(pk=w.interviews[0].pk)
    # Placed inside the hours the organiser ticked.
    assert (first.day, first.start.hour) in {(1, 9), (1, 10), (1, 11), (2, 14)}

    page.goto(f"/diagnostics/{ref}/timetable/grid/?day=1")
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_text("Peer team meeting, day 1")).to_have_count(0)
    axe_check(page)

    # Publish: every person with an e-mail address gets their invitations.
    page.goto(f"/diagnostics/{ref}/timetable/publish/")
    axe_check(page)
    mail.outbox.clear()
    page.get_by_role("button", name="Publish and send invitations").click()
    expect(page.get_by_text("Version 1 of the timetable is published")).to_be_visible()
    axe_check(page)
    assert TimetableVersion.objects.filter(diagnostic=w.d, number=1).exists()
    assert person.email in {m.to[0] for m in mail.outbox}

    page.goto(f"/diagnostics/{ref}/timetable/versions/")
    axe_check(page)
    page.goto(f"/diagnostics/{ref}/timetable/itineraries/{person.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.name)
    # Their one session, where the scheduler placed it.
    expect(page.get_by_text(w.interviews[0].title)).to_be_visible()
    expect(page.get_by_text(first.start.strftime("%H:%M")).first).to_be_visible()
    axe_check(page)


def test_progress_refreshes_itself_while_a_run_goes_on(page: Page, world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from peerdiag.common.models import Job

    w = planned_week(world.own)
    t = Job.objects.create(
        kind="timetable",
        diagnostic=w.d,
        state="running",
        time_limit=60,
        started_at=timezone.now() - timedelta(seconds=5),
        heartbeat=timezone.now(),
        best="weight 300 of 500",
    )
    page.goto("/sign-in/")
    sign_in(page, "organiser@example.org", PASSWORD)
    page.goto(f"/diagnostics/{w.d.reference}/timetable/generate/")
    expect(page.locator("#generate-progress")).to_contain_text("weight 300 of 500")
    expect(page.get_by_role("status")).to_have_text("Solving")
    axe_check(page)
    # The worker reports a better timetable, then finishes: the page follows without a reload.
    Job.objects.filter(pk=t.pk).update(best="weight 500 of 500", heartbeat=timezone.now())
    expect(page.locator("#generate-progress")).to_contain_text("weight 500 of 500")
    Job.objects.filter(pk=t.pk).update(state="done", finished_at=timezone.now())
    expect(page.get_by_role("status")).to_have_text(re.compile("Finished"))
    axe_check(page)
