"""Migrations 0003-0005 of the case review: case list entries stored in plain text before them
are encrypted in place and given their digest, and going back decrypts them again."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from peerdiag.casereview.models import CaseListEntry, reference_digest
from peerdiag.diagnostics.models import AgreedCaseList

BEFORE = ("casereview", "0002_versions")
TABLE = "casereview_caselistentry"


def _raw() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pseudonymous_ref, team, legal_status FROM {TABLE}")  # noqa: S608
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_entries_stored_in_plain_text_are_encrypted_by_the_migration(world):  # type: ignore[no-untyped-def]
    if getattr(settings, "MIGRATION_MODULES", None):
        pytest.skip("the test database was built without migrations")
    case_list = AgreedCaseList.objects.create(diagnostic=world.own, name="Before issue 15")
    executor = _migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("casereview", "CaseListEntry")
    old.objects.create(
        case_list_id=case_list.pk,
        pseudonymous_ref="QXZ-48213",
        cohort="child_protection",
        team="Kestrel Duty",
        legal_status="Section 47",
    )
    assert _raw() == ("QXZ-48213", "Kestrel Duty", "Section 47")

    executor = _migrate(executor.loader.graph.leaf_nodes())
    ref, team, status = _raw()
    assert all(v.startswith("gAAAA") for v in (ref, team, status))
    # The whole plain texts, not fragments: a short one such as "47" turns up in base64 by chance.
    assert "QXZ-48213" not in ref and "Kestrel Duty" not in team and "Section 47" not in status
    entry = CaseListEntry.objects.get(case_list=case_list)
    assert (entry.pseudonymous_ref, entry.team, entry.legal_status) == (
        "QXZ-48213",
        "Kestrel Duty",
        "Section 47",
    )
    assert entry.ref_digest == reference_digest("QXZ-48213")

    # And back: the text is plain again, under the old constraint.
    executor = _migrate([BEFORE])
    assert _raw() == ("QXZ-48213", "Kestrel Duty", "Section 47")
    _migrate(executor.loader.graph.leaf_nodes())
