"""Who else has a page open: the line on a section's edit page, a finding and the drafting
board, the fragment their pages poll, and its permissions. The clock is moved by patching
peerdiag.common.presence._now (the project patches time with monkeypatch, not freezegun)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from peerdiag.common import presence
from peerdiag.findings.domain.findings import add_finding
from peerdiag.reports.domain.content import written_for
from tests.reports.helpers import drafted

T0 = 1_900_000_000.0


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    cache.clear()
    now = {"t": T0}
    monkeypatch.setattr(presence, "_now", lambda: now["t"])
    return now


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _seen(page: str) -> str:
    m = re.search(r'name="seen" value="([0-9a-f]+)"', page)
    assert m, "no fingerprint of the line"
    return m.group(1)


def _line(page: str) -> str:
    """The live region's words, tags removed."""
    m = re.search(r'<div id="presence-[^"]+" aria-live="polite">(.*?)</div>', page, re.S)
    assert m, "no presence region on the page"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_two_people_on_one_section_see_each_other_until_one_leaves(world, clock):  # type: ignore[no-untyped-def]
    x = drafted(world)
    ref = x.d.reference
    edit = reverse("web:written_paragraph", args=[ref, "context"])
    poll = reverse("web:presence", args=[ref, "section", "context"])
    pcm, lead = _client(world.pcm), _client(world.peer)
    pcm_name, lead_name = world.pcm.get_full_name(), world.peer.get_full_name()

    first = _text(pcm.get(edit))
    assert _line(first) == ""  # nobody else yet; the page still polls
    assert f'hx-get="{poll}"' in first and 'hx-trigger="every 15s"' in first
    clock["t"] += 5
    second = _text(lead.get(edit))
    assert _line(second) == f"{pcm_name} is editing this."

    # The PCM's page polls and now sees the lead peer.
    clock["t"] += 10
    answer = pcm.get(poll, {"editing": "1", "seen": _seen(first)})
    assert answer.status_code == 200
    assert f"{lead_name} is editing this." in _text(answer)
    assert 'hx-swap-oob="true"' in _text(answer)  # the new fingerprint for the next poll
    # Asked again with the line it now shows: nothing to change, nothing swapped or read out.
    same = pcm.get(poll, {"editing": "1", "seen": _seen(_text(answer))})
    assert same.status_code == 204 and same.content == b""

    # The PCM closes the page. Within the window the lead peer still sees them...
    clock["t"] += presence.WINDOW - 20
    still = lead.get(poll, {"editing": "1", "seen": _seen(second)})
    assert still.status_code == 204
    # ...and once it has passed (under a minute since the PCM's last poll), the name is gone.
    clock["t"] += 21
    gone = lead.get(poll, {"editing": "1", "seen": _seen(second)})
    assert gone.status_code == 200
    assert pcm_name not in _text(gone)
    assert _line(_text(lead.get(edit))) == ""


def test_someone_reading_a_finding_sees_who_is_editing_it(world, clock):  # type: ignore[no-untyped-def]
    x = drafted(world)
    f = add_finding(x.d, by=world.peer, kind="strength", statement="Teams are stable.", kloe=None)
    ref = x.d.reference
    detail = reverse("web:finding_detail", args=[ref, f.code])
    edit = reverse("web:finding_edit", args=[ref, f.code])
    _client(x.x.om).get(edit)
    page = _text(_client(world.peer).get(detail))
    assert _line(page) == f"{x.x.om.get_full_name()} is editing this."
    # The editor sees the reader as having it open, not as editing.
    answer = _client(x.x.om).get(
        reverse("web:presence", args=[ref, "finding", f.code]), {"editing": "1"}
    )
    assert f"{world.peer.get_full_name()} has this open." in _text(answer)
    # A finding being added has nobody else on it: no line, no polling.
    adding = _text(_client(world.peer).get(reverse("web:finding_add", args=[ref])))
    assert "Add a finding" in adding and "presence" not in adding


def test_the_drafting_board_says_who_else_has_it_open(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    board = reverse("web:drafting_board", args=[x.d.reference])
    _client(world.pcm).get(board)
    _client(x.x.om).get(board)
    first, second = sorted([world.pcm.get_full_name(), x.x.om.get_full_name()], key=str.lower)
    line = _line(_text(_client(world.peer).get(board)))
    assert line == f"{first} and {second} have this open."


def test_the_fragment_checks_the_pages_own_permission(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    f = add_finding(x.d, by=world.peer, kind="strength", statement="Teams are stable.", kloe=None)
    ref = x.d.reference
    written_for(x.d)
    section = reverse("web:presence", args=[ref, "section", "context"])
    finding = reverse("web:presence", args=[ref, "finding", f.code])
    # The council may not edit sections nor read findings; other teams learn nothing.
    assert _client(world.sponsor).get(section).status_code == 403
    assert _client(world.sponsor).get(finding).status_code == 403
    assert _client(world.other_pcm).get(section).status_code == 404
    # An LGA admin may read a finding but not edit it: no claim to be editing it.
    admin = _client(world.admin)
    assert admin.get(finding).status_code == 200
    assert admin.get(finding, {"editing": "1"}).status_code == 403
    # Kinds outside the allow-list, and codes naming nothing, are not found.
    for kind, code in (("user", "1"), ("diagnostic", ref), ("finding", "nope"), ("section", "x")):
        url = reverse("web:presence", args=[ref, kind, code])
        assert _client(world.pcm).get(url).status_code == 404, kind
    # Nothing of the refused was recorded: the PCM sees nobody on the section.
    assert (
        _line(
            _text(_client(world.pcm).get(reverse("web:written_paragraph", args=[ref, "context"])))
        )
        == ""
    )


def test_the_line_reads_well_for_several_people() -> None:
    P = presence.Present
    assert presence.describe([]) == ""
    assert presence.describe([P(1, "Priya Chandra", True)]) == "Priya Chandra is editing this."
    assert (
        presence.describe([P(1, "Ann", True), P(2, "Bo", True), P(3, "Cy", False)])
        == "Ann and Bo are editing this. Cy also has it open."
    )
    assert presence.describe([P(1, "Ann", False), P(2, "Bo", False), P(3, "Cy", False)]) == (
        "Ann, Bo and Cy have this open."
    )
