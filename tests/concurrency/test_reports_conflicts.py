"""Two people working on the same written feedback: a section, a step, a council comment.

Each stale save is refused, the first person's words are still stored, and the page says who
changed it and shows both texts. A section's history lists every saved wording and can put an
earlier one back (itself a new version).
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.common.versioning import UNCHECKED, StaleEdit, revisions_of
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.written import (
    MAX_TEXT,
    add_comment,
    pass_pcm_check,
    restore_paragraph,
    submit_for_check,
    update_paragraph,
)
from peerdiag.reports.enums import WrittenState
from peerdiag.reports.models import FactualComment, ReportParagraph, WrittenFeedback
from tests.reports.helpers import drafted


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _version_on(page: str) -> int:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "the form carries no version"
    return int(m.group(1))


def _textarea(page: str, name: str) -> str:
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, f"no textarea named {name}"
    return m.group(1).strip()


def _mine(page: str, name: str) -> str:
    """The person's own (unsaved) text, kept read-only beside the form."""
    m = re.search(rf'<textarea[^>]*data-conflict-mine="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, f"the page does not keep the person's own {name}"
    return m.group(1).strip()


def _section(d: Diagnostic, key: str = "context") -> ReportParagraph:
    return written_for(d).paragraphs.get(key=key)


# A section of the report ----------------------------------------------------------------------


def test_a_stale_save_of_a_section_is_refused_and_the_first_text_survives(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    url = reverse("web:written_paragraph", args=[x.d.reference, "context"])
    lead, pcm = _client(world.peer), _client(world.pcm)
    first = _section(x.d).text
    v_lead = _version_on(lead.get(url).content.decode())
    v_pcm = _version_on(pcm.get(url).content.decode())
    assert v_lead == v_pcm == 1

    saved = pcm.post(url, {"heading": "Context", "text": "The PCM's context.", "version": v_pcm})
    assert saved.status_code == 302
    stale = lead.post(
        url, {"heading": "Background", "text": "The lead peer's context.", "version": v_lead}
    )
    page = _page(stale)
    p = _section(x.d)
    assert (p.heading, p.text, p.version) == ("Context", "The PCM's context.", 2)
    # Who changed it, what they saved (in the form) and the lead peer's own words beside it.
    assert "There is a problem" in page and "Saved by someone else" in page
    assert f"{world.pcm.get_full_name()} saved a change at" in page
    assert _textarea(page, "text") == "The PCM's context."
    assert _mine(page, "text") == "The lead peer's context."
    assert 'value="Context"' in page and 'value="Background"' in page
    assert _version_on(page) == 2
    # Copying their own words across and saving again is a choice made at the new version.
    again = lead.post(url, {"heading": "Context", "text": "The lead peer's context.", "version": 2})
    assert again.status_code == 302
    p.refresh_from_db()
    assert (p.text, p.version) == ("The lead peer's context.", 3)
    texts = [r.data["text"] for r in revisions_of(p)]
    assert texts == ["The lead peer's context.", "The PCM's context.", first]
    assert [r.saved_by for r in revisions_of(p)][:2] == [world.peer, world.pcm]


def test_a_section_saved_without_a_version_is_refused(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    url = reverse("web:written_paragraph", args=[x.d.reference, "context"])
    before = _section(x.d).text
    page = _page(_client(world.pcm).post(url, {"heading": "Context", "text": "Lost?"}))
    assert "This form is out of date" in page
    assert _textarea(page, "text") == "Lost?"
    assert _section(x.d).text == before


def test_the_domain_refuses_a_stale_section(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    w = written_for(x.d)
    update_paragraph(w, by=world.pcm, key="context", text="Two", version=1)
    with pytest.raises(StaleEdit) as refused:
        update_paragraph(w, by=world.peer, key="context", text="Three", version=1)
    assert refused.value.current_version == 2 and refused.value.changed_by == world.pcm
    assert _section(x.d).text == "Two"


def test_a_section_over_the_limit_is_refused_whole_and_given_back(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    url = reverse("web:written_paragraph", args=[x.d.reference, "context"])
    before = _section(x.d).text
    long = "a" * (MAX_TEXT + 1)
    page = _page(_client(world.pcm).post(url, {"heading": "Context", "text": long, "version": 1}))
    assert "Keep the section to 20,000 characters or fewer: it has 20,001" in page
    assert _textarea(page, "text") == long
    assert _section(x.d).text == before
    # At the limit it is stored whole.
    exact = "b" * MAX_TEXT
    _client(world.pcm).post(url, {"heading": "Context", "text": exact, "version": 1})
    assert _section(x.d).text == exact


# History and putting a version back -----------------------------------------------------------


def test_the_history_lists_every_version_and_one_can_be_put_back(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    w = written_for(x.d)
    first = _section(x.d).text
    update_paragraph(w, by=world.pcm, key="context", text="The PCM's words.", version=1)
    update_paragraph(
        w, by=world.peer, key="context", heading="Background", text="The lead's words.", version=2
    )
    ref = x.d.reference
    history = reverse("web:written_paragraph_history", args=[ref, "context"])
    restore = reverse("web:written_paragraph_restore", args=[ref, "context"])
    page = _page(_client(world.pcm).get(history))
    # Newest first, each with who saved it and its full text.
    assert page.index("Version 3") < page.index("Version 2") < page.index("Version 1")
    assert page.index("The lead's words.") < page.index("The PCM's words.") < page.index(first)
    assert f"Saved by {world.peer.get_full_name()}" in page
    assert f"Saved by {world.pcm.get_full_name()}" in page
    assert page.count("Put this version back") == 2  # not on the current version

    back = _client(world.peer).post(restore, {"restore": 2, "version": 3}, follow=True)
    assert "Version 2 of ‘Context’ is back, saved as version 4" in _page(back)
    p = _section(x.d)
    assert (p.heading, p.text, p.version) == ("Context", "The PCM's words.", 4)
    newest = revisions_of(p)[0]
    assert (newest.version, newest.restored_from, newest.saved_by) == (4, 2, world.peer)
    assert "putting back version 2" in _page(_client(world.pcm).get(history))


def test_putting_back_from_a_stale_history_page_changes_nothing(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    w = written_for(x.d)
    update_paragraph(w, by=world.pcm, key="context", text="Two", version=1)
    ref = x.d.reference
    restore = reverse("web:written_paragraph_restore", args=[ref, "context"])
    # The lead peer's history page showed version 2; the PCM saves version 3 meanwhile.
    update_paragraph(w, by=world.pcm, key="context", text="Three", version=2)
    page = _page(_client(world.peer).post(restore, {"restore": 1, "version": 2}))
    assert f"{world.pcm.get_full_name()} saved this section at" in page
    assert "nothing has been put back" in page
    p = _section(x.d)
    assert (p.text, p.version) == ("Three", 3)
    with pytest.raises(StaleEdit):
        restore_paragraph(w, by=world.peer, key="context", restore=1, version=2)


# The written feedback's steps -----------------------------------------------------------------


def test_a_step_sent_from_a_stale_page_is_refused(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(written_feedback_format="report")
    ref = x.d.reference
    page_url = reverse("web:written_feedback", args=[ref])
    move = reverse("web:written_move", args=[ref])
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    pcm, council = _client(world.pcm), _client(world.organiser)
    # Both have the page open at the council's check.
    v_pcm = _version_on(pcm.get(page_url).content.decode())
    v_council = _version_on(council.get(page_url).content.decode())
    assert v_pcm == v_council == 3
    done = council.post(move, {"action": "council_done", "version": v_council})
    assert done.status_code == 302
    # The PCM's return, sent from the page as it was, does nothing, and keeps the reason.
    stale = pcm.post(move, {"action": "return", "reason": "Fix the dates.", "version": v_pcm})
    page = _page(stale)
    assert f"{world.organiser.get_full_name()} moved the written feedback on at" in page
    assert "so nothing was done" in page
    assert _textarea(page, "reason") == "Fix the dates."
    assert _version_on(page) == 4
    current = WrittenFeedback.objects.get(pk=w.pk)
    assert current.state == WrittenState.COUNCIL_CHECK and current.council_returned_at
    assert not x.d.audit.filter(summary__startswith="Returned the written feedback")
    # A button without text to keep says so on the page it goes back to.
    again = pcm.post(move, {"action": "pass_check", "version": 3}, follow=True)
    assert f"{world.organiser.get_full_name()} moved the written feedback on" in _page(again)


# The council's comments and the PCM's responses -----------------------------------------------


def test_a_stale_response_to_a_council_comment_is_refused(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    comment = add_comment(w, by=world.organiser, paragraph_key="context", text="Wrong year.")
    url = reverse("web:written_comment_respond", args=[x.d.reference, comment.code])
    # The PCM has the comment open twice (two tabs, or laptop and phone).
    one, two = _client(world.pcm), _client(world.pcm)
    v_one = _version_on(one.get(url).content.decode())
    v_two = _version_on(two.get(url).content.decode())
    assert v_one == v_two == 1
    assert one.post(url, {"response": "Fixed to 2026.", "version": v_one}).status_code == 302
    stale = two.post(url, {"response": "We checked: 2025.", "resolve": "on", "version": v_two})
    page = _page(stale)
    comment = FactualComment.objects.get(pk=comment.pk)
    assert (comment.response, comment.resolved_at, comment.version) == ("Fixed to 2026.", None, 2)
    assert f"{world.pcm.get_full_name()} saved a change at" in page
    assert _textarea(page, "response") == "Fixed to 2026."
    assert _mine(page, "response") == "We checked: 2025."
    assert _version_on(page) == 2


def test_a_stale_form_with_another_mistake_still_says_it_is_stale(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    url = reverse("web:written_paragraph", args=[x.d.reference, "context"])
    update_paragraph(written_for(x.d), by=world.pcm, key="context", text="Saved.", version=1)
    page = _page(_client(world.peer).post(url, {"heading": "", "text": "Mine.", "version": 1}))
    assert "Enter the section's heading" in page
    assert f"{world.pcm.get_full_name()} changed this section at" in page
    assert _textarea(page, "text") == "Saved." and _mine(page, "text") == "Mine."
    assert _section(x.d).text == "Saved."
