"""The pages that show destroyed things still render, and show no trace of what went."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerdiag.casereview.domain.retention import run_retention
from peerdiag.diagnostics.domain.retention import REMOVED
from tests.retention.helpers import DUE, EVALUATION_DUE, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def after(world, client):  # type: ignore[no-untyped-def]
    filled = fill(world)
    run_retention(today=EVALUATION_DUE)
    client.force_login(world.admin)
    return filled


def _page(client, name, query="", **kwargs) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse(f"web:{name}", kwargs=kwargs) + query)
    assert response.status_code == 200, name
    return response.content.decode()


def test_the_timetable_grid_shows_sessions_without_names(client, after):  # type: ignore[no-untyped-def]
    html = _page(client, "schedule_grid", "?day=2", ref=after.d.reference)
    assert after.sessions[0].title in html
    assert "a0@council.example" not in html and "Bring the audit" not in html


def test_the_kit_digest_page_says_its_text_was_removed(client, after):  # type: ignore[no-untyped-def]
    html = _page(client, "kit_digest", ref=after.d.reference, code=after.digest.code)
    assert REMOVED in html and "says Jo" not in html and "Jo agrees" not in html


def test_the_written_feedback_page_shows_the_comment_was_removed(client, after):  # type: ignore[no-untyped-def]
    html = _page(client, "written_feedback", ref=after.d.reference)
    assert REMOVED in html and "Jo Bloggs" not in html


def test_the_evaluation_results_keep_the_ratings_only(client, after):  # type: ignore[no-untyped-def]
    html = _page(client, "evaluation", ref=after.d.reference)
    assert REMOVED in html
    assert (
        "Thanks to Ann" not in html and "Coaching for Jo" not in html and "Spoke to Jo" not in html
    )


def test_the_documents_pages_show_the_destroyed_version(client, after):  # type: ignore[no-untyped-def]
    html = _page(client, "document_list", ref=after.d.reference)
    assert "Case tracker" in html
    ask = after.personal.request
    html = _page(client, "document_detail", ref=after.d.reference, code=ask.code)
    assert "Version 1 (file destroyed)" in html and "Jo Bloggs" not in html
    assert "structure chart.pdf" in html


def test_the_grid_renders_on_the_destroy_by_date_too(client, world):  # type: ignore[no-untyped-def]
    filled = fill(world)
    run_retention(today=DUE)
    client.force_login(world.admin)
    html = _page(client, "schedule_grid", "?day=2", ref=filled.d.reference)
    assert "Sam Carer" not in html and filled.sessions[0].title in html


def test_a_destroyed_file_is_not_linked_and_cannot_be_downloaded(client, after):  # type: ignore[no-untyped-def]
    from django.http import Http404

    from peerdiag.web.views.documents import _file

    version = after.personal
    version.refresh_from_db()
    assert not version.file
    html = _page(client, "document_detail", ref=after.d.reference, code=version.request.code)
    assert f"files/{version.code}/" not in html  # neither download address is offered
    assert f"files/{after.official.code}/" in html  # the version that was kept still is
    with pytest.raises(Http404):
        _file(version)
