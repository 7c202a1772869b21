"""Writes that pages and the API make as one step: each is one domain function, and a refusal
of its second half leaves nothing of its first (issue 21)."""

from __future__ import annotations

from datetime import date

import pytest

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.diagnostics import change_details
from peerdiag.diagnostics.domain.kloes import change_kloe
from peerdiag.diagnostics.domain.people import assign_council_role_to_new_person
from peerdiag.diagnostics.models import Kloe
from peerdiag.directory.domain.bench import add_to_bench
from peerdiag.directory.models import Person
from tests.factories import CouncilFactory, DiagnosticFactory, KloeFactory

pytestmark = pytest.mark.django_db

DAY1 = date(2027, 3, 1)  # a Monday, not a bank holiday
TODAY = date(2027, 1, 4)


def test_a_new_person_takes_the_council_role_in_one_step() -> None:
    d = DiagnosticFactory()
    person = assign_council_role_to_new_person(
        d, by=None, role="organiser", full_name="Eira Pryce", job_title="Business Manager"
    )
    assert person.organisation == d.host_council
    assert list(d.council_roles.values_list("role", "person__full_name")) == [
        ("organiser", "Eira Pryce")
    ]


def test_a_refused_role_leaves_no_new_person_behind() -> None:
    d = DiagnosticFactory()
    before = Person.objects.count()
    with pytest.raises(DomainError):
        assign_council_role_to_new_person(d, by=None, role="no_such_role", full_name="Eira Pryce")
    assert Person.objects.count() == before
    assign_council_role_to_new_person(d, by=None, role="organiser", full_name="Tomos Rees")
    with pytest.raises(StaleEdit):  # the page showed nobody as organiser; Tomos is now
        assign_council_role_to_new_person(
            d, by=None, role="organiser", full_name="Nia Rees", replacing=""
        )
    assert not Person.objects.filter(full_name="Nia Rees").exists()


def test_a_refused_profile_leaves_no_one_on_the_bench() -> None:
    council = CouncilFactory()
    before = Person.objects.count()
    with pytest.raises(DomainError):
        add_to_bench(
            council,
            by=None,
            full_name="Dafydd Owen",
            seniority="not_a_seniority",
            roles=[],
            expertise=[],
        )
    assert Person.objects.count() == before
    person = add_to_bench(
        council,
        by=None,
        full_name="Dafydd Owen",
        seniority="head_of_service",
        roles=["operational_manager"],
        expertise=["safeguarding"],
    )
    assert person.peer_profile.seniority == "head_of_service"


def test_words_and_position_change_together_or_not_at_all() -> None:
    d = DiagnosticFactory()
    first, second = KloeFactory(diagnostic=d, order=1), KloeFactory(diagnostic=d, order=2)
    moved = change_kloe(second, by=None, version=second.version, text="New words", order=1)
    assert (moved.text, moved.order) == ("New words", 1)
    assert Kloe.objects.get(pk=first.pk).order == 2
    with pytest.raises(DomainError):
        change_kloe(moved, by=None, version=moved.version, text="Other words", order=0)
    assert Kloe.objects.get(pk=moved.pk).text == "New words"


def test_day1_and_details_change_together_or_not_at_all() -> None:
    d = DiagnosticFactory()
    done = change_details(
        d, by=None, version=d.version, changes={"day1": DAY1, "title": "Front door"}, today=TODAY
    )
    assert done.fields == ["day1", "title"]
    d.refresh_from_db()
    assert (d.day1, d.title) == (DAY1, "Front door")
    with pytest.raises(DomainError):
        change_details(
            d,
            by=None,
            version=d.version,
            changes={"day1": date(2027, 3, 8), "title": "  "},
            today=TODAY,
        )
    d.refresh_from_db()
    assert (d.day1, d.title) == (DAY1, "Front door")
