"""Every refusal has a JSON body; input errors name the field at fault."""

from __future__ import annotations

import pytest

OWN = "/diagnostics/RPD-2027-001"


def test_a_body_that_is_not_json_is_400_against_the_body(world, as_user):
    response = as_user(world.pcm).patch(OWN, raw="{title: oops")
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "body", "message": "Cannot parse request body"}]
    }


@pytest.mark.parametrize("raw", ["null", "[]", '"title"'])
def test_a_body_that_is_not_an_object_is_422_against_the_body(world, as_user, raw):
    response = as_user(world.pcm).patch(OWN, raw=raw)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["body"]


def test_text_a_database_cannot_store_is_refused_in_words(world, as_user):
    response = as_user(world.pcm).post(f"{OWN}/kloes", {"text": "Front\x00door"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "text",
                "message": "This text holds a character that cannot be stored (such as NUL)",
            }
        ]
    }


def test_a_misspelt_field_is_named(world, as_user):
    response = as_user(world.pcm).post(f"{OWN}/kloes", {"text": "Ok", "theem": "Access"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "theem", "message": "Extra inputs are not permitted"}]
    }


def test_several_bad_fields_are_all_named(world, as_user):
    response = as_user(world.pcm).patch(
        OWN,
        {"version": 1, "covid_theme": "perhaps", "written_feedback_format": "poem", "day1": "soon"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [
        "covid_theme",
        "written_feedback_format",
        "day1",
    ]


def test_a_bad_path_parameter_is_named(world, as_user):
    response = as_user(world.pcm).patch(f"{OWN}/kloes/NOT-A-CODE", {"version": 1, "text": "x"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["code"]
