"""The case review report reaches the council (issue 17, decision 19): once issued, the sponsor
and organiser read it on a page they can open and download the Word file, and are e-mailed
(a link, nothing of the report); before then they see nothing of it. Every download is in the
read log (who, when)."""

import io

import docx
import pytest
from django.core import mail
from django.test import Client

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import approve_report, issue_report, save_report_text
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReadLog, CaseReview
from peerdiag.common.versioning import UNCHECKED
from tests.casereview.helpers import add_auditor, released_case
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _page_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{world.own.reference}/case-review/issued-report/"


def _download_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{world.own.reference}/case-review/report/"


@pytest.fixture
def approved(world):  # type: ignore[no-untyped-def]
    """A review with one finished audit, its report text written and approved, not issued."""
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
        strengths="Children are seen alone",
        improvements="Plans drift",
        version=review.version,
    )
    approve_report(review, by=world.pcm, version=review.version)
    mail.outbox.clear()
    return review


def test_before_issue_the_council_sees_nothing_of_it(world, approved):  # type: ignore[no-untyped-def]
    for user in (world.sponsor, world.organiser):
        c = _client(user)
        assert c.get(_page_url(world)).status_code == 404
        assert c.get(_download_url(world)).status_code == 404
        overview = c.get(f"/diagnostics/{world.own.reference}/").content.decode()
        assert _page_url(world) not in overview
    assert mail.outbox == []
    # The team reads it as a draft.
    page = _client(world.pcm).get(_page_url(world)).content.decode()
    assert "This is a draft" in page and "Children are seen alone" in page


def test_once_issued_the_sponsor_and_organiser_read_download_and_are_told(world, approved):  # type: ignore[no-untyped-def]
    approved.refresh_from_db()
    issue_report(approved, by=world.pcm, version=approved.version)
    # Both are e-mailed, once, with a link and nothing of the report.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([world.sponsor.email, world.organiser.email])
    assert _page_url(world) in message.body
    for words in ("Children are seen alone", "Plans drift", "Safer", "MOS"):
        assert words not in message.body
    for user in (world.sponsor, world.organiser):
        c = _client(user)
        overview = c.get(f"/diagnostics/{world.own.reference}/").content.decode()
        assert _page_url(world) in overview
        page = c.get(_page_url(world)).content.decode()
        assert "Issued to the council" in page
        assert "Children are seen alone" in page and "Plans drift" in page
        assert "Not applicable" not in page.split("Overall grades")[1]
        assert _download_url(world) in page
        response = c.get(_download_url(world))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('-case-review.docx"')
        text = " ".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        assert "Children are seen alone" in text and "(draft)" not in text
        # No case reference anywhere in what they get.
        assert "MOS" not in page and "MOS" not in text
    # Every download is in the read log: who and when.
    downloads = CaseReadLog.objects.filter(
        review=approved, what="case review report download"
    ).order_by("id")
    assert [r.user for r in downloads] == [world.sponsor, world.organiser]
    assert all(r.at is not None and r.case is None for r in downloads)


def test_other_council_users_and_other_councils_are_refused(world, approved):  # type: ignore[no-untyped-def]
    issue_report(approved, by=world.pcm, version=approved.version)
    assert _client(world.other_council_user).get(_page_url(world)).status_code == 404
    assert _client(world.other_council_user).get(_download_url(world)).status_code == 404
    # Someone at the host council who is neither sponsor nor organiser.
    clerk = UserFactory(email="clerk@example.org")
    PersonFactory(user=clerk, organisation=world.own.host_council, email=clerk.email)
    assert _client(clerk).get(_page_url(world)).status_code == 403
    assert _client(clerk).get(_download_url(world)).status_code == 403
    assert not CaseReadLog.objects.filter(user__in=[clerk, world.other_council_user]).exists()


def test_the_approve_and_issue_button_emails_the_council(world, approved):  # type: ignore[no-untyped-def]
    approved.report_approved_at = None
    approved.save()
    c = _client(world.pcm)
    approved.refresh_from_db()
    response = c.post(
        f"/diagnostics/{world.own.reference}/case-review/report/approve/",
        {"version": approved.version},
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.report_issued_at is not None
    assert [sorted(m.to) for m in mail.outbox] == [
        sorted([world.sponsor.email, world.organiser.email])
    ]


def test_a_failed_email_leaves_the_report_issued(world, approved, settings):  # type: ignore[no-untyped-def]
    # The mail server refuses it (the outbox records the failure: tests/common/test_outbox*).
    settings.EMAIL_BACKEND = "tests.common.failing_mail.RefusingBackend"
    issue_report(approved, by=world.pcm, version=UNCHECKED)
    approved.refresh_from_db()
    assert approved.report_issued_at is not None
    assert world.own.audit.filter(action="case_report_email_failed").exists()
    assert _client(world.sponsor).get(_page_url(world)).status_code == 200
