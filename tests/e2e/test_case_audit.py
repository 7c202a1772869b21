"""A case auditor signs in with two-factor, opens the case given to them and grades it.

Every page is checked with axe-core.
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from peerdiag.accounts.models import TotpDevice
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseAudit
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from tests.casereview.helpers import add_auditor, released_case
from tests.conftest import World
from tests.e2e.conftest import axe_check
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def auditor(world: World) -> Any:
    user = add_auditor(world.own, "cara@example.org", "Cara Auditor")
    user.set_password(PASSWORD)
    user.save()
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    acknowledge_briefing(briefing, by=None, person=user.person)
    secret = pyotp.random_base32()
    TotpDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())
    return user, secret, released_case(world.own)


def test_a_case_auditor_grades_a_case(page: Page, world: World, auditor: Any) -> None:
    user, secret, case = auditor
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/sign-in/code/$"))
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/diagnostics/{world.own.reference}/case-review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case record review")
    axe_check(page)
    page.get_by_role("link", name=case.entry.pseudonymous_ref).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.entry.pseudonymous_ref}")
    axe_check(page)

    # Finishing without grades: the GOV.UK error summary.
    page.get_by_role("button", name="Finish the audit").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Grade every domain")
    axe_check(page)

    for d in AuditDomain:
        group = page.get_by_role("group", name=f"Grade for {str(d.label).lower()}")
        group.get_by_label("Good", exact=True).check()
    page.get_by_role("group", name="Overall grade").get_by_label("Good", exact=True).check()
    page.get_by_label("What difference the work has made to the child").fill("Attends school")
    page.get_by_role("button", name="Finish the audit").click()
    expect(page.locator(".govuk-notification-banner, .govuk-summary-list").first).to_be_visible()
    expect(page.get_by_text("Finished: Good")).to_be_visible()
    axe_check(page)

    audit = CaseAudit.objects.get(case=case)
    assert audit.status == "done" and audit.grades.count() == len(AuditDomain)
