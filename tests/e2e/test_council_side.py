"""The council's side of a diagnostic in a real browser (issue 17).

A person at a council asks for a diagnostic and is told what happens next; the sponsor confirms
the scope; the organiser proposes how the cases are shared and the PCM accepts; the organiser and
then the sponsor agree the published timetable (again after it changes); the sponsor reads and
downloads the issued case review report; the organiser writes in the messages thread, where a
young person's name is refused. Each test builds its own world from tests/conftest.py (Council A
hosts RPD-2027-001, with its sponsor and organiser) and checks every page it visits with axe-core.
"""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta

import docx
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import approve_report, issue_report, save_report_text
from peerdiag.casereview.enums import AuditDomain, SharingState
from peerdiag.casereview.models import CaseReadLog, CaseReview, CaseSharing
from peerdiag.common.childdata import forenames, has_forename
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import (
    CouncilRequest,
    Diagnostic,
    ScopeConfirmation,
    ScopingMeeting,
)
from peerdiag.messaging.domain.threads import allowed_words
from peerdiag.messaging.models import Message
from peerdiag.timetable.domain.versions import snapshot
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, Session, TimetableVersion
from tests.casereview.helpers import add_auditor, make_review, released_case
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD, KloeFactory, PersonFactory, UserFactory

REF = "RPD-2027-001"


# Helpers ------------------------------------------------------------------------------------


def _heading(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1)


def _success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def _sign_in_as(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/$"))


def _open_diagnostic(page: Page, ref: str = REF) -> None:
    """From the dashboard, follow the diagnostic's link to its overview."""
    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name=ref).first.click()
    page.wait_for_url(re.compile(rf"/diagnostics/{ref}/$"))
    axe_check(page)


def _monday_in(weeks: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday() + 7 * weeks)


def _fill_date(page: Page, group: str, value: date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(value.day))
    fields.get_by_label("Month").fill(str(value.month))
    fields.get_by_label("Year").fill(str(value.year))


# 1. Asking for a diagnostic -----------------------------------------------------------------


def test_someone_at_the_council_asks_for_a_diagnostic(page: Page, world: World) -> None:
    # The DCS's named person: at Council A, with no role on any diagnostic yet.
    user = UserFactory(email="dana@example.org", full_name="Dana Deputy")
    PersonFactory(
        user=user,
        full_name="Dana Deputy",
        email="dana@example.org",
        organisation=world.own.host_council,
    )
    first, second = _monday_in(6), _monday_in(8)
    _sign_in_as(page, "dana@example.org")
    axe_check(page)
    page.get_by_role("button", name="Ask for a diagnostic").click()
    expect(_heading(page)).to_have_text("Ask for a diagnostic")
    expect(page.locator(".govuk-caption-l")).to_have_text("Council A")
    axe_check(page)

    page.get_by_label("Safeguarding").check()
    page.get_by_label("What worries you").fill(
        "Re-referrals to the front door have doubled this year and thresholds look uneven."
    )
    # A Tuesday first: refused, with the rest of the answers kept.
    _fill_date(page, "First preferred week", first + timedelta(days=1))
    _fill_date(page, "Second preferred week (optional)", second)
    page.get_by_label("Sponsor's full name").fill("Sam Sponsor")
    page.get_by_label("Sponsor's e-mail address").fill("sam.sponsor@council-a.example")
    page.get_by_label("Sponsor's job title").fill("Director of Children's Services")
    page.get_by_label("Organiser's full name").fill("Olu Organiser")
    page.get_by_label("Organiser's e-mail address").fill("olu.organiser@council-a.example")
    page.get_by_label("Organiser's job title").fill("Business support manager")
    page.get_by_role("button", name="Send the request").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not a Monday")
    expect(page.get_by_label("Sponsor's full name")).to_have_value("Sam Sponsor")
    expect(page.get_by_label("What worries you")).to_contain_text("Re-referrals")
    assert not CouncilRequest.objects.exists()
    axe_check(page)

    _fill_date(page, "First preferred week", first)
    mail.outbox.clear()
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    req = CouncilRequest.objects.select_related("diagnostic").get()
    ref = req.diagnostic.reference
    expect(page.locator(".govuk-panel__body")).to_contain_text(ref)
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_text("to arrange a scoping call within 5 working days")).to_be_visible()
    axe_check(page)
    assert req.diagnostic.stage == Stage.ENQUIRY
    assert req.requested_by == user
    assert [w for w in req.preferred_weeks] == [first.isoformat(), second.isoformat()]
    # The requester is told by e-mail; the e-mails never carry what the council wrote.
    assert "dana@example.org" in {to for m in mail.outbox for to in m.to}
    assert all("Re-referrals" not in m.body for m in mail.outbox)

    page.get_by_role("link", name="Read your request").click()
    expect(_heading(page)).to_have_text("The council's request")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Re-referrals to the front door")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Sam Sponsor")
    expect(page.get_by_role("button", name="Decline the request")).to_have_count(0)
    axe_check(page)

    # Back on the council's dashboard, the request waits for the LGA.
    page.goto("/")
    expect(page.locator("#council-requests")).to_contain_text(ref)
    axe_check(page)
    _sign_out(page)

    # The LGA administrator finds it on their dashboard as an enquiry.
    _sign_in_as(page, "admin@example.org")
    requests = page.locator("#council-requests")
    expect(requests).to_contain_text(f"{ref}: Council A, Safeguarding")
    axe_check(page)
    requests.get_by_role("link", name=re.compile(ref)).click()
    expect(_heading(page)).to_have_text("The council's request")
    expect(page.get_by_role("button", name="Decline the request")).to_be_visible()
    axe_check(page)


