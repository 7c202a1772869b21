"""Two people recording the evaluation outcome or a check-in at once: the second, stale save is
refused, the first stays stored, and the page shows both (dates included) and who saved."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import StaleEdit
from peerdiag.evaluation.domain.checkins import plan_check_ins, record_check_in
from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, outcome_of, record_outcome
from peerdiag.evaluation.models import CheckIn, EvaluationOutcome
from tests.evaluation.helpers import issued

pytestmark = pytest.mark.django_db
TODAY = date(2027, 5, 10)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _name(user: Any) -> str:
    return (user.get_full_name() or "").strip() or user.email


def _version(page: str, name: str = "version") -> int:
    m = re.search(rf'name="{re.escape(name)}" value="(\d+)"', page)
    assert m, f"the form carries no {name}"
    return int(m.group(1))


def _outcome(day: int, text: str, version: int) -> dict[str, str]:
    return {
        "contacted_on_0": str(day),
        "contacted_on_1": "5",
        "contacted_on_2": "2027",
        "further_support": text,
        "version": str(version),
    }


def test_two_people_recording_the_first_outcome(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    page_url = reverse("web:evaluation", args=[d.reference])
    url = reverse("web:evaluation_outcome", args=[d.reference])
    admin, pcm = _client(world.admin), _client(world.pcm)
    v_admin = _version(admin.get(page_url).content.decode())
    v_pcm = _version(pcm.get(page_url).content.decode())
    assert v_admin == v_pcm == NO_OUTCOME_YET
    assert admin.post(url, _outcome(3, "Mentoring offered", v_admin)).status_code == 302
    stale = pcm.post(url, _outcome(4, "No further support needed", v_pcm))
    page = unescape(stale.content.decode())
    o = EvaluationOutcome.objects.get(diagnostic=d)
    assert (o.contacted_on, o.further_support, o.version) == (
        date(2027, 5, 3),
        "Mentoring offered",
        1,
    )
    assert "Saved by someone else" in page
    assert f"{_name(world.admin)} saved a change at" in page
    # Theirs is in the form, date boxes included; ours is beside it.
    assert re.search(
        r'<textarea[^>]*name="further_support"[^>]*>\s*Mentoring offered</textarea>', page
    )
    assert re.search(r"<textarea[^>]*readonly[^>]*>No further support needed</textarea>", page)
    assert re.search(r'name="contacted_on_0"[^>]*value="3"', page)
    assert 'value="4 May 2027" readonly' in page and "3 May 2027" in page
    # Saving again from the conflict page is deliberate, at the version now in the form.
    assert _version(page) == 1
    again = pcm.post(url, _outcome(4, "Mentoring offered; review in June", 1))
    assert again.status_code == 302
    o.refresh_from_db()
    assert (o.further_support, o.version, o.changed_by) == (
        "Mentoring offered; review in June",
        2,
        world.pcm,
    )


def test_a_stale_check_in_is_refused_and_the_first_notes_survive(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    three, _ = plan_check_ins(d, by=world.pcm)
    page_url = reverse("web:evaluation", args=[d.reference])
    url = reverse("web:check_in_record", args=[d.reference, three.code])
    key = f"{three.code}-version"
    admin, pcm = _client(world.admin), _client(world.pcm)
    v_admin = _version(admin.get(page_url).content.decode(), key)
    v_pcm = _version(pcm.get(page_url).content.decode(), key)

    def post(c: Client, notes: str, v: int) -> Any:
        return c.post(
            url,
            {
                f"{three.code}-held_on_0": "7",
                f"{three.code}-held_on_1": "5",
                f"{three.code}-held_on_2": "2027",
                f"{three.code}-notes": notes,
                key: str(v),
            },
        )

    assert post(admin, "Plans are sharper", v_admin).status_code == 302
    page = unescape(post(pcm, "Caseloads are down", v_pcm).content.decode())
    three.refresh_from_db()
    assert (three.notes, three.changed_by) == ("Plans are sharper", world.admin)
    assert "Error: Evaluation" in page
    assert f"{_name(world.admin)} changed the 3-month check-in at" in page
    assert re.search(
        rf'<textarea[^>]*name="{three.code}-notes"[^>]*>\s*Plans are sharper</textarea>', page
    )
    assert re.search(r"<textarea[^>]*readonly[^>]*>Caseloads are down</textarea>", page)
    assert _version(page, key) == three.version


def test_the_domain_refuses_stale_versions(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    record_outcome(d, by=world.admin, contacted_on=TODAY, further_support="One", version=0)
    with pytest.raises(StaleEdit) as refused:
        record_outcome(d, by=world.pcm, contacted_on=TODAY, further_support="Two", version=0)
    assert refused.value.current_version == 1 and refused.value.changed_by == world.admin
    o = outcome_of(d)
    assert o is not None and o.further_support == "One"
    three, _ = plan_check_ins(d, by=world.pcm)
    record_check_in(three, by=world.admin, held_on=TODAY, notes="First", version=1)
    other = CheckIn.objects.get(pk=three.pk)
    with pytest.raises(StaleEdit):
        record_check_in(other, by=world.pcm, held_on=TODAY, notes="Second", version=1)
    assert CheckIn.objects.get(pk=three.pk).notes == "First"


def test_the_same_outcome_sent_twice_is_not_called_a_conflict(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    url = reverse("web:evaluation_outcome", args=[d.reference])
    pcm = _client(world.pcm)
    data = _outcome(3, "Mentoring offered", NO_OUTCOME_YET)
    assert pcm.post(url, data).status_code == 302
    page = unescape(pcm.post(url, data, follow=True).content.decode())
    assert "Evaluation outcome recorded" in page and "Saved by someone else" not in page
    assert EvaluationOutcome.objects.get(diagnostic=d).version == 1
