"""The findings pages and the drafting-day board, through the web client."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerdiag.findings.domain.board import board_fingerprint
from peerdiag.findings.domain.findings import add_finding, add_recommendation, link_evidence
from peerdiag.findings.domain.notes import add_note, add_quote, note_for_session
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, Recommendation
from tests.findings.helpers import delivery


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _text(response: Any) -> str:
    """The page's words, tags stripped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def _note(x, source, *, session=None, by=None, title=None, kloes=None):  # type: ignore[no-untyped-def]
    if session is not None:
        n = note_for_session(session, by=by or x.lead)
        EvidenceNote.objects.filter(pk=n.pk).update(source_type=source)
        n.refresh_from_db()
        return n
    return add_note(
        x.d, by=by or x.lead, source_type=source, title=title or f"{source} note", kloes=kloes
    )


def _url(name: str, x: Any, *args: str) -> str:
    return reverse(name, args=[x.d.reference, *args])


def test_the_gauge_shows_counts_and_warnings_for_thin_and_corroborated_findings(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    add_finding(
        x.d,
        by=x.lead,
        kind="strength",
        statement="Leaders know their front door",
        kloe=x.kloes[0],
        evidence=[_note(x, "interview", session=x.sessions[0])],
    )
    strong = add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement="Plans drift after review",
        kloe=x.kloes[1],
        evidence=[
            _note(x, "interview", session=x.sessions[0]),
            _note(x, "focus_group", session=x.sessions[1]),
            _note(x, "data"),
        ],
    )
    link_evidence(strong, _note(x, "document"), by=x.lead, stance="contradicts")
    page = _text(_client(x.lead).get(_url("web:findings", x)))
    thin, corroborated = page.split("Areas for consideration (1)")
    assert "Strengths (1)" in thin
    assert (
        "Thin Interview 1 source type · 1 session · 1 voice · 1 supporting · 0 contradicting"
        in (thin)
    )
    assert "It rests on one kind of source only (interview)" in thin
    assert "It rests on one voice only" in thin
    assert (
        "Corroborated Data Focus group Interview 3 source types · 2 sessions · 3 voices · "
        "3 supporting · 1 contradicting" in corroborated
    )
    assert "1 piece of evidence point the other way" in corroborated
    assert "rests on one" not in corroborated
    assert f"KLOE {x.kloes[1].order}:" in corroborated
    # The same numbers on the finding's own page, with the evidence split by stance.
    detail = _text(_client(world.pcm).get(_url("web:finding_detail", x, strong.code)))
    assert "3 source types · 2 sessions · 3 voices · 3 supporting · 1 contradicting" in detail
    supporting, contradicting = detail.split("Contradicting evidence (1)")
    assert "Supporting evidence (3)" in supporting and "document note" in contradicting


