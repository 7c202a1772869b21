"""SEND case audits use SEND headings (issue 17, domain.md (f)): quality of advice, the child's
voice, outcomes, provision, 20-week timeliness and annual reviews, rather than the social-care
domains; any other type keeps the social-care domains. The overall grade never offers "not
applicable", whatever the type."""

import pytest
from django.test import Client

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.report import gather_report
from peerdiag.casereview.enums import AuditDomain, Grade, SendAuditDomain, audit_domains
from peerdiag.casereview.models import CaseReview, DomainGrade
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import DiagnosticType
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.web.forms.casereview import AuditForm
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db

SEND_LABELS = [
    "Quality of advice",
    "The child's voice, and their parents'",
    "Outcomes: specific and measurable",
    "Provision: specified and quantified",
    "Timeliness: the 20-week standard",
    "Annual reviews",
]


def test_the_headings_follow_the_type():
    assert [label for _, label in audit_domains(DiagnosticType.SEND)] == SEND_LABELS
    for kind in (DiagnosticType.SAFEGUARDING, DiagnosticType.EARLY_YEARS, DiagnosticType.OTHER):
        assert audit_domains(kind) == [(d.value, str(d.label)) for d in AuditDomain]
    # The audit form draws its grades from the same headings.
    form = AuditForm(diagnostic_type=DiagnosticType.SEND)
    assert [row["label"] for row in form.domain_rows()] == SEND_LABELS
    assert "assessment_grade" not in form.fields and "send_timeliness_grade" in form.fields


@pytest.mark.parametrize("kind", [DiagnosticType.SEND, DiagnosticType.SAFEGUARDING])
def test_the_overall_grade_never_offers_not_applicable(kind):  # type: ignore[no-untyped-def]
    form = AuditForm(diagnostic_type=kind)
    overall = [value for value, _ in form.fields["overall_grade"].choices]  # type: ignore[attr-defined]
    assert Grade.NA not in overall and len(overall) == 4
    # A heading may still be not applicable.
    heading = audit_domains(kind)[0][0]
    assert Grade.NA in [v for v, _ in form.fields[f"{heading}_grade"].choices]  # type: ignore[attr-defined]


@pytest.fixture
def send_case(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(type=DiagnosticType.SEND)
    world.own.refresh_from_db()
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    case.review.diagnostic.type = DiagnosticType.SEND
    return case, auditor


def test_a_send_audit_is_graded_and_finished_under_send_headings(world, send_case):  # type: ignore[no-untyped-def]
    case, auditor = send_case
    # Social-care domains are refused on a SEND diagnostic.
    with pytest.raises(DomainError, match="four-point scale"):
        save_audit(
            case,
            by=auditor,
            header={},
            grades={d: GradeIn("good") for d in AuditDomain.values},
            overall_grade="good",
            difference="",
            finish=False,
            version=0,
        )
    assert not DomainGrade.objects.filter(audit__case=case).exists()
    # Finishing needs every SEND heading.
    partial = {SendAuditDomain.ADVICE.value: GradeIn("good")}
    with pytest.raises(DomainError, match="Timeliness: the 20-week standard"):
        save_audit(
            case,
            by=auditor,
            header={},
            grades=partial,
            overall_grade="good",
            difference="",
            finish=True,
            version=0,
        )
    # The overall grade cannot be not applicable.
    grades = {d: GradeIn("good", "Advice was clear") for d in SendAuditDomain.values}
    grades[SendAuditDomain.ANNUAL_REVIEWS.value] = GradeIn("na")
    with pytest.raises(DomainError, match="one of the four grades"):
        save_audit(
            case,
            by=auditor,
            header={},
            grades=grades,
            overall_grade="na",
            difference="",
            finish=True,
            version=0,
        )
    audit = save_audit(
        case,
        by=auditor,
        header={},
        grades=grades,
        overall_grade="requires_improvement",
        difference="",
        finish=True,
        version=0,
    )
    assert audit.status == "done"
    assert set(DomainGrade.objects.filter(audit=audit).values_list("domain", flat=True)) == set(
        SendAuditDomain.values
    )
    # The report counts under the SEND headings.
    data = gather_report(CaseReview.objects.get(diagnostic=world.own))
    assert [t.domain for t in data.domains] == SEND_LABELS
    timeliness = data.domains[4]
    assert timeliness.counts["Good"] == 1
    assert data.domains[5].counts["Not applicable"] == 1


def test_the_audit_page_of_a_send_case_shows_send_headings(world, send_case):  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from peerdiag.common.versioning import UNCHECKED
    from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
    from peerdiag.diagnostics.domain.confidentiality import set_confidentiality

    case, auditor = send_case
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    acknowledge_briefing(briefing, by=None, person=auditor.person)
    c = Client()
    c.force_login(auditor)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    url = f"/diagnostics/{world.own.reference}/case-review/cases/{case.code}/"
    page = c.get(url).content.decode()
    assert "Timeliness: the 20-week standard" in page and "Quality of advice" in page
    assert "Front door and response to referral" not in page
    # The overall grade's radios have no "not applicable".
    overall = page.split('name="overall_grade"', 1)[1].split("</fieldset>", 1)[0]
    assert 'value="na"' not in overall
    data = {"period_months": "12", "version": "0", "finish": "1", "overall_grade": "good"}
    data |= {f"{d}_grade": "good" for d in SendAuditDomain.values}
    response = c.post(url, data)
    assert response.status_code == 302
    assert case.__class__.objects.get(pk=case.pk).audit.status == "done"
