"""Two people editing the same finding: the second, stale save is refused and shows both texts."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import StaleEdit, revisions_of
from peerdiag.findings.domain.findings import add_finding, update_finding
from peerdiag.findings.models import Finding
from tests.findings.helpers import delivery


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _version_on(page: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "the form carries no version"
    return int(m.group(1))


def test_a_stale_save_of_a_finding_is_refused_and_the_first_text_survives(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="First words", kloe=None)
    url = reverse("web:finding_edit", args=[x.d.reference, f.code])
    lead, om = _client(x.lead), _client(x.om)
    k = x.kloes[0].code
    # Both open the form at the same version.
    v_lead = _version_on(lead.get(url).content.decode())
    v_om = _version_on(om.get(url).content.decode())
    assert v_lead == v_om == f.version == 1
    ok = lead.post(
        url, {"kind": "strength", "statement": "Lead's wording", "version": v_lead, "kloe": k}
    )
    assert ok.status_code == 302
    stale = om.post(
        url, {"kind": "area", "statement": "Manager's wording", "version": v_om, "kloe": k}
    )
    page = unescape(stale.content.decode())
    assert stale.status_code == 200
    f.refresh_from_db()
    assert (f.statement, f.kind, f.version) == ("Lead's wording", "strength", 2)
    # The page names who saved and shows both texts: theirs in the form, ours kept beside it.
    assert "There is a problem" in page and "Saved by someone else" in page
    assert f"{x.lead.get_full_name()} saved a change at" in page
    assert re.search(r'<textarea[^>]*name="statement"[^>]*>\s*Lead\'s wording</textarea>', page)
    assert re.search(r"<textarea[^>]*readonly[^>]*>Manager's wording</textarea>", page)
    # Saving again from the conflict page is a deliberate choice at the new version.
    assert _version_on(page) == 2
    again = om.post(url, {"kind": "strength", "statement": "Both, merged", "version": 2, "kloe": k})
    assert again.status_code == 302
    f.refresh_from_db()
    assert (f.statement, f.version) == ("Both, merged", 3)
    texts = [r.data["statement"] for r in revisions_of(f)]
    assert texts == ["Both, merged", "Lead's wording", "First words"]


def test_a_save_without_a_version_is_refused_with_the_field_named(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="Kept", kloe=None)
    url = reverse("web:finding_edit", args=[x.d.reference, f.code])
    page = unescape(
        _client(x.lead)
        .post(url, {"kind": "area", "statement": "Lost?", "kloe": x.kloes[0].code})
        .content.decode()
    )
    assert "This form is out of date" in page
    f.refresh_from_db()
    assert f.statement == "Kept"


def test_the_domain_refuses_a_stale_version(world):  # type: ignore[no-untyped-def]
    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="One", kloe=None)
    update_finding(f, by=x.lead, kind="strength", statement="Two", kloe=None, version=1)
    other = Finding.objects.get(pk=f.pk)
    other.version = 1
    with pytest.raises(StaleEdit) as refused:
        update_finding(other, by=x.om, kind="strength", statement="Three", kloe=None, version=1)
    assert refused.value.current_version == 2 and refused.value.changed_by == x.lead
    assert Finding.objects.get(pk=f.pk).statement == "Two"


def test_a_findings_kept_wordings_go_with_it(world):  # type: ignore[no-untyped-def]
    from peerdiag.common.models import Revision

    x = delivery(world)
    f = add_finding(x.d, by=x.lead, kind="strength", statement="One", kloe=None)
    update_finding(f, by=x.lead, kind="strength", statement="Two", kloe=None, version=1)
    assert Revision.objects.filter(object_id=f.pk).count() == 2
    f.delete()
    assert not Revision.objects.filter(object_id=f.pk).exists()
