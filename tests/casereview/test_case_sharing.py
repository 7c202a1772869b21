"""How the cases are shared (issue 17, decision 19): the council's organiser proposes a way and
a named contact; the PCM accepts it or asks again with a reason. Both sides see the state; the
PCM is e-mailed of a proposal, the organiser of a request to propose again; stale answers are
refused; the council opens this page only, and only for its own diagnostic."""

from html import unescape

import pytest
from django.core import mail
from django.test import Client

from peerdiag.casereview.domain import sharing as sharing_domain
from peerdiag.casereview.domain.gate import case_review_blockers
from peerdiag.casereview.domain.sampling import select_by_hand, share_out
from peerdiag.casereview.enums import SharingState
from peerdiag.casereview.models import CaseReview, CaseSharing
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import UNCHECKED, StaleEdit
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import AuditEntry
from tests.casereview.helpers import add_auditor, make_review

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "method": "accounts",
    "details": "Mosaic accounts, open for the review week",
    "contact_name": "Olive Organiser",
    "contact_email": "olive.organiser@example.org",
    "contact_phone": "01632 960 001",
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _url(world, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/diagnostics/{world.own.reference}/case-review/sharing/{tail}"


def _version(world) -> int:  # type: ignore[no-untyped-def]
    return CaseSharing.objects.get(review__diagnostic=world.own).version


def _page(client, world) -> str:  # type: ignore[no-untyped-def]
    response = client.get(_url(world))
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.fixture
def review(world):  # type: ignore[no-untyped-def]
    return make_review(world.own)


def _propose(world, **changes):  # type: ignore[no-untyped-def]
    c = _client(world.organiser)
    _page(c, world)  # the record exists once the page is open
    return c.post(_url(world, "propose/"), PROPOSAL | {"version": _version(world)} | changes)


def test_the_organiser_proposes_and_the_pcm_is_emailed(world, review):  # type: ignore[no-untyped-def]
    organiser = _client(world.organiser)
    page = _page(organiser, world)
    assert "Not proposed yet" in page and "Send the proposal" in page
    response = _propose(world)
    assert response.status_code == 302
    record = CaseSharing.objects.get(review=review)
    assert record.state == SharingState.PROPOSED
    assert (record.method, record.contact_name, record.contact_email, record.contact_phone) == (
        "accounts",
        "Olive Organiser",
        "olive.organiser@example.org",
        "01632 960 001",
    )
    assert record.proposed_by == world.organiser
    # Proposed is not accepted: the gate still blocks and no case can be released.
    review.refresh_from_db()
    assert review.sharing_recorded_at is None
    assert "case_review.sharing" in {b.code for b in case_review_blockers(world.own, Stage.READY)}
    # The PCM hears of it, with a link and none of the proposal's words.
    assert [m.to for m in mail.outbox] == [[world.pcm.email]]
    body = mail.outbox[0].body
    assert _url(world) in body
    assert "Mosaic" not in body and "Olive" not in body and "01632" not in body
    # Both sides see it as proposed, with the named contact.
    for user in (world.organiser, world.sponsor, world.pcm):
        page = _page(_client(user), world)
        assert "Proposed" in page and "Olive Organiser" in page and "01632 960 001" in page
    assert AuditEntry.objects.filter(diagnostic=world.own, action="case_sharing_proposed").exists()


def test_a_proposal_missing_its_contact_is_refused_and_nothing_saved(world, review):  # type: ignore[no-untyped-def]
    response = _propose(world, contact_email="not an address", contact_name="")
    page = unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the name of the council" in page
    assert CaseSharing.objects.get(review=review).state == SharingState.NOT_PROPOSED
    # Another way needs its details.
    response = _propose(world, method="other", details="")
    assert "Describe the way the council will share the cases" in unescape(
        response.content.decode()
    )
    assert CaseSharing.objects.get(review=review).state == SharingState.NOT_PROPOSED
    assert mail.outbox == []


def test_the_pcm_accepts_and_cases_may_then_be_released(world, review):  # type: ignore[no-untyped-def]
    _propose(world)
    mail.outbox.clear()
    pcm = _client(world.pcm)
    assert "Accept this proposal" in _page(pcm, world)
    response = pcm.post(_url(world, "decide/"), {"decision": "accept", "version": _version(world)})
    assert response.status_code == 302
    record = CaseSharing.objects.get(review=review)
    review.refresh_from_db()
    assert record.state == SharingState.ACCEPTED and record.decided_by == world.pcm
    assert review.sharing_recorded_at is not None and review.sharing_recorded_by == world.pcm
    assert "Mosaic accounts" in review.sharing_mechanism
    assert "Olive Organiser" in review.sharing_mechanism
    assert "case_review.sharing" not in {
        b.code for b in case_review_blockers(world.own, Stage.READY)
    }
    # The council sees it accepted.
    assert "Accepted" in _page(_client(world.organiser), world)
    # Now the cases can be released.
    add_auditor(world.own, "cara@example.org")
    entry = world.own.agreed_case_lists.first().entries.first()
    select_by_hand(review, by=world.pcm, entry=entry, reason="Tracked", version=UNCHECKED)
    assert len(share_out(review, by=world.pcm, version=UNCHECKED)) == 1


def test_the_pcm_asks_again_with_a_reason_and_the_organiser_is_emailed(world, review):  # type: ignore[no-untyped-def]
    _propose(world)
    mail.outbox.clear()
    pcm = _client(world.pcm)
    # A reason is needed.
    response = pcm.post(
        _url(world, "decide/"), {"decision": "ask_again", "reason": "", "version": _version(world)}
    )
    assert "Say what the council should change" in unescape(response.content.decode())
    assert CaseSharing.objects.get(review=review).state == SharingState.PROPOSED
    response = pcm.post(
        _url(world, "decide/"),
        {
            "decision": "ask_again",
            "reason": "Please open the accounts a week earlier",
            "version": _version(world),
        },
    )
    assert response.status_code == 302
    record = CaseSharing.objects.get(review=review)
    assert record.state == SharingState.ASKED_AGAIN
    assert record.reason == "Please open the accounts a week earlier"
    # The organiser (who proposed) is e-mailed, without the reason.
    assert [m.to for m in mail.outbox] == [[world.organiser.email]]
    assert "a week earlier" not in mail.outbox[0].body
    # The council sees the state and the reason, and can propose again.
    page = _page(_client(world.organiser), world)
    assert "Asked again" in page and "Please open the accounts a week earlier" in page
    assert "Make a new proposal" in page
    mail.outbox.clear()
    assert _propose(world, details="Mosaic accounts a week earlier").status_code == 302
    record.refresh_from_db()
    assert record.state == SharingState.PROPOSED and record.reason == ""
    assert [m.to for m in mail.outbox] == [[world.pcm.email]]


def test_a_stale_proposal_or_answer_is_refused_and_changes_nothing(world, review):  # type: ignore[no-untyped-def]
    organiser = _client(world.organiser)
    _page(organiser, world)
    seen = _version(world)
    assert _propose(world).status_code == 302
    # The organiser's second tab, drawn before the first proposal, is refused.
    response = organiser.post(
        _url(world, "propose/"), PROPOSAL | {"contact_name": "Someone Else", "version": seen}
    )
    page = unescape(response.content.decode())
    assert "after you opened it" in page
    assert CaseSharing.objects.get(review=review).contact_name == "Olive Organiser"
    # The PCM accepts only the proposal they read: a new one arrived meanwhile.
    pcm_seen = _version(world)
    assert _propose(world, method="portal").status_code == 302
    response = _client(world.pcm).post(
        _url(world, "decide/"), {"decision": "accept", "version": pcm_seen}
    )
    assert "after you opened it" in unescape(response.content.decode())
    record = CaseSharing.objects.get(review=review)
    assert record.state == SharingState.PROPOSED and record.method == "portal"
    review.refresh_from_db()
    assert review.sharing_recorded_at is None
    # And in the domain: StaleEdit, nothing written.
    with pytest.raises(StaleEdit):
        sharing_domain.accept(record, by=world.pcm, version=pcm_seen)


def test_a_new_proposal_after_acceptance_goes_back_to_the_pcm(world, review):  # type: ignore[no-untyped-def]
    record = sharing_domain.sharing_for(review)
    sharing_domain.propose(record, by=world.organiser, version=UNCHECKED, **PROPOSAL)
    sharing_domain.accept(record, by=world.pcm, version=record.version)
    review.refresh_from_db()
    assert review.sharing_recorded_at is not None
    sharing_domain.propose(
        record, by=world.organiser, version=record.version, **(PROPOSAL | {"method": "portal"})
    )
    review.refresh_from_db()
    assert record.state == SharingState.PROPOSED and review.sharing_recorded_at is None


def test_once_cases_are_released_the_way_of_sharing_is_fixed(world, review):  # type: ignore[no-untyped-def]
    record = sharing_domain.sharing_for(review)
    sharing_domain.propose(record, by=world.organiser, version=UNCHECKED, **PROPOSAL)
    sharing_domain.accept(record, by=world.pcm, version=record.version)
    add_auditor(world.own, "cara@example.org")
    review = CaseReview.objects.get(pk=review.pk)
    entry = world.own.agreed_case_lists.first().entries.first()
    select_by_hand(review, by=world.pcm, entry=entry, reason="Tracked", version=UNCHECKED)
    share_out(review, by=world.pcm, version=UNCHECKED)
    with pytest.raises(DomainError, match="already released"):
        sharing_domain.propose(record, by=world.organiser, version=record.version, **PROPOSAL)
    with pytest.raises(DomainError, match="already released"):
        sharing_domain.ask_again(record, by=world.pcm, reason="Change it", version=record.version)
    page = _page(_client(world.organiser), world)
    assert "can no longer change" in page and "Send the proposal" not in page


def test_who_may_propose_answer_and_see(world, review):  # type: ignore[no-untyped-def]
    _page(_client(world.organiser), world)
    v = _version(world)
    # The sponsor sees the page but does not propose; the PCM and lead peer do not propose.
    for user in (world.sponsor, world.pcm, world.peer):
        assert "Send the proposal" not in _page(_client(user), world)
        response = _client(user).post(_url(world, "propose/"), PROPOSAL | {"version": v})
        assert response.status_code == 403
    assert CaseSharing.objects.get(review=review).state == SharingState.NOT_PROPOSED
    _propose(world)
    v = _version(world)
    # Only the PCM answers: the organiser, the sponsor and the lead peer are refused.
    for user in (world.organiser, world.sponsor, world.peer):
        assert "Accept this proposal" not in _page(_client(user), world)
        response = _client(user).post(_url(world, "decide/"), {"decision": "accept", "version": v})
        assert response.status_code == 403
    assert CaseSharing.objects.get(review=review).state == SharingState.PROPOSED
    # Another council's user learns nothing of it.
    other = _client(world.other_council_user)
    assert other.get(_url(world)).status_code == 404
    response = other.post(_url(world, "propose/"), PROPOSAL | {"version": v})
    assert response.status_code == 404
    # The council opens this page, not the case review itself.
    base = f"/diagnostics/{world.own.reference}/case-review/"
    for user in (world.organiser, world.sponsor):
        assert _client(user).get(base).status_code == 403


def test_the_councils_overview_links_to_the_page(world, review):  # type: ignore[no-untyped-def]
    overview = f"/diagnostics/{world.own.reference}/"
    for user in (world.organiser, world.sponsor):
        assert _url(world) in _client(user).get(overview).content.decode()
    # Someone else at the council, neither sponsor nor organiser, gets no link.
    from tests.factories import PersonFactory, UserFactory

    clerk = UserFactory(email="clerk@example.org")
    PersonFactory(user=clerk, organisation=world.own.host_council, email=clerk.email)
    assert _url(world) not in _client(clerk).get(overview).content.decode()
