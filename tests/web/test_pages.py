"""Page behaviour: what each role sees, GOV.UK error summaries, constant query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.enums import Region
from tests.factories import (
    PASSWORD,
    CouncilFactory,
    DiagnosticFactory,
    KloeFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_sign_in_with_email_and_a_clear_error(world):  # type: ignore[no-untyped-def]
    c = Client()
    bad = c.post(reverse("web:login"), {"username": "pcm@example.org", "password": "wrong"})
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "govuk-error-summary" in html
    assert "The e-mail address or password is not right" in html
    good = c.post(reverse("web:login"), {"username": "PCM@example.org", "password": PASSWORD})
    assert good.status_code == 302 and good["Location"] == reverse("web:dashboard")
    assert c.get(reverse("web:dashboard")).context["user"] == world.pcm


def test_dashboard_lists_only_what_the_user_may_see(world):  # type: ignore[no-untyped-def]
    refs = lambda user: [r["d"].reference for r in _client(user).get("/").context["rows"]]  # noqa: E731
    assert refs(world.pcm) == ["RPD-2027-001"]
    assert refs(world.sponsor) == ["RPD-2027-001"]
    assert refs(world.other_council_user) == ["RPD-2027-002"]
    assert sorted(refs(world.admin)) == ["RPD-2027-001", "RPD-2027-002"]


def test_dashboard_filters_and_paginates_for_admins(world):  # type: ignore[no-untyped-def]
    north = CouncilFactory(region=Region.NORTH_EAST)
    for i in range(30):
        DiagnosticFactory(host_council=north, stage=Stage.PREPARATION if i % 2 else Stage.SCOPED)
    c = _client(world.admin)
    page1 = c.get("/", {"region": "north_east"}).context
    assert page1["page"].paginator.count == 30
    assert len(page1["rows"]) == 25
    page2 = c.get("/", {"region": "north_east", "page": 2}).context
    assert len(page2["rows"]) == 5
    prep = c.get("/", {"region": "north_east", "stage": "preparation"}).context
    assert prep["page"].paginator.count == 15
    assert all(r["d"].stage == "preparation" for r in prep["rows"])
    assert c.get("/", {"type": "send"}).context["page"].paginator.count == 0
    empty = c.get("/", {"type": "send"}).content.decode()
    assert "No diagnostic matches these filters" in empty


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    one = _queries(c, "/")
    added = []
    for _ in range(2):
        d = DiagnosticFactory(day1=date(2027, 3, 1))
        TeamMemberFactory(diagnostic=d, person=world.pcm.person, role="peer_challenge_manager")
        added.append(d.pk)
    # The PCM's to-do list runs the next gate of each diagnostic they manage (issue 18,
    # portfolio/domain/todos.py): that, and nothing else on the page, grows.
    managed = list(
        Diagnostic.objects.select_related("host_council", "scoping").filter(pk__in=added)
    )
    with CaptureQueriesContext(connection) as gates:
        for d in managed:
            for to in next_stages(d):
                gate_blockers(d, to)
    assert _queries(c, "/") == one + len(gates.captured_queries)


def test_overview_query_count_does_not_grow_with_kloes_roles_or_audit(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:diagnostic_overview", args=[world.own.reference])
    KloeFactory(diagnostic=world.own, order=1)
    before = _queries(c, url)
    for i in range(2, 5):
        KloeFactory(diagnostic=world.own, order=i)
        TeamMemberFactory(diagnostic=world.own)
    c.post(
        reverse("web:diagnostic_edit", args=[world.own.reference]), {"title": "T2", "type": "send"}
    )
    assert _queries(c, url) == before


def test_council_never_sees_internal_parts(world):  # type: ignore[no-untyped-def]
    Diagnostic.objects.filter(pk=world.own.pk).update(internal_notes="Sponsor seems defensive")
    url = reverse("web:diagnostic_overview", args=[world.own.reference])
    council_html = _client(world.sponsor).get(url).content.decode()
    pcm_html = _client(world.pcm).get(url).content.decode()
    for internal in ("Sponsor seems defensive", "Peer team", "Recent changes", "Next step"):
        assert internal in pcm_html
        assert internal not in council_html
    assert world.own.title in council_html


def test_create_form_shows_errors_and_creates_nothing(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    r = c.post(reverse("web:diagnostic_create"), {"title": "", "type": "other"})
    html = r.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_host_council">Choose the host council</a>' in html
    assert '<a href="#id_title">Enter a title</a>' in html
    assert "Say what kind of diagnostic this is" in html
    assert html.count("govuk-form-group--error") == 3
    assert Diagnostic.objects.count() == 2


def test_create_opens_an_enquiry_managed_by_its_creator(world):  # type: ignore[no-untyped-def]
    council = CouncilFactory()
    r = _client(world.pcm).post(
        reverse("web:diagnostic_create"),
        {"host_council": council.code, "title": "Front door", "type": "safeguarding"},
    )
    d = Diagnostic.objects.get(title="Front door")
    assert r["Location"] == reverse("web:diagnostic_overview", args=[d.reference])
    assert d.stage == Stage.ENQUIRY and d.host_council == council
    assert list(d.team.values_list("person", flat=True)) == [world.pcm.person.pk]


def test_day1_form_refuses_a_weekend_with_the_field_named(world):  # type: ignore[no-untyped-def]
    url = reverse("web:diagnostic_dates", args=[world.own.reference])
    r = _client(world.pcm).post(url, {"day1_0": "6", "day1_1": "3", "day1_2": "2027", "version": 1})
    html = r.content.decode()
    assert (
        '<a href="#id_day1_0">Day 1 must be a working day, not a weekend or bank holiday</a>'
        in html
    )
    world.own.refresh_from_db()
    assert world.own.day1 is None
    bad = _client(world.pcm).post(
        url, {"day1_0": "31", "day1_1": "2", "day1_2": "2027", "version": 1}
    )
    assert "Enter a real date" in bad.content.decode()
    ok = _client(world.pcm).post(
        url, {"day1_0": "1", "day1_1": "3", "day1_2": "2027", "version": 1}
    )
    assert ok.status_code == 302
    world.own.refresh_from_db()
    assert world.own.day1 == date(2027, 3, 1)


def test_advance_page_lists_blockers_with_links_and_refuses(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:advance", args=[world.own.reference, "scoping_scheduled"])
    html = c.get(url).content.decode()
    scoping_url = reverse("web:scoping", args=[world.own.reference])
    assert f'<a class="govuk-link" href="{scoping_url}">Book the online scoping meeting</a>' in html
    r = c.post(url)
    assert r.status_code == 200
    assert "Not moved" in r.content.decode()
    world.own.refresh_from_db()
    assert world.own.stage == Stage.ENQUIRY


def test_scoping_then_advance_moves_the_stage(world):  # type: ignore[no-untyped-def]
    world.own.host_council.region = Region.LONDON
    world.own.host_council.save()
    c = _client(world.pcm)
    c.post(
        reverse("web:scoping", args=[world.own.reference]),
        {"scheduled_for": "2027-01-10T10:00", "version": 0},
    )
    r = c.post(reverse("web:advance", args=[world.own.reference, "scoping_scheduled"]))
    assert r.status_code == 302
    world.own.refresh_from_db()
    assert world.own.stage == Stage.SCOPING_SCHEDULED


def test_kloe_suggestions_add_and_confirm_before_removing(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:kloe_list", args=[world.own.reference])
    page = c.get(url).context
    first = page["suggestions"][0]
    c.post(
        reverse("web:kloe_add_suggestion", args=[world.own.reference]), {"index": first["index"]}
    )
    kloe = world.own.kloes.get()
    assert (kloe.text, kloe.theme) == (first["text"], first["theme"])
    remove = reverse("web:kloe_delete", args=[world.own.reference, kloe.code])
    assert "Yes, remove it" in c.get(remove).content.decode()
    assert world.own.kloes.count() == 1
    c.post(remove, {"version": kloe.version})
    assert world.own.kloes.count() == 0


def test_council_role_with_a_new_person(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:council_roles", args=[world.own.reference])
    r = c.post(url, {"role": "lead_member"})
    assert "Choose a person, or enter a new person" in r.content.decode()
    c.post(
        url, {"role": "lead_member", "new_name": "Cllr Pat Jones", "new_job_title": "Lead member"}
    )
    held = world.own.council_roles.get(role="lead_member")
    assert held.person.full_name == "Cllr Pat Jones"
    assert held.person.organisation == world.own.host_council


def test_postpone_needs_a_reason(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    url = reverse("web:postpone", args=[world.own.reference])
    assert "Give a reason" in c.post(url, {"reason": ""}).content.decode()
    c.post(url, {"reason": "New director"})
    world.own.refresh_from_db()
    assert world.own.stage == Stage.POSTPONED


def test_htmx_filter_gets_only_the_results(world):  # type: ignore[no-untyped-def]
    c = _client(world.admin)
    partial = c.get("/", {"stage": "enquiry"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="results">')
    assert "<html" not in partial and "RPD-2027-001" in partial
    full = c.get("/", {"stage": "enquiry"}).content.decode()
    assert "<html" in full and '<div id="results">' in full
