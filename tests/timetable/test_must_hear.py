"""Who the week must hear from (issue 17): the list per type of diagnostic, a warning for each
one missing, and the PCM's dismissal with a reason (recorded, shown, reversible)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.enums import DiagnosticType
from peerdiag.diagnostics.models import AuditEntry
from peerdiag.timetable.domain.coverage import week_sessions
from peerdiag.timetable.domain.must_hear import (
    MUST_HEAR,
    REASON_LIMIT,
    dismiss_must_hear,
    must_hear_for,
    must_hear_status,
    restore_must_hear,
)
from peerdiag.timetable.enums import SessionType
from peerdiag.timetable.models import Attendee, MustHearDismissal, Session

from .helpers import planned_week


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _status(d):  # type: ignore[no-untyped-def]
    return {h.role.key: h for h in must_hear_status(d, week_sessions(d))}


def _page(user, d) -> str:  # type: ignore[no-untyped-def]
    return _client(user).get(reverse("web:coverage", args=[d.reference])).content.decode()


def test_every_type_of_diagnostic_has_a_list_with_the_leadership_first():
    assert set(MUST_HEAR) == set(DiagnosticType.values)
    for roles in MUST_HEAR.values():
        assert [r.key for r in roles[:3]] == ["dcs", "lead_member", "chief_executive"]
    safeguarding = {r.key for r in MUST_HEAR[DiagnosticType.SAFEGUARDING]}
    assert {"psw", "iros", "front_door", "partners", "young_people", "frontline"} <= safeguarding
    assert "parent_carer_forum" in {r.key for r in MUST_HEAR[DiagnosticType.SEND]}


def test_a_week_without_the_director_warns_and_one_with_them_does_not(world):
    w = planned_week(world.own)  # safeguarding; groups: social workers, partners, early help...
    status = _status(w.d)
    assert [k for k in status] == [r.key for r in must_hear_for(w.d)]
    assert status["dcs"].warn and status["lead_member"].warn and status["chief_executive"].warn
    # Partners are heard through the sessions' stakeholder group.
    assert not status["partners"].warn
    assert [s.title for s in status["partners"].sessions] == ["Conversation 3"]
    dcs = Session.objects.create(
        diagnostic=w.d, type=SessionType.INTERVIEW, title="Director", roles=["dcs"]
    )
    # A meeting or a cancelled interview does not count.
    Session.objects.create(
        diagnostic=w.d, type=SessionType.KIT, title="KIT with the leader", roles=["lead_member"]
    )
    Session.objects.create(
        diagnostic=w.d,
        type=SessionType.INTERVIEW,
        title="Chief executive",
        roles=["chief_executive"],
        status="cancelled",
    )
    status = _status(w.d)
    assert [s.pk for s in status["dcs"].sessions] == [dcs.pk] and not status["dcs"].warn
    assert status["lead_member"].warn and status["chief_executive"].warn
    page = _page(world.pcm, w.d)
    row = page.split('id="must-hear-chief_executive"')[1].split("</tr>")[0]
    assert "Not heard" in row and "No interview or focus group hears from the chief" in row
    assert "Director" in page.split('id="must-hear-dcs"')[1].split("</tr>")[0]


def test_young_people_are_heard_through_a_session_with_young_attendees(world):
    w = planned_week(world.own, interviews=0)
    assert _status(w.d)["young_people"].warn
    young = Attendee.objects.create(
        diagnostic=w.d, name="Member", group="Care council", young_person=True
    )
    s = Session.objects.create(diagnostic=w.d, type=SessionType.FOCUS_GROUP, title="Care council")
    s.attendees.set([young])
    assert not _status(w.d)["young_people"].warn


def test_pcm_dismisses_with_a_reason_shown_and_audited_then_brings_it_back(world):
    w = planned_week(world.own, interviews=0)
    d = w.d
    c = _client(world.pcm)
    url = reverse("web:must_hear_dismiss", args=[d.reference, "chief_executive"])
    form = c.get(url).content.decode()
    assert 'name="version"' in form and 'value="0"' in form
    # No reason: refused, nothing saved.
    r = c.post(url, {"reason": "  ", "version": "0"})
    assert "Say why the week need not hear from them" in r.content.decode()
    assert not MustHearDismissal.objects.filter(diagnostic=d).exists()
    # Too long: refused, never cut.
    r = c.post(url, {"reason": "x" * (REASON_LIMIT + 1), "version": "0"})
    assert r.status_code == 200 and not MustHearDismissal.objects.filter(diagnostic=d).exists()
    r = c.post(url, {"reason": "The chief executive is new and not yet in post", "version": "0"})
    assert r.status_code == 302
    x = MustHearDismissal.objects.get(diagnostic=d, role="chief_executive")
    assert x.dismissed and x.changed_by == world.pcm and x.version == 1
    assert AuditEntry.objects.filter(
        diagnostic=d, summary__contains="not yet in post", actor=world.pcm
    ).exists()
    status = _status(d)
    assert status["chief_executive"].dismissed and not status["chief_executive"].warn
    page = _page(world.pcm, d)
    row = page.split('id="must-hear-chief_executive"')[1].split("</tr>")[0]
    assert "Warning dismissed" in row and "not yet in post" in row
    assert "Bring back the warning" in row
    # The council sees the dismissal and its reason, but not the buttons.
    council = _page(world.organiser, d)
    row = council.split('id="must-hear-chief_executive"')[1].split("</tr>")[0]
    assert "not yet in post" in row and "Bring back" not in row
    # Bring it back.
    restore = reverse("web:must_hear_restore", args=[d.reference, "chief_executive"])
    assert c.post(restore, {"version": "1"}).status_code == 302
    x.refresh_from_db()
    assert not x.dismissed and x.version == 2
    assert _status(d)["chief_executive"].warn
    assert AuditEntry.objects.filter(diagnostic=d, summary__startswith="Brought back").exists()
    # Dismissed again later: the same record moves on.
    dismiss_must_hear(d, by=world.pcm, role="chief_executive", reason="Interim", version=2)
    x.refresh_from_db()
    assert x.dismissed and x.reason == "Interim" and x.version == 3


def test_a_stale_dismissal_or_restore_changes_nothing(world):
    w = planned_week(world.own, interviews=0)
    d = w.d
    dismiss_must_hear(d, by=world.pcm, role="psw", reason="No PSW in post", version=0)
    # Someone who opened the page before it was dismissed.
    with pytest.raises(StaleEdit):
        dismiss_must_hear(d, by=world.admin, role="psw", reason="Other reason", version=0)
    restore_must_hear(d, by=world.pcm, role="psw", version=1)
    # Someone restoring from a page showing version 1: it has moved on to 2.
    dismiss_must_hear(d, by=world.pcm, role="psw", reason="Still none", version=2)
    with pytest.raises(StaleEdit):
        restore_must_hear(d, by=world.admin, role="psw", version=2)
    x = MustHearDismissal.objects.get(diagnostic=d, role="psw")
    assert (x.dismissed, x.reason, x.version) == (True, "Still none", 3)
    # The page says so and keeps it dismissed.
    restore = reverse("web:must_hear_restore", args=[d.reference, "psw"])
    r = _client(world.pcm).post(restore, {"version": "2"}, follow=True)
    assert "after you opened the page" in r.content.decode()
    x.refresh_from_db()
    assert x.dismissed and x.version == 3


def test_only_the_pcm_and_administrators_dismiss(world):
    w = planned_week(world.own, interviews=0)
    d = w.d
    url = reverse("web:must_hear_dismiss", args=[d.reference, "dcs"])
    data = {"reason": "Not needed", "version": "0"}
    assert _client(world.peer).post(url, data).status_code == 403
    assert _client(world.organiser).post(url, data).status_code == 403
    assert _client(world.sponsor).post(url, data).status_code == 403
    assert _client(world.other_pcm).post(url, data).status_code == 404
    assert not MustHearDismissal.objects.filter(diagnostic=d).exists()
    assert (
        "Dismiss" not in _page(world.organiser, d).split('id="must-hear"')[1].split("</table>")[0]
    )
    # A role that is not on the list is not found.
    bad = reverse("web:must_hear_dismiss", args=[d.reference, "mayor"])
    assert _client(world.pcm).get(bad).status_code == 404
    with pytest.raises(DomainError):
        dismiss_must_hear(d, by=world.pcm, role="parent_carer_forum", reason="x", version=0)
    assert _client(world.admin).post(url, data).status_code == 302
    assert MustHearDismissal.objects.get(diagnostic=d, role="dcs").changed_by == world.admin


def test_the_dismiss_page_refuses_a_stale_form_and_shows_what_is_saved(world):
    w = planned_week(world.own, interviews=0)
    d = w.d
    c = _client(world.pcm)
    url = reverse("web:must_hear_dismiss", args=[d.reference, "front_door"])
    # A version nobody showed: refused, nothing saved.
    r = c.post(url, {"reason": "Probe", "version": "1000"})
    assert "after you opened it" in r.content.decode()
    assert not MustHearDismissal.objects.filter(diagnostic=d).exists()
    # Someone dismissed it while this page was open (it showed version 0).
    dismiss_must_hear(d, by=world.admin, role="front_door", reason="No MASH here", version=0)
    r = c.post(url, {"reason": "My own reason", "version": "0"})
    page = r.content.decode()
    assert "after you opened it" in page and "No MASH here" in page and "My own reason" in page
    x = MustHearDismissal.objects.get(diagnostic=d, role="front_door")
    assert (x.reason, x.version, x.changed_by) == ("No MASH here", 1, world.admin)
