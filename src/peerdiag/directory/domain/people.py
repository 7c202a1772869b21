"""Adding people to the directory."""

from __future__ import annotations

from peerdiag.common.errors import DomainError

from ..models import Organisation, Person


def add_person(
    organisation: Organisation, *, full_name: str, job_title: str = "", email: str = ""
) -> Person:
    """A new person (without a login) at `organisation`."""
    if not full_name.strip():
        raise DomainError("Enter the person's full name", field="full_name")
    return Person.objects.create(
        organisation=organisation,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        email=email.strip().lower(),
    )
