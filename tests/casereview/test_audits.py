import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from peerdiag.casereview.domain.audits import (
    GradeIn,
    moderate,
    read_case,
    record_contact,
    save_audit,
)
from peerdiag.casereview.domain.concerns import (
    acknowledge_concern,
    open_concerns_for,
    raise_concern,
)
from peerdiag.casereview.domain.gate import case_review_blockers
from peerdiag.casereview.enums import AuditDomain
from peerdiag.casereview.models import CaseListEntry, CaseReadLog, DomainGrade
from peerdiag.common.crypto import decrypt
from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import AuditEntry
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db
SECRET = "Mother disclosed domestic abuse in March"
ALL = {d: GradeIn("good", SECRET, "Clear analysis") for d in AuditDomain.values}


@pytest.fixture
def setup(world):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    return {"case": case, "auditor": auditor}


def _finish(case, by):  # type: ignore[no-untyped-def]
    return save_audit(
        case,
        by=by,
        header={"period_months": 12, "age_band": "5_10"},
        grades=ALL,
        overall_grade="good",
        difference="Now attends school daily",
        finish=True,
        version=0,
    )


def test_the_assigned_auditor_grades_the_case_and_content_is_encrypted_at_rest(world, setup):  # type: ignore[no-untyped-def]
    audit = _finish(setup["case"], setup["auditor"])
    assert audit.status == "done" and audit.grades.count() == 11
    with connection.cursor() as cur:
        cur.execute("SELECT evidence_enc FROM casereview_domaingrade")
        raw = [r[0] for r in cur.fetchall()]
    assert raw and all(SECRET not in v and v.startswith("gAAAA") for v in raw)
    assert decrypt(raw[0]) == SECRET
    # Nothing of the case content reaches the audit trail.
    assert not [e for e in AuditEntry.objects.all() if SECRET in e.summary or "school" in e.summary]


def test_someone_else_cannot_write_the_audit_and_finishing_needs_every_domain(world, setup):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="Only the case auditor"):
        _finish(setup["case"], world.peer)
    with pytest.raises(DomainError, match="Grade every domain"):
        save_audit(
            setup["case"],
            by=setup["auditor"],
            header={},
            grades={"voice": GradeIn("na")},
            overall_grade="good",
            difference="",
            finish=True,
            version=0,
        )


def test_every_read_of_case_content_is_logged(world, setup):  # type: ignore[no-untyped-def]
    _finish(setup["case"], setup["auditor"])
    content = read_case(setup["case"], by=world.peer)
    assert content.grades["voice"] == GradeIn("good", SECRET, "Clear analysis")
    assert content.difference == "Now attends school daily"
    log = CaseReadLog.objects.get()
    assert (log.user, log.case, log.what) == (world.peer, setup["case"], "case audit")


def test_contacts_and_moderation_are_recorded(world, setup):  # type: ignore[no-untyped-def]
    audit = _finish(setup["case"], setup["auditor"])
    from datetime import date

    record_contact(
        audit,
        by=setup["auditor"],
        contacted_on=date(2026, 1, 5),
        role_contacted="Team manager",
        note="Confirmed plan",
    )
    with pytest.raises(DomainError, match="other than the auditor"):
        moderate(audit, by=setup["auditor"], agrees=True, note="")
    with pytest.raises(DomainError, match="disagree"):
        moderate(audit, by=world.pcm, agrees=False, note="")
    moderate(audit, by=world.pcm, agrees=False, note="Planning is requires improvement")
    content = read_case(setup["case"], by=world.pcm)
    assert (
        content.contacts[0]["role"] == "Team manager"
        and content.contacts[0]["note"] == "Confirmed plan"
    )
    assert content.moderations[0]["agrees"] is False


def test_a_concern_is_emailed_at_once_without_case_content_and_stays_open_until_acknowledged(
    world, setup
):  # type: ignore[no-untyped-def]
    audit = _finish(setup["case"], setup["auditor"])
    concern = raise_concern(audit, by=setup["auditor"], summary=SECRET)
    assert concern.escalated_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["pcm@example.org", "sponsor@example.org"]
    assert (
        SECRET not in mail.outbox[0].body
        and setup["case"].entry.pseudonymous_ref not in mail.outbox[0].body
    )
    assert list(open_concerns_for(world.sponsor)) == [concern]
    assert list(open_concerns_for(world.pcm)) == [concern]
    assert list(open_concerns_for(world.peer)) == []
    concern_url = reverse("web:casereview_concern", args=[world.own.reference, concern.code])
    for user in (world.sponsor, world.pcm):
        c = Client()
        c.force_login(user)
        assert f'href="{concern_url}"' in c.get(reverse("web:dashboard")).content.decode()
    with pytest.raises(DomainError):
        acknowledge_concern(concern, by=world.peer, version=concern.version)
    acknowledge_concern(concern, by=world.sponsor, version=concern.version)
    assert list(open_concerns_for(world.pcm)) == []
    c = Client()
    c.force_login(world.pcm)
    assert concern_url not in c.get(reverse("web:dashboard")).content.decode()
    assert AuditEntry.objects.filter(action="safeguarding_concern_acknowledged").exists()


def test_the_gate_lists_what_is_missing(world, setup):  # type: ignore[no-untyped-def]
    codes = [b.code for b in case_review_blockers(world.own, "ready")]
    assert codes == ["case_review.audits", "case_review.report"]


def test_rotate_keys_re_encrypts_with_the_newest_key(world, setup, monkeypatch):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    from peerdiag.common import crypto

    # The setup's case list was written under the development key: keep it readable too.
    old = f"{Fernet.generate_key().decode()},{crypto._dev_key().decode()}"
    monkeypatch.setenv(crypto.ENV, old)
    _finish(setup["case"], setup["auditor"])
    new = Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV, f"{new},{old}")
    call_command("casereview", "rotate-keys")
    monkeypatch.setenv(crypto.ENV, new)
    grade = DomainGrade.objects.first()
    assert decrypt(grade.evidence_enc) == SECRET
    # The case list's encrypted reference moved to the new key as well.
    entry = CaseListEntry.objects.get(pk=setup["case"].entry_id)
    assert entry.pseudonymous_ref == setup["case"].entry.pseudonymous_ref
