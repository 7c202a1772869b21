"""Peer team pages: the team builder, the council's review, declarations, the briefing, the
confidentiality agreement, data access, and the council's home page."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain import people as dp
from peerdiag.diagnostics.domain.briefing import acknowledge_briefing, issue_briefing
from peerdiag.diagnostics.domain.confidentiality import set_confidentiality
from peerdiag.diagnostics.domain.conflicts import declare_interests
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import (
    ConflictDeclaration,
    Diagnostic,
    Signature,
    TeamMember,
)
from peerdiag.directory.domain.bench import save_peer_profile
from peerdiag.directory.enums import Region
from tests.factories import CouncilFactory, KloeFactory, PersonFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

REF = "RPD-2027-001"
PDF = b"%PDF-1.4 the briefing"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def _url(name: str, *args: str) -> str:
    return reverse(name, args=[REF, *args])


def _peer(name: str, *, region=Region.SOUTH_WEST, seniority="head_of_service", roles=None, **kw):  # type: ignore[no-untyped-def]
    person = PersonFactory(
        full_name=name,
        job_title=kw.pop("job_title", "Head of service"),
        organisation=CouncilFactory(name=f"{name} Council", region=region),
    )
    save_peer_profile(
        person,
        seniority=seniority,
        roles=roles or ["operational_manager"],
        expertise=kw.pop("expertise", []),
        summary=kw.pop("summary", ""),
        version=UNCHECKED,
    )
    return person


def _member_row(html: str, name: str) -> str:
    """The row of the team members' table that starts with `name` (fails if there is none)."""
    table = html.split('id="team-members"')[1].split("</table>")[0]
    rows = [r for r in table.split("<tr ")[1:] if r.split("</th>")[0].count(name)]
    assert len(rows) == 1, f"{name}: {len(rows)} rows"
    return rows[0]


def _brief(d, by):  # type: ignore[no-untyped-def]
    return issue_briefing(
        d, by=by, file=SimpleUploadedFile("b.pdf", PDF), name="Briefing.pdf", version=UNCHECKED
    )


# The team builder -------------------------------------------------------------------------------


def test_team_page_for_pcm_member_council_and_outsider(world):  # type: ignore[no-untyped-def]
    url = _url("web:team")
    pcm = _html(_client(world.pcm).get(url))
    peer = _html(_client(world.peer).get(url))
    assert "Lead peer" in _member_row(pcm, world.peer.person.full_name)
    assert "Peer challenge manager" in _member_row(pcm, world.pcm.person.full_name)
    assert "Waiting for the council" in pcm
    assert "Not needed for the LGA's own officer" in pcm
    assert "The peer challenge manager has not issued the briefing" in pcm
    assert "Suggested peers" in pcm and "Propose someone else" in pcm
    assert "Your declaration of interests" not in pcm
    assert f'Remove<span class="govuk-visually-hidden"> {world.peer.person.full_name}' in pcm
    # A peer on the team sees the team and what is missing, but changes nothing.
    assert "Lead peer" in _member_row(peer, world.peer.person.full_name)
    assert "Suggested peers" not in peer and "Propose someone else" not in peer
    assert "Remove" not in peer
    assert "Your declaration of interests" in peer
    assert _client(world.sponsor).get(url).status_code == 403
    assert _client(world.other_pcm).get(url).status_code == 404


