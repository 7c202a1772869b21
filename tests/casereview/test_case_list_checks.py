"""The case list check (issue 15): every way a child's name or date of birth got through is now
refused, with the row and column named and the value itself never repeated; only the four
columns are taken; the council's reference format is set and enforced; a clean list passes;
and the references, teams and legal statuses are encrypted at rest."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from peerdiag.casereview.domain.lists import (
    check_reference_pattern,
    forenames,
    has_forename,
    import_case_list,
    looks_like_date,
    parse_case_csv,
    set_reference_pattern,
    words,
)
from peerdiag.casereview.domain.reviews import review_for
from peerdiag.casereview.models import CaseListEntry, CaseReview, reference_digest
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, StaleEdit
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.models import AgreedCaseList, AuditEntry, Diagnostic
from tests.casereview.helpers import csv_bytes

HEADER = "reference,cohort,team,legal_status"
EARLIER = ["MOS1000", "MOS1001", "MOS1002"]


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def case_list(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(case_review_in_scope=True)
    world.own.case_review_in_scope = True
    found = AgreedCaseList.objects.create(diagnostic=world.own, name="Open cases")
    import_case_list(found, by=world.pcm, data=csv_bytes(3))
    return found


def _refused(world, case_list, data: bytes, planted: str) -> str:  # type: ignore[no-untyped-def]
    """The refusal's message, after checking it kept the planted value out and that nothing of
    the file was imported."""
    with pytest.raises(DomainError) as e:
        import_case_list(case_list, by=world.pcm, data=data)
    message = e.value.message
    assert e.value.field == "file"
    assert planted not in message
    assert planted.lower() not in message.lower()
    assert message.endswith("Nothing was imported")
    refs = sorted(case_list.entries.values_list("pseudonymous_ref", flat=True))
    assert refs == EARLIER
    return message


# The examples the issue found accepted ---------------------------------------------------------

ACCEPTED_BEFORE = [
    # (row, planted value, the column it sits in)
    ("MOS1,cp,AMY SMITH,Section 17", "AMY SMITH", "Row 2, column 3 ('team')"),
    ("AMY SMITH,cp,Assessment,Section 17", "AMY SMITH", "Row 2, column 1 ('reference')"),
    ("amy.smith.2015,cp,Assessment,Section 17", "amy.smith.2015", "Row 2, column 1 ('reference')"),
    ("MOS1,cp,Amy Court,Section 17", "Amy Court", "Row 2, column 3 ('team')"),
    ("MOS1,cp,Court Team,Amy Court", "Amy Court", "Row 2, column 4 ('legal_status')"),
    ("MOS1,cp,Assessment,2015/01/05", "2015/01/05", "Row 2, column 4 ('legal_status')"),
    (
        "MOS1,cp,Assessment,born 5th January 2015",
        "5th January 2015",
        "Row 2, column 4 ('legal_status')",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "planted", "where"), ACCEPTED_BEFORE)
def test_what_was_accepted_before_is_refused_by_row_and_column(  # type: ignore[no-untyped-def]
    world, case_list, row, planted, where
):
    message = _refused(world, case_list, _csv(row), planted)
    assert message.startswith(where)


@pytest.mark.django_db
def test_an_unknown_extra_column_is_refused_not_dropped(world, case_list):  # type: ignore[no-untyped-def]
    data = _csv("MOS1,cp,Duty,S17,Amy Smith", header=f"{HEADER},notes")
    message = _refused(world, case_list, data, "Amy Smith")
    assert message.startswith("Column 5 ('notes') is not a column a case list can have")


# Columns ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # A heading that is itself a name or a date is not repeated: only its number is given.
        (f"{HEADER},Amy", "Column 5 is not a column a case list can have"),
        (f"{HEADER},05/01/2015", "Column 5 is not a column a case list can have"),
        (f"{HEADER},Child", "Column 5 ('Child') is not a column a case list can have"),
        (f"{HEADER},Date of birth", "Column 5 ('Date of birth') would hold names or dates"),
        (f"{HEADER},team", "Column 5 ('team') repeats column 3"),
        (f"Amy,{HEADER}", "Column 1 is not a column a case list can have"),
    ],
)
def test_only_the_four_columns_are_taken(header, expected):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        parse_case_csv(_csv("MOS1,cp,Duty,S17,x", header=header))
    assert e.value.message.startswith(expected)
    assert "Amy" not in e.value.message and "05/01/2015" not in e.value.message


def test_a_value_under_no_heading_or_past_the_last_one_is_refused():
    with pytest.raises(DomainError) as e:
        parse_case_csv(_csv("MOS1,cp,Duty,S17,Amy Smith", header=f"{HEADER},"))
    assert e.value.message.startswith("Row 2, column 5 has something in it but the column has")
    with pytest.raises(DomainError) as e:
        parse_case_csv(_csv("MOS1,cp,Duty,S17,,Amy Smith"))
    assert e.value.message.startswith("Row 2, column 6 has something in it")
    assert "Amy" not in e.value.message
    # Empty cells past the last heading (a spreadsheet's habit) are fine.
    assert parse_case_csv(_csv("MOS1,cp,Duty,S17,,"))[0].reference == "MOS1"


def test_the_other_spellings_of_the_columns_are_taken():
    rows = parse_case_csv(
        _csv("MOS1,cp,Duty,S17", header="Case reference,Cohort,Team,Legal status")
    )
    assert rows[0].reference == "MOS1" and rows[0].legal_status == "S17"


# Names ------------------------------------------------------------------------------------------


def test_the_forename_list_ships_with_the_package():
    names = forenames()
    assert len(names) > 5000
    assert {"amy", "olivia", "muhammad", "noah", "zoe"} <= names
    assert all(n == n.lower() and len(n) >= 3 for n in names)
    # Ordinary words of team names are left out on purpose (see the file's header).
    assert not {"foster", "young", "long", "ward", "forest"} & names


@pytest.mark.parametrize(
    "value",
    [
        "AMY SMITH",
        "amy smith",
        "Amy Smith",
        "amy.smith.2015",
        "amy_smith",
        "amy-smith",
        "AmySmith",
        "AMYSmith",
        "smithAmy",
        "Smith, Amy",
        "Amy Court",
        "Court Team (Amy)",
        "ZOË BROWN",
        "MOS1234AMY",
    ],
)
def test_names_are_caught_whatever_their_case_or_joining(value):  # type: ignore[no-untyped-def]
    assert has_forename(value)
    with pytest.raises(DomainError) as e:
        parse_case_csv(_csv(f"MOS1,cp,{value.replace(',', '')},S17"))
    assert e.value.message.startswith("Row 2, column 3 ('team') holds a word that is a common")
    assert value not in e.value.message


def test_words_split_at_non_letters_and_case_changes():
    assert words("amy.smith_2015-AmySmith AMYSmith Zoë") == [
        "amy",
        "smith",
        "amy",
        "smith",
        "amy",
        "smith",
        "zoe",
    ]


def test_the_host_councils_own_place_name_is_not_taken_for_a_first_name():
    assert has_forename("Kent Fostering")  # Kent is a first name...
    rows = parse_case_csv(_csv("MOS1,cp,Kent Fostering,S20"), place_words=frozenset({"kent"}))
    assert rows[0].team == "Kent Fostering"  # ...but in Kent's own lists it is the county
    with pytest.raises(DomainError):
        parse_case_csv(_csv("MOS1,cp,Amy Kent,S20"), place_words=frozenset({"kent"}))


@pytest.mark.django_db
def test_a_lists_place_words_come_from_its_host_council(world, case_list):  # type: ignore[no-untyped-def]
    data = _csv("MOS1,cp,Chester Duty,S17")
    assert "common first name" in _refused(world, case_list, data, "Chester")
    council = world.own.host_council
    council.name = "Chester Vale (a test council)"
    council.save()
    assert import_case_list(case_list, by=world.pcm, data=data) == 1


# Dates ------------------------------------------------------------------------------------------

DATES = [
    "2015/01/05",
    "05/01/2015",
    "5/1/2015",
    "01/25/2015",
    "5.1.15",
    "05.01.2015",
    "2015-01-05",
    "05-01-2015",
    "2015.1.5",
    "20150105",
    "05012015",
    "5th January 2015",
    "5 January 2015",
    "5th of January 2015",
    "January 5, 2015",
    "Jan 5th 2015",
    "5 Jan 15",
    "05-Jan-2015",
    "5-Jan-15",
    "January 5",
    "5 January",
    "January 2015",
    "Jan 2015",
    "2015 January",
    "born 2015",
    "Born in 2015",
    "DOB 2015",
    "d.o.b. 2015",
    "12 May 2020",
    "2015-01-05T00:00:00",
    "ICO 12.05.2023",
    "MOS20150105",
]
NOT_DATES = [
    "S20",
    "S.31",
    "Section 47",
    "Section 20",
    "CP Plan 2 years",
    "MOS-2015-0012",
    "AB123456",
    "12345678",
    "Care Leavers 18+",
    "Leaving Care 16-25",
    "Regulation 24",
    "2015",
    "Area 2 West",
    "12-34-56",
    "Team 1/2",
    "May",
]


@pytest.mark.parametrize("value", DATES)
def test_dates_in_every_common_form_are_refused(value):  # type: ignore[no-untyped-def]
    assert looks_like_date(value)
    with pytest.raises(DomainError) as e:
        parse_case_csv(_csv(f"MOS1,cp,Duty,{value.replace(',', '')}"))
    assert e.value.message.startswith("Row 2, column 4 ('legal_status') looks like a date")
    assert value not in e.value.message


@pytest.mark.parametrize("value", NOT_DATES)
def test_numbers_that_are_not_dates_pass(value):  # type: ignore[no-untyped-def]
    assert not looks_like_date(value)


FORMATS = [
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d:%d/%m/%Y}",
    lambda d: f"{d.day}/{d.month}/{d:%Y}",
    lambda d: f"{d.day}.{d.month}.{d:%y}",
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d:%d-%m-%Y}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d:%d%m%Y}",
    lambda d: f"{d.day} {d:%B %Y}",
    lambda d: f"{d.day}th {d:%B %Y}",
    lambda d: f"{d:%B} {d.day}, {d:%Y}",
    lambda d: f"{d.day} {d:%b %y}",
    lambda d: f"{d:%d-%b-%Y}",
    lambda d: f"{d:%b %Y}",
    lambda d: f"born {d:%Y}",
    lambda d: f"DOB: {d:%Y}",
    lambda d: f"{d:%m/%d/%Y}",
]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    form=st.sampled_from(range(len(FORMATS))),
    before=st.sampled_from(["", "CP ", "Section 20 ", "dob "]),
)
def test_any_date_of_birth_in_any_form_is_caught(day, form, before):  # type: ignore[no-untyped-def]
    assert looks_like_date(before + FORMATS[form](day))


# The council's reference format ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (".*", "must not accept an empty reference"),
        (".+", "accepts ‘Amy Smith’"),
        (r"[A-Za-z ]+", "accepts ‘Amy Smith’"),
        (r"^[A-Z ]+$", "accepts ‘AMY SMITH’"),
        (r"[A-Za-z0-9.]+", "accepts ‘amy.smith.2015’"),
        (r"\w+", "accepts ‘amy_smith’"),
        (r"[A-Za-z]{2,12}", "accepts ‘AmySmith’"),
        (r"\d{2}/\d{2}/\d{4}", "accepts ‘05/01/2015’"),
        (r"[", "is not a regular expression"),
        (r"(a+)+$", "could make checking slow"),
        (r"(AB|\d)+", "could make checking slow"),
        (r"(\d)\1", "could make checking slow"),
        ("^[A-Z]{2}" + r"\d" * 200 + "$", "can be up to 200 characters"),
    ],
)
@pytest.mark.django_db
def test_a_format_that_lets_names_or_dates_through_is_refused(  # type: ignore[no-untyped-def]
    world, case_list, pattern, why
):
    review = review_for(world.own)
    with pytest.raises(DomainError) as e:
        set_reference_pattern(review, by=world.pcm, pattern=pattern, version=review.version)
    assert why in e.value.message and e.value.field == "pattern"
    review.refresh_from_db()
    assert review.reference_pattern == ""


@pytest.mark.django_db
def test_with_the_format_set_references_outside_it_are_refused(world, case_list):  # type: ignore[no-untyped-def]
    review = review_for(world.own)
    set_reference_pattern(review, by=world.pcm, pattern=r"^[A-Z]{2}\d{6}$", version=review.version)
    assert review.version == 2
    entry = AuditEntry.objects.get(diagnostic=world.own, action="case_reference_format")
    assert entry.summary == r"Case reference format set to ^[A-Z]{2}\d{6}$"
    assert import_case_list(case_list, by=world.pcm, data=_csv("AB123456,cp,Duty,S17")) == 1
    for outside in ["AB12345", "MOS1000", "ab123456", "AB123456X"]:
        message = _refused_after(world, case_list, _csv(f"{outside},cp,Duty,S17"), outside)
        assert message.startswith("Row 2, column 1 ('reference') does not match the council's")
    # A name is still refused, even shaped to the format.
    assert "common first name" in _refused_after(
        world, case_list, _csv("AMY SMITH,cp,Duty,S17"), "AMY SMITH"
    )


def _refused_after(world, case_list, data: bytes, planted: str) -> str:  # type: ignore[no-untyped-def]
    before = sorted(case_list.entries.values_list("pseudonymous_ref", flat=True))
    with pytest.raises(DomainError) as e:
        import_case_list(case_list, by=world.pcm, data=data)
    assert planted not in e.value.message
    assert sorted(case_list.entries.values_list("pseudonymous_ref", flat=True)) == before
    return e.value.message


def test_a_councils_own_prefix_is_not_taken_for_a_name():
    assert check_reference_pattern(r"^KEN\d{6}$") == r"^KEN\d{6}$"
    assert parse_case_csv(_csv("KEN123456,cp,Duty,S17"), pattern=r"^KEN\d{6}$")
    with pytest.raises(DomainError):
        parse_case_csv(_csv("KEN123456,cp,Duty,S17"))  # Ken is a name without the format


def test_eight_digit_case_numbers_pass_only_under_a_format_that_says_so():
    with pytest.raises(DomainError, match="looks like a date"):
        parse_case_csv(_csv("20150105,cp,Duty,S17"))
    assert parse_case_csv(_csv("20150105,cp,Duty,S17"), pattern=r"^\d{8}$")
    # The team and legal status are checked for dates as before.
    with pytest.raises(DomainError, match="column 4"):
        parse_case_csv(_csv("20150106,cp,Duty,20150105"), pattern=r"^\d{8}$")


def test_without_a_format_a_reference_is_letters_and_digits_with_a_digit():
    for bad in ["SMITH", "MOS 1", "MOS1!", "-MOS1"]:
        with pytest.raises(DomainError, match="is not a case reference"):
            parse_case_csv(_csv(f"{bad},cp,Duty,S17"))
    assert parse_case_csv(_csv("CIN/2024/0012,cp,Duty,S17"))[0].reference == "CIN/2024/0012"


@pytest.mark.django_db
def test_a_stale_format_is_refused_and_clearing_goes_back_to_the_standard_rule(world, case_list):  # type: ignore[no-untyped-def]
    review = review_for(world.own)
    seen = review.version
    set_reference_pattern(review, by=world.pcm, pattern=r"^\d{7}$", version=seen)
    with pytest.raises(StaleEdit):
        set_reference_pattern(
            CaseReview.objects.get(pk=review.pk), by=world.pcm, pattern=r"^\d{6}$", version=seen
        )
    assert CaseReview.objects.get(pk=review.pk).reference_pattern == r"^\d{7}$"
    set_reference_pattern(review, by=world.pcm, pattern="  ", version=review.version)
    assert CaseReview.objects.get(pk=review.pk).reference_pattern == ""
    assert import_case_list(case_list, by=world.pcm, data=_csv("MOS-77,cp,Duty,S17")) == 1


# A clean list -----------------------------------------------------------------------------------

CLEAN = [
    "CIN-0001,child in need,Court Team,Child in Need Plan",
    "CP-0002,cp,North Locality,Child Protection Plan",
    "CP-0003,child protection,South Locality,CP Plan - Neglect",
    "LAC-0004,cic,Leaving Care,S20",
    "LAC-0005,child in care,Children in Care Team 1,Interim Care Order",
    "LAC-0006,lac,Court Team,Full Care Order (S31)",
    "LAC-0007,cic,Fostering Team,Placement Order",
    "CL-0008,care leaver,Leaving Care,Former relevant",
    "CL-0009,care leaver,Young People's Service,Eligible",
    "EH-0010,early help,Early Help Hub,None",
    "FD-0011,front door,MASH,Section 47 Enquiry",
    "SEND-0012,send,Children with Disabilities,EHCP",
    "CP-0013,cp,Long Term Team,Child Protection - Emotional Abuse",
    "LAC-0014,cic,Edge of Care,Special Guardianship Order",
    "LAC-0015,cic,Permanence Team,Foster Care",
    "CIN-0016,cin,Family Safeguarding Team,Section 17",
    "LAC-0017,cic,Unaccompanied Asylum Seeking Children,Accommodated under S20",
    "CP-0018,cp,Referral & Assessment,Pre-birth assessment",
    "CP-0019,cp,Youth Justice,Remanded to LA",
    "CIN-0020,cin,Targeted Youth Support,Public Law Outline",
]


@pytest.mark.django_db
def test_a_clean_realistic_list_is_accepted(world, case_list):  # type: ignore[no-untyped-def]
    assert import_case_list(case_list, by=world.pcm, data=_csv(*CLEAN)) == len(CLEAN)
    stored = {e.pseudonymous_ref: (e.team, e.legal_status) for e in case_list.entries.all()}
    assert stored["LAC-0005"] == ("Children in Care Team 1", "Interim Care Order")
    assert stored["CP-0013"] == ("Long Term Team", "Child Protection - Emotional Abuse")


@pytest.mark.django_db
def test_a_repeated_reference_is_refused_without_repeating_it(world, case_list):  # type: ignore[no-untyped-def]
    message = _refused(world, case_list, _csv("MOS-77,cp,Duty,S17", "mos-77,cp,Duty,S17"), "77")
    assert message.startswith("Row 3, column 1 repeats the case reference of row 2")


# The page ---------------------------------------------------------------------------------------


def _cleared_client(world) -> Client:  # type: ignore[no-untyped-def]
    briefing = issue_briefing(
        world.own, by=world.pcm, file=ContentFile(b"%PDF-1.4"), name="b.pdf", version=UNCHECKED
    )
    set_confidentiality(world.own, by=world.sponsor, required=False, version=UNCHECKED)
    acknowledge_briefing(briefing, by=None, person=world.pcm.person)
    c = Client()
    c.force_login(world.pcm)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c


@pytest.mark.django_db
def test_the_upload_page_names_row_and_column_but_never_shows_the_value(world, case_list):  # type: ignore[no-untyped-def]
    c = _cleared_client(world)
    url = reverse("web:casereview_upload", args=[world.own.reference, case_list.code])
    planted = "Amy Quartermaine"
    f = SimpleUploadedFile("l.csv", _csv("MOS1,cp,Duty,S17", f"MOS2,cp,Duty,{planted}"))
    page = c.post(url, {"file": f}).content.decode()
    assert "There is a problem" in page
    assert "Row 3, column 4 (&#x27;legal_status&#x27;) holds a word that is a common" in page
    assert "Quartermaine" not in page
    assert sorted(case_list.entries.values_list("pseudonymous_ref", flat=True)) == EARLIER


@pytest.mark.django_db
def test_the_pcm_sets_the_format_on_its_page(world, case_list):  # type: ignore[no-untyped-def]
    c = _cleared_client(world)
    url = reverse("web:casereview_reference_format", args=[world.own.reference])
    overview = c.get(reverse("web:casereview", args=[world.own.reference])).content.decode()
    assert f'href="{url}"' in overview and "Set the case reference format" in overview
    page = c.get(url).content.decode()
    assert "Case reference format" in page and 'name="version" value="1"' in page
    # A format that lets a name through: the error summary, nothing saved.
    page = c.post(url, {"pattern": "[A-Za-z ]+", "version": "1"}).content.decode()
    assert "There is a problem" in page and "accepts ‘Amy Smith’" in page
    assert 'href="#id_pattern"' in page
    assert CaseReview.objects.get(diagnostic=world.own).reference_pattern == ""
    response = c.post(url, {"pattern": r"^[A-Z]{2}\d{6}$", "version": "1"})
    assert response.status_code == 302
    assert "The reference format is saved" in next(
        str(m) for m in get_messages(response.wsgi_request)
    )
    assert CaseReview.objects.get(diagnostic=world.own).reference_pattern == r"^[A-Z]{2}\d{6}$"
    # A second save from the same stale page shows both, saves nothing.
    page = c.post(url, {"pattern": r"^\d{7}$", "version": "1"}).content.decode()
    assert "after you opened it" in page
    assert CaseReview.objects.get(diagnostic=world.own).reference_pattern == r"^[A-Z]{2}\d{6}$"


# Encryption at rest -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_references_teams_and_legal_statuses_are_encrypted_at_rest(world, case_list):  # type: ignore[no-untyped-def]
    import_case_list(
        case_list, by=world.pcm, data=_csv("QXZ-48213,cp,Kestrel Duty,Section 47 Enquiry")
    )
    entry = case_list.entries.get()
    assert entry.pseudonymous_ref == "QXZ-48213"
    table = CaseListEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pseudonymous_ref, team, legal_status, ref_digest FROM {table} WHERE id = %s",  # noqa: S608
            [entry.pk],
        )
        raw = cursor.fetchone()
    stored = " ".join(raw)
    for plain in ("QXZ", "48213", "Kestrel", "Section 47"):
        assert plain not in stored
    assert raw[0].startswith("gAAAA")  # a Fernet token
    assert raw[3] == reference_digest("qxz-48213") and len(raw[3]) == 64
    with pytest.raises(TypeError, match="encrypted"):
        CaseListEntry.objects.filter(pseudonymous_ref="QXZ-48213").exists()


@pytest.mark.django_db
def test_the_database_keeps_a_reference_once_per_list_by_its_digest(world, case_list):  # type: ignore[no-untyped-def]
    CaseListEntry.objects.create(case_list=case_list, pseudonymous_ref="DUP-1", cohort="cp")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseListEntry.objects.create(case_list=case_list, pseudonymous_ref=" dup-1", cohort="cp")


@pytest.mark.django_db
def test_the_digest_follows_the_reference_when_retention_replaces_it(world, case_list):  # type: ignore[no-untyped-def]
    entry = case_list.entries.first()
    entry.pseudonymous_ref = f"destroyed-{entry.code}"
    entry.save(update_fields=["pseudonymous_ref"])
    entry.refresh_from_db()
    assert entry.ref_digest == reference_digest(f"destroyed-{entry.code}")
