"""The survey page (public, by token) and the results page on the diagnostic."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.evaluation.domain.surveys import answer_survey, send_due_surveys
from peerdiag.evaluation.models import CheckIn, EvaluationOutcome, Survey
from tests.evaluation.helpers import DUE, issued

pytestmark = pytest.mark.django_db

ANSWERS = {
    "usefulness": "5",
    "accuracy": "4",
    "team_quality": "5",
    "impact": "3",
    "comments": "Thorough and kind.",
    "further_support": "yes",
    "further_support_what": "A follow-up workshop.",
}


def _survey(world) -> Survey:  # type: ignore[no-untyped-def]
    issued(world.own)
    send_due_surveys(DUE)
    return Survey.objects.get(role="sponsor")


def test_the_link_works_without_signing_in(world):
    s = _survey(world)
    client = Client()
    url = reverse("web:survey", args=[s.token])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert world.own.title in html and "Council A" in html
    assert "How useful was the diagnostic to your council?" in html
    assert "If yes, what support would help?" in html
    # Nothing internal: not the reference, not the team.
    assert "RPD-2027-001" not in html
    assert world.pcm.person.full_name not in unescape(html)
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "same-origin"
    response = client.post(url, ANSWERS)
    assert response.status_code == 302 and response["Location"] == url
    s.refresh_from_db()
    assert (s.usefulness, s.impact, s.further_support_what) == (5, 3, "A follow-up workshop.")
    thanks = client.get(url).content.decode()
    assert "Thank you" in thanks and "cannot be answered again" in thanks


def test_a_completed_survey_cannot_be_answered_again(world):
    s = _survey(world)
    answer_survey(
        s,
        usefulness=2,
        accuracy=2,
        team_quality=2,
        impact=2,
        further_support=False,
    )
    response = Client().post(reverse("web:survey", args=[s.token]), ANSWERS)
    assert "Thank you" in response.content.decode()
    s.refresh_from_db()
    assert (s.usefulness, s.further_support) == (2, False)


def test_missing_answers_show_an_error_summary(world):
    s = _survey(world)
    response = Client().post(
        reverse("web:survey", args=[s.token]),
        {**ANSWERS, "accuracy": "", "impact": "9", "further_support_what": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_accuracy">Choose a rating for: how accurate were the findings?</a>' in html
    assert '<a href="#id_further_support_what">Say what support would help</a>' in html
    assert 'href="#id_impact"' in html
    assert "<title>Error: " in html
    s.refresh_from_db()
    assert s.completed_at is None


def test_an_unknown_or_unsent_token_is_not_found(world):
    s = Survey.objects.create(diagnostic=world.own, respondent=world.sponsor.person, role="sponsor")
    assert Client().get(reverse("web:survey", args=["nope"])).status_code == 404
    assert Client().get(reverse("web:survey", args=[s.token])).status_code == 404


def test_the_pcm_reads_the_results_the_council_may_not(world, client):
    s = _survey(world)
    client.post(reverse("web:survey", args=[s.token]), ANSWERS)
    client.force_login(world.pcm)
    html = client.get(reverse("web:evaluation", args=["RPD-2027-001"])).content.decode()
    assert "1 of 2 surveys answered" in html
    assert "Thorough and kind." in html
    assert "A follow-up workshop." in html
    assert "5.0" in html and "3.0" in html
    client.force_login(world.sponsor)
    response = client.get(reverse("web:evaluation", args=["RPD-2027-001"]))
    assert response.status_code == 403
    assert b"Thorough and kind." not in response.content


def test_outcome_and_check_ins_from_the_page(world, client, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2027, 5, 10))
    issued(world.own)
    client.force_login(world.pcm)
    url = reverse("web:evaluation_outcome", args=["RPD-2027-001"])
    bad = client.post(url, {"further_support": "None needed.", "version": "0"})
    assert "Enter the date the council was contacted" in bad.content.decode()
    assert not EvaluationOutcome.objects.exists()
    client.post(
        url,
        {
            "contacted_on_0": "3",
            "contacted_on_1": "5",
            "contacted_on_2": "2027",
            "further_support": "None needed.",
            "version": "0",
        },
    )
    o = EvaluationOutcome.objects.get()
    assert (o.contacted_on, o.further_support) == (date(2027, 5, 3), "None needed.")
    client.post(reverse("web:check_ins_plan", args=["RPD-2027-001"]))
    assert list(CheckIn.objects.values_list("months", "due_on")) == [
        (3, date(2027, 6, 19)),
        (6, date(2027, 9, 19)),
    ]
    three = CheckIn.objects.get(months=3)
    record = reverse("web:check_in_record", args=["RPD-2027-001", three.code])
    bad = client.post(record, {f"{three.code}-notes": "x", f"{three.code}-version": "1"})
    assert "Enter the date the check-in was held" in bad.content.decode()
    client.post(
        record,
        {
            f"{three.code}-held_on_0": "7",
            f"{three.code}-held_on_1": "5",
            f"{three.code}-held_on_2": "2027",
            f"{three.code}-notes": "Better plans.",
            f"{three.code}-version": "1",
        },
    )
    three.refresh_from_db()
    assert (three.held_on, three.notes) == (date(2027, 5, 7), "Better plans.")
