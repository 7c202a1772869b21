"""`peerdiag erase_person`: a person erased on request, pseudonymised where rows must stay."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from peerdiag.accounts.domain import throttle
from peerdiag.accounts.models import (
    ApiToken,
    Invitation,
    RecoveryCode,
    SignInThrottle,
    TotpDevice,
    User,
)
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import (
    AuditEntry,
    ConfidentialityAgreement,
    ConflictDeclaration,
    Signature,
    TeamMember,
)
from peerdiag.directory.models import PeerExpertise, PeerProfile, PeerRecentWork, Person
from peerdiag.privacy.domain import erasure
from peerdiag.privacy.domain.subject_access import subject_access_export
from peerdiag.privacy.management.commands.erase_person import Command
from peerdiag.timetable.models import Attendee, CalendarFeed, SentInvitation
from peerdiag.timetable.models import Session as MeetingSession
from tests.accounts.helpers import set_up_app
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "peer@example.org"


def _me(raw: str):  # type: ignore[no-untyped-def]
    return Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def peer(world):  # type: ignore[no-untyped-def]
    """The world's peer with something of every kind held about them; `world.own` closed."""
    user = world.peer
    person = user.person
    person.job_title = "Head of early help"
    person.phone = "01632 960123"
    person.save()
    world.own.stage = Stage.CLOSED
    world.own.save()
    _, raw = ApiToken.issue(user, "Laptop script")
    set_up_app(user)
    Invitation.objects.create(
        user=user, token_hash="h" * 64, expires_at=timezone.now() + timedelta(days=3)
    )
    client = Client()
    client.force_login(user)
    other = Client()
    other.force_login(world.pcm)  # someone else's session, which must stay
    CalendarFeed.objects.create(person=person)
    ConflictDeclaration.objects.create(
        diagnostic=world.own,
        person=person,
        worked_for_host=True,
        details="I was interim head of service there until 2024",
        declared_at=timezone.now(),
    )
    profile = PeerProfile.objects.create(
        person=person,
        seniority="head_of_service",
        summary="Twenty years in early help, mostly in the north west",
        availability_notes="Not in August",
    )
    PeerRecentWork.objects.create(
        profile=profile, council=world.other.host_council, description="Interim head, 2023"
    )
    PeerExpertise.objects.create(profile=profile, area="early_help")
    agreement = ConfidentialityAgreement.objects.create(
        diagnostic=world.own, version=1, text="Keep it secret", text_sha256="x" * 64
    )
    Signature.objects.create(
        agreement=agreement,
        person=person,
        typed_name=user.full_name,
        text_sha256="x" * 64,
        signed_at=timezone.now(),
    )
    attendee = Attendee.objects.create(
        diagnostic=world.own,
        name="P. Eer",
        job_title="Adviser",
        email="Peer@Example.org",
        group="x",
    )
    CalendarFeed.objects.create(attendee=attendee)
    meeting = MeetingSession.objects.create(diagnostic=world.own, type="interview", title="Chat")
    SentInvitation.objects.create(
        session=meeting,
        email=EMAIL,
        name="P. Eer",
        sequence=0,
        method="email",
        sent_at=timezone.now(),
    )
    audit.record(world.own, by=user, action="test", summary="Peer did something")
    throttle.record_failure(email=EMAIL, ip=None)
    return {"user": user, "raw": raw, "client": client, "other": other, "attendee": attendee}


