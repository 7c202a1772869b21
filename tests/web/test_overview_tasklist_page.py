"""The overview page as a GOV.UK task list (issue 18): what the PCM, a peer and the sponsor read,
and every link the page offered before the task list is still there."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from peerdiag.diagnostics.domain.gates import gate_blockers, next_stages
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

pytestmark = pytest.mark.django_db

# The links each role found on the overview before it became a task list (the page as it was at
# the start of issue 18, a diagnostic in team forming with a case review), after
# /diagnostics/<ref>/. The moves (advance, postpone, resume) depend on the stage: added below.
# "case-review/" is gone for the uncleared PCM and peer: it answered them 403, and since issue 23
# it is linked only for those the page lets in (tests/web/test_accessibility_fixes.py).
BEFORE = {
    "pcm": {
        "audit/", "briefing/", "cancel/", "confidentiality/", "council/",
        "data-access/", "dates/", "details/", "documents/", "drafting-board/", "evaluation/",
        "evidence/coverage/", "evidence/search/", "exports/", "findings/", "kit-digests/",
        "kloes/", "messages/", "notes/", "peer-team-pack/", "proposed-peers/", "scope/",
        "scoping/", "scoping/meeting/", "team/", "timetable/", "written-feedback/",
    },
    "peer": {
        "audit/", "briefing/", "confidentiality/", "council/", "data-access/",
        "declaration/", "documents/", "drafting-board/", "evaluation/", "evidence/coverage/",
        "evidence/search/", "exports/", "findings/", "kit-digests/", "kloes/", "messages/",
        "notes/", "peer-team-pack/", "proposed-peers/", "scope/", "team/", "timetable/",
        "written-feedback/",
    },
    "sponsor": {
        "case-review/sharing/", "confidentiality/", "council/", "documents/", "kit-digests/",
        "kloes/", "messages/", "proposed-peers/", "scope/", "timetable/", "written-feedback/",
    },
}  # fmt: skip
STAGES = [
    Stage.ENQUIRY,
    Stage.TEAM_FORMING,
    Stage.PREPARATION,
    Stage.DELIVERY,
    Stage.EVALUATION,
    Stage.POSTPONED,
]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    s = c.session
    s["two_factor_verified"] = True
    s.save()
    return c


def _at(d: Diagnostic, stage: Stage) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(
        stage=stage, case_review_in_scope=True, stage_before_pause=Stage.PREPARATION
    )
    return Diagnostic.objects.get(pk=d.pk)


def _main(html: str) -> str:
    return html[html.index('id="main-content"') :]


def _links(html: str, ref: str) -> set[str]:
    prefix = f"/diagnostics/{ref}/"
    return {h[len(prefix) :] for h in re.findall(r'href="([^"]+)"', _main(html)) if prefix in h}


def _page(user, d: Diagnostic) -> str:  # type: ignore[no-untyped-def]
    r = _client(user).get(reverse("web:diagnostic_overview", args=[d.reference]))
    assert r.status_code == 200
    return r.content.decode()


def _expected(who: str, d: Diagnostic) -> set[str]:
    links = set(BEFORE[who])
    if who == "pcm":
        links |= {f"advance/{to}/" for to in next_stages(d)}
        links.add("resume/" if d.stage == Stage.POSTPONED else "postpone/")
    return links


@pytest.mark.parametrize("stage", STAGES, ids=str)
@pytest.mark.parametrize("who", ["pcm", "peer", "sponsor"])
def test_every_link_the_page_offered_is_still_there(world, who, stage):  # type: ignore[no-untyped-def]
    d = _at(world.own, stage)
    user = getattr(world, who)
    got = _links(_page(user, d), d.reference)
    assert _expected(who, d) - got == set()
    # Whatever the task list adds is a page this person may open.
    client = _client(user)
    for path in sorted(got - _expected(who, d)):
        r = client.get(f"/diagnostics/{d.reference}/{path}")
        assert r.status_code in (200, 302), (who, path, r.status_code)
        if r.status_code == 302:
            assert "/sign-in/" not in r["Location"], (who, path)


def _section(html: str, heading_id: str = "current-tasks") -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_the_pcm_reads_the_current_gate_first_as_a_task_list(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.TEAM_FORMING)
    html = _page(world.pcm, d)
    current = _section(html)
    assert "Next step: forming the team" in current
    assert 'class="govuk-task-list"' in current
    # Every blocker of the next gate is shown, linked where the PCM puts it right.
    blockers = gate_blockers(d, Stage.PREPARATION)
    assert blockers
    for b in blockers:
        assert b.message.replace("'", "&#x27;") in current, b.code
    assert '<strong class="govuk-tag govuk-tag--blue">Not started</strong>' in current
    assert f'href="/diagnostics/{d.reference}/briefing/"' in current
    assert "Check the move to preparation" in current
    # The current gate comes before the other stages, which are folded.
    assert html.index('id="current-tasks"') < html.index("Other stages")
    folded = re.findall(r'<details class="govuk-details pd-section-details"[^>]*>', html)
    assert len(folded) == 6  # scoping, preparation, case review, delivery, written, evaluation
    assert not any(" open" in tag for tag in folded)
    assert "Scoping: completed" in html
    assert "Delivery week and feedback: cannot start yet" in html


def test_a_peer_reads_the_tasks_without_the_pcm_only_links(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.SCOPING_SCHEDULED)
    html = _page(world.peer, d)
    current = _section(html)
    assert "Next step: scoping" in current
    assert "Record what the peer team needs" in current
    # The scoping record and the details are the PCM's to change: named, not linked.
    for path in ("scoping/", "details/", "dates/"):
        assert f'href="/diagnostics/{d.reference}/{path}"' not in html
    assert f'href="/diagnostics/{d.reference}/kloes/"' in current
    assert "Check the move" not in html and "Move to" not in html


def test_the_sponsor_reads_only_the_council_tasks(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.TEAM_FORMING)
    html = _page(world.sponsor, d)
    current = _section(html)
    assert "Next step" not in html
    assert "Forming the team" in current
    assert "The council approves the peers" in current
    assert f'href="/diagnostics/{d.reference}/proposed-peers/"' in current
    assert "The council says whether peers sign a confidentiality agreement" in current
    for internal in ("Issue the briefing", "Choose the lead peer", "declare their interests"):
        assert internal not in html
    assert f'href="/diagnostics/{d.reference}/team/"' not in html


def test_an_outsider_still_finds_no_page(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.TEAM_FORMING)
    r = _client(world.other_council_user).get(
        reverse("web:diagnostic_overview", args=[d.reference])
    )
    assert r.status_code == 404
    assert d.title not in r.content.decode()


def test_a_postponed_diagnostic_folds_every_stage(world):  # type: ignore[no-untyped-def]
    d = _at(world.own, Stage.POSTPONED)
    html = _page(world.pcm, d)
    assert 'id="current-tasks"' not in html
    assert "Paused while the diagnostic is postponed" in html
    assert "Preparation: cannot start yet" in html
