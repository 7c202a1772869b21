"""Adding people to the directory."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim

from ..models import Organisation, Person


def add_person(
    organisation: Organisation,
    *,
    full_name: str,
    job_title: str = "",
    email: str = "",
    is_dcs_or_equivalent: bool = False,
) -> Person:
    """A new person (without a login) at `organisation`.

    `is_dcs_or_equivalent` is said by whoever adds them, never guessed from the job title.
    """
    if not full_name.strip():
        raise DomainError("Enter the person's full name", field="full_name")
    return Person.objects.create(
        organisation=organisation,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        email=email.strip().lower(),
        is_dcs_or_equivalent=is_dcs_or_equivalent,
    )


def set_dcs_flag(person: Person, *, by: Any, value: bool, version: int | None) -> Person:
    """Say whether `person` is the Director of Children's Services (or equivalent).

    Refused with StaleEdit (nothing saved) when someone changed the person after `version`.
    """
    with transaction.atomic():
        claim(person, version=version, by=by, noun="this person's record")
        Person.objects.filter(pk=person.pk).update(is_dcs_or_equivalent=value)
        person.is_dcs_or_equivalent = value
    return person
