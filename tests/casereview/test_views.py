"""The pages as a cleared case auditor with a two-factor session uses them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseReadLog
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from tests.casereview.helpers import add_auditor, make_review, released_case

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c


@pytest.fixture
def cleared(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    for user in (auditor, world.peer, world.pcm):
        acknowledge_briefing(briefing, by=None, person=user.person)
    return auditor


def test_an_auditor_grades_a_case_through_the_page(world, cleared):  # type: ignore[no-untyped-def]
    case = released_case(world.own)
    c = _client(cleared)
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    assert case.entry.pseudonymous_ref in c.get(url).content.decode()
    data = {
        "period_months": "12",
        "overall_grade": "good",
        "difference": "Safer at home",
        "finish": "1",
        "version": "0",
    }
    data |= {f"{d}_grade": "good" for d in AuditDomain.values}
    response = c.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.audit.status == "done" and case.audit.grades.count() == 11
    assert CaseReadLog.objects.filter(user=cleared, case=case).exists()


def test_a_csv_with_a_name_is_refused_on_the_page(world, cleared):  # type: ignore[no-untyped-def]
    review = make_review(world.own, n=2)
    case_list = review.diagnostic.agreed_case_lists.first()
    c = _client(world.peer)
    f = SimpleUploadedFile("l.csv", b"reference,cohort,team,legal_status\nA1,cp,Amy Smith,S17\n")
    response = c.post(
        f"/diagnostics/{world.own.reference}/case-review/lists/{case_list.code}/upload/",
        {"file": f},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Row 2, column 3 (&#x27;team&#x27;) holds a word that is a common first name" in page
    assert "Amy Smith" not in page
    assert case_list.entries.count() == 2


def test_an_auditor_sees_only_the_cases_given_to_them(world, cleared):  # type: ignore[no-untyped-def]
    dan = add_auditor(world.own, "dan@example.org", "Dan Auditor")
    acknowledge_briefing(world.own.briefings.first(), by=None, person=dan.person)
    released_case(world.own)
    case = released_case(world.own)
    review = case.review
    assert sorted(review.cases.values_list("auditor__person__full_name", flat=True)) == [
        "Cara Auditor",
        "Dan Auditor",
    ]
    for c in review.cases.select_related("auditor__person__user"):
        url = f"/diagnostics/{world.own.reference}/case-review/cases/{c.code}/"
        owner = c.auditor.person.user
        other = dan if owner == cleared else cleared
        assert _client(owner).get(url).status_code == 200
        assert _client(other).get(url).status_code == 404