@pytest.fixture
def argv(monkeypatch):  # type: ignore[no-untyped-def]
    """Run the command as from the shell (exit status, stderr) inside the test's transaction:
    run_from_argv closes every database connection when done, which would end it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(*args: str) -> None:
        Command().run_from_argv(["peerdiag", "erase_person", *args])

    return run


def _erase(*args: str) -> str:
    out = io.StringIO()
    call_command("erase_person", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _sessions_of(user: User) -> int:
    return sum(
        1
        for s in DjangoSession.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_everything_identifying_is_overwritten_or_deleted(world, peer):  # type: ignore[no-untyped-def]
    user = peer["user"]
    code = user.person.code
    old_name = user.full_name
    assert _me(peer["raw"]).status_code == 200
    assert _sessions_of(user) == 1
    assert SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).exists()
    assert CalendarFeed.objects.count() == SentInvitation.objects.count() * 2 == 2

    out = _erase(EMAIL, "--yes", "--reason", "Request ref 2026-114")

    name, address = f"Erased person {code}", f"erased-{code}@erased.invalid"
    assert out.startswith(f"Erased. The person now shows as {name} (")
    assert "Audit entries added to RPD-2027-001." in out
    user.refresh_from_db()
    assert (user.full_name, user.email, user.is_active) == (name, address, False)
    assert not user.has_usable_password()
    person = Person.objects.get(pk=user.person.pk)
    assert (person.full_name, person.email, person.phone, person.job_title) == (name, "", "", "")
    assert person.user_id == user.pk  # the link stays, so pages show the pseudonym

    # What only served the person is gone.
    assert not ApiToken.objects.filter(user=user).exists()
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert not Invitation.objects.filter(user=user).exists()
    assert _sessions_of(user) == 0
    assert _sessions_of(world.pcm) == 1
    assert not CalendarFeed.objects.exists()
    assert not SentInvitation.objects.exists()
    assert not SignInThrottle.objects.filter(key=throttle.email_key(EMAIL)).exists()

    # Free text about themselves is blank; the rows other records hang off stay.
    declaration = ConflictDeclaration.objects.get(person=person)
    assert (declaration.details, declaration.worked_for_host) == ("", True)
    assert not PeerProfile.objects.filter(person=person).exists()
    assert not PeerRecentWork.objects.exists() and not PeerExpertise.objects.exists()
    assert Signature.objects.get(person=person).typed_name == name
    assert TeamMember.objects.filter(person=person, diagnostic=world.own).exists()
    attendee = Attendee.objects.get(pk=peer["attendee"].pk)
    assert (attendee.name, attendee.job_title, attendee.email) == (name, "", "")

    # The audit trail keeps its actor, and a new entry says an erasure happened, naming only
    # the pseudonym.
    assert AuditEntry.objects.get(summary="Peer did something").actor_id == user.pk
    entry = AuditEntry.objects.get(action=erasure.AUDIT_ACTION, diagnostic=world.own)
    assert entry.summary == (
        f"Personal details erased on request; the person now shows as {name}. "
        "Reason: Request ref 2026-114"
    )
    assert entry.actor is None
    assert old_name not in entry.summary and EMAIL not in entry.summary


def test_the_erased_person_cannot_sign_in_or_use_the_api_or_old_sessions(peer):  # type: ignore[no-untyped-def]
    assert peer["client"].get("/account/").status_code == 200
    _erase(EMAIL, "--yes")
    refused = _me(peer["raw"])
    assert (refused.status_code, refused.json()["detail"]) == (
        401,
        "Send a valid API token in the header 'Authorization: Bearer <token>'",
    )
    # The session they had open no longer signs them in.
    assert peer["client"].get("/account/")["Location"] == "/sign-in/?next=/account/"
    # Neither the old address nor the new one signs in with the old password.
    user = peer["user"]
    user.refresh_from_db()
    for email in (EMAIL, user.email):
        c = Client()
        r = c.post("/sign-in/", {"username": email, "password": PASSWORD})
        assert "_auth_user_id" not in c.session
        assert "The e-mail address or password is not right" in r.content.decode()


def test_subject_access_for_the_old_address_then_finds_nothing(peer, tmp_path):  # type: ignore[no-untyped-def]
    before = subject_access_export(EMAIL)
    assert before["user"] is not None and before["attendee_records"]
    _erase(EMAIL, "--yes")
    with pytest.raises(DomainError, match=f"No one is held with the e-mail address {EMAIL}"):
        subject_access_export(EMAIL)
    with pytest.raises(CommandError):
        call_command("subject_access", EMAIL, "-o", str(tmp_path / "sar.json"))
    assert not (tmp_path / "sar.json").exists()


def test_the_persons_former_pages_still_render_with_the_pseudonym(world, peer):  # type: ignore[no-untyped-def]
    old_name = peer["user"].full_name
    _erase(EMAIL, "--yes")
    name = f"Erased person {peer['user'].person.code}"
    pcm, admin = Client(), Client()
    pcm.force_login(world.pcm)
    admin.force_login(world.admin)
    pages = [
        (pcm, f"/diagnostics/{world.own.reference}/team/"),
        (admin, f"/diagnostics/{world.own.reference}/audit/"),
        (admin, f"/bench/{peer['user'].person.code}/"),
    ]
    for client, url in pages:
        r = client.get(url)
        page = r.content.decode()
        assert r.status_code == 200, url
        assert name in page, url
        assert old_name not in page, url


def test_no_such_person_is_refused_with_exit_status_one(world, argv, capsys):  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        argv("nobody@example.org", "--yes")
    assert info.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "CommandError: No one is held with the e-mail address nobody@example.org"
    ]


def test_a_team_member_of_an_open_diagnostic_needs_force(world, argv, capsys):  # type: ignore[no-untyped-def]
    # world.own is at enquiry and the peer is on its team.
    before = User.objects.get(pk=world.peer.pk)
    with pytest.raises(SystemExit) as info:
        argv(EMAIL, "--yes")
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"Nothing erased: {EMAIL} is on the team of RPD-2027-001, which has not ended." in err[0]
    assert "--force" in err[0]
    unchanged = User.objects.get(pk=world.peer.pk)
    assert (unchanged.email, unchanged.full_name, unchanged.is_active) == (
        before.email,
        before.full_name,
        True,
    )
    assert not AuditEntry.objects.filter(action=erasure.AUDIT_ACTION).exists()

    out = _erase(EMAIL, "--yes", "--force")
    assert out.startswith("Erased.")
    assert User.objects.get(pk=world.peer.pk).email.endswith("@erased.invalid")


def test_a_cancelled_diagnostic_does_not_stand_in_the_way(world):  # type: ignore[no-untyped-def]
    world.own.stage = Stage.CANCELLED
    world.own.save()
    assert _erase(EMAIL, "--yes").startswith("Erased.")


@pytest.mark.parametrize("answer", ["", "yes", "ERASE it"])
def test_without_yes_anything_but_the_word_changes_nothing(peer, monkeypatch, answer):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    with pytest.raises(CommandError) as info:
        _erase(EMAIL)
    assert (str(info.value), info.value.returncode) == ("Nothing erased: not confirmed", 3)
    assert User.objects.get(pk=peer["user"].pk).email == EMAIL
    assert ApiToken.objects.filter(user=peer["user"]).exists()


def test_an_interrupted_prompt_changes_nothing(peer, monkeypatch):  # type: ignore[no-untyped-def]
    def no_terminal(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError, match="not confirmed"):
        _erase(EMAIL)
    assert User.objects.get(pk=peer["user"].pk).is_active


def test_typing_the_word_erases(peer, monkeypatch):  # type: ignore[no-untyped-def]
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return " erase "

    monkeypatch.setattr("builtins.input", typed)
    out = _erase(EMAIL)
    assert prompts == ['Type "erase" to erase this person for good: ']
    assert out.startswith(
        f"This will erase {EMAIL}:\n"
        "- their login (switched off; tokens, two-factor app, sessions deleted)\n"
        "- 1 directory entry\n"
        "- 1 attendee record\n"
        "Names become the pseudonym, addresses go. This cannot be undone.\n"
        "Erased. The person now shows as Erased person "
    )
    assert not User.objects.get(pk=peer["user"].pk).is_active


def test_a_failure_half_way_leaves_everything_as_it_was(world, peer, monkeypatch):  # type: ignore[no-untyped-def]
    user = peer["user"]

    def broken(found, result):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    # The login and the directory entry are done before the attendees: fail there.
    monkeypatch.setattr(erasure, "_erase_attendees", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _erase(EMAIL, "--yes")

    user.refresh_from_db()
    assert (user.email, user.is_active, user.check_password(PASSWORD)) == (EMAIL, True, True)
    assert Person.objects.get(user=user).email == EMAIL
    assert ApiToken.objects.filter(user=user).count() == 1
    assert TotpDevice.objects.filter(user=user).exists()
    assert _sessions_of(user) == 1
    assert CalendarFeed.objects.count() == 2
    assert ConflictDeclaration.objects.get(person__user=user).details.startswith("I was interim")
    assert not AuditEntry.objects.filter(action=erasure.AUDIT_ACTION).exists()
    assert _me(peer["raw"]).status_code == 200


def test_an_attendee_without_a_login_is_erased_too(world):  # type: ignore[no-untyped-def]
    a = Attendee.objects.create(
        diagnostic=world.other, name="Sam Attendee", email="sam@example.org", group="Partners"
    )
    out = _erase("SAM@example.org", "--yes")
    a.refresh_from_db()
    assert a.name.startswith("Erased person ") and a.email == ""
    assert "Audit entries added to RPD-2027-002." in out
    entry = AuditEntry.objects.get(action=erasure.AUDIT_ACTION)
    assert entry.diagnostic == world.other and "Sam" not in entry.summary
    with pytest.raises(DomainError):
        subject_access_export("sam@example.org")


def test_published_timetable_versions_take_the_pseudonym(world, peer):  # type: ignore[no-untyped-def]
    from peerdiag.timetable.models import TimetableVersion

    person = peer["user"].person
    old_name = person.full_name
    other = world.pcm.person.full_name
    session = {
        "code": "S1",
        "title": "Team managers",
        "peers": [
            {"code": person.code, "name": old_name, "email": EMAIL},
            {"code": "P2", "name": other, "email": world.pcm.email},
        ],
    }
    version = TimetableVersion.objects.create(
        diagnostic=world.own,
        number=1,
        published_at=timezone.now(),
        problem={"people": [{"id": person.code, "name": old_name}]},
        solution={"placements": [{"session": "S1", "peers": [person.code]}]},
        snapshot={"sessions": [session], "left_out": []},
    )
    _erase(EMAIL, "--yes")
    version.refresh_from_db()
    stored = repr((version.problem, version.solution, version.snapshot))
    assert old_name not in stored and EMAIL not in stored
    pseudonym = Person.objects.get(pk=person.pk).full_name
    assert pseudonym.startswith("Erased person ")
    assert version.problem["people"][0]["name"] == pseudonym
    peers = version.snapshot["sessions"][0]["peers"]
    assert peers[0] == {"code": person.code, "name": pseudonym, "email": ""}
    assert peers[1]["name"] == other  # the rest of the team is untouched
    assert version.solution["placements"][0]["peers"] == [person.code]


def test_a_directory_address_leads_to_the_login_with_another_address(world):  # type: ignore[no-untyped-def]
    person = world.peer.person
    Person.objects.filter(pk=person.pk).update(email="work.address@example.org")
    world.own.stage = Stage.CLOSED
    world.own.save()
    _erase("work.address@example.org", "--yes")
    login = User.objects.get(pk=world.peer.pk)
    assert not login.is_active and login.email.endswith("@erased.invalid")
    assert login.full_name == Person.objects.get(pk=person.pk).full_name
    assert not login.has_usable_password()
