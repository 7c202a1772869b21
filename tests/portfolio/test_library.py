"""The learning library: approved findings of issued diagnostics, anonymised, by theme."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.findings.models import Finding
from peerdiag.portfolio.domain.library import library_entries, search_library
from peerdiag.timetable.models import Attendee
from tests.factories import DiagnosticFactory, KloeFactory
from tests.reports.helpers import drafted

pytestmark = pytest.mark.django_db


def _library(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    d = x.d
    Kloe.objects.filter(pk=x.findings[0].kloe_id).update(theme="Leadership")
    Kloe.objects.filter(pk=x.findings[1].kloe_id).update(theme="")
    Attendee.objects.create(diagnostic=d, name="Priya Attendee", group="Social workers")
    sponsor = world.sponsor.person.full_name
    Finding.objects.filter(pk=x.findings[0].pk).update(
        statement=f"Leaders at Council A, led by {sponsor}, are visible."
    )
    Finding.objects.filter(pk=x.findings[2].pk).update(
        statement="Plans lack detail, as Priya Attendee said: I am alone in this."
    )
    Diagnostic.objects.filter(pk=d.pk).update(written_feedback_issued_on=date(2027, 4, 1))
    return x


def test_only_approved_findings_of_issued_diagnostics(world):
    x = _library(world)
    Finding.objects.filter(pk=x.findings[3].pk).update(approved_at=None)
    # A diagnostic whose written feedback is not issued stays out.
    other = DiagnosticFactory()
    Finding.objects.create(
        diagnostic=other,
        kind="strength",
        statement="Hidden.",
        approved_at=x.findings[0].approved_at,
    )
    statements = [e.statement for e in library_entries()]
    assert len(statements) == 3
    assert "Hidden." not in statements
    assert "Partners are unsure how to escalate." not in statements


def test_names_of_councils_people_and_attendees_are_removed(world):
    _library(world)
    statements = {e.statement for e in library_entries()}
    assert "Leaders at [name removed], led by [name removed], are visible." in statements
    assert (
        "Plans lack detail, as [name removed] said: [words withheld: a small group]" in statements
    )
    joined = " ".join(statements)
    assert "Council A" not in joined
    assert world.sponsor.person.full_name not in joined


def test_entries_carry_type_and_year_only(world):
    _library(world)
    e = library_entries()[0]
    assert set(vars(e)) == {"kind", "kind_label", "statement", "theme", "diagnostic_type", "year"}
    assert (e.diagnostic_type, e.year) == ("Safeguarding", 2027)


def test_grouped_by_theme_with_other_last_and_searchable(world):
    _library(world)
    themes = search_library(library_entries())
    assert [t.name for t in themes][-1] == "Other"
    assert "Leadership" in [t.name for t in themes]
    found = search_library(library_entries(), q="VISIBLE leaders")
    assert [(t.name, [e.statement for e in t.entries]) for t in found] == [
        ("Leadership", ["Leaders at [name removed], led by [name removed], are visible."])
    ]
    # A council's name is not in the anonymised words, so searching for it finds nothing.
    assert search_library(library_entries(), q="Council A") == []
    areas = search_library(library_entries(), kind="area")
    assert {e.kind for t in areas for e in t.entries} == {"area"}
    assert search_library(library_entries(), theme="Other", kind="strength")[0].name == "Other"


def test_the_page_is_anonymised_and_constant_in_queries(world, client):
    _library(world)
    client.force_login(world.pcm)
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("web:learning_library")).content.decode()
    assert "Council A" not in html
    assert "RPD-2027-001" not in html
    assert world.sponsor.person.full_name not in unescape(html)
    assert "[name removed]" in html
    more = DiagnosticFactory(written_feedback_issued_on=date(2026, 5, 1))
    kloe = KloeFactory(diagnostic=more, theme="Early help")
    for i in range(4):
        Finding.objects.create(
            diagnostic=more,
            kind="area",
            statement=f"Point {i}.",
            kloe=kloe,
            approved_at=more.created_at,
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("web:learning_library") + "?q=point").content.decode()
    assert html.count("Point ") == 4
    assert len(few) == len(many)