# 2. Confirming the scope --------------------------------------------------------------------


def _scoped(d: Diagnostic) -> None:
    ScopingMeeting.objects.create(
        diagnostic=d,
        scheduled_for=timezone.now() - timedelta(days=3),
        held_on=timezone.localdate() - timedelta(days=3),
        team_requirements="A lead peer and a case auditor",
    )
    KloeFactory(diagnostic=d, order=1, text="How consistent are thresholds at the front door?")
    KloeFactory(diagnostic=d, order=2, text="How well do managers oversee practice?")
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=Stage.SCOPED, focus_statement="The front door and MASH", case_review_in_scope=True
    )


def test_the_sponsor_confirms_the_scope_and_the_pcm_sees_it(page: Page, world: World) -> None:
    _scoped(world.own)
    sponsor = world.sponsor.get_full_name()
    _sign_in_as(page, "sponsor@example.org")
    _open_diagnostic(page)
    expect(page.locator("#overview-scope-status")).to_contain_text("Not confirmed yet")
    page.get_by_role("link", name="The scope and the sponsor's answers").click()
    expect(_heading(page)).to_have_text("Scope of the diagnostic")
    expect(page.locator(".govuk-summary-list")).to_contain_text("The front door and MASH")
    expect(page.locator(".govuk-summary-list")).to_contain_text("In scope")
    expect(page.locator("#scope-kloes")).to_contain_text(
        "How consistent are thresholds at the front door?"
    )
    axe_check(page)

    # Sent with no answer chosen: the error summary says what is missing.
    page.get_by_role("button", name="Send my answer").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Choose whether you confirm the scope or ask for changes"
        )
    ).to_be_visible()
    axe_check(page)

    page.get_by_label("I confirm the scope as shown").check()
    page.get_by_role("button", name="Send my answer").click()
    _success(page, "Thank you: you have confirmed the scope")
    expect(page.locator("#scope-status")).to_contain_text("Confirmed")
    expect(page.locator("#scope-status")).to_contain_text(f"{sponsor} confirmed this scope")
    expect(page.get_by_role("button", name="Send my answer")).to_be_visible()  # may answer again
    axe_check(page)
    confirmation = ScopeConfirmation.objects.get(diagnostic=world.own)
    assert confirmation.decision == "confirmed" and confirmation.person == world.sponsor.person
    assert confirmation.focus == "The front door and MASH"
    assert confirmation.case_review_in_scope is True
    assert len(confirmation.kloes) == 2
    _sign_out(page)

    # The PCM sees the confirmation on the overview, and no answer form on the scope page.
    _sign_in_as(page, "pcm@example.org")
    _open_diagnostic(page)
    expect(page.locator("#overview-scope-status")).to_contain_text(f"Confirmed by {sponsor}")
    page.get_by_role("link", name="The scope and the sponsor's answers").click()
    expect(page.locator("#scope-status")).to_contain_text("Confirmed")
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    axe_check(page)


