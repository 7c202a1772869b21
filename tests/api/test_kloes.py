"""Key lines of enquiry over the API: read by anyone who may see the diagnostic, changed by
its PCM (or an LGA admin) until delivery starts."""

from __future__ import annotations

import pytest

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic, Kloe
from tests.factories import KloeFactory

KLOES = "/diagnostics/RPD-2027-001/kloes"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


@pytest.fixture
def three(world):
    return [
        KloeFactory(diagnostic=world.own, order=1, text="Front door", theme="Access"),
        KloeFactory(diagnostic=world.own, order=2, text="Early help", theme=""),
        KloeFactory(diagnostic=world.own, order=3, text="Leadership", theme="Leaders"),
    ]


def _texts(diagnostic):
    return list(diagnostic.kloes.order_by("order").values_list("order", "text", "theme"))


@pytest.mark.parametrize("who", ["admin", "pcm", "peer", "sponsor", "organiser"])
def test_everyone_who_may_see_the_diagnostic_reads_its_kloes_in_order(world, as_user, three, who):
    response = as_user(world.users()[who]).get(KLOES)
    assert response.status_code == 200
    assert response.json() == [
        {"code": three[0].code, "order": 1, "text": "Front door", "theme": "Access", "version": 1},
        {"code": three[1].code, "order": 2, "text": "Early help", "theme": "", "version": 1},
        {"code": three[2].code, "order": 3, "text": "Leadership", "theme": "Leaders", "version": 1},
    ]


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_read_the_kloes(world, as_user, three, who):
    response = as_user(world.users()[who]).get(KLOES)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_pcm_adds_a_kloe_at_the_end(world, as_user, three):
    response = as_user(world.pcm).post(KLOES, {"text": "  Voice of the child ", "theme": "Voice"})
    assert response.status_code == 201
    added = world.own.kloes.get(order=4)
    assert response.json() == {
        "code": added.code,
        "order": 4,
        "text": "Voice of the child",
        "theme": "Voice",
        "version": 1,
    }
    entry = world.own.audit.get()
    assert (entry.actor, entry.summary) == (world.pcm, "Added key line of enquiry 4")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"text": "   "}, 400, [{"field": "text", "message": "Enter the key line of enquiry"}]),
        (
            {"text": "x" * 1001},
            400,
            [{"field": "text", "message": "Keep a key line of enquiry under 1,000 characters"}],
        ),
        ({}, 422, [{"field": "text", "message": "This field is required"}]),
        (
            {"text": "ok", "theme": "t" * 101},
            422,
            [{"field": "theme", "message": "String should have at most 100 characters"}],
        ),
    ],
)
def test_adding_refuses_bad_input_naming_the_field(world, as_user, body, status, detail):
    response = as_user(world.pcm).post(KLOES, body)
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert not world.own.kloes.exists()


def test_kloes_are_fixed_once_delivery_starts(world, as_user, three):
    Diagnostic.objects.filter(pk=world.own.pk).update(stage=Stage.DELIVERY)
    api = as_user(world.pcm)
    refusal = {
        "detail": [
            {"field": "kloes", "message": "Key lines of enquiry are fixed once delivery starts"}
        ]
    }
    for response in [
        api.post(KLOES, {"text": "Late"}),
        api.patch(f"{KLOES}/{three[0].code}", {"version": 1, "text": "Changed"}),
        api.delete(f"{KLOES}/{three[0].code}"),
    ]:
        assert (response.status_code, response.json()) == (400, refusal)
    assert world.own.kloes.count() == 3


@pytest.mark.parametrize("who", ["peer", "sponsor", "organiser"])
def test_readers_cannot_change_kloes(world, as_user, three, who):
    api = as_user(world.users()[who])
    code = three[0].code
    for response in [
        api.post(KLOES, {"text": "Mine"}),
        api.patch(f"{KLOES}/{code}", {"version": 1, "text": "Mine"}),
        api.delete(f"{KLOES}/{code}"),
    ]:
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert _texts(world.own)[0] == (1, "Front door", "Access")


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_change_kloes(world, as_user, three, who):
    api = as_user(world.users()[who])
    code = three[0].code
    for response in [
        api.post(KLOES, {"text": "Mine"}),
        api.patch(f"{KLOES}/{code}", {"version": 1, "text": "Mine"}),
        api.delete(f"{KLOES}/{code}"),
    ]:
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert world.own.kloes.count() == 3


def test_editing_the_text_keeps_the_theme(world, as_user, three):
    response = as_user(world.pcm).patch(
        f"{KLOES}/{three[0].code}", {"version": 1, "text": "The front door"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "code": three[0].code,
        "order": 1,
        "text": "The front door",
        "theme": "Access",
        "version": 2,
    }


def test_editing_the_theme_keeps_the_text(world, as_user, three):
    response = as_user(world.pcm).patch(f"{KLOES}/{three[0].code}", {"version": 1, "theme": ""})
    assert response.json()["text"] == "Front door"
    assert _texts(world.own)[0] == (1, "Front door", "")


def test_moving_a_kloe_shifts_the_others(world, as_user, three):
    response = as_user(world.pcm).patch(f"{KLOES}/{three[2].code}", {"version": 1, "order": 1})
    assert response.status_code == 200
    assert response.json()["order"] == 1
    assert _texts(world.own) == [
        (1, "Leadership", "Leaders"),
        (2, "Front door", "Access"),
        (3, "Early help", ""),
    ]


def test_a_refused_move_undoes_the_edit_sent_with_it(world, as_user, three):
    response = as_user(world.pcm).patch(
        f"{KLOES}/{three[0].code}", {"version": 1, "text": "New", "order": 9}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "order", "message": "Position must be between 1 and 3"}]
    }
    assert _texts(world.own)[0] == (1, "Front door", "Access")
    assert not world.own.audit.exists()


def test_a_kloe_of_another_diagnostic_is_not_found_here(world, as_user):
    elsewhere = KloeFactory(diagnostic=world.other, order=1)
    api = as_user(world.pcm)
    assert api.patch(f"{KLOES}/{elsewhere.code}", {"version": 1, "text": "x"}).status_code == 404
    response = api.delete(f"{KLOES}/{elsewhere.code}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Kloe.objects.filter(pk=elsewhere.pk).exists()


def test_removing_a_kloe_closes_the_gap(world, as_user, three):
    response = as_user(world.pcm).delete(f"{KLOES}/{three[0].code}?version=1")
    assert response.status_code == 204
    assert response.content == b""
    assert _texts(world.own) == [(1, "Early help", ""), (2, "Leadership", "Leaders")]
    assert world.own.audit.get().summary == "Removed key line of enquiry 1"
