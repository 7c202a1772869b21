import pytest

from peerdiag.casereview.domain.lists import import_case_list, parse_case_csv
from peerdiag.casereview.models import CaseListEntry
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AgreedCaseList, AuditEntry
from tests.casereview.helpers import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_list(world):  # type: ignore[no-untyped-def]
    return AgreedCaseList.objects.create(diagnostic=world.own, name="Child protection plans")


def test_a_list_is_imported_with_cohorts_team_and_legal_status(world, case_list):  # type: ignore[no-untyped-def]
    data = (
        b"Reference,Cohort,Team,Legal status\nMOS-1,CP,Front Door,Section 47\n"
        b"MOS-2,care leaver,Leaving Care Team,Former relevant\n"
    )
    assert import_case_list(case_list, by=world.pcm, data=data) == 2
    rows = list(case_list.entries.values_list("pseudonymous_ref", "cohort", "team", "legal_status"))
    assert rows == [
        ("MOS-1", "child_protection", "Front Door", "Section 47"),
        ("MOS-2", "care_leaver", "Leaving Care Team", "Former relevant"),
    ]
    entry = AuditEntry.objects.filter(diagnostic=world.own, action="case_list_imported").get()
    assert "MOS-1" not in entry.summary


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"reference,cohort,team,legal_status,first_name\nA1,cp,T,S\n", "Column 5 ('first_name')"),
        (b"reference,cohort,team,legal_status,DOB\nA1,cp,T,S\n", "Column 5 ('DOB')"),
        (
            b"reference,cohort,team,legal_status\nA1,cp,T,S\nA2,cp,Amy Smith,S\n",
            "Row 3, column 3 ('team') holds a word that is a common first name",
        ),
        (
            b"reference,cohort,team,legal_status\nA1,cp,T,12/03/2014\n",
            "Row 2, column 4 ('legal_status') looks like a date",
        ),
        (
            b"reference,cohort,team,legal_status\n2014-03-12,cp,T,S\n",
            "Row 2, column 1 ('reference') looks like a date",
        ),
        (
            b"reference,cohort,team,legal_status\nA1,adults,T,S\n",
            "Row 2, column 2 ('cohort'): the cohort must be one of",
        ),
        (b"reference,cohort\nA1,cp\n", "missing: team, legal_status"),
    ],
)
def test_names_dates_of_birth_and_bad_rows_are_refused_and_nothing_is_imported(  # type: ignore[no-untyped-def]
    world, case_list, data, message
):
    import_case_list(case_list, by=world.pcm, data=csv_bytes(3))
    with pytest.raises(DomainError) as e:
        import_case_list(case_list, by=world.pcm, data=data)
    assert message in e.value.message
    assert e.value.field == "file"
    # The earlier list is untouched: all or nothing.
    assert sorted(case_list.entries.values_list("pseudonymous_ref", flat=True)) == [
        "MOS1000",
        "MOS1001",
        "MOS1002",
    ]


def test_service_names_with_capitals_are_not_taken_for_names():
    rows = parse_case_csv(
        b"reference,cohort,team,legal_status\nX9,front door,Front Door Hub,Child Protection Plan\n"
    )
    assert rows[0].team == "Front Door Hub"


def test_a_reimport_replaces_the_list(world, case_list):  # type: ignore[no-untyped-def]
    import_case_list(case_list, by=world.pcm, data=csv_bytes(5))
    import_case_list(case_list, by=world.pcm, data=csv_bytes(2, prefix="LCS"))
    assert CaseListEntry.objects.filter(case_list=case_list).count() == 2