# 3. Case sharing ----------------------------------------------------------------------------


def test_the_organiser_proposes_case_sharing_and_the_pcm_accepts(page: Page, world: World) -> None:
    make_review(world.own)
    _sign_in_as(page, "organiser@example.org")
    _open_diagnostic(page)
    page.get_by_role("link", name="How the cases are shared").click()
    expect(_heading(page)).to_have_text("How the cases are shared")
    expect(page.locator("#sharing-state")).to_contain_text("Not proposed yet")
    axe_check(page)

    # Without a contact: refused, and the choice made is kept.
    method = page.get_by_role("group", name="How will the council share the cases?")
    method.get_by_label(re.compile("^Named, time-limited read-only accounts")).check()
    page.get_by_label("Details (needed for another way)").fill("Mosaic accounts for the week")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_role(
            "link", name="Enter the name of the council's contact"
        )
    ).to_be_visible()
    expect(page.get_by_label("Details (needed for another way)")).to_have_value(
        "Mosaic accounts for the week"
    )
    axe_check(page)

    page.get_by_label("Name of the council's contact").fill("Priya Patel")
    page.get_by_label("Their e-mail address").fill("priya.patel@council-a.example")
    page.get_by_label("Their telephone number (optional)").fill("01632 960 001")
    mail.outbox.clear()
    page.get_by_role("button", name="Send the proposal").click()
    _success(page, "Your proposal is sent")
    expect(page.locator("#sharing-state")).to_contain_text("Waiting for the peer challenge manager")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Priya Patel")
    axe_check(page)
    record = CaseSharing.objects.get(review__diagnostic=world.own)
    assert record.state == SharingState.PROPOSED and record.proposed_by == world.organiser
    assert world.pcm.email in {to for m in mail.outbox for to in m.to}
    _sign_out(page)

    # The PCM reads the proposal and accepts it; the council sees the answer.
    _sign_in_as(page, "pcm@example.org")
    page.goto(f"/diagnostics/{REF}/case-review/sharing/")
    expect(page.locator("#sharing-state")).to_contain_text("Proposed")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Mosaic accounts for the week")
    expect(page.locator(".govuk-summary-list")).to_contain_text("priya.patel@council-a.example")
    expect(page.get_by_role("button", name="Send the proposal")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Accept this proposal").click()
    _success(page, "The proposal is accepted")
    expect(page.locator("#sharing-state")).to_contain_text("Accepted")
    axe_check(page)
    _sign_out(page)

    _sign_in_as(page, "organiser@example.org")
    page.goto(f"/diagnostics/{REF}/case-review/sharing/")
    expect(page.locator("#sharing-state")).to_contain_text("Accepted")
    expect(page.get_by_text("Your proposal is accepted.")).to_be_visible()
    axe_check(page)


# 4. Agreeing the timetable ------------------------------------------------------------------


def _published_week(d: Diagnostic) -> Session:
    d.day1 = date(2027, 3, 1)
    d.save(update_fields=["day1"])
    ann = Attendee.objects.create(diagnostic=d, name="Ann Social", group="Social workers")
    talk = Session.objects.create(
        diagnostic=d,
        type=SessionType.INTERVIEW,
        title="Talk with the social workers",
        day=1,
        start=time(10, 0),
        platform_link="https://meet.example/social-workers",
    )
    talk.attendees.set([ann])
    Session.objects.create(
        diagnostic=d,
        type=SessionType.PEER_TEAM,
        title="Peer team huddle",
        day=1,
        start=time(16, 0),
        internal_only=True,
        platform_link="https://meet.example/team",
    )
    _publish(d)
    return talk


def _publish(d: Diagnostic) -> TimetableVersion:
    """A published version of the draft as it stands (publishing has its own browser test)."""
    return TimetableVersion.objects.create(
        diagnostic=d,
        number=TimetableVersion.objects.filter(diagnostic=d).count() + 1,
        published_at=timezone.now(),
        problem={},
        solution={},
        snapshot=snapshot(d),
    )


def test_the_council_agrees_the_timetable_and_again_after_a_change(
    page: Page, world: World
) -> None:
    talk = _published_week(world.own)
    organiser = world.organiser.get_full_name()
    _sign_in_as(page, "organiser@example.org")
    _open_diagnostic(page)
    page.get_by_role("link", name="Delivery week timetable").click()
    expect(_heading(page)).to_contain_text("Delivery week timetable")
    agreement = page.locator("#agreement + p")
    expect(agreement).to_contain_text("Version 1 is not agreed by the council yet")
    expect(page.get_by_text("Peer team huddle")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Agree version 1 for the council").click()
    _success(page, "You agreed version 1 of the timetable for the council")
    expect(agreement).to_contain_text(f"Agreed version 1: {organiser} (organiser)")
    expect(page.get_by_role("button", name=re.compile("^Agree version"))).to_have_count(0)
    axe_check(page)
    _sign_out(page)

    # The PCM sees the agreement on the published versions.
    _sign_in_as(page, "pcm@example.org")
    page.goto(f"/diagnostics/{REF}/timetable/versions/")
    expect(page.locator("#agreement + p")).to_contain_text(
        f"Agreed version 1: {organiser} (organiser)"
    )
    expect(page.get_by_role("button", name=re.compile("^Agree version"))).to_have_count(0)
    axe_check(page)
    _sign_out(page)

    # The interview moves and version 2 is published: the sponsor reads the change and agrees.
    Session.objects.filter(pk=talk.pk).update(start=time(14, 0))
    _publish(world.own)
    _sign_in_as(page, "sponsor@example.org")
    page.goto(f"/diagnostics/{REF}/timetable/")
    expect(page.locator("#agreement + p")).to_contain_text(
        "Agreed version 1; version 2 has changes"
    )
    changes = page.get_by_role("heading", name="Changes since version 1 was agreed")
    expect(changes).to_be_visible()
    expect(page.locator("#main-content")).to_contain_text("Talk with the social workers")
    # The sponsor reads the week but does not plan it.
    expect(page.get_by_role("button", name="Add a session")).to_have_count(0)
    expect(page.get_by_role("link", name="Publish the timetable")).to_have_count(0)
    expect(page.get_by_role("link", name="Generate the timetable")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Agree version 2 for the council").click()
    _success(page, "You agreed version 2 of the timetable for the council")
    expect(page.locator("#agreement + p")).to_contain_text(
        f"Agreed version 2: {world.sponsor.get_full_name()} (sponsor)"
    )
    axe_check(page)
    v2 = TimetableVersion.objects.get(diagnostic=world.own, number=2)
    assert v2.agreed_by == world.sponsor and v2.agreed_as == "sponsor"


# 5. The issued case review report -----------------------------------------------------------


def _issued_report(world: World) -> CaseReview:
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    save_audit(
        case,
        by=auditor,
        header={},
        grades={d: GradeIn("good", "Seen alone") for d in AuditDomain.values},
        overall_grade="good",
        difference="Safer at home",
        finish=True,
        version=0,
    )
    review = CaseReview.objects.get(diagnostic=world.own)
    save_report_text(
        review,
        by=auditor,
        strengths="Children are seen alone and their wishes are recorded",
        improvements="Plans drift after the first review",
        version=review.version,
    )
    approve_report(review, by=world.pcm, version=review.version)
    review.refresh_from_db()
    issue_report(review, by=world.pcm, version=review.version)
    review.refresh_from_db()
    return review


def test_the_sponsor_reads_and_downloads_the_issued_report(page: Page, world: World) -> None:
    mail.outbox.clear()
    review = _issued_report(world)
    told = {to for m in mail.outbox for to in m.to}
    assert {world.sponsor.email, world.organiser.email} <= told

    _sign_in_as(page, "sponsor@example.org")
    _open_diagnostic(page)
    page.get_by_role("link", name="The case record review report").click()
    expect(_heading(page)).to_have_text("Case record review report")
    expect(page.get_by_text("Issued to the council and the peer team on")).to_be_visible()
    expect(page.get_by_text("This is a draft")).to_have_count(0)
    expect(page.locator("#main-content")).to_contain_text(
        "Children are seen alone and their wishes are recorded"
    )
    expect(page.locator("#main-content")).to_contain_text("Plans drift after the first review")
    # Counts and themes only: no case reference reaches the council's page.
    expect(page.locator("#main-content")).not_to_contain_text("MOS1")
    axe_check(page)

    with page.expect_download() as caught:
        page.get_by_role("link", name="Download the report (Word document)").click()
    download = caught.value
    assert download.suggested_filename == f"{REF}-case-review.docx"
    path = download.path()
    assert path is not None
    with open(path, "rb") as f:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(f.read())).paragraphs)
    assert "Children are seen alone and their wishes are recorded" in text
    assert "MOS1" not in text
    # The read and the download are both in the read log, under the sponsor's name.
    read = set(
        CaseReadLog.objects.filter(review=review, user=world.sponsor).values_list("what", flat=True)
    )
    assert {"case review report page", "case review report download"} <= read


# 6. The messages thread ---------------------------------------------------------------------


def _a_child_name(d: Diagnostic) -> str:
    """A common first name that is not a word of anyone's name on this diagnostic."""
    allowed = allowed_words(d)
    name = next(n for n in ("amelia", "oliver", "isla", "harry", "ava") if n not in allowed)
    assert name in forenames()
    return name.capitalize()


def test_the_organiser_writes_in_the_thread_and_a_child_name_is_refused(
    page: Page, world: World
) -> None:
    child = _a_child_name(world.own)
    question = "Could the peer team use the council chamber on delivery day 2?"
    assert not has_forename(question, allowed=allowed_words(world.own))
    thread = f"/diagnostics/{REF}/messages/"
    # A refused message is answered 400 (the form with its error), which the page then shows.
    page.problems.expected.add(thread)  # type: ignore[attr-defined]

    _sign_in_as(page, "organiser@example.org")
    _open_diagnostic(page)
    page.get_by_role("link", name="Messages between the council and the LGA team").click()
    expect(_heading(page)).to_have_text("Messages")
    expect(page.get_by_text("No messages yet.")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Never write anything that could identify a child"
    )
    axe_check(page)

    box = page.get_by_label("Your message")
    box.fill(f"Can {child}'s social worker join the interview on Tuesday?")
    page.get_by_role("button", name="Send the message").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your message was not saved")
    expect(summary).to_contain_text("common first name")
    # The words caught are not sent back to the browser.
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.locator("body")).not_to_contain_text(child)
    assert not Message.objects.exists()
    axe_check(page)

    mail.outbox.clear()
    page.get_by_label("Your message").fill(question)
    page.get_by_role("button", name="Send the message").click()
    _success(page, "Your message is sent")
    latest = page.locator("#latest")
    expect(latest).to_contain_text(question)
    expect(latest).to_contain_text(world.organiser.get_full_name())
    expect(page.get_by_text("1 message, oldest first.")).to_be_visible()
    axe_check(page)
    message = Message.objects.get()
    assert message.author == world.organiser and message.text == question
    # The LGA side is e-mailed.
    assert world.pcm.email in {to for m in mail.outbox for to in m.to}
    _sign_out(page)

    # The PCM sees it unread on the overview, then in the thread.
    _sign_in_as(page, "pcm@example.org")
    _open_diagnostic(page)
    link = page.get_by_role("link", name="Messages between the council and the LGA team")
    expect(link.locator("xpath=..")).to_contain_text("1 unread")
    link.click()
    expect(page.locator("#latest")).to_contain_text(question)
    axe_check(page)
