"""Several key documents at once in the browser: the organiser chooses three files in one go,
each lands against its request by name, a refused file is named and nothing is stored, then
the three upload together with a progress bar. The PCM's one-step request of the standard list
is walked too. axe-core checks every page on the way."""

from __future__ import annotations

import importlib

from django.apps import apps
from playwright.sync_api import Page, expect

from peerdiag.documents.domain.requests import request_document, standard_list
from peerdiag.documents.models import DocumentRequest, DocumentVersion
from tests.conftest import World
from tests.e2e.conftest import axe_check, sign_in
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
TITLES = ("Improvement plan", "Performance data", "Early help strategy")
# Records every value the progress bar takes (the bar's value attribute follows its property).
WATCH_PROGRESS = """() => {
  window.pdProgress = [];
  const bar = document.querySelector('#upload-progress');
  new MutationObserver(() => window.pdProgress.push(Number(bar.value)))
    .observe(bar, {attributes: true, attributeFilter: ['value']});
}"""


def _as(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    sign_in(page, email, PASSWORD)


def _file_in(page: Page, title: str) -> str:
    return str(page.get_by_label(f"File for {title}").evaluate("el => el.files[0]?.name ?? ''"))


def _starting_lists() -> None:
    # Browser tests run on a database that is emptied between tests, which also empties the
    # rows the documents migration put there: put the LGA's starting lists back.
    migration = importlib.import_module("peerdiag.documents.migrations.0003_document_templates")
    migration.seed(apps, None)


def test_pcm_requests_the_standard_list_in_one_step(page: Page, world: World) -> None:
    _starting_lists()
    items = standard_list(world.own.type)
    assert len(items) >= 3, "the starting list for this type has at least three documents"
    request_document(world.own, by=world.pcm, title=items[0].title)
    _as(page, "pcm@example.org")
    page.goto(f"/diagnostics/{world.own.reference}/documents/")
    page.get_by_role("button", name="Request the standard list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request the standard list")
    expect(page.locator("#already-requested")).to_contain_text(items[0].title)
    axe_check(page)
    page.get_by_label(items[1].title, exact=True).uncheck()
    page.get_by_role("button", name="Request the chosen documents").click()
    expect(page.get_by_text(f"{len(items) - 2} standard documents requested")).to_be_visible()
    axe_check(page)
    titles = set(
        DocumentRequest.objects.filter(diagnostic=world.own).values_list("title", flat=True)
    )
    assert titles == {item.title for item in items} - {items[1].title}


def test_organiser_uploads_three_files_in_one_go(page: Page, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for title in TITLES:
        request_document(world.own, by=world.pcm, title=title)
    plan = tmp_path / "improvement-plan-2026.pdf"
    plan.write_bytes(PDF)
    data = tmp_path / "performance_data.pdf"
    data.write_bytes(PNG)  # not a PDF inside: refused on the first try
    strategy = tmp_path / "Early Help Strategy.pdf"
    strategy.write_bytes(PDF)

    _as(page, "organiser@example.org")
    page.goto(f"/diagnostics/{world.own.reference}/documents/")
    page.get_by_role("button", name="Upload several documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload several documents")
    axe_check(page)

    # One choice of three files: each goes to the request its name matches.
    page.get_by_label("Choose several files at once").set_input_files(
        [str(plan), str(data), str(strategy)]
    )
    assert _file_in(page, "Improvement plan") == plan.name
    assert _file_in(page, "Performance data") == data.name
    assert _file_in(page, "Early help strategy") == strategy.name
    expect(page.locator("[data-pick-several-result]")).to_contain_text("Placed ‘")
    for title in TITLES:
        page.get_by_label(f"Classification of {title}").select_option("official")
    page.get_by_role("button", name="Upload the files").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("‘performance_data.pdf’ was not uploaded")
    expect(summary).to_contain_text("choose the files again")
    expect(page.get_by_text(f"You had chosen ‘{plan.name}’: choose it again")).to_be_visible()
    expect(page.get_by_label("Classification of Early help strategy")).to_have_value("official")
    assert DocumentVersion.objects.count() == 0
    axe_check(page)

    data.write_bytes(PDF)
    page.get_by_label("Choose several files at once").set_input_files(
        [str(plan), str(data), str(strategy)]
    )
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Upload the files").click()
    expect(page.get_by_text("3 files uploaded")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key documents")
    assert page.url.endswith(f"/diagnostics/{world.own.reference}/documents/")
    seen = page.evaluate("window.pdProgress")
    assert seen and max(seen) == 100, seen
    axe_check(page)
    stored = DocumentVersion.objects.filter(request__diagnostic=world.own)
    assert sorted(stored.values_list("request__title", "original_name")) == sorted(
        [
            ("Early help strategy", strategy.name),
            ("Improvement plan", plan.name),
            ("Performance data", data.name),
        ]
    )
