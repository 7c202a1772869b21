"""The demo's people: a bench varied enough for the team builder to tell peers apart, host
councils whose people match their governance, accounts that sign in, teams that differ and
never clash, and a load that can be repeated without adding anyone."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.contrib.auth import authenticate

from peerdiag.accounts.models import TotpDevice, User
from peerdiag.demo.cast import (
    ACCOUNTS,
    AUDITOR,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    MANAGER,
    PCM,
    PEER,
    SOCIAL_CARE,
    Account,
    email_for,
    load_cast,
)
from peerdiag.demo.plans import PLANS
from peerdiag.diagnostics.domain.keydates import delivery_days
from peerdiag.diagnostics.enums import Stage, TeamRole
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.directory.models import PeerProfile, PeerRecentWork, Person

pytestmark = pytest.mark.django_db

HOSTS = sorted({p.council for p in PLANS})
FROM_TEAM_FORMING = {
    Stage.TEAM_FORMING,
    Stage.PREPARATION,
    Stage.CASE_REVIEW,
    Stage.READY,
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
}


def _teams() -> dict[int, list[TeamMember]]:
    """Diagnostic id -> its peers (the PCM left out)."""
    out: dict[int, list[TeamMember]] = defaultdict(list)
    rows = TeamMember.objects.exclude(role=TeamRole.PEER_CHALLENGE_MANAGER).select_related(
        "person__user", "diagnostic"
    )
    for m in rows:
        out[m.diagnostic_id].append(m)
    return out


def test_the_bench_has_thirty_peers_with_varied_expertise(demo: list[Account]) -> None:
    profiles = list(PeerProfile.objects.prefetch_related("expertise"))
    assert len(profiles) >= 30
    counts = Counter(e.area for p in profiles for e in p.expertise.all())
    assert len(counts) >= 12, counts
    assert max(counts.values()) <= len(profiles) * 2 // 3, counts
    assert 0 < counts["safeguarding"] < len(profiles) // 2
    assert len({p.seniority for p in profiles}) == 5
    assert len({p.person.organisation.region for p in profiles}) == 9
    # Some trained lately, some whose training has lapsed (more than two years ago).
    dates = sorted(p.trained_on for p in profiles if p.trained_on)
    assert (dates[-1] - dates[0]).days > 2 * 365
    assert PeerRecentWork.objects.exists()  # the team builder has someone to leave out


def test_names_are_varied_and_keep_their_accents(demo: list[Account]) -> None:
    names = list(Person.objects.values_list("full_name", flat=True))
    accented = [n for n in names if not n.isascii()]
    assert len(accented) >= 10, accented
    for wanted in ("Siân", "Ciarán", "Małgorzata", "Wojciech", "Aoife", "Anjali", "Gurpreet"):
        assert any(wanted in n for n in names), wanted
    for placeholder in ("Sponsor", "Organiser", "Admin", "Lead member of", "Chief_executive"):
        assert not any(placeholder in n for n in names), placeholder
    assert len(names) == len(set(names))


def test_every_host_council_has_its_four_people_as_its_governance_says(
    demo: list[Account],
) -> None:
    cast = load_cast()
    for host in HOSTS:
        people = cast.council(host)
        assert set(people) == {"sponsor", "organiser", "lead_member", "chief_executive"}, host
        assert {p.organisation.name for p in people.values()} == {host}
        assert people["sponsor"].is_dcs_or_equivalent, host
        assert people["sponsor"].user is not None and people["organiser"].user is not None
        assert people["lead_member"].full_name.startswith("Councillor "), host
    lead = {host: cast.council(host)["lead_member"].job_title for host in HOSTS}
    for committee in ("Bristol", "Wirral"):  # committee system: a committee chair, no cabinet
        assert lead[committee].startswith("Chair of the Children"), lead[committee]
        assert "Cabinet" not in lead[committee]
    assert "Executive Member" in lead["Hertfordshire"]
    assert "Mayor" in lead["Lewisham"]
    assert "Cabinet Member" in lead["Kent"]
    assert cast.council("Kent")["sponsor"].email == "sponsor@peerdiag.test"
    assert cast.council("Kent")["organiser"].email == "organiser@peerdiag.test"
    assert cast.council("Bristol")["sponsor"].email == "sponsor.bristol@peerdiag.test"


def test_the_eight_accounts_sign_in_with_the_demo_password(demo: list[Account], settings) -> None:  # type: ignore[no-untyped-def]
    # The demo is loaded before the suite's fast-hasher setting applies: accept both.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert [a.email for a in demo] == [a.email for a in ACCOUNTS]
    assert len(demo) == 8
    for account in demo:
        user = authenticate(None, username=account.email, password=DEMO_PASSWORD)
        assert user is not None and user.email == account.email, account.email
        assert user.person.full_name == account.name
        assert authenticate(None, username=account.email, password="wrong") is None
    assert User.objects.get(email="admin@peerdiag.test").is_superuser
    two_factor = set(TotpDevice.objects.values_list("user__email", flat=True))
    assert {"admin@peerdiag.test", PCM, PEER, AUDITOR} <= two_factor
    assert "sponsor@peerdiag.test" not in two_factor


def test_every_demo_login_is_in_the_demo_domain_so_the_demo_can_be_repeated(
    demo: list[Account],
) -> None:
    assert User.objects.count() > 60  # peers and council people have logins too
    assert not User.objects.exclude(email__iendswith=DEMO_DOMAIN).exists()
    assert Person.objects.filter(peer_profile__isnull=False, user__isnull=True).count() == 0


def test_loading_twice_adds_nobody(demo: list[Account]) -> None:
    def counts() -> tuple[int, ...]:
        return (
            User.objects.count(),
            Person.objects.count(),
            PeerProfile.objects.count(),
            PeerRecentWork.objects.count(),
            TotpDevice.objects.count(),
        )

    before = counts()
    load_cast()
    assert counts() == before


def test_no_peer_is_on_two_diagnostics_whose_delivery_weeks_overlap(demo: list[Account]) -> None:
    weeks: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    for members in _teams().values():
        for m in members:
            if m.diagnostic.day1 is None:
                continue
            days = delivery_days(m.diagnostic.day1)
            weeks[m.person_id].append((days[0], days[-1], m.diagnostic.title))
    assert sum(len(w) > 1 for w in weeks.values()) >= 5  # people do serve more than once
    for person_id, spans in weeks.items():
        spans.sort()
        for a, b in itertools.pairwise(spans):
            assert b[0] > a[1], (person_id, a, b)


def test_teams_differ_between_diagnostics_and_follow_the_rules(demo: list[Account]) -> None:
    teams = _teams()
    assert len(teams) >= 10
    sets = [frozenset(m.person_id for m in members) for members in teams.values()]
    assert len(set(sets)) == len(sets)
    leads = Counter(m.person_id for ms in teams.values() for m in ms if m.role == "lead_peer")
    assert len(leads) >= 5
    for members in teams.values():
        roles = Counter(m.role for m in members)
        assert roles[TeamRole.LEAD_PEER] == 1
        assert 2 <= roles[TeamRole.OPERATIONAL_MANAGER] <= 3
        expected = 2 if members[0].diagnostic.case_review_in_scope else 0
        assert roles[TeamRole.CASE_AUDITOR] == expected
        host = members[0].diagnostic.host_council_id
        assert all(m.person.organisation_id != host for m in members)


def test_case_auditors_come_from_childrens_social_care(demo: list[Account]) -> None:
    auditors = TeamMember.objects.filter(role=TeamRole.CASE_AUDITOR).select_related("person")
    assert auditors.count() >= 10
    for m in auditors:
        areas = set(m.person.peer_profile.expertise.values_list("area", flat=True))
        assert areas & SOCIAL_CARE, m.person
        assert "SEND" not in m.person.job_title and "Early Years" not in m.person.job_title
    # Nobody from SEND or early years even offers to audit case records.
    for p in PeerProfile.objects.filter(roles__icontains='"case_auditor"'):
        assert "SEND" not in p.person.job_title, p.person


def test_the_demo_accounts_are_where_demo_users_look_for_them(demo: list[Account]) -> None:
    kent_delivery = Diagnostic.objects.get(host_council__name="Kent", stage=Stage.DELIVERY)
    lead = kent_delivery.team.get(role=TeamRole.LEAD_PEER)
    assert lead.person.email == PEER
    roles = set(kent_delivery.team.values_list("person__email", "role"))
    assert (MANAGER, TeamRole.OPERATIONAL_MANAGER) in roles
    assert (AUDITOR, TeamRole.CASE_AUDITOR) in roles
    assert (PCM, TeamRole.PEER_CHALLENGE_MANAGER) in roles

    def places(email: str, role: str) -> list[Diagnostic]:
        return [m.diagnostic for m in TeamMember.objects.filter(person__email=email, role=role)]

    assert len(places(PEER, TeamRole.LEAD_PEER)) >= 3
    assert len(places(MANAGER, TeamRole.OPERATIONAL_MANAGER)) >= 3
    audited = places(AUDITOR, TeamRole.CASE_AUDITOR)
    assert len(audited) >= 4 and all(d.case_review_in_scope for d in audited)
    managed = places(PCM, TeamRole.PEER_CHALLENGE_MANAGER)
    assert {d.host_council.name for d in managed} >= {"Kent"}
    assert all(
        d.team.filter(person__email=PCM).exists()
        for d in Diagnostic.objects.filter(host_council__name="Kent")
    )
    assert sum(d.stage in FROM_TEAM_FORMING for d in managed) >= 8
    # ...and the other two PCMs have diagnostics of their own.
    others = TeamMember.objects.filter(role=TeamRole.PEER_CHALLENGE_MANAGER).exclude(
        person__email=PCM
    )
    assert others.values("person").distinct().count() == 2


def test_demo_addresses_fold_accents_and_drop_titles() -> None:
    assert email_for("Siân Howells") == "sian.howells@peerdiag.test"
    assert email_for("Councillor Tessa Fairclough") == "tessa.fairclough@peerdiag.test"
    assert email_for("Małgorzata Nowak") == "malgorzata.nowak@peerdiag.test"
    assert email_for("Dr Naomi Trewin") == "naomi.trewin@peerdiag.test"
    assert email_for("Harpreet Kaur Bains") == "harpreet.kaur-bains@peerdiag.test"
