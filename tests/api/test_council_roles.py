"""Council roles over the API: who is the sponsor, the organiser and so on."""

from __future__ import annotations

import pytest

from peerdiag.diagnostics.models import CouncilRole
from tests.factories import PersonFactory

ROLES = "/diagnostics/RPD-2027-001/council-roles"
NOT_FOUND = {"detail": "Not found"}
FORBIDDEN = {"detail": "You may see this diagnostic but not make this change"}


def _person(user):
    p = user.person
    org = p.organisation
    return {
        "code": p.code,
        "full_name": p.full_name,
        "job_title": "Head of service",
        "organisation": {
            "code": org.code,
            "name": org.name,
            "kind": "council",
            "region": "north_west",
        },
    }


def _held(diagnostic, role):
    return list(
        diagnostic.council_roles.filter(role=role).values_list("person__user__email", flat=True)
    )


@pytest.mark.parametrize("who", ["admin", "pcm", "peer", "sponsor", "organiser"])
def test_everyone_who_may_see_the_diagnostic_reads_its_council_roles(world, as_user, who):
    response = as_user(world.users()[who]).get(ROLES)
    assert response.status_code == 200
    held = {r.role: r.code for r in world.own.council_roles.all()}
    assert response.json() == [
        {
            "code": held["organiser"],
            "role": "organiser",
            "role_label": "Organiser",
            "person": _person(world.organiser),
            "version": 1,
        },
        {
            "code": held["sponsor"],
            "role": "sponsor",
            "role_label": "Sponsor",
            "person": _person(world.sponsor),
            "version": 1,
        },
    ]


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_read_the_council_roles(world, as_user, who):
    response = as_user(world.users()[who]).get(ROLES)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_the_pcm_names_a_lead_member(world, as_user):
    member = PersonFactory(organisation=world.own.host_council, full_name="Cllr Ada Jones")
    response = as_user(world.pcm).post(ROLES, {"person": member.code, "role": "lead_member"})
    assert response.status_code == 201
    held = world.own.council_roles.get(role="lead_member")
    body = response.json()
    assert body["code"] == held.code
    assert (body["role"], body["role_label"]) == ("lead_member", "Lead member")
    assert (body["person"]["code"], body["person"]["full_name"]) == (member.code, "Cllr Ada Jones")
    assert world.own.audit.get().summary == "Cllr Ada Jones named as lead member"


def test_naming_a_new_sponsor_replaces_the_old_one(world, as_user):
    response = as_user(world.pcm).post(
        ROLES, {"person": world.organiser.person.code, "role": "sponsor"}
    )
    assert response.status_code == 201
    assert _held(world.own, "sponsor") == ["organiser@example.org"]


def test_naming_a_sponsor_over_one_named_meanwhile_is_refused_with_409(world, as_user):
    seen = world.own.council_roles.get(role="sponsor").code
    newcomer = PersonFactory(organisation=world.sponsor.person.organisation)
    # Someone else names a new sponsor after this client read the roles.
    first = as_user(world.admin).post(
        ROLES, {"person": newcomer.code, "role": "sponsor", "replacing": seen}
    )
    assert first.status_code == 201
    second = as_user(world.pcm).post(
        ROLES, {"person": world.organiser.person.code, "role": "sponsor", "replacing": seen}
    )
    assert second.status_code == 409
    body = second.json()
    assert body["detail"][0]["field"] == "version" and body["current_version"] == 1
    assert body["changed_by"] == world.admin.get_full_name()
    held = world.own.council_roles.select_related("person").get(role="sponsor")
    assert held.person == newcomer, "the first naming stands"


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"person": "nosuchperson", "role": "sponsor"}, 400, "person", "No person has this code"),
        ({"role": "sponsor"}, 422, "person", "This field is required"),
        ({"person": "OOPS!", "role": "sponsor"}, 422, "person", None),
        ({"person": "abc", "role": "mayor"}, 422, "role", None),
    ],
)
def test_assigning_refuses_bad_input_naming_the_field(world, as_user, body, status, field, message):
    response = as_user(world.pcm).post(ROLES, body)
    assert response.status_code == status
    [error] = response.json()["detail"]
    assert error["field"] == field
    if message:
        assert error["message"] == message
    assert _held(world.own, "sponsor") == ["sponsor@example.org"]


def test_a_sponsor_must_work_for_the_host_council(world, as_user):
    response = as_user(world.pcm).post(
        ROLES, {"person": world.other_council_user.person.code, "role": "sponsor"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "person", "message": "The sponsor must work for the host council"}]
    }


def test_a_partner_representative_may_come_from_elsewhere(world, as_user):
    response = as_user(world.pcm).post(
        ROLES, {"person": world.other_council_user.person.code, "role": "partner_rep"}
    )
    assert response.status_code == 201
    assert _held(world.own, "partner_rep") == ["sponsor-b@example.org"]


def test_the_pcm_takes_a_role_away(world, as_user):
    held = world.own.council_roles.get(role="organiser")
    response = as_user(world.pcm).delete(f"{ROLES}/{held.code}")
    assert (response.status_code, response.content) == (204, b"")
    assert not CouncilRole.objects.filter(pk=held.pk).exists()
    assert world.own.audit.get().action == "council_role"


def test_removing_an_unknown_role_is_not_found(world, as_user):
    elsewhere = world.other.council_roles.get()
    response = as_user(world.pcm).delete(f"{ROLES}/{elsewhere.code}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert CouncilRole.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize("who", ["peer", "sponsor", "organiser"])
def test_readers_cannot_change_council_roles(world, as_user, who):
    api = as_user(world.users()[who])
    held = world.own.council_roles.get(role="sponsor")
    for response in [
        api.post(ROLES, {"person": world.organiser.person.code, "role": "sponsor"}),
        api.delete(f"{ROLES}/{held.code}"),
    ]:
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert _held(world.own, "sponsor") == ["sponsor@example.org"]


@pytest.mark.parametrize("who", ["other_pcm", "other_council"])
def test_outsiders_cannot_change_council_roles(world, as_user, who):
    api = as_user(world.users()[who])
    held = world.own.council_roles.get(role="sponsor")
    for response in [
        api.post(ROLES, {"person": world.organiser.person.code, "role": "sponsor"}),
        api.delete(f"{ROLES}/{held.code}"),
    ]:
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert _held(world.own, "sponsor") == ["sponsor@example.org"]
