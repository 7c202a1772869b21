"""Standard key document lists per type of diagnostic: seeded by a migration, kept by LGA
administrators in the admin site, and used when the PCM requests the standard documents."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.enums import DiagnosticType, Stage
from peerdiag.diagnostics.models import AuditEntry, Diagnostic
from peerdiag.documents.domain.requests import seed_standard_requests, standard_list
from peerdiag.documents.enums import EVERY_TYPE, Category
from peerdiag.documents.models import DocumentRequest, DocumentTemplateItem

pytestmark = pytest.mark.django_db

PARTNERSHIP_REPORT = "Latest annual report of the local safeguarding children partnership"


def _titles(diagnostic_type: str) -> list[str]:
    return [item.title for item in standard_list(diagnostic_type)]


def _as_type(d: Diagnostic, diagnostic_type: str) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(type=diagnostic_type)
    return Diagnostic.objects.get(pk=d.pk)


def _has(titles: list[str], *words: str) -> bool:
    return any(all(w.lower() in t.lower() for w in words) for t in titles)


# The lists the migration starts with -----------------------------------------------------------


def test_safeguarding_asks_for_the_ilacs_annex_data_and_the_self_evaluation():
    titles = _titles(DiagnosticType.SAFEGUARDING)
    assert _has(titles, "ILACS", "annex")
    assert _has(titles, "self-evaluation")
    assert PARTNERSHIP_REPORT in titles
    assert not _has(titles, "EHCP") and not _has(titles, "SEND")


def test_send_asks_for_its_self_evaluation_ehcp_data_and_improvement_plan():
    titles = _titles(DiagnosticType.SEND)
    assert _has(titles, "SEND self-evaluation")
    assert _has(titles, "EHCP")
    assert _has(titles, "SEND", "plan")
    assert PARTNERSHIP_REPORT in titles
    assert not _has(titles, "ILACS")


def test_early_years_asks_for_outcome_data():
    titles = _titles(DiagnosticType.EARLY_YEARS)
    assert _has(titles, "early years outcome data")
    assert PARTNERSHIP_REPORT in titles
    assert not _has(titles, "ILACS") and not _has(titles, "EHCP")


@pytest.mark.parametrize("diagnostic_type", DiagnosticType.values)
def test_every_type_has_the_partnership_report_once_and_a_self_assessment(diagnostic_type):
    titles = _titles(diagnostic_type)
    assert titles.count(PARTNERSHIP_REPORT) == 1
    assert len(titles) == len({t.lower() for t in titles})
    categories = {item.category for item in standard_list(diagnostic_type)}
    assert Category.SELF_ASSESSMENT in categories
    assert DocumentTemplateItem.objects.filter(type=EVERY_TYPE, title=PARTNERSHIP_REPORT).exists()


# Seeding a diagnostic's requests -------------------------------------------------------------


def test_a_send_diagnostic_is_asked_for_the_send_list(world):
    d = _as_type(world.own, DiagnosticType.SEND)
    made = seed_standard_requests(d, by=world.pcm)
    expected = [(i.title, i.category) for i in standard_list(DiagnosticType.SEND)]
    assert [(r.title, r.category) for r in made] == expected
    stored = set(DocumentRequest.objects.filter(diagnostic=d).values_list("title", "category"))
    assert stored == set(expected)
    assert not DocumentRequest.objects.filter(diagnostic=d, title__icontains="ILACS").exists()
    assert AuditEntry.objects.filter(
        diagnostic=d, summary=f"Requested the standard key documents ({len(expected)})"
    ).exists()


def test_an_item_the_lga_adds_is_asked_for_next_time_and_only_for_its_type(world):
    DocumentTemplateItem.objects.create(
        type=DiagnosticType.SAFEGUARDING,
        title="Front door audit findings",
        category=Category.QUALITY,
        order=5,
    )
    d = _as_type(world.own, DiagnosticType.SAFEGUARDING)
    other = _as_type(world.other, DiagnosticType.SEND)
    seed_standard_requests(d, by=world.pcm)
    seed_standard_requests(other, by=world.other_pcm)
    ask = DocumentRequest.objects.get(diagnostic=d, title="Front door audit findings")
    assert ask.category == Category.QUALITY
    assert not DocumentRequest.objects.filter(
        diagnostic=other, title="Front door audit findings"
    ).exists()


def test_a_title_on_both_lists_is_asked_for_once(world):
    DocumentTemplateItem.objects.create(
        type=DiagnosticType.SAFEGUARDING, title=PARTNERSHIP_REPORT.upper(), order=1
    )
    d = _as_type(world.own, DiagnosticType.SAFEGUARDING)
    seed_standard_requests(d, by=world.pcm)
    assert (
        DocumentRequest.objects.filter(diagnostic=d, title__iexact=PARTNERSHIP_REPORT).count() == 1
    )


def test_changing_the_list_leaves_requests_already_made_alone(world):
    d = _as_type(world.own, DiagnosticType.SEND)
    seed_standard_requests(d, by=world.pcm)
    before = set(DocumentRequest.objects.filter(diagnostic=d).values_list("title", flat=True))
    DocumentTemplateItem.objects.filter(type=DiagnosticType.SEND).delete()
    assert set(DocumentRequest.objects.filter(diagnostic=d).values_list("title", flat=True)) == (
        before
    )
    assert seed_standard_requests(d, by=world.pcm) == []


def test_a_type_without_any_list_is_refused_and_nothing_is_requested(world):
    DocumentTemplateItem.objects.filter(type__in=[EVERY_TYPE, DiagnosticType.OTHER]).delete()
    d = _as_type(world.own, DiagnosticType.OTHER)
    with pytest.raises(DomainError) as e:
        seed_standard_requests(d, by=world.pcm)
    assert "no standard list" in e.value.message
    assert not DocumentRequest.objects.filter(diagnostic=d).exists()


def test_a_closed_diagnostic_is_not_seeded(world):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.CLOSED)
    with pytest.raises(DomainError):
        seed_standard_requests(Diagnostic.objects.get(pk=world.own.pk), by=world.pcm)
    assert not DocumentRequest.objects.filter(diagnostic=world.own).exists()


def test_the_button_asks_for_the_types_list_and_the_council_cannot_press_it(world):
    d = _as_type(world.own, DiagnosticType.SEND)
    url = reverse("web:document_seed", args=[d.reference])
    sponsor = Client()
    sponsor.force_login(world.sponsor)
    assert sponsor.post(url).status_code == 403
    assert not DocumentRequest.objects.filter(diagnostic=d).exists()
    stranger = Client()
    stranger.force_login(world.other_pcm)
    assert stranger.post(url).status_code == 404
    assert not DocumentRequest.objects.filter(diagnostic=d).exists()

    pcm = Client()
    pcm.force_login(world.pcm)
    page = pcm.post(url, follow=True).content.decode()
    count = len(standard_list(DiagnosticType.SEND))
    assert f"{count} standard documents requested" in page
    assert "SEND self-evaluation" in page
    assert DocumentRequest.objects.filter(diagnostic=d).count() == count


# The admin site -------------------------------------------------------------------------------

ADD = "admin:documents_documenttemplateitem_add"
CHANGELIST = "admin:documents_documenttemplateitem_changelist"


def _admin(world) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.admin)
    return c


def _form(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type": DiagnosticType.EARLY_YEARS,
        "title": "Childcare sufficiency assessment",
        "category": Category.PLANS,
        "order": 55,
    }
    data.update(over)
    return data


def test_an_lga_administrator_lists_and_adds_items(world):
    admin = _admin(world)
    listing = admin.get(reverse(CHANGELIST) + "?type__exact=send").content.decode()
    assert "SEND self-evaluation" in listing and "ILACS" not in listing
    response = admin.post(reverse(ADD), _form())
    assert response.status_code == 302
    item = DocumentTemplateItem.objects.get(title="Childcare sufficiency assessment")
    assert (item.type, item.category, item.order) == (DiagnosticType.EARLY_YEARS, "plans", 55)
    assert "Childcare sufficiency assessment" in _titles(DiagnosticType.EARLY_YEARS)


def test_an_lga_administrator_changes_and_removes_items(world):
    admin = _admin(world)
    item = DocumentTemplateItem.objects.get(type=DiagnosticType.SEND, title="SEND self-evaluation")
    change = reverse("admin:documents_documenttemplateitem_change", args=[item.pk])
    admin.post(change, _form(type=DiagnosticType.SEND, title="SEND self-evaluation (latest)"))
    item.refresh_from_db()
    assert item.title == "SEND self-evaluation (latest)"
    delete = reverse("admin:documents_documenttemplateitem_delete", args=[item.pk])
    admin.post(delete, {"post": "yes"})
    assert not DocumentTemplateItem.objects.filter(pk=item.pk).exists()
    assert not _has(_titles(DiagnosticType.SEND), "SEND self-evaluation")


def test_the_admin_refuses_a_repeated_title_and_a_long_one(world):
    admin = _admin(world)
    before = DocumentTemplateItem.objects.count()
    repeat = admin.post(reverse(ADD), _form(type=EVERY_TYPE, title=PARTNERSHIP_REPORT.lower()))
    assert "already has a document with this title" in repeat.content.decode()
    long = admin.post(reverse(ADD), _form(title="x" * 201))
    assert "at most 200 characters" in long.content.decode()
    blank = admin.post(reverse(ADD), _form(title="   "))
    assert "This field is required" in blank.content.decode()
    assert DocumentTemplateItem.objects.count() == before


def test_people_who_are_not_lga_administrators_cannot_edit_the_lists(world):
    before = DocumentTemplateItem.objects.count()
    for user in (world.pcm, world.sponsor, world.peer):
        c = Client()
        c.force_login(user)
        listing = c.get(reverse(CHANGELIST))
        assert listing.status_code == 302 and "/login/" in listing["Location"]
        c.post(reverse(ADD), _form(title=f"Added by {user.email}"))
    assert DocumentTemplateItem.objects.count() == before
    assert not DocumentTemplateItem.objects.filter(title__startswith="Added by").exists()
