"""Closing without the command line (issue 18): from the evaluation → closed gate the PCM
follows the link to destroy the working data now, types the reference, and closes. axe-core
checks each page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.evaluation.models import EvaluationOutcome
from peerdiag.findings.models import EvidenceNote
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD
from tests.retention.helpers import fill


def test_the_pcm_destroys_the_working_data_and_closes(page: Page, world: World) -> None:
    x = fill(world)
    EvidenceNote.objects.create(
        diagnostic=x.d, source_type="interview", title="Head of service", body="Caseloads high"
    )
    EvaluationOutcome.objects.create(
        diagnostic=x.d,
        contacted_on=timezone.localdate(),
        further_support="None for now",
        decided_at=timezone.now(),
    )
    ref = x.d.reference
    page.goto("/sign-in/")
    sign_in(page, "pcm@example.org", PASSWORD)
    page.goto(reverse("web:advance", args=[ref, "closed"]))
    link = page.get_by_role("link", name="1 peer notes must be destroyed before closing")
    expect(link).to_be_visible()
    axe_check(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Destroy case content and peer notes now"
    )
    axe_check(page)
    page.get_by_role("button", name="Destroy the working data now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Type the diagnostic")
    axe_check(page)
    page.get_by_label("Type the diagnostic's reference to confirm").fill(ref)
    page.get_by_role("button", name="Destroy the working data now").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Working data destroyed")
    axe_check(page)
    page.get_by_role("link", name="Close the diagnostic").click()
    page.get_by_role("button", name="Move to closed").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is now at: closed")
    assert Diagnostic.objects.get(pk=x.d.pk).stage == "closed"
