"""The sponsor should be the DCS or equivalent: a flag on the person, not a word in a job title
(issue 17). Kept here beside the gate tests; there is no tests/directory folder."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.domain.gates import gate_warnings
from peerdiag.diagnostics.enums import Stage
from peerdiag.directory.domain.people import add_person, set_dcs_flag
from peerdiag.directory.models import Person
from tests.factories import CouncilRoleFactory, DiagnosticFactory, PersonFactory

pytestmark = pytest.mark.django_db

migration = import_module("peerdiag.directory.migrations.0005_dcs_flag")


def _sponsor_warnings(person: Person) -> list[str]:
    d = DiagnosticFactory(host_council=person.organisation)
    CouncilRoleFactory(diagnostic=d, person=person, role="sponsor")
    return [w for w in gate_warnings(d, Stage.SCOPED) if "sponsor" in w.lower()]


def test_a_director_of_finance_no_longer_passes_as_sponsor():  # type: ignore[no-untyped-def]
    finance = PersonFactory(job_title="Director of Finance")
    assert _sponsor_warnings(finance) == [
        "The sponsor (Director of Finance) is normally the Director of Children's Services "
        "or equivalent"
    ]


def test_the_flag_passes_whatever_the_job_title():  # type: ignore[no-untyped-def]
    chief = PersonFactory(job_title="Chief Officer, People", is_dcs_or_equivalent=True)
    assert _sponsor_warnings(chief) == []


@pytest.mark.parametrize(
    ("title", "flagged"),
    [
        ("Director of Children's Services", True),
        ("director of children\u2019s services.", True),
        ("DCS", True),
        ("Executive Director of Children's Services", True),
        ("Corporate Director, Children", True),
        ("Director of Finance", False),
        ("Assistant Director, Children's Social Care", False),
        ("Interim DCS", False),
        ("Director of Children and Families", False),
        ("", False),
    ],
)
def test_the_data_migration_is_conservative(title, flagged):  # type: ignore[no-untyped-def]
    person = PersonFactory(job_title=title)
    migration.set_flag(apps, None)
    person.refresh_from_db()
    assert person.is_dcs_or_equivalent is flagged


def test_set_dcs_flag_refuses_a_stale_version(world):  # type: ignore[no-untyped-def]
    person = world.sponsor.person
    seen = person.version
    set_dcs_flag(person, by=world.pcm, value=True, version=seen)
    with pytest.raises(StaleEdit):
        set_dcs_flag(Person.objects.get(pk=person.pk), by=world.admin, value=False, version=seen)
    person.refresh_from_db()
    assert person.is_dcs_or_equivalent is True
    assert person.changed_by == world.pcm


def test_add_person_takes_the_flag_and_never_guesses(world):  # type: ignore[no-untyped-def]
    council = world.own.host_council
    guessed = add_person(council, full_name="A", job_title="Director of Children's Services")
    said = add_person(council, full_name="B", job_title="Chief Officer", is_dcs_or_equivalent=True)
    assert (guessed.is_dcs_or_equivalent, said.is_dcs_or_equivalent) == (False, True)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_pcm_marks_the_sponsor_on_the_roles_page(world):  # type: ignore[no-untyped-def]
    d = world.own
    person = world.sponsor.person
    url = reverse("web:person_dcs_flag", args=[d.reference, person.code])
    page = _client(world.pcm).get(reverse("web:council_roles", args=[d.reference])).content
    assert "Mark as the DCS or equivalent" in page.decode()
    # The council itself cannot mark its own sponsor; nothing changes.
    assert (
        _client(world.sponsor).post(url, {"value": "yes", "version": person.version}).status_code
        == 403
    )
    person.refresh_from_db()
    assert person.is_dcs_or_equivalent is False
    response = _client(world.pcm).post(url, {"value": "yes", "version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_dcs_or_equivalent is True
    page = _client(world.pcm).get(reverse("web:council_roles", args=[d.reference])).content
    assert "DCS or equivalent" in page.decode()
    # A stale click (the page showed an older version) changes nothing.
    _client(world.pcm).post(url, {"value": "no", "version": person.version - 1})
    person.refresh_from_db()
    assert person.is_dcs_or_equivalent is True
    # Someone not named on this diagnostic cannot be marked through it.
    stranger = PersonFactory(organisation=d.host_council)
    bad = reverse("web:person_dcs_flag", args=[d.reference, stranger.code])
    assert _client(world.pcm).post(bad, {"value": "yes", "version": 1}).status_code == 404


def test_a_new_person_can_be_named_with_the_flag(world):  # type: ignore[no-untyped-def]
    d = world.own
    d.council_roles.filter(role="sponsor").delete()
    response = _client(world.pcm).post(
        reverse("web:council_roles", args=[d.reference]),
        {
            "role": "sponsor",
            "new_name": "Nia New",
            "new_job_title": "Chief Officer, People",
            "new_email": "nia@example.org",
            "new_is_dcs": "on",
            "seen_sponsor": "",
        },
    )
    assert response.status_code == 302
    nia = Person.objects.get(full_name="Nia New")
    assert nia.is_dcs_or_equivalent is True
    assert d.council_roles.get(role="sponsor").person == nia


def test_the_admin_lists_and_filters_by_the_flag(world):  # type: ignore[no-untyped-def]
    page = _client(world.admin).get(
        reverse("admin:directory_person_changelist") + "?is_dcs_or_equivalent__exact=1"
    )
    assert page.status_code == 200
    change = _client(world.admin).get(
        reverse("admin:directory_person_change", args=[world.sponsor.person.pk])
    )
    assert "Director of Children" in change.content.decode()
