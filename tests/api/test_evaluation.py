"""The evaluation over the API: the surveys sent, their answers, the outcome and who sees them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from peerdiag.evaluation.domain.outcome import NO_OUTCOME_YET, outcome_of, record_outcome
from peerdiag.evaluation.models import EvaluationOutcome, Survey
from tests.api.conftest import ApiClient, iso
from tests.evaluation.helpers import DUE, issued

REF = "RPD-2027-001"
E = f"/diagnostics/{REF}/evaluation"
TODAY = date(2027, 5, 10)
SENT = datetime(2027, 4, 6, 9, 0, tzinfo=UTC)
ANSWERED = datetime(2027, 4, 9, 15, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):  # type: ignore[no-untyped-def]
    # A fixed "today" for the outcome's checks against future dates, as in
    # tests/evaluation/test_outcome.py.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def _surveys(world) -> tuple[Survey, Survey]:  # type: ignore[no-untyped-def]
    d = issued(world.own)
    answered = Survey.objects.create(
        diagnostic=d,
        respondent=world.sponsor.person,
        role="sponsor",
        sent_at=SENT,
        completed_at=ANSWERED,
        usefulness=5,
        accuracy=4,
        team_quality=5,
        impact=3,
        comments="The team listened.",
        further_support=True,
        further_support_what="Help with supervision.",
    )
    waiting = Survey.objects.create(
        diagnostic=d, respondent=world.organiser.person, role="organiser", sent_at=SENT
    )
    return answered, waiting


def _put(user, body):  # type: ignore[no-untyped-def]
    client = ApiClient(user)
    return client.client.put(
        "/api" + E + "/outcome",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {client.token}"},
    )


def _fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["detail"]]


def test_the_team_sees_who_was_sent_a_survey_but_never_its_token(world):  # type: ignore[no-untyped-def]
    answered, waiting = _surveys(world)
    response = ApiClient(world.peer).get(E + "/surveys")
    assert response.status_code == 200
    body = response.json()
    assert body["due_on"] == DUE.isoformat()
    assert body["surveys"] == [
        {
            "code": answered.code,
            "role": "sponsor",
            "role_label": "Sponsor",
            "respondent": {
                "code": world.sponsor.person.code,
                "full_name": world.sponsor.person.full_name,
            },
            "sent_at": iso(SENT),
            "completed_at": iso(ANSWERED),
        },
        {
            "code": waiting.code,
            "role": "organiser",
            "role_label": "Organiser",
            "respondent": {
                "code": world.organiser.person.code,
                "full_name": world.organiser.person.full_name,
            },
            "sent_at": iso(SENT),
            "completed_at": None,
        },
    ]
    assert body["waiting"] == []
    for s in (answered, waiting):
        assert s.token not in response.content.decode()


def test_someone_without_a_survey_is_listed_as_waiting(world):  # type: ignore[no-untyped-def]
    issued(world.own)
    body = ApiClient(world.pcm).get(E + "/surveys").json()
    assert body["surveys"] == []
    assert [(w["role"], w["person"]["code"]) for w in body["waiting"]] == [
        ("sponsor", world.sponsor.person.code),
        ("organiser", world.organiser.person.code),
    ]


def test_the_results_give_each_answer_and_the_averages(world):  # type: ignore[no-untyped-def]
    answered, _ = _surveys(world)
    body = ApiClient(world.admin).get(E + "/results").json()
    assert (body["answered"], body["support_requested"]) == (1, 1)
    assert [(a["rating"], a["average"], a["count"]) for a in body["averages"]] == [
        ("usefulness", 5.0, 1),
        ("accuracy", 4.0, 1),
        ("team_quality", 5.0, 1),
        ("impact", 3.0, 1),
    ]
    assert body["averages"][0]["question"] == "How useful was the diagnostic to your council?"
    [answer] = body["answers"]
    assert answer["code"] == answered.code
    assert answer["ratings"] == {"usefulness": 5, "accuracy": 4, "team_quality": 5, "impact": 3}
    assert (answer["comments"], answer["further_support"], answer["further_support_what"]) == (
        "The team listened.",
        True,
        "Help with supervision.",
    )


def test_nobody_answered_yet(world):  # type: ignore[no-untyped-def]
    issued(world.own)
    body = ApiClient(world.pcm).get(E + "/results").json()
    assert body["answered"] == 0 and body["answers"] == []
    assert {a["average"] for a in body["averages"]} == {None}


def test_the_council_sees_none_of_it_and_outsiders_hear_nothing(world):  # type: ignore[no-untyped-def]
    _surveys(world)
    for path in ("/surveys", "/results", "/outcome"):
        council = ApiClient(world.sponsor).get(E + path)
        assert council.status_code == 403, path
        assert "The team listened." not in council.content.decode()
        outsider = ApiClient(world.other_council_user).get(E + path)
        assert (outsider.status_code, outsider.json()) == (404, {"detail": "Not found"})


def test_the_pcm_records_the_outcome_then_changes_it(world):  # type: ignore[no-untyped-def]
    d = issued(world.own)
    pcm = ApiClient(world.pcm)
    before = pcm.get(E + "/outcome").json()
    assert (before["recorded"], before["version"]) == (False, 0)

    response = pcm.patch(E + "/outcome", {})  # only PUT
    assert response.status_code == 405
    response = _put(
        world.pcm, {"version": 0, "contacted_on": "2027-05-03", "further_support": " Mentoring. "}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["contacted_on"], body["further_support"]) == (
        True,
        "2027-05-03",
        "Mentoring.",
    )
    assert body["decided_by"] == world.pcm.get_full_name()
    outcome = outcome_of(d)
    assert outcome is not None and outcome.further_support == "Mentoring."
    assert body["version"] == outcome.version

    # Someone else changes it: a save from the first version is refused, and nothing changes.
    record_outcome(
        d,
        by=world.admin,
        contacted_on=date(2027, 5, 4),
        further_support="None needed.",
        version=outcome.version,
    )
    stale = _put(
        world.pcm,
        {"version": body["version"], "contacted_on": "2027-05-05", "further_support": "Mine."},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == body["version"] + 1
    assert stale.json()["changed_by"] == world.admin.get_full_name()
    assert outcome_of(d).further_support == "None needed."  # type: ignore[union-attr]
    # "There was none" is stale too once one is recorded.
    again = _put(world.pcm, {"version": 0, "contacted_on": "2027-05-05", "further_support": "x"})
    assert again.status_code == 409
    assert EvaluationOutcome.objects.count() == 1


def test_a_bad_outcome_names_the_field_and_changes_nothing(world):  # type: ignore[no-untyped-def]
    issued(world.own)
    ok = {"version": NO_OUTCOME_YET, "contacted_on": "2027-05-03", "further_support": "x"}
    for change, status, field in [
        ({"contacted_on": "2027-05-11"}, 400, "contacted_on"),  # in the future
        ({"contacted_on": "2027-03-18"}, 400, "contacted_on"),  # before the issue
        ({"further_support": "   "}, 400, "further_support"),
        ({"contacted_on": "3 May"}, 422, "contacted_on"),
        ({"version": -1}, 422, "version"),
        ({"who": "me"}, 422, "who"),
    ]:
        response = _put(world.pcm, ok | change)
        assert (response.status_code, _fields(response)) == (status, [field]), change
    missing = _put(world.pcm, {"version": 0, "further_support": "x"})
    assert (missing.status_code, _fields(missing)) == (422, ["contacted_on"])
    assert not EvaluationOutcome.objects.exists()


def test_only_the_lga_and_the_pcm_record_it(world):  # type: ignore[no-untyped-def]
    issued(world.own)
    body = {"version": 0, "contacted_on": "2027-05-03", "further_support": "x"}
    assert _put(world.peer, body).status_code == 403
    assert _put(world.sponsor, body).status_code == 403
    assert _put(world.other_pcm, body).status_code == 404
    assert not EvaluationOutcome.objects.exists()
    assert _put(world.admin, body).status_code == 200


def test_no_outcome_before_the_written_feedback_is_issued(world):  # type: ignore[no-untyped-def]
    response = _put(world.pcm, {"version": 0, "contacted_on": "2027-05-03", "further_support": "x"})
    assert response.status_code == 400
    assert "once the written feedback has been issued" in response.json()["detail"][0]["message"]
