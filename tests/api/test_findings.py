"""Evidence and findings over the API: notes (the team's only), findings and their evidence,
recommendations, the drafting board and its approvals, and KIT digests (the council: shared
items only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.findings.domain.digest import (
    add_digest_item,
    draft_kit_digest,
    mark_digest_shared,
    set_item_shared,
)
from peerdiag.findings.domain.findings import add_finding, add_recommendation
from peerdiag.findings.domain.notes import add_note, add_quote
from peerdiag.findings.models import EvidenceNote, Finding, FindingEvidence, Recommendation
from tests.factories import KloeFactory, PersonFactory, TeamMemberFactory, UserFactory

OWN = "/diagnostics/RPD-2027-001"
OTHER = "/diagnostics/RPD-2027-002"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


def _note(world: Any, **kw: Any) -> EvidenceNote:
    kw.setdefault("source_type", "document")
    kw.setdefault("title", "Audit of re-referrals")
    return add_note(world.own, by=world.peer, **kw)


def _finding(world: Any, *notes: EvidenceNote, kind: str = "strength", text: str = "") -> Finding:
    return add_finding(
        world.own,
        by=world.peer,
        kind=kind,
        statement=text or "The front door is calm",
        kloe=None,
        evidence=notes,
    )


@pytest.fixture
def kloe(world: Any) -> Any:
    return KloeFactory(diagnostic=world.own, order=1)


# --- Notes ----------------------------------------------------------------------------------


def test_the_team_lists_notes_newest_first_with_filters(world, as_user, kloe):  # type: ignore[no-untyped-def]
    older = _note(world, title="Audit", polarity="concern", kloes=[kloe])
    newer = _note(world, title="Data", source_type="data", polarity="strength")
    gone = _note(world, title="Destroyed")
    EvidenceNote.objects.filter(pk=gone.pk).update(destroyed_at=timezone.now())
    api = as_user(world.pcm)
    body = api.get(f"{OWN}/notes").json()
    assert body["count"] == 2
    assert [n["code"] for n in body["items"]] == [newer.code, older.code]
    first = body["items"][1]
    assert first["title"] == "Audit"
    assert first["kloes"] == [kloe.code]
    assert first["author"] == {"code": world.peer.person.code, "full_name": world.peer.full_name}
    assert first["version"] == 0
    assert [n["code"] for n in api.get(f"{OWN}/notes", kloe=kloe.code).json()["items"]] == [
        older.code
    ]
    assert [n["code"] for n in api.get(f"{OWN}/notes", source="data").json()["items"]] == [
        newer.code
    ]
    assert [n["code"] for n in api.get(f"{OWN}/notes", polarity="concern").json()["items"]] == [
        older.code
    ]
    bad = api.get(f"{OWN}/notes", polarity="great")
    assert (bad.status_code, _fields(bad)) == (422, ["polarity"])
    # The LGA administrator reads the team's notes, as on the pages.
    assert as_user(world.admin).get(f"{OWN}/notes").json()["count"] == 2


def test_the_council_never_reads_notes_and_outsiders_cannot_tell_they_exist(world, as_user):  # type: ignore[no-untyped-def]
    note = _note(world)
    for user in (world.sponsor, world.organiser):
        for path in (f"{OWN}/notes", f"{OWN}/notes/{note.code}"):
            response = as_user(user).get(path)
            assert (response.status_code, response.json()) == (403, FORBIDDEN)
    for user in (world.other_council_user, world.other_pcm, world.stranger_peer):
        response = as_user(user).get(f"{OWN}/notes/{note.code}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    # A note's code from another diagnostic is not found through this one.
    assert as_user(world.other_pcm).get(f"{OTHER}/notes/{note.code}").status_code == 404


def test_a_note_reads_with_its_quotes_even_from_a_small_group(world, as_user):  # type: ignore[no-untyped-def]
    note = _note(world, body="Heard about thresholds")
    add_quote(note, by=world.peer, text="We are heard", group="Social workers", group_size=6)
    add_quote(note, by=world.peer, text="Only me here", group="IRO", group_size=1)
    body = as_user(world.pcm).get(f"{OWN}/notes/{note.code}").json()
    assert body["body"] == "Heard about thresholds"
    assert [(q["group"], q["small_group"], q["usable"]) for q in body["quotes"]] == [
        ("Social workers", False, True),
        ("IRO", True, False),
    ]
    assert body["findings"] == 0


def test_a_peer_adds_a_note_through_the_domain_function(world, as_user, kloe):  # type: ignore[no-untyped-def]
    api = as_user(world.peer)
    response = api.post(
        f"{OWN}/notes",
        {
            "source_type": "observation",
            "title": "  Duty desk  ",
            "body": "Calm and quick",
            "polarity": "strength",
            "kloes": [kloe.code],
            "heard_from": "Duty team",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    note = EvidenceNote.objects.get(code=body["code"])
    assert (note.title, note.body, note.polarity, note.source_type) == (
        "Duty desk",
        "Calm and quick",
        "strength",
        "observation",
    )
    assert note.author is not None and note.author.person == world.peer.person
    assert list(note.kloes.all()) == [kloe]
    assert body["kloes"] == [kloe.code]
    assert AuditEntry.objects.filter(
        diagnostic=world.own, summary=f"Added the note {note.code}"
    ).exists()


def test_adding_a_note_refuses_bad_input_naming_the_field(world, as_user):  # type: ignore[no-untyped-def]
    api = as_user(world.peer)
    base = {"source_type": "data", "title": "Numbers"}
    cases = [
        ({**base, "title": "   "}, 400, ["title"]),
        ({**base, "title": "x" * 201}, 422, ["title"]),
        ({**base, "heard_from": "x" * 301}, 422, ["heard_from"]),
        ({**base, "source_type": "rumour"}, 422, ["source_type"]),
        ({**base, "surprise": 1}, 422, ["surprise"]),
        ({**base, "kloes": ["nosuchkloe"]}, 400, ["kloes"]),
        ({**base, "document": "nosuchdoc"}, 400, ["document"]),
    ]
    for payload, status, fields in cases:
        response = api.post(f"{OWN}/notes", payload)
        assert (response.status_code, _fields(response)) == (status, fields), payload
    assert not EvidenceNote.objects.exists()


def test_only_the_team_adds_notes(world, as_user):  # type: ignore[no-untyped-def]
    payload = {"source_type": "data", "title": "Numbers"}
    # An LGA administrator has no place on the team: 403, as on the pages.
    assert as_user(world.admin).post(f"{OWN}/notes", payload).status_code == 403
    assert as_user(world.sponsor).post(f"{OWN}/notes", payload).status_code == 403
    assert as_user(world.other_pcm).post(f"{OWN}/notes", payload).status_code == 404
    assert not EvidenceNote.objects.exists()


def test_the_author_changes_a_note_and_a_stale_version_is_409(world, as_user, kloe):  # type: ignore[no-untyped-def]
    note = _note(world, body="First words")
    api = as_user(world.peer)
    path = f"{OWN}/notes/{note.code}"
    response = api.patch(path, {"version": 0, "body": "Second words", "kloes": [kloe.code]})
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["kloes"]) == (1, [kloe.code])
    note.refresh_from_db()
    assert (note.body, note.revision, note.polarity) == ("Second words", 1, "neutral")
    # Another tab saved on version 0 with other words: refused, nothing saved.
    stale = api.patch(path, {"version": 0, "body": "Old tab words"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    assert stale.json()["changed_by"] == world.peer.person.full_name
    assert _fields(stale) == ["version"]
    note.refresh_from_db()
    assert note.body == "Second words"
    # Sending exactly what is saved is a harmless repeat.
    assert api.patch(path, {"version": 0, "body": "Second words"}).status_code == 200


def test_only_the_author_changes_a_note(world, as_user):  # type: ignore[no-untyped-def]
    note = _note(world, body="Mine")
    path = f"{OWN}/notes/{note.code}"
    response = as_user(world.pcm).patch(path, {"version": 0, "body": "Theirs"})
    assert response.status_code == 403
    assert "Only the peer who wrote a note" in response.json()["detail"]
    assert as_user(world.admin).patch(path, {"version": 0, "body": "x"}).status_code == 403
    assert as_user(world.sponsor).patch(path, {"version": 0, "body": "x"}).status_code == 403
    note.refresh_from_db()
    assert note.body == "Mine"


# --- Findings -------------------------------------------------------------------------------


def test_a_finding_is_added_with_its_evidence_and_reads_with_its_corroboration(  # type: ignore[no-untyped-def]
    world, as_user, kloe
):
    note = _note(world)
    other = _note(world, source_type="data", title="Numbers")
    api = as_user(world.peer)
    response = api.post(
        f"{OWN}/findings",
        {
            "kind": "area",
            "statement": "Thresholds are unclear",
            "kloe": kloe.code,
            "evidence": [note.code, other.code],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    finding = Finding.objects.get(code=body["code"])
    assert (finding.kind, finding.statement, finding.kloe) == (
        "area",
        "Thresholds are unclear",
        kloe,
    )
    assert set(finding.links.values_list("note__code", flat=True)) == {note.code, other.code}
    assert body["supporting_notes"] == [note.code, other.code]
    assert body["corroboration"]["strength"] == "corroborated"
    assert body["corroboration"]["source_types"] == ["data", "document"]
    assert [e["note"] for e in body["evidence"]] == [note.code, other.code]
    listed = api.get(f"{OWN}/findings").json()
    assert [f["code"] for f in listed] == [finding.code]
    assert api.get(f"{OWN}/findings/{finding.code}").json()["version"] == 1


def test_adding_a_finding_refuses_bad_input_naming_the_field(world, as_user):  # type: ignore[no-untyped-def]
    api = as_user(world.peer)
    cases = [
        ({"kind": "strength", "statement": " "}, 400, ["statement"]),
        ({"kind": "strength", "statement": "x" * 2001}, 422, ["statement"]),
        ({"kind": "great", "statement": "Good"}, 422, ["kind"]),
        ({"kind": "strength", "statement": "Good", "kloe": "nosuch"}, 400, ["kloe"]),
        ({"kind": "strength", "statement": "Good", "evidence": ["nosuch"]}, 400, ["evidence"]),
    ]
    for payload, status, fields in cases:
        response = api.post(f"{OWN}/findings", payload)
        assert (response.status_code, _fields(response)) == (status, fields), payload
    assert not Finding.objects.exists()


def test_the_council_and_admin_cannot_write_findings(world, as_user):  # type: ignore[no-untyped-def]
    payload = {"kind": "strength", "statement": "Good"}
    assert as_user(world.admin).post(f"{OWN}/findings", payload).status_code == 403
    assert as_user(world.sponsor).post(f"{OWN}/findings", payload).status_code == 403
    assert as_user(world.sponsor).get(f"{OWN}/findings").status_code == 403
    assert as_user(world.other_council_user).get(f"{OWN}/findings").status_code == 404
    assert not Finding.objects.exists()


def test_changing_a_finding_needs_its_version_and_sends_it_back_for_approval(world, as_user):  # type: ignore[no-untyped-def]
    finding = _finding(world, _note(world))
    Finding.objects.filter(pk=finding.pk).update(approved_at=timezone.now(), approved_by=world.peer)
    api = as_user(world.pcm)
    path = f"{OWN}/findings/{finding.code}"
    missing = api.patch(path, {"statement": "Calmer"})
    assert (missing.status_code, _fields(missing)) == (422, ["version"])
    response = api.patch(path, {"version": 1, "statement": "The front door is calmer"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["statement"], body["kind"]) == (
        2,
        "The front door is calmer",
        "strength",
    )
    assert body["approved_at"] is None
    stale = api.patch(path, {"version": 1, "statement": "Something else"})
    assert stale.status_code == 409
    assert (stale.json()["current_version"], stale.json()["changed_by"]) == (
        2,
        world.pcm.get_full_name(),
    )
    finding.refresh_from_db()
    assert finding.statement == "The front door is calmer"


def test_notes_are_linked_and_unlinked(world, as_user):  # type: ignore[no-untyped-def]
    finding = _finding(world)
    note = _note(world)
    api = as_user(world.peer)
    path = f"{OWN}/findings/{finding.code}/evidence"
    response = api.post(path, {"note": note.code, "stance": "contradicts"})
    assert response.status_code == 200, response.content
    assert response.json()["contradicting_notes"] == [note.code]
    assert FindingEvidence.objects.get(finding=finding).stance == "contradicts"
    unknown = api.post(path, {"note": "nosuch"})
    assert (unknown.status_code, _fields(unknown)) == (400, ["note"])
    assert api.delete(f"{path}/{note.code}").status_code == 204
    assert not FindingEvidence.objects.filter(finding=finding).exists()
    assert api.delete(f"{path}/{note.code}").status_code == 404


# --- Recommendations ------------------------------------------------------------------------


def test_recommendations_are_added_listed_and_changed_by_version(world, as_user):  # type: ignore[no-untyped-def]
    first = _finding(world, kind="area", text="Thresholds unclear")
    second = _finding(world, kind="area", text="Supervision patchy")
    api = as_user(world.peer)
    response = api.post(
        f"{OWN}/recommendations", {"text": "Agree thresholds", "findings": [first.code]}
    )
    assert response.status_code == 201, response.content
    rec = Recommendation.objects.get(code=response.json()["code"])
    assert list(rec.findings.all()) == [first]
    empty = api.post(f"{OWN}/recommendations", {"text": "Agree", "findings": []})
    assert (empty.status_code, _fields(empty)) == (422, ["findings"])
    unknown = api.post(f"{OWN}/recommendations", {"text": "Agree", "findings": ["nosuch"]})
    assert (unknown.status_code, _fields(unknown)) == (400, ["findings"])
    path = f"{OWN}/recommendations/{rec.code}"
    changed = api.patch(path, {"version": 1, "findings": [first.code, second.code]})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["version"], changed.json()["text"]) == (2, "Agree thresholds")
    assert changed.json()["findings"] == [first.code, second.code]
    stale = api.patch(path, {"version": 1, "text": "Something else"})
    assert stale.status_code == 409
    rec.refresh_from_db()
    assert rec.text == "Agree thresholds"
    listed = api.get(f"{OWN}/recommendations").json()
    assert [(r["code"], r["findings"]) for r in listed] == [(rec.code, [first.code, second.code])]
    assert as_user(world.sponsor).get(f"{OWN}/recommendations").status_code == 403


# --- The drafting board ---------------------------------------------------------------------


def _operational_manager(world: Any) -> Any:
    user = UserFactory(email="om@example.org")
    person = PersonFactory(user=user, full_name="Omar Manager", email="om@example.org")
    TeamMemberFactory(diagnostic=world.own, person=person, role=TeamRole.OPERATIONAL_MANAGER)
    return user


def test_the_board_shows_sections_in_order_and_what_the_gate_needs(world, as_user):  # type: ignore[no-untyped-def]
    note = _note(world)
    add_quote(note, by=world.peer, text="We are heard", group="Social workers", group_size=6)
    add_quote(note, by=world.peer, text="Only me", group="IRO", group_size=1)
    strength = _finding(world, note)
    area = _finding(world, kind="area", text="Thresholds unclear")
    rec = add_recommendation(world.own, by=world.peer, text="Agree", findings=[area])
    body = as_user(world.pcm).get(f"{OWN}/board").json()
    assert [i["code"] for i in body["strengths"]] == [strength.code]
    assert [i["code"] for i in body["areas"]] == [area.code]
    assert [i["code"] for i in body["recommendations"]] == [rec.code]
    top = body["strengths"][0]
    assert (top["position"], top["approvable"], top["withheld_quotes"]) == (1, True, 1)
    assert top["quotes"] == [{"text": "We are heard", "group": "Social workers", "group_size": 6}]
    assert body["areas"][0]["approvable"] is False
    assert body["recommendations"][0]["findings"] == [area.code]
    assert (body["approved"], body["items"], body["ready"]) == (0, 3, False)
    assert "No evidence supports the finding ‘Thresholds unclear’" in body["readiness"]
    assert body["fingerprint"] == " ".join(
        sorted(f"{c}.1" for c in (strength.code, area.code, rec.code))
    )
    assert as_user(world.sponsor).get(f"{OWN}/board").status_code == 403


def test_the_lead_peer_approves_one_item_and_withdraws_it(world, as_user):  # type: ignore[no-untyped-def]
    finding = _finding(world, _note(world))
    api = as_user(world.peer)
    path = f"{OWN}/board/{finding.code}"
    response = api.post(f"{path}/approve", {"version": 1})
    assert response.status_code == 200, response.content
    item = response.json()["strengths"][0]
    assert item["approved_by"] == world.peer.get_full_name()
    finding.refresh_from_db()
    assert (finding.approved_by, finding.version) == (world.peer, 1)
    assert finding.approved_at is not None
    assert (
        api.post(f"{path}/withdraw", {"version": 1}).json()["strengths"][0]["approved_at"] is None
    )
    finding.refresh_from_db()
    assert finding.approved_at is None


def test_approving_is_refused_without_evidence_on_a_stale_version_and_to_others(world, as_user):  # type: ignore[no-untyped-def]
    bare = _finding(world, text="Nothing behind it")
    backed = _finding(world, _note(world), text="Well backed")
    lead = as_user(world.peer)
    refused = lead.post(f"{OWN}/board/{bare.code}/approve", {"version": 1})
    assert refused.status_code == 400
    assert "No evidence supports" in refused.json()["detail"][0]["message"]
    Finding.objects.filter(pk=backed.pk).update(version=2, changed_by=world.pcm)
    stale = lead.post(f"{OWN}/board/{backed.code}/approve", {"version": 1})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    # Another peer on the team, the LGA administrator and the council may not approve.
    om = _operational_manager(world)
    for user in (om, world.admin, world.sponsor):
        assert (
            as_user(user).post(f"{OWN}/board/{backed.code}/approve", {"version": 2}).status_code
            == 403
        )
    assert not Finding.objects.filter(approved_at__isnull=False).exists()


def test_the_lead_peer_moves_an_item(world, as_user):  # type: ignore[no-untyped-def]
    first = _finding(world, text="First")
    second = _finding(world, text="Second")
    api = as_user(world.pcm)
    response = api.post(f"{OWN}/board/{second.code}/move", {"version": 1, "direction": "up"})
    assert response.status_code == 200, response.content
    assert response.json()["moved"] is True
    assert [i["code"] for i in response.json()["board"]["strengths"]] == [second.code, first.code]
    again = api.post(f"{OWN}/board/{second.code}/move", {"version": 1, "direction": "up"})
    assert again.json()["moved"] is False
    sideways = api.post(f"{OWN}/board/{second.code}/move", {"version": 1, "direction": "left"})
    assert (sideways.status_code, _fields(sideways)) == (422, ["direction"])


def test_approving_the_whole_board_is_all_or_nothing(world, as_user):  # type: ignore[no-untyped-def]
    note = _note(world)
    strength = _finding(world, note)
    area = _finding(world, note, kind="area", text="Thresholds unclear")
    bare = add_recommendation(world.own, by=world.peer, text="Agree", findings=[area])
    api = as_user(world.peer)
    board = api.get(f"{OWN}/board").json()
    # Someone changed an item after the board was read: 409, saying who did what.
    Finding.objects.filter(pk=strength.pk).update(version=2, changed_by=world.pcm)
    changed = api.post(f"{OWN}/board/approve-all", {"fingerprint": board["fingerprint"]})
    assert changed.status_code == 409
    assert _fields(changed) == ["fingerprint"]
    assert len(changed.json()["changes"]) == 1
    assert world.pcm.get_full_name() in changed.json()["changes"][0]
    assert not Finding.objects.filter(approved_at__isnull=False).exists()
    # Read again: everything qualifies, so everything is approved.
    board = api.get(f"{OWN}/board").json()
    done = api.post(f"{OWN}/board/approve-all", {"fingerprint": board["fingerprint"]})
    assert done.status_code == 200, done.content
    assert (done.json()["newly_approved"], done.json()["board"]["approved"]) == (3, 3)
    bare.refresh_from_db()
    assert bare.approved_by == world.peer


def test_approving_the_whole_board_lists_what_blocks(world, as_user):  # type: ignore[no-untyped-def]
    _finding(world, text="Nothing behind it")
    api = as_user(world.peer)
    board = api.get(f"{OWN}/board").json()
    response = api.post(f"{OWN}/board/approve-all", {"fingerprint": board["fingerprint"]})
    assert response.status_code == 400
    assert response.json()["blocking"] == ["No evidence supports the finding ‘Nothing behind it’"]
    assert not Finding.objects.filter(approved_at__isnull=False).exists()


# --- KIT digests ----------------------------------------------------------------------------


def _digests(world: Any) -> tuple[Any, Any]:
    """A shared digest (one item of two shared, with the sponsor's response) and a draft."""
    _finding(world, _note(world), text="The front door is calm")
    shared = draft_kit_digest(world.own, by=world.peer)
    kept = add_digest_item(shared, by=world.peer, text="Our own private thought")
    item = shared.items.exclude(pk=kept.pk).get()
    set_item_shared(item, by=world.peer, shared=True, version=UNCHECKED)
    shared.refresh_from_db()
    mark_digest_shared(
        shared,
        by=world.peer,
        previews_final_messages=True,
        sponsor_response="Thanks, useful",
        version=UNCHECKED,
    )
    _finding(world, text="Supervision is patchy", kind="area")
    draft = draft_kit_digest(world.own, by=world.peer)
    return shared, draft


def test_the_team_reads_every_digest_and_every_item(world, as_user):  # type: ignore[no-untyped-def]
    shared, draft = _digests(world)
    api = as_user(world.peer)
    listed = api.get(f"{OWN}/kit-digests").json()
    assert [(g["code"], g["items"], g["shared_items"]) for g in listed] == [
        (draft.code, 1, 0),
        (shared.code, 2, 1),
    ]
    body = api.get(f"{OWN}/kit-digests/{shared.code}").json()
    assert [(i["text"], i["shared"]) for i in body["items"]] == [
        ("Strength: The front door is calm", True),
        ("Our own private thought", False),
    ]
    assert (body["sponsor_response"], body["previews_final_messages"]) == ("Thanks, useful", True)
    assert api.get(f"{OWN}/kit-digests/{draft.code}").json()["shared_at"] is None


def test_the_council_sees_only_shared_digests_and_their_shared_items(world, as_user):  # type: ignore[no-untyped-def]
    shared, draft = _digests(world)
    for user in (world.sponsor, world.organiser):
        api = as_user(user)
        listed = api.get(f"{OWN}/kit-digests").json()
        assert [(g["code"], g["items"]) for g in listed] == [(shared.code, 1)]
        body = api.get(f"{OWN}/kit-digests/{shared.code}").json()
        assert body["items"] == [
            {"text": "Strength: The front door is calm", "shared": True, "order": 1}
        ]
        assert "private thought" not in str(body)
        assert body["sponsor_response"] == "Thanks, useful"
        assert (body["version"], body["since"], body["previews_final_messages"]) == (
            None,
            None,
            None,
        )
        # The draft does not exist as far as the council can tell.
        hidden = api.get(f"{OWN}/kit-digests/{draft.code}")
        assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert as_user(world.other_council_user).get(f"{OWN}/kit-digests").status_code == 404


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["notes", "findings", "recommendations", "board"])
def test_lists_cost_the_same_queries_for_one_item_or_three(world, as_user, kloe, path):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = as_user(world.pcm)

    def add_one() -> None:
        note = _note(world, kloes=[kloe])
        finding = _finding(world, note)
        add_recommendation(world.own, by=world.peer, text="Agree", findings=[finding])
        Finding.objects.filter(pk=finding.pk).update(
            approved_at=timezone.now(), approved_by=world.peer
        )

    add_one()
    with CaptureQueriesContext(connection) as one:
        assert api.get(f"{OWN}/{path}").status_code == 200
    add_one()
    add_one()
    with CaptureQueriesContext(connection) as three:
        assert api.get(f"{OWN}/{path}").status_code == 200
    assert len(three) == len(one)
