"""factory_boy factories shared by every test."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from peerdiag.accounts.models import User
from peerdiag.diagnostics.enums import DiagnosticType, Stage, TeamRole
from peerdiag.diagnostics.models import CouncilRole, Diagnostic, Kloe, TeamMember
from peerdiag.directory.enums import OrganisationKind, Region
from peerdiag.directory.models import Organisation, Person

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testshire {n}")
    kind = OrganisationKind.COUNCIL
    region = Region.NORTH_WEST


class LgaFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name", "kind")

    name = "Local Government Association"
    kind = OrganisationKind.LGA


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Head of service"
    organisation = factory.SubFactory(CouncilFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class DiagnosticFactory(DjangoModelFactory):
    """A diagnostic at enquiry; use `at_stage` for one further on (tests only)."""

    class Meta:
        model = Diagnostic

    reference = factory.Sequence(lambda n: f"RPD-2027-{n + 100:03d}")
    type = DiagnosticType.SAFEGUARDING
    host_council = factory.SubFactory(CouncilFactory)
    title = factory.Sequence(lambda n: f"Front door diagnostic {n}")
    stage = Stage.ENQUIRY


class KloeFactory(DjangoModelFactory):
    class Meta:
        model = Kloe

    diagnostic = factory.SubFactory(DiagnosticFactory)
    text = factory.Sequence(lambda n: f"How well does part {n} work?")
    order = factory.Sequence(lambda n: n + 1)


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    diagnostic = factory.SubFactory(DiagnosticFactory)
    person = factory.SubFactory(PersonFactory)
    role = TeamRole.OPERATIONAL_MANAGER


class CouncilRoleFactory(DjangoModelFactory):
    class Meta:
        model = CouncilRole

    diagnostic = factory.SubFactory(DiagnosticFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(organisation=o.diagnostic.host_council))
    role = "sponsor"
