"""A council asks for a diagnostic; the LGA sees it as an enquiry and may decline it (issue 17)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.requests import (
    CONTACT_WITHIN_WORKING_DAYS,
    MAX_CONCERNS,
    contact_by,
    decline_request,
    request_diagnostic,
)
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import CouncilRequest, Diagnostic, RequestStatus

pytestmark = pytest.mark.django_db


def _next_monday(weeks_ahead: int = 1) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) + 7 * (weeks_ahead - 1))


def _post_data(**over: str) -> dict[str, str]:
    monday = _next_monday(4)
    data = {
        "type": "safeguarding",
        "type_other": "",
        "concerns": "Re-referrals to the front door have doubled this year.",
        "week_1_0": str(monday.day),
        "week_1_1": str(monday.month),
        "week_1_2": str(monday.year),
        "sponsor_name": "Sam Sponsor",
        "sponsor_email": "sam@council-a.example.org",
        "sponsor_job_title": "Director of Children's Services",
        "organiser_name": "Olu Organiser",
        "organiser_email": "olu@council-a.example.org",
        "organiser_job_title": "Business manager",
    }
    return data | over


def _kwargs(**over):  # type: ignore[no-untyped-def]
    kw = {
        "type": "send",
        "concerns": "EHCP timeliness has fallen",
        "weeks": [_next_monday(3)],
        "sponsor_name": "Sam Sponsor",
        "sponsor_email": "Sam@Council.example.org",
        "sponsor_job_title": "DCS",
        "organiser_name": "Olu Organiser",
        "organiser_email": "olu@council.example.org",
        "organiser_job_title": "Business manager",
    }
    return kw | over


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_a_council_user_asks_and_it_lands_on_the_lga_dashboard(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    c = _client(world.organiser)
    page = c.get(reverse("web:council_request_create"))
    assert "Ask for a diagnostic" in page.content.decode()
    before = Diagnostic.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("web:council_request_create"), _post_data())
    assert Diagnostic.objects.count() == before + 1
    req = CouncilRequest.objects.get()
    d = req.diagnostic
    assert d.stage == Stage.ENQUIRY
    assert d.host_council == world.organiser.person.organisation
    assert req.requested_by == world.organiser
    assert req.preferred_weeks == [_next_monday(4).isoformat()]
    assert req.sponsor_email == "sam@council-a.example.org"
    assert d.audit.filter(action="council_request").exists()
    # The confirmation says what happens next, with the number of working days.
    assert response["Location"] == reverse("web:council_request_sent", args=[d.reference])
    sent = c.get(response["Location"]).content.decode()
    assert "Request sent" in sent and d.reference in sent
    assert f"within {CONTACT_WITHIN_WORKING_DAYS} working days" in sent
    # The requester and the LGA's administrators are e-mailed; neither holds the free text.
    to = {addr for m in mail.outbox for addr in m.to}
    assert world.organiser.email in to and world.admin.email in to
    assert all("Re-referrals" not in m.body for m in mail.outbox)
    # The LGA's dashboard lists it as a request waiting for them.
    board = _client(world.admin).get(reverse("web:dashboard")).content.decode()
    assert "Requests waiting for the LGA" in board and d.reference in board


def test_another_council_never_sees_the_request(world):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    req = request_diagnostic(council, by=world.sponsor, **_kwargs())
    ref = req.diagnostic.reference
    other = _client(world.other_council_user)
    for name in ("web:council_request", "web:council_request_sent"):
        assert other.get(reverse(name, args=[ref])).status_code == 404
    board = other.get(reverse("web:dashboard")).content.decode()
    assert ref not in board and "EHCP timeliness" not in board
    # Their own council's colleague sees it, with the details.
    own = _client(world.organiser).get(reverse("web:council_request", args=[ref])).content
    assert "EHCP timeliness has fallen" in own.decode()
    assert ref in _client(world.organiser).get(reverse("web:dashboard")).content.decode()


def test_lga_staff_cannot_ask_and_a_council_asks_only_for_itself(world):  # type: ignore[no-untyped-def]
    before = Diagnostic.objects.count()
    assert _client(world.pcm).get(reverse("web:council_request_create")).status_code == 403
    assert (
        _client(world.pcm).post(reverse("web:council_request_create"), _post_data()).status_code
        == 403
    )
    assert (
        _client(world.admin).post(reverse("web:council_request_create"), _post_data()).status_code
        == 403
    )
    other_council = world.other_council_user.person.organisation
    with pytest.raises(DomainError):
        request_diagnostic(other_council, by=world.sponsor, **_kwargs())
    assert Diagnostic.objects.count() == before
    assert not CouncilRequest.objects.exists()


@pytest.mark.parametrize(
    ("weeks", "message"),
    [
        ([], "at least one week"),
        ([_next_monday(2) + timedelta(days=1)], "is not a Monday"),
        ([_next_monday(1) - timedelta(days=7)], "not in the future"),
        ([_next_monday(n) for n in (2, 3, 4, 5)], "no more than 3"),
    ],
)
def test_preferred_weeks_are_one_to_three_future_mondays(world, weeks, message):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    with pytest.raises(DomainError, match=message):
        request_diagnostic(council, by=world.sponsor, **_kwargs(weeks=weeks))
    assert not CouncilRequest.objects.exists()


def test_a_long_worry_is_refused_not_cut(world):  # type: ignore[no-untyped-def]
    c = _client(world.organiser)
    too_long = "x" * (MAX_CONCERNS + 1)
    page = c.post(reverse("web:council_request_create"), _post_data(concerns=too_long))
    assert page.status_code == 200
    assert f"{MAX_CONCERNS} characters or fewer" in page.content.decode()
    assert not CouncilRequest.objects.exists()
    # A Tuesday is refused on the page too, next to the field.
    tuesday = _next_monday(3) + timedelta(days=1)
    page = c.post(
        reverse("web:council_request_create"),
        _post_data(
            week_1_0=str(tuesday.day), week_1_1=str(tuesday.month), week_1_2=str(tuesday.year)
        ),
    )
    assert "is not a Monday" in page.content.decode()
    assert not CouncilRequest.objects.exists()


def test_the_lga_declines_with_a_reason_the_requester_reads(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    req = request_diagnostic(council, by=world.sponsor, **_kwargs())
    d = req.diagnostic
    mail.outbox.clear()
    url = reverse("web:council_request_decline", args=[d.reference])
    # The council cannot decline its own request; nothing changes.
    assert _client(world.organiser).post(url, {"reason": "x", "version": 1}).status_code == 403
    req.refresh_from_db()
    assert req.status == RequestStatus.OPEN
    admin = _client(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url, {"reason": "A peer review would suit this better.", "version": req.version}
        )
    assert response.status_code == 302
    req.refresh_from_db()
    d.refresh_from_db()
    assert req.status == RequestStatus.DECLINED
    assert req.decline_reason == "A peer review would suit this better."
    assert req.decided_by == world.admin
    assert d.stage == Stage.CANCELLED
    assert [m.to for m in mail.outbox] == [[world.sponsor.email]]
    assert "declined" in mail.outbox[0].body
    page = _client(world.sponsor).get(reverse("web:council_request", args=[d.reference]))
    assert "A peer review would suit this better." in page.content.decode()
    # No longer waiting: off the LGA's dashboard.
    assert (
        "Requests waiting for the LGA" not in admin.get(reverse("web:dashboard")).content.decode()
    )


def test_a_stale_decline_changes_nothing(world):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    req = request_diagnostic(council, by=world.sponsor, **_kwargs())
    seen = req.version
    decline_request(req, by=world.admin, reason="First reason", version=seen)
    again = CouncilRequest.objects.get(pk=req.pk)
    with pytest.raises(StaleEdit):
        decline_request(again, by=world.admin, reason="Second reason", version=seen)
    again.refresh_from_db()
    assert again.decline_reason == "First reason"


def test_a_reason_is_required_and_has_a_limit(world):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    req = request_diagnostic(council, by=world.sponsor, **_kwargs())
    with pytest.raises(DomainError, match="Give a reason"):
        decline_request(req, by=world.admin, reason="  ", version=req.version)
    with pytest.raises(DomainError, match="1000 characters or fewer"):
        decline_request(req, by=world.admin, reason="y" * 1001, version=req.version)
    req.refresh_from_db()
    assert req.status == RequestStatus.OPEN and req.diagnostic.stage == Stage.ENQUIRY


def test_contact_by_counts_working_days():  # type: ignore[no-untyped-def]
    # Friday 5 March 2027 + 5 working days = Friday 12 March 2027.
    assert contact_by(date(2027, 3, 5)) == date(2027, 3, 12)


def test_the_overview_links_to_the_request_only_when_there_is_one(world):  # type: ignore[no-untyped-def]
    council = world.sponsor.person.organisation
    req = request_diagnostic(council, by=world.sponsor, **_kwargs())
    c = _client(world.admin)
    page = c.get(reverse("web:diagnostic_overview", args=[req.diagnostic.reference]))
    assert reverse("web:council_request", args=[req.diagnostic.reference]) in page.content.decode()
    plain = c.get(reverse("web:diagnostic_overview", args=[world.own.reference])).content.decode()
    assert "Read the council's request" not in plain