def test_team_page_lists_statuses_of_each_member(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(case_review_in_scope=True)
    d.refresh_from_db()
    lead = d.team.get(role=TeamRole.LEAD_PEER)
    dp.decide_on_peer(
        lead, by=world.sponsor, decision="objected", reason="Knows our DCS well", version=UNCHECKED
    )
    ava = _peer("Ava Auditor", roles=["case_auditor"])
    auditor = dp.add_team_member(d, by=world.pcm, person=ava, role="case_auditor")
    dp.decide_on_peer(auditor, by=world.sponsor, decision="approved", version=UNCHECKED)
    declare_interests(d, by=world.pcm, person=auditor.person, worked_for_host=False)
    briefing = _brief(d, world.pcm)
    acknowledge_briefing(briefing, by=world.pcm, person=auditor.person)
    _brief(d, world.pcm)
    set_confidentiality(
        d, by=world.sponsor, required=True, text="Keep it private.", version=UNCHECKED
    )
    html = _html(_client(world.pcm).get(_url("web:team")))
    assert "Objected</strong><br>Knows our DCS well" in html
    assert "Approved" in html
    assert "Read version 1 only; version 2 is the latest" in html
    assert "Not read yet" in html
    assert "Not signed yet" in html
    assert "<li>Acknowledge the latest briefing</li>" in html
    assert "<li>Sign the current confidentiality agreement</li>" in html
    assert "Carries on into delivery" in html
    assert "Change to yes" in html
    assert "A team usually has 2 or 3 operational managers (it has 0)" in html
    assert "A case review usually has 2 case auditors (it has 1)" in html
    assert f"The council objected to {lead.person}: replace them" in html
    assert f"{lead.person} has not declared their interests" in html


def test_suggestions_show_score_reasons_and_warnings(world):  # type: ignore[no-untyped-def]
    d = world.own
    KloeFactory(diagnostic=d, text="How well does the front door apply thresholds?", order=1)
    _peer("Bea Best", expertise=["front_door", "safeguarding"])
    _peer("Nia Near", expertise=["front_door"], region=Region.NORTH_WEST)
    _peer("Lee Lead", seniority="dcs", roles=["lead_peer"], expertise=["send"])
    html = _html(_client(world.pcm).get(_url("web:team")))
    ops = html.split('id="suggestions-operational_manager"')[1].split("</table>")[0]
    assert ops.index("Bea Best") < ops.index("Nia Near")
    assert "<li>Expertise fits key line of enquiry 1</li>" in ops
    assert "<li>Knows safeguarding</li>" in ops
    assert "<li>No diagnostics in the last 12 months</li>" in ops
    assert "Note</strong> Same region as the host (North West)" in ops
    assert 'Propose<span class="govuk-visually-hidden"> Bea Best as operational manager' in ops
    # The team already has its lead peer: no lead peer suggestions.
    assert 'id="suggestions-lead_peer"' not in html
    assert (
        "Lee Lead" not in html.split('id="suggestions-operational_manager"')[1].split("</table>")[0]
    )


def test_propose_from_a_suggestion_and_errors_in_the_summary(world):  # type: ignore[no-untyped-def]
    bea = _peer("Bea Best")
    c = _client(world.pcm)
    r = c.post(_url("web:team"), {"person": bea.code, "role": "operational_manager"})
    assert r.status_code == 302 and r["Location"] == _url("web:team")
    member = world.own.team.get(person=bea)
    assert (member.role, member.council_decision) == ("operational_manager", "pending")
    empty = _html(c.post(_url("web:team"), {}))
    assert '<a href="#id_person">Choose a person</a>' in empty
    assert '<a href="#id_role">Choose a team role</a>' in empty
    second_lead = _peer("Dee Director", seniority="dcs", roles=["lead_peer"])
    refused = _html(c.post(_url("web:team"), {"person": second_lead.code, "role": "lead_peer"}))
    assert '<a href="#id_role">The team already has a lead peer</a>' in refused
    assert not world.own.team.filter(person=second_lead).exists()
    # Only the PCM (or an administrator) proposes.
    assert _client(world.peer).post(_url("web:team"), {"person": bea.code}).status_code == 403


def test_team_remove_asks_first_then_removes(world):  # type: ignore[no-untyped-def]
    member = TeamMemberFactory(diagnostic=world.own, person=PersonFactory(full_name="Olu Ops"))
    c = _client(world.pcm)
    confirm = _html(c.get(_url("web:team_remove", member.code)))
    assert "Remove Olu Ops from the team?" in confirm
    assert "They lose access to the diagnostic's documents and data straight away." in confirm
    assert TeamMember.objects.filter(pk=member.pk).exists()
    r = c.post(_url("web:team_remove", member.code), {"version": member.version})
    assert r["Location"] == _url("web:team")
    assert not TeamMember.objects.filter(pk=member.pk).exists()
    assert _client(world.peer).get(_url("web:team_remove", "nosuchcode")).status_code == 403
    assert c.get(_url("web:team_remove", "nosuchcode")).status_code == 404


def test_case_auditor_carries_on_into_delivery(world):  # type: ignore[no-untyped-def]
    auditor = TeamMemberFactory(diagnostic=world.own, role=TeamRole.CASE_AUDITOR)
    c = _client(world.pcm)
    r = c.post(_url("web:team_continues", auditor.code), {"continues": "yes", "version": 1})
    assert r["Location"] == _url("web:team")
    auditor.refresh_from_db()
    assert auditor.continues_to_delivery is True
    lead = world.own.team.get(role=TeamRole.LEAD_PEER)
    c.post(_url("web:team_continues", lead.code), {"continues": "yes", "version": lead.version})
    html = _html(c.get(_url("web:team")))
    assert "Only case auditors carry on from the case review" in html
    assert _client(world.peer).post(_url("web:team_continues", auditor.code)).status_code == 403


def test_team_page_query_count_does_not_grow_with_suggestions(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    _peer("Bea Best")
    one = _queries(c, _url("web:team"))
    _peer("Cal Second")
    _peer("Dan Third", seniority="ad", roles=["lead_peer", "operational_manager"])
    assert _queries(c, _url("web:team")) == one


def test_team_page_query_count_does_not_grow_with_members(world):  # type: ignore[no-untyped-def]
    c = _client(world.pcm)
    one = _queries(c, _url("web:team"))
    for name in ("Bea Best", "Cal Second"):
        dp.add_team_member(world.own, by=world.pcm, person=_peer(name), role="operational_manager")
    assert _queries(c, _url("web:team")) == one


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The council's review of proposed peers ---------------------------------------------------------


def test_council_sees_proposed_profiles_but_nothing_internal(world):  # type: ignore[no-untyped-def]
    d = world.own
    bea = _peer(
        "Bea Best",
        job_title="Head of Front Door",
        expertise=["front_door", "safeguarding"],
        summary="Ran a MASH for six years.",
    )
    dp.add_team_member(d, by=world.pcm, person=bea, role="operational_manager")
    declare_interests(d, by=world.pcm, person=bea, worked_for_host=True, details="Secret 2024")
    html = _html(_client(world.sponsor).get(_url("web:team_review")))
    assert '<h2 class="govuk-summary-card__title">Bea Best</h2>' in html
    assert "Head of Front Door" in html
    assert "Bea Best Council (South West)" in html
    assert "Head of service" in html
    assert "Front door and MASH, Safeguarding" in html
    assert "Ran a MASH for six years." in html
    assert "Waiting for a decision" in html
    assert 'Approve or object<span class="govuk-visually-hidden"> for Bea Best' in html
    # Not the declaration, not the PCM, not the internal team pages.
    assert "Secret 2024" not in html
    assert world.pcm.person.full_name not in unescape(html)
    assert reverse("web:briefing", args=[REF]) not in html
    # The PCM sees the page but cannot decide; outsiders do not see it at all.
    pcm = _html(_client(world.pcm).get(_url("web:team_review")))
    assert "Bea Best" in pcm and "Approve or object" not in pcm
    assert _client(world.other_council_user).get(_url("web:team_review")).status_code == 404


def test_council_review_is_empty_until_peers_are_proposed(world):  # type: ignore[no-untyped-def]
    world.own.team.filter(role=TeamRole.LEAD_PEER).delete()
    html = _html(_client(world.sponsor).get(_url("web:team_review")))
    assert "No peers have been proposed yet." in html


def test_council_approves_or_objects_with_a_reason(world):  # type: ignore[no-untyped-def]
    lead = world.own.team.get(role=TeamRole.LEAD_PEER)
    c = _client(world.sponsor)
    url = _url("web:team_decide", lead.code)
    assert f"Approve or object to {lead.person.full_name}" in _html(c.get(url))
    empty = _html(c.post(url, {}))
    assert '<a href="#id_decision">Choose whether you approve this peer or object</a>' in empty
    no_reason = _html(c.post(url, {"decision": "objected", "reason": " ", "version": 1}))
    assert '<a href="#id_reason">Give the reason for the objection</a>' in no_reason
    lead.refresh_from_db()
    assert lead.council_decision == "pending"
    r = c.post(url, {"decision": "approved", "version": 1})
    assert r["Location"] == _url("web:team_review")
    lead.refresh_from_db()
    assert (lead.council_decision, lead.council_reason) == ("approved", "")
    assert "You approved" in _html(c.get(_url("web:team_review")))
    # The PCM is not the council's to approve, and the PCM cannot decide.
    pcm_member = world.own.team.get(role=TeamRole.PEER_CHALLENGE_MANAGER)
    assert c.get(_url("web:team_decide", pcm_member.code)).status_code == 404
    assert _client(world.pcm).get(url).status_code == 403


# A peer's declaration ---------------------------------------------------------------------------


def test_peer_declares_for_themself(world):  # type: ignore[no-untyped-def]
    c = _client(world.peer)
    url = _url("web:declaration")
    page = _html(c.get(url))
    assert "Have you worked for Council A in the last three years?" in page
    # The world's councils are all in the North West: the same region is a warning.
    assert f"{world.peer.person} works in the same region as the host (North West)" in page
    empty = _html(c.post(url, {}))
    assert '<a href="#id_worked_for_host">Say whether you have worked for Council A</a>' in empty
    no_details = _html(c.post(url, {"worked_for_host": "yes"}))
    assert '<a href="#id_details">Say what the work for the host council was</a>' in no_details
    assert not ConflictDeclaration.objects.exists()
    assert c.post(url, {"worked_for_host": "no"})["Location"] == _url("web:team")
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.person, declaration.worked_for_host) == (world.peer.person, False)
    assert _client(world.admin).get(url).status_code == 403
    assert _client(world.sponsor).get(url).status_code == 403
    assert _client(world.stranger_peer).get(url).status_code == 404


# The briefing -----------------------------------------------------------------------------------


def test_pcm_issues_the_briefing_and_the_peer_reads_it(world):  # type: ignore[no-untyped-def]
    pcm, peer = _client(world.pcm), _client(world.peer)
    url = _url("web:briefing")
    assert "The peer challenge manager has not issued the briefing yet." in _html(peer.get(url))
    wrong = _html(pcm.post(url, {"file": SimpleUploadedFile("notes.txt", b"hello"), "version": 0}))
    assert '<a href="#id_file">The briefing must be a PDF, Word or OpenDocument file</a>' in wrong
    assert '<a href="#id_file">Choose the briefing file</a>' in _html(pcm.post(url, {"version": 0}))
    r = pcm.post(url, {"file": SimpleUploadedFile("Team briefing.pdf", PDF), "version": 0})
    assert r["Location"] == url
    b = world.own.briefings.get()
    assert (b.version, b.original_name) == (1, "Team briefing.pdf")
    page = _html(peer.get(url))
    assert "Download Team briefing.pdf" in page
    assert "I have read version 1" in page
    assert "Issue a new version" not in page
    assert f"<li>{world.peer.person.full_name}, lead peer</li>" in page
    r = peer.post(_url("web:briefing_acknowledge", b.code))
    assert r["Location"] == url
    after = _html(peer.get(url))
    assert "I have read version 1" not in after
    assert f'<td class="govuk-table__cell">{world.peer.person.full_name}</td>' in after
    download = peer.get(_url("web:briefing_download", b.code))
    assert download["Content-Disposition"] == 'attachment; filename="Team briefing.pdf"'
    assert b"".join(download.streaming_content) == PDF
    assert _client(world.sponsor).get(url).status_code == 403
    assert peer.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403


def test_an_old_briefing_version_cannot_be_acknowledged(world):  # type: ignore[no-untyped-def]
    v1 = _brief(world.own, world.pcm)
    _brief(world.own, world.pcm)
    c = _client(world.peer)
    c.post(_url("web:briefing_acknowledge", v1.code))
    html = _html(c.get(_url("web:briefing")))
    assert "A newer version of the briefing has been issued: read that one" in html
    assert "I have read version 2" in html


# The confidentiality agreement ------------------------------------------------------------------


def test_council_decides_and_supplies_the_text(world):  # type: ignore[no-untyped-def]
    c = _client(world.sponsor)
    url = _url("web:confidentiality")
    assert "Not decided yet." in _html(c.get(url))
    empty = _html(c.post(url, {}))
    assert (
        '<a href="#id_required">Say whether peers must sign a confidentiality agreement</a>'
        in empty
    )
    no_text = _html(c.post(url, {"required": "yes", "text": "", "version": 0}))
    assert '<a href="#id_text">Enter the text of the agreement peers will sign</a>' in no_text
    saved = c.post(url, {"required": "yes", "text": "Keep it private.", "version": 0})
    assert saved["Location"] == url
    html = _html(c.get(url))
    assert "Peers must sign version 1 of the agreement" in html
    assert "<p>Keep it private.</p>" in html
    assert f"<li>{world.peer.person.full_name}, lead peer</li>" in html
    # Peers read it but do not set it; the sign form is for peers only.
    assert "Sign the agreement" not in html
    assert _client(world.peer).post(url, {"required": "no"}).status_code == 403
    assert _client(world.other_council_user).get(url).status_code == 404


def test_a_wrong_name_shows_the_error_and_a_changed_text_voids_the_signature(world):  # type: ignore[no-untyped-def]
    d = world.own
    agreement = set_confidentiality(
        d, by=world.sponsor, required=True, text="Keep it private.", version=UNCHECKED
    )
    assert agreement is not None
    peer = _client(world.peer)
    name = world.peer.person.full_name
    sign_url = _url("web:confidentiality_sign", agreement.code)
    wrong = _html(peer.post(sign_url, {"typed_name": "Somebody Else"}))
    assert f'<a href="#id_typed_name">Type your full name as it appears here: {name}</a>' in wrong
    assert not Signature.objects.exists()
    assert peer.post(sign_url, {"typed_name": name})["Location"] == _url("web:confidentiality")
    signed = _html(peer.get(_url("web:confidentiality")))
    assert "Counts</strong>" in signed and "Sign the agreement" not in signed
    # The council changes the text: the old signature no longer counts.
    _client(world.sponsor).post(
        _url("web:confidentiality"),
        {"required": "yes", "text": "Keep it private. Shred notes.", "version": 1},
    )
    html = _html(peer.get(_url("web:confidentiality")))
    assert "Peers must sign version 2 of the agreement" in html
    assert 'No longer counts</strong><br><span class="govuk-body-s">The text has changed' in html
    assert "Sign the agreement" in html
    # Signing the old version (say, from a page left open) is refused with a message.
    peer.post(sign_url, {"typed_name": name})
    assert "The council has changed the agreement: sign the new text" in _html(
        peer.get(_url("web:confidentiality"))
    )


# Data access ------------------------------------------------------------------------------------


def test_data_access_lists_clearances_and_the_log(world):  # type: ignore[no-untyped-def]
    d = world.own
    set_confidentiality(d, by=world.sponsor, required=False, version=UNCHECKED)
    acknowledge_briefing(_brief(d, world.pcm), by=world.peer, person=world.peer.person)
    html = _html(_client(world.pcm).get(_url("web:data_access")))
    clearances = html.split('id="clearances"')[1].split("</table>")[0]
    peer_row, pcm_row = (
        clearances.split(world.peer.person.full_name)[1].split("</tr>")[0],
        clearances.split(world.pcm.person.full_name)[1].split("</tr>")[0],
    )
    assert "Has access" in peer_row and "Nothing" in peer_row
    assert "No access" in pcm_row and "<li>Acknowledge the latest briefing</li>" in pcm_row
    log = html.split('id="access-log"')[1]
    assert f"{world.peer.person.full_name}</td>" in log
    assert "Access granted" in log
    assert f"{world.peer.person} acknowledged the briefing" in log
    assert _client(world.sponsor).get(_url("web:data_access")).status_code == 403


# Links from the overview, and the council's home page -------------------------------------------


def test_overview_links_to_the_team_pages(world):  # type: ignore[no-untyped-def]
    url = reverse("web:diagnostic_overview", args=[REF])
    pcm = _html(_client(world.pcm).get(url))
    for name in ("team", "team_review", "briefing", "confidentiality", "data_access"):
        assert f'href="{_url("web:" + name)}"' in pcm
    council = _html(_client(world.sponsor).get(url))
    assert f'href="{_url("web:team_review")}">Proposed peers</a>' in council
    assert f'href="{_url("web:confidentiality")}">Confidentiality agreement</a>' in council
    assert _url("web:team") + '"' not in council
    assert _url("web:briefing") not in council


def test_council_home_lists_what_the_council_must_do(world):  # type: ignore[no-untyped-def]
    d = world.own
    Diagnostic.objects.filter(pk=d.pk).update(stage=Stage.TEAM_FORMING, day1=date(2027, 3, 1))
    html = _html(_client(world.sponsor).get("/"))
    asks = html.split('id="todo-list"')[1].split("</section>")[0]
    assert f"{REF}: {d.title}" in asks
    assert f'href="{_url("web:team_review")}">Approve or object to 1 proposed peer</a>' in asks
    assert "Decide whether peers must sign a confidentiality agreement</a>" in asks
    assert "Send the key documents to the peer challenge manager</a>" in asks
    assert "by 8 February 2027" in asks
    # Nothing for the other council's user about this diagnostic; the PCM's list (issue 18)
    # carries the team gate's items, not the council's asks.
    other = _html(_client(world.other_council_user).get("/"))
    assert REF not in other.split('id="todo-list"')[1].split("</section>")[0]
    pcm = _html(_client(world.pcm).get("/")).split('id="todo-list"')[1].split("</section>")[0]
    assert "Approve or object to 1 proposed peer" not in pcm


def test_council_home_says_when_nothing_is_needed(world):  # type: ignore[no-untyped-def]
    world.own.team.filter(role=TeamRole.LEAD_PEER).delete()
    html = _html(_client(world.sponsor).get("/"))
    assert "Your to-do list" in html
    assert "Nothing needs you now." in html
