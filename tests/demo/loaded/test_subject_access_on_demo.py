"""Subject access over the demo, which has a person in every role with every kind of record."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AuditEntry, TeamMember
from peerdiag.findings.models import EvidenceNote
from peerdiag.privacy.domain.subject_access import subject_access_export
from peerdiag.timetable.models import Attendee, CalendarFeed, SentInvitation

pytestmark = pytest.mark.django_db


def _secrets_in(export: dict) -> list[str]:  # type: ignore[type-arg]
    found = []
    for section, rows in export.items():
        for item in rows if isinstance(rows, list) else [rows] if isinstance(rows, dict) else []:
            found += [
                f"{section}.{k}"
                for k in item
                if any(w in k for w in ("password", "token", "hash", "secret", "_enc"))
            ]
    return found


def test_the_export_holds_the_peers_records_and_no_secrets(demo):  # type: ignore[no-untyped-def]
    user = User.objects.get(email="peer@peerdiag.test")
    export = json.loads(json.dumps(subject_access_export("PEER@peerdiag.test"), default=str))

    assert export["user"]["email"] == "peer@peerdiag.test"
    assert [p["email"] for p in export["people"]] == ["peer@peerdiag.test"]
    places = TeamMember.objects.filter(person__user=user)
    assert len(export["team_places"]) == places.count() > 0
    notes = EvidenceNote.objects.filter(author__in=places)
    assert notes.exists()
    assert sorted(n["code"] for n in export["evidence_notes_written"]) == sorted(
        notes.values_list("code", flat=True)
    )
    assert any(n["body"] for n in export["evidence_notes_written"])  # the text, not just ids
    acted = AuditEntry.objects.filter(actor=user)
    assert len(export["audit_entries_as_actor"]) == acted.count()
    assert _secrets_in(export) == []
    # The token of a calendar feed never leaves, even though the feed is listed.
    feed_tokens = set(CalendarFeed.objects.values_list("token", flat=True))
    assert not any(t in json.dumps(export) for t in feed_tokens)


def test_the_command_writes_json_finds_attendees_and_refuses_an_unknown_address(demo, tmp_path):  # type: ignore[no-untyped-def]
    attendee = Attendee.objects.exclude(email="").first()
    assert attendee is not None
    export = subject_access_export(attendee.email)
    assert export["user"] is None
    assert attendee.code in [a["code"] for a in export["attendee_records"]]
    sent = SentInvitation.objects.filter(email__iexact=attendee.email).count()
    assert len(export["sent_invitations"]) == sent

    out = tmp_path / "sar.json"
    call_command("subject_access", "sponsor@peerdiag.test", "-o", str(out), stdout=io.StringIO())
    data = json.loads(out.read_text())
    assert data["people"][0]["email"] == "sponsor@peerdiag.test"
    assert data["council_roles"]
    with pytest.raises(CommandError) as info:
        call_command("subject_access", "nobody@example.org", "-o", str(tmp_path / "x.json"))
    assert str(info.value) == "No one is held with the e-mail address nobody@example.org"
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(DomainError):
        subject_access_export("nobody@example.org")
