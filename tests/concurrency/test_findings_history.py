"""Recommendations refuse a stale save like findings do, and both keep every saved version: the
history lists them, newest first, and an earlier one can be put back as a new version."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import revisions_of
from peerdiag.findings.domain.findings import (
    add_finding,
    add_recommendation,
    update_finding,
    update_recommendation,
)
from peerdiag.findings.models import Finding, Recommendation
from tests.findings.helpers import delivery


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _version_on(page: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "the form carries no version"
    return int(m.group(1))


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", _page(response)).split())


def test_a_stale_save_of_a_recommendation_is_refused_and_the_first_text_survives(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    slow = add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None)
    calm = add_finding(x.d, by=x.lead, kind="strength", statement="Calm front door", kloe=None)
    rec = add_recommendation(x.d, by=x.lead, text="First words", findings=[slow])
    url = reverse("web:recommendation_edit", args=[x.d.reference, rec.code])
    lead, om = _client(x.lead), _client(x.om)
    v_lead = _version_on(_page(lead.get(url)))
    v_om = _version_on(_page(om.get(url)))
    assert v_lead == v_om == 1
    ok = lead.post(
        url, {"text": "Lead's wording", "findings": [slow.code, calm.code], "version": v_lead}
    )
    assert ok.status_code == 302
    stale = om.post(url, {"text": "Manager's wording", "findings": [slow.code], "version": v_om})
    page = _page(stale)
    rec.refresh_from_db()
    assert (rec.text, rec.version) == ("Lead's wording", 2)
    assert set(rec.findings.values_list("code", flat=True)) == {slow.code, calm.code}
    # Who saved, their words in the form, the manager's kept beside them; the findings in words.
    assert "Saved by someone else" in page
    assert f"{x.lead.get_full_name()} saved a change at" in page
    assert re.search(r'<textarea[^>]*name="text"[^>]*>\s*Lead\'s wording</textarea>', page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Manager's wording</textarea>", page)
    assert 'value="Area for consideration: Slow plans"' in page
    assert "Area for consideration: Slow plans; Strength: Calm front door" in page
    assert _version_on(page) == 2
    again = om.post(url, {"text": "Merged", "findings": [slow.code], "version": 2})
    assert again.status_code == 302
    rec.refresh_from_db()
    texts = [r.data["text"] for r in revisions_of(rec)]
    assert texts == ["Merged", "Lead's wording", "First words"]


def test_the_history_of_a_finding_lists_every_version_newest_first(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="First words", kloe=x.kloes[0])
    update_finding(f, by=x.om, kind="area", statement="Second words", kloe=None, version=1)
    detail = _page(_client(x.om).get(reverse("web:finding_detail", args=[x.d.reference, f.code])))
    history = reverse("web:finding_history", args=[x.d.reference, f.code])
    assert f'href="{history}"' in detail
    text = _text(_client(x.om).get(history))
    assert text.index("Version 2 (current)") < text.index("Version 1")
    assert f"Saved by {x.om.get_full_name()} at" in text
    assert f"Saved by {x.lead.get_full_name()} at" in text
    assert "Second words" in text and "First words" in text
    assert f"1. {x.kloes[0].text}" in text and "Area for consideration" in text
    # Only earlier versions can be put back, and the button says what it does.
    assert "Put version 1 back as the current finding" in text
    assert "Put version 2 back" not in text
    assert "This saves version 1 as version 3" in text
    # An LGA administrator reads it but is offered no button (it cannot write).
    admin_text = _text(_client(world.admin).get(history))
    assert "Second words" in admin_text and "Put version 1 back" not in admin_text


def test_putting_a_version_back_makes_a_new_version_and_keeps_the_one_it_replaced(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="First words", kloe=x.kloes[0])
    update_finding(f, by=x.om, kind="area", statement="Second words", kloe=None, version=1)
    restore = reverse("web:finding_restore", args=[x.d.reference, f.code, 1])
    response = _client(x.lead).post(restore, {"version": 2})
    assert response["Location"] == reverse("web:finding_detail", args=[x.d.reference, f.code])
    f.refresh_from_db()
    assert (f.statement, f.kind, f.kloe, f.version) == ("First words", "strength", x.kloes[0], 3)
    kept = revisions_of(f)
    assert [(r.version, r.restored_from, r.data["statement"]) for r in kept] == [
        (3, 1, "First words"),
        (2, None, "Second words"),
        (1, None, "First words"),
    ]
    assert kept[0].saved_by == x.lead
    text = _text(_client(x.lead).get(reverse("web:finding_history", args=[x.d.reference, f.code])))
    assert "putting back version 1" in text


def test_putting_a_version_back_from_a_stale_history_is_refused(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="First words", kloe=None)
    update_finding(f, by=x.lead, kind="strength", statement="Second words", kloe=None, version=1)
    om = _client(x.om)
    history = reverse("web:finding_history", args=[x.d.reference, f.code])
    shown = re.search(r'name="version" value="(\d+)"', _page(om.get(history)))
    assert shown and shown.group(1) == "2"
    # The lead saves while the manager reads the history.
    f = Finding.objects.get(pk=f.pk)
    update_finding(f, by=x.lead, kind="strength", statement="Lead's latest", kloe=None, version=2)
    refused = om.post(
        reverse("web:finding_restore", args=[x.d.reference, f.code, 1]), {"version": 2}
    )
    text = _text(refused)
    assert (
        f"{x.lead.get_full_name()} changed this finding at" in text
        and "so version 1 has not been put back" in text
    )
    assert text.index("Version 3 (current)") < text.index("Lead's latest")
    f.refresh_from_db()
    assert (f.statement, f.version) == ("Lead's latest", 3)
    assert len(revisions_of(f)) == 3


def test_a_recommendation_is_put_back_without_the_findings_removed_since(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    slow = add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None)
    gone = add_finding(x.d, by=x.lead, kind="area", statement="Short-lived", kloe=None)
    rec = add_recommendation(x.d, by=x.lead, text="First words", findings=[slow, gone])
    update_recommendation(rec, by=x.om, text="Second words", findings=[slow], version=1)
    gone.delete()
    lead = _client(x.lead)
    history = reverse("web:recommendation_history", args=[x.d.reference, rec.code])
    text = _text(lead.get(history))
    assert "Area for consideration: Slow plans A finding removed since" in text
    response = lead.post(
        reverse("web:recommendation_restore", args=[x.d.reference, rec.code, 1]), {"version": 2}
    )
    assert response["Location"] == history
    rec = Recommendation.objects.get(pk=rec.pk)
    assert (rec.text, rec.version) == ("First words", 3)
    assert list(rec.findings.all()) == [slow]
    assert revisions_of(rec)[0].restored_from == 1


def test_a_recommendation_whose_findings_are_all_gone_cannot_be_put_back(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    slow = add_finding(x.d, by=x.lead, kind="area", statement="Slow plans", kloe=None)
    calm = add_finding(x.d, by=x.lead, kind="strength", statement="Calm", kloe=None)
    rec = add_recommendation(x.d, by=x.lead, text="First words", findings=[slow])
    update_recommendation(rec, by=x.om, text="Second words", findings=[calm], version=1)
    slow.delete()
    text = _text(
        _client(x.lead).post(
            reverse("web:recommendation_restore", args=[x.d.reference, rec.code, 1]),
            {"version": 2},
        )
    )
    assert "Version 1 cannot be put back: none of the findings it followed from" in text
    rec.refresh_from_db()
    assert (rec.text, rec.version) == ("Second words", 2)


def test_a_restore_without_the_version_it_was_drawn_from_changes_nothing(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="First words", kloe=None)
    update_finding(f, by=x.lead, kind="strength", statement="Second words", kloe=None, version=1)
    text = _text(
        _client(x.lead).post(reverse("web:finding_restore", args=[x.d.reference, f.code, 1]))
    )
    assert "This page is out of date: open the history again" in text
    f.refresh_from_db()
    assert (f.statement, f.version) == ("Second words", 2)
