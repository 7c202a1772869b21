"""Key documents in the browser: the council uploads a requested document, the PCM accepts it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from peerdiag.documents.domain.requests import request_document
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD


def _as(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def test_council_uploads_and_pcm_accepts(page: Page, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ask = request_document(world.own, by=world.pcm, title="Current improvement plan")
    wrong = tmp_path / "plan.pdf"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    right = tmp_path / "improvement-plan.pdf"
    right.write_bytes(b"%PDF-1.4\n%plan\n")

    _as(page, "organiser@example.org")
    page.goto(f"/diagnostics/{world.own.reference}/documents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Key documents")
    axe_check(page)
    page.get_by_role("link", name="Current improvement plan").click()
    axe_check(page)
    page.get_by_label("Upload a file").set_input_files(str(wrong))
    page.get_by_label("Official", exact=True).check()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("its content is not a PDF")
    axe_check(page)
    page.get_by_label("Upload a file").set_input_files(str(right))
    page.get_by_label("Official", exact=True).check()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Version 1 of ‘Current improvement plan’ uploaded")).to_be_visible()

    _as(page, "pcm@example.org")
    page.goto(f"/diagnostics/{world.own.reference}/documents/{ask.code}/")
    axe_check(page)
    page.get_by_role("button", name="Accept the document").click()
    expect(page.get_by_text("‘Current improvement plan’ accepted")).to_be_visible()
    axe_check(page)
    ask.refresh_from_db()
    assert ask.status == "accepted"
