"""Suggested key lines of enquiry follow the focus (title and focus statement) first, then the
type's usual suggestions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.diagnostics.domain.kloe_suggestions import (
    FOCUS_TOPICS,
    focus_suggestions,
    suggestions_for_diagnostic,
    topics_in,
)
from peerdiag.diagnostics.enums import DiagnosticType
from peerdiag.diagnostics.kloe_suggestions import suggestions_for
from peerdiag.diagnostics.models import Diagnostic, Kloe

pytestmark = pytest.mark.django_db


def _names(text: str) -> list[str]:
    return [t.name for t in topics_in(text)]


def _set(d: Diagnostic, **fields: object) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(**fields)
    return Diagnostic.objects.get(pk=d.pk)


def _topic(name: str):  # type: ignore[no-untyped-def]
    return next(t for t in FOCUS_TOPICS if t.name == name)


# Matching words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Workforce stability", ["Workforce"]),
        ("Reliance on agency staff and high caseloads", ["Workforce"]),
        ("How well does the MASH work?", ["Front door"]),
        ("Our front-door arrangements", ["Front door"]),
        ("Support for care leavers", ["Care leavers"]),
        ("Sufficiency of placements for older children", ["Placement sufficiency"]),
        ("EHCPs issued late; the 20-week limit is missed", ["EHCP timeliness"]),
        ("Child criminal exploitation and county lines", ["Exploitation"]),
        ("Early help and family hubs", ["Early help"]),
        ("Children's Services improvement", []),
        ("", []),
    ],
)
def test_keywords_are_matched_as_whole_words_whatever_the_case(text, expected):
    assert _names(text) == expected


def test_words_inside_other_words_do_not_match():
    # "multi-agency" is not agency staff; "smashed" is not the MASH; "gangway" is not a gang.
    assert _names("Multi-agency working was smashed; the gangway is closed") == []


def test_topics_come_in_the_order_they_appear():
    text = "Care leavers and placement sufficiency, with workforce pressures"
    assert _names(text) == ["Care leavers", "Placement sufficiency", "Workforce"]


# Suggestions for a diagnostic -----------------------------------------------------------------


def test_a_workforce_diagnostic_suggests_workforce_lines_first_then_the_types(world):
    d = _set(
        world.own,
        type=DiagnosticType.SEND,
        title="Stability of the SEND team",
        focus_statement="Staff turnover and vacancies are slowing everything down.",
        covid_theme=False,
    )
    got = suggestions_for_diagnostic(d)
    workforce = list(_topic("Workforce").suggestions)
    assert got[: len(workforce)] == workforce
    assert got[len(workforce) :] == suggestions_for(DiagnosticType.SEND, covid=False)


def test_without_a_focus_the_types_suggestions_are_unchanged(world):
    d = _set(
        world.own,
        type=DiagnosticType.SAFEGUARDING,
        title="Children's services improvement",
        focus_statement="",
        covid_theme=None,
    )
    assert focus_suggestions(d) == []
    assert suggestions_for_diagnostic(d) == suggestions_for(DiagnosticType.SAFEGUARDING, covid=None)


def test_an_other_type_diagnostic_still_gets_focus_lines(world):
    d = _set(
        world.own,
        type=DiagnosticType.OTHER,
        title="Exploitation",
        focus_statement="Children going missing from care.",
        covid_theme=False,
    )
    got = suggestions_for_diagnostic(d)
    assert got == list(_topic("Exploitation").suggestions)


def test_the_title_comes_before_the_focus_statement_and_nothing_repeats(world):
    d = _set(
        world.own,
        type=DiagnosticType.SAFEGUARDING,
        title="Early help",
        focus_statement="The front door and early help, again early help.",
        covid_theme=False,
    )
    got = suggestions_for_diagnostic(d)
    early, front = _topic("Early help").suggestions, _topic("Front door").suggestions
    assert got[: len(early) + len(front)] == list(early) + list(front)
    texts = [text for _, text in got]
    assert len(texts) == len(set(texts))


# The page -------------------------------------------------------------------------------------


def test_the_kloe_page_offers_the_focus_lines_first_and_adds_the_chosen_one(world):
    d = _set(
        world.own,
        type=DiagnosticType.SAFEGUARDING,
        title="Workforce stability",
        focus_statement="Agency staff and caseloads.",
    )
    pcm = Client()
    pcm.force_login(world.pcm)
    url = reverse("web:kloe_list", args=[d.reference])
    shown = pcm.get(url).context["suggestions"]
    first = _topic("Workforce").suggestions[0]
    assert (shown[0]["theme"], shown[0]["text"]) == first
    assert first[1] in pcm.get(url).content.decode()

    pcm.post(reverse("web:kloe_add_suggestion", args=[d.reference]), {"index": shown[0]["index"]})
    kloe = Kloe.objects.get(diagnostic=d)
    assert (kloe.theme, kloe.text) == first
    # Once added, it is no longer offered.
    assert first[1] not in [s["text"] for s in pcm.get(url).context["suggestions"]]


def test_the_council_and_another_pcm_cannot_add_a_suggestion(world):
    d = _set(world.own, title="Workforce stability")
    action = reverse("web:kloe_add_suggestion", args=[d.reference])
    sponsor = Client()
    sponsor.force_login(world.sponsor)
    assert sponsor.post(action, {"index": "0"}).status_code == 403
    stranger = Client()
    stranger.force_login(world.other_pcm)
    assert stranger.post(action, {"index": "0"}).status_code == 404
    assert not Kloe.objects.filter(diagnostic=d).exists()
    # The sponsor sees the lines of enquiry, but no suggestions to add.
    page = sponsor.get(reverse("web:kloe_list", args=[d.reference]))
    assert page.context["suggestions"] == []
    assert _topic("Workforce").suggestions[0][1] not in page.content.decode()