def test_an_empty_diagnostic_says_there_are_no_findings(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    page = _text(_client(x.lead).get(_url("web:findings", x)))
    assert "No findings yet." in page and "No recommendations yet." in page
    board = _text(_client(x.lead).get(_url("web:drafting_board", x)))
    assert "0 of 0 items approved" in board and "The presentation has no strength" in board


def test_a_finding_starts_from_a_note_with_its_kloe_and_evidence(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = _note(x, "document", title="Audit of plans", kloes=[x.kloes[1]])
    EvidenceNote.objects.filter(pk=note.pk).update(polarity="concern")
    other = _note(x, "data", title="Caseload data", kloes=[x.kloes[0]])
    c = _client(x.lead)
    form = c.get(_url("web:finding_add", x) + f"?note={note.code}").content.decode()
    assert re.search(rf'value="{note.code}" checked', form)
    assert not re.search(rf'value="{other.code}" checked', form)
    assert re.search(rf'<option value="{x.kloes[1].code}" selected>', form)
    assert re.search(r'value="area" checked', form)  # a concern suggests an area
    assert "Omar Manager" not in form and world.peer.full_name not in unescape(
        form
    )  # no authors' names
    assert form.index("Audit of plans") > form.index(f"KLOE {x.kloes[0].order}:")  # by KLOE
    # ?kloe= chooses the line of enquiry.
    picked = c.get(_url("web:finding_add", x) + f"?kloe={x.kloes[0].code}").content.decode()
    assert re.search(rf'<option value="{x.kloes[0].code}" selected>', picked)
    response = c.post(
        _url("web:finding_add", x),
        {
            "kind": "area",
            "statement": "Plans are not reviewed on time",
            "kloe": x.kloes[1].code,
            "evidence": [note.code, other.code],
        },
    )
    f = Finding.objects.get(statement="Plans are not reviewed on time")
    assert response["Location"] == _url("web:finding_detail", x, f.code)
    assert (f.kind, f.kloe, f.author.person.user) == ("area", x.kloes[1], x.lead)  # type: ignore[union-attr]
    assert set(f.links.values_list("note__title", "stance")) == {
        ("Audit of plans", "supports"),
        ("Caseload data", "supports"),
    }


def test_the_add_form_names_missing_fields(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    page = _text(_client(x.lead).post(_url("web:finding_add", x), {"statement": " "}))
    assert "There is a problem" in page
    assert "Choose strength or area for consideration" in page
    assert "Write the finding as a statement" in page
    assert "Choose the line of enquiry the finding answers" in page
    assert not Finding.objects.exists()


def test_linking_and_unlinking_evidence_with_a_stance(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="Good supervision", kloe=None)
    against = _note(x, "focus_group", session=x.sessions[1], title="Social workers")
    c = _client(world.pcm)
    response = c.post(
        _url("web:finding_link", x, f.code), {"note": against.code, "stance": "contradicts"}
    )
    assert response["Location"] == _url("web:finding_detail", x, f.code)
    link = FindingEvidence.objects.get(finding=f)
    assert (link.note, link.stance) == (against, "contradicts")
    page = _text(c.get(response["Location"]))
    assert "it contradicts the finding" in page
    assert "Contradicting evidence (1)" in page and "No evidence supports this finding yet." in page
    # A bad choice comes back with the error summary.
    bad = _text(c.post(_url("web:finding_link", x, f.code), {"note": "nope"}))
    assert "There is a problem" in bad and "Choose one of the notes listed" in bad
    assert "Choose supports or contradicts" in bad
    response = c.post(_url("web:finding_unlink", x, f.code, against.code))
    assert response.status_code == 302 and not FindingEvidence.objects.filter(finding=f).exists()
    assert EvidenceNote.objects.filter(pk=against.pk).exists()  # the note itself stays


def test_changing_an_approved_finding_sends_it_back_for_approval(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(
        x.d, by=x.lead, kind="strength", statement="Calm", kloe=None, evidence=[_note(x, "data")]
    )
    Finding.objects.filter(pk=f.pk).update(approved_at=timezone.now(), approved_by=x.lead)
    c = _client(x.om)  # another peer on the team
    form = _text(c.get(_url("web:finding_edit", x, f.code)))
    assert "If you change it, it goes back to them for approval" in form
    response = c.post(
        _url("web:finding_edit", x, f.code),
        {
            "kind": "strength",
            "statement": "Calm and quick",
            "kloe": x.kloes[0].code,
            "version": f.version,
        },
        follow=True,
    )
    f.refresh_from_db()
    assert (f.statement, f.kloe, f.approved_at, f.approved_by) == (
        "Calm and quick",
        x.kloes[0],
        None,
        None,
    )
    assert "it now goes back to the lead peer for approval" in _text(response)
    assert "Not approved" in _text(response)


def test_a_recommendation_needs_a_finding_and_the_error_names_the_field(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None)
    c = _client(x.lead)
    page = c.post(_url("web:recommendation_add", x), {"text": "Speed up plans"}).content.decode()
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert 'href="#id_findings"' in summary
    assert "Link the recommendation to at least one finding" in summary
    assert not Recommendation.objects.exists()
    response = c.post(
        _url("web:recommendation_add", x), {"text": "Speed up plans", "findings": [f.code]}
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert list(rec.findings.all()) == [f]
    listing = _text(c.get(_url("web:findings", x)))
    assert "Speed up plans" in listing and "Follows from: Slow plans (area for consideration)" in (
        listing
    )
    assert "Speed up plans" in _text(c.get(_url("web:finding_detail", x, f.code)))
    # Editing keeps the rule.
    page = c.post(
        _url("web:recommendation_edit", x, rec.code), {"text": "Faster", "version": rec.version}
    )
    assert "Link the recommendation to at least one finding" in _text(page)
    rec.refresh_from_db()
    assert rec.text == "Speed up plans"


def _two_strengths(x):  # type: ignore[no-untyped-def]
    s1 = add_finding(
        x.d, by=x.lead, kind="strength", statement="First", kloe=None, evidence=[_note(x, "data")]
    )
    s2 = add_finding(
        x.d,
        by=x.lead,
        kind="strength",
        statement="Second",
        kloe=None,
        evidence=[_note(x, "document")],
    )
    return s1, s2


def test_the_board_orders_and_approves_items_for_the_lead_peer(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    s1, s2 = _two_strengths(x)
    c = _client(x.lead)
    board = _url("web:drafting_board", x)
    page = _text(c.get(board))
    assert page.index("1. First") < page.index("2. Second")
    assert "Move up strength 2" in page and "Move up strength 1" not in page
    response = c.post(_url("web:board_move", x, s2.code), {"direction": "up", "version": 1})
    assert response["Location"] == board + f"#item-{s2.code}"
    page = _text(c.get(board))
    assert page.index("1. Second") < page.index("2. First")
    c.post(_url("web:board_approve", x, s1.code), {"version": 1})
    s1.refresh_from_db()
    assert s1.approved_by == x.lead
    page = _text(c.get(board))
    assert "1 of 2 items approved" in page and "Withdraw approval of strength 2" in page
    c.post(_url("web:board_approve", x, s1.code), {"action": "withdraw", "version": 1})
    s1.refresh_from_db()
    assert s1.approved_at is None
    # Another peer on the team sees the board but cannot order or approve it.
    other = _client(x.om)
    assert "Move up" not in _text(other.get(board))
    assert other.post(_url("web:board_approve", x, s1.code)).status_code == 403
    s1.refresh_from_db()
    assert s1.approved_at is None


def _fingerprint(x):  # type: ignore[no-untyped-def]
    return board_fingerprint([*Finding.objects.filter(diagnostic=x.d), *x.d.recommendations.all()])


def test_approving_the_whole_board_lists_what_blocks_and_approves_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    _two_strengths(x)
    add_finding(x.d, by=x.lead, kind="area", statement="Unbacked", kloe=None)
    c = _client(world.pcm)
    page = _text(c.post(_url("web:board_approve_all", x), {"fingerprint": _fingerprint(x)}))
    assert "Nothing was approved: 1 item cannot be approved yet" in page
    assert "No evidence supports the finding ‘Unbacked’" in page
    assert not Finding.objects.filter(approved_at__isnull=False).exists()
    Finding.objects.filter(statement="Unbacked").delete()
    response = c.post(
        _url("web:board_approve_all", x), {"fingerprint": _fingerprint(x)}, follow=True
    )
    assert "Every item is approved (2 newly approved)" in _text(response)
    assert not Finding.objects.filter(approved_at__isnull=True).exists()


def test_the_board_shows_usable_quotes_only_and_the_gate_readiness(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    note = _note(x, "interview", session=x.sessions[0])
    add_quote(note, by=x.lead, text="We are heard here", group="Social workers", group_size=8)
    add_quote(note, by=x.lead, text="I alone chair reviews", group="IRO", group_size=1)
    add_finding(x.d, by=x.lead, kind="strength", statement="Voice", kloe=None, evidence=[note])
    page = _text(_client(x.lead).get(_url("web:drafting_board", x)))
    assert "“We are heard here” (Social workers)" in page
    assert "I alone chair reviews" not in page
    assert "1 quote from a small group kept out" in page
    assert "The presentation has no area for consideration" in page
    assert "There are no recommendations" in page
    assert "The lead peer has not yet approved 1 item on the drafting board" in page
    assert "@media print" in _client(x.lead).get(_url("web:drafting_board", x)).content.decode()


def test_the_council_is_refused_every_findings_page(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(
        x.d,
        by=x.lead,
        kind="area",
        statement="Secret draft",
        kloe=None,
        evidence=[_note(x, "data")],
    )
    r = add_recommendation(x.d, by=x.lead, text="Secret advice", findings=[f])
    note = f.links.get().note
    gets = [
        _url("web:findings", x),
        _url("web:finding_add", x),
        _url("web:finding_detail", x, f.code),
        _url("web:finding_edit", x, f.code),
        _url("web:recommendation_add", x),
        _url("web:recommendation_edit", x, r.code),
        _url("web:drafting_board", x),
    ]
    posts = [
        (_url("web:finding_link", x, f.code), {"note": note.code, "stance": "supports"}),
        (_url("web:finding_unlink", x, f.code, note.code), {}),
        (_url("web:board_move", x, f.code), {"direction": "up"}),
        (_url("web:board_approve", x, f.code), {}),
        (_url("web:board_approve_all", x), {}),
    ]
    for user in (world.sponsor, world.organiser):
        c = _client(user)
        for url in gets:
            response = c.get(url)
            assert response.status_code == 403, url
            assert b"Secret" not in response.content
        for url, data in posts:
            assert c.post(url, data).status_code == 403, url
    f.refresh_from_db()
    assert f.approved_at is None and f.links.count() == 1


def _fill(x, findings: int, notes_each: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """`findings` findings, half strengths, each with its own notes (some with quotes)."""
    made = []
    for i in range(findings):
        notes = [
            _note(x, ("data", "document")[j % 2], title=f"N{i}.{j}", kloes=[x.kloes[i % 2]])
            for j in range(notes_each)
        ]
        add_quote(notes[0], by=x.lead, text=f"Q{i}", group="Social workers", group_size=5)
        made.append(
            add_finding(
                x.d,
                by=x.lead,
                kind=("strength", "area")[i % 2],
                statement=f"{prefix} finding {i}",
                kloe=x.kloes[i % 2],
                evidence=notes,
            )
        )
    for i in range(0, findings, 2):
        add_recommendation(x.d, by=x.lead, text=f"Rec {i}", findings=made[i : i + 2])


@pytest.mark.parametrize("name", ["web:findings", "web:drafting_board", "web:finding_add"])
def test_pages_take_the_same_number_of_queries_at_two_sizes(world, name):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    x = delivery(world)
    c = _client(x.lead)
    url = _url(name, x)
    _fill(x, 2, 1, "Small")
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    _fill(x, 10, 4, "Big")
    with CaptureQueriesContext(connection) as big:
        response = c.get(url)
    assert response.status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)
    if name != "web:finding_add":
        assert "Big finding 9" in _text(response)
