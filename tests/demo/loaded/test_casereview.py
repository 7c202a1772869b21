"""The demo's case record reviews (peerdiag.demo.casereview): walked through the real domain
functions, as the people who would do each step, at dates before the day the demo is loaded.

The pure tests check the demo's own material (texts, CSV files, grade spreads) without a
database; the others read the shared demo (the `demo` fixture in conftest.py)."""

from __future__ import annotations

import random
import re
import zipfile
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.casereview.domain.gate import case_review_blockers
from peerdiag.casereview.domain.lists import check_reference_pattern, parse_case_csv, words
from peerdiag.casereview.enums import AuditStatus, Grade, audit_domains
from peerdiag.casereview.models import (
    CaseAudit,
    CaseListEntry,
    CaseReadLog,
    CaseReview,
    DomainGrade,
    Moderation,
    PractitionerContact,
    SafeguardingConcern,
)
from peerdiag.common.childdata import has_forename, looks_like_date
from peerdiag.common.crypto import decrypt
from peerdiag.demo import casereview as cr
from peerdiag.demo.context import Timeline, moment
from peerdiag.demo.plans import Plan, planned
from peerdiag.demo.walk import find
from peerdiag.diagnostics.enums import CouncilRoleKind, Stage, TeamRole
from peerdiag.diagnostics.models import AuditEntry, Diagnostic

pytestmark = pytest.mark.django_db

# The stages a diagnostic reaches only after its case review is done (the gate to ready passed).
PAST = {
    Stage.READY,
    Stage.DELIVERY,
    Stage.DRAFTING,
    Stage.FEEDBACK_GIVEN,
    Stage.WRITTEN_FEEDBACK_ISSUED,
    Stage.EVALUATION,
    Stage.CLOSED,
}
# Audit trail actions the case review writes.
CASE_ACTIONS = ("case_", "cases_", "safeguarding_concern", "practitioner_contacted")


def _clean(text: str) -> bool:
    """No common first name and no date in `text`."""
    return not has_forename(text) and not looks_like_date(text)


# The demo's own material (no database needed) --------------------------------------------------


def test_every_text_the_demo_writes_is_free_of_names_and_dates() -> None:
    texts = [
        *(
            t
            for bank in (cr.EVIDENCE, cr.COMMENTARY, cr.DIFFERENCE)
            for v in bank.values()
            for t in v
        ),
        *(t for v in cr.BY_HEADING.values() for t in v),
        cr.CONCERN,
        *cr.MODERATION_AGREES,
        cr.MODERATION_DISAGREES,
        cr.CONTACT_ROLE,
        cr.CONTACT_NOTE,
        *cr.STRENGTHS,
        *cr.IMPROVEMENTS,
        *(t for v in cr.TEAMS.values() for t in v),
        *(t for v in cr.LEGAL_STATUS.values() for t in v),
    ]
    assert len(texts) > 100
    assert [t for t in texts if not _clean(t)] == []


@pytest.mark.parametrize("d_type", ["send", "childrens_services"])
def test_every_heading_has_its_own_evidence_at_every_grade(d_type: str) -> None:
    for value, _label in audit_domains(d_type):
        assert len(set(cr.BY_HEADING[value])) == len(cr.SCALE), value
    grades = cr.domain_grades(
        d_type, "child_in_care", Grade.GOOD, random.Random(3), all_of_them=True
    )
    assert set(grades) == {value for value, _ in audit_domains(d_type)}
    assert all(g.evidence for g in grades.values() if g.grade != Grade.NA)
    first = cr.domain_grades(
        d_type, "child_in_care", Grade.GOOD, random.Random(3), all_of_them=False
    )
    assert len(first) == cr.FIRST_READING


@pytest.mark.parametrize("council", [*cr.REFERENCE_FORMATS, "Northumberland"])
def test_made_up_case_lists_pass_the_importer_in_the_councils_format(council: str) -> None:
    pattern = cr.reference_pattern(council)
    assert check_reference_pattern(pattern) == pattern
    used: set[int] = set()
    first = cr.case_list_csv(council, "Children on protection plans", random.Random(1), used)
    second = cr.case_list_csv(council, "Children in need", random.Random(1), used)
    rows = [
        *parse_case_csv(first, pattern=pattern, place_words=frozenset(words(council))),
        *parse_case_csv(second, pattern=pattern, place_words=frozenset(words(council))),
    ]
    assert len(rows) >= 56
    assert len({r.reference for r in rows}) == len(rows)  # no number used twice
    assert {r.cohort for r in rows} == {"child_protection", "child_in_need"}
    header = first.decode().splitlines()[0]
    assert header == "reference,cohort,team,legal_status"


@pytest.mark.parametrize("size", [10, 12])
def test_overall_grades_are_spread_as_case_audits_usually_are(size: int) -> None:
    for seed in range(40):
        grades = cr.overall_grades(size, random.Random(seed))
        counts = Counter(grades)
        assert len(grades) == size
        assert len(counts) >= 3, counts
        assert counts[Grade.GOOD] + counts[Grade.REQUIRES_IMPROVEMENT] > size / 2
        assert 1 <= counts[Grade.INADEQUATE] <= size / 4
        assert counts[Grade.OUTSTANDING] <= 1
        assert grades[cr.CONCERN_SLOT] == Grade.INADEQUATE


# The loaded demo ---------------------------------------------------------------------------------


def _plans(demo_day: date) -> list[Plan]:
    return [p for p in planned(demo_day) if p.case_review]


def _finished(demo_day: date) -> list[tuple[Plan, Diagnostic, CaseReview]]:
    """Every planned diagnostic with a case review whose plan puts it past the case review."""
    out = []
    for plan in _plans(demo_day):
        if plan.stage not in PAST:
            continue
        d = find(plan)
        assert d is not None, plan.key
        review = CaseReview.objects.filter(diagnostic=d).first()
        assert review is not None, f"{plan.key} has no case record review"
        out.append((plan, d, review))
    assert len(out) >= 4
    return out


def test_every_review_past_the_stage_builds_its_report_and_passes_the_gate(
    demo: object, demo_day: date, tmp_path: Path
) -> None:
    for plan, d, review in _finished(demo_day):
        assert d.stage in PAST, plan.key
        assert case_review_blockers(d, Stage.READY) == [], plan.key
        assert review.report_approved_at is not None and review.report_issued_at is not None
        out = tmp_path / f"{plan.key}.docx"
        call_command("casereview", "report", d.reference, "-o", str(out))
        with zipfile.ZipFile(out) as docx:
            body = docx.read("word/document.xml").decode()
        assert d.host_council.name in body
        assert "(draft)" not in body
        assert review.report_strengths and review.report_improvements


def test_grades_are_spread_in_every_finished_review(demo: object, demo_day: date) -> None:
    for plan, _d, review in _finished(demo_day):
        overall = Counter(
            CaseAudit.objects.filter(case__review=review).values_list("overall_grade", flat=True)
        )
        assert len(overall) >= 3, (plan.key, overall)
        assert overall[Grade.GOOD] + overall[Grade.REQUIRES_IMPROVEMENT] > sum(overall.values()) / 2
        assert overall[Grade.OUTSTANDING] <= 1
        by_domain = Counter(
            DomainGrade.objects.filter(audit__case__review=review).values_list("grade", flat=True)
        )
        assert len(by_domain) >= 4, (plan.key, by_domain)


def test_one_concern_escalated_and_acknowledged_by_the_council_per_review(
    demo: object, demo_day: date
) -> None:
    for plan, d, review in _finished(demo_day):
        found = list(SafeguardingConcern.objects.filter(audit__case__review=review))
        assert len(found) == 1, plan.key
        concern = found[0]
        assert concern.escalated_at is not None
        # The addresses it went to are destroyed with the case content at closing.
        assert concern.escalated_to or review.content_destroyed_at is not None
        assert concern.acknowledged_at is not None
        assert concern.raised_at < concern.acknowledged_at
        council_users = set(
            d.council_roles.filter(
                role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
            ).values_list("person__user", flat=True)
        )
        assert concern.acknowledged_by_id in council_users, plan.key
        assert concern.raised_by_id == concern.audit.auditor.person.user_id


def test_audits_are_by_the_two_case_auditors_each_under_their_own_name(
    demo: object, demo_day: date
) -> None:
    for plan, d, review in _finished(demo_day):
        auditors = set(d.team.filter(role=TeamRole.CASE_AUDITOR).values_list("pk", flat=True))
        audits = list(
            CaseAudit.objects.filter(case__review=review).select_related("auditor__person")
        )
        assert len(auditors) == 2
        assert {a.auditor_id for a in audits} == auditors, plan.key
        assert all(a.status == AuditStatus.DONE for a in audits)
        assert review.cases.count() == len(audits)
        finished_by = set(
            AuditEntry.objects.filter(diagnostic=d, action="case_audit_finished").values_list(
                "actor", flat=True
            )
        )
        assert finished_by == {a.auditor.person.user_id for a in audits}
        # Second readings by someone other than the case's auditor, one of them disagreeing.
        readings = list(Moderation.objects.filter(audit__case__review=review))
        assert len(readings) >= 3 and any(not m.agrees for m in readings)
        assert all(m.moderator_id != m.audit.auditor.person.user_id for m in readings)
        assert PractitionerContact.objects.filter(audit__case__review=review).exists()


def test_every_audited_case_was_read_by_its_auditor_and_the_reads_are_logged(
    demo: object, demo_day: date
) -> None:
    for plan, _d, review in _finished(demo_day):
        for audit in CaseAudit.objects.filter(case__review=review).select_related(
            "auditor__person"
        ):
            assert CaseReadLog.objects.filter(
                review=review, case=audit.case, user=audit.auditor.person.user
            ).exists(), plan.key


def test_the_diagnostic_at_the_case_review_stage_has_audits_under_way(
    demo: object, demo_day: date
) -> None:
    at_stage = [p for p in _plans(demo_day) if p.stage == Stage.CASE_REVIEW]
    assert at_stage
    for plan in at_stage:
        d = find(plan)
        assert d is not None and d.stage == Stage.CASE_REVIEW
        review = CaseReview.objects.get(diagnostic=d)
        assert review.sharing_recorded_at is not None
        statuses = Counter(
            CaseAudit.objects.filter(case__review=review).values_list("status", flat=True)
        )
        audited = sum(statuses.values())
        assert audited > 0, plan.key
        # Under way: some audits started, not every case finished, the report not yet issued.
        assert statuses[AuditStatus.DONE] < review.cases.count()
        assert review.report_issued_at is None
        blockers = {b.code for b in case_review_blockers(d, Stage.READY)}
        assert "case_review.audits" in blockers


def test_no_case_reference_or_case_text_holds_a_name_or_a_date(demo: object) -> None:
    entries = list(CaseListEntry.objects.all())
    assert len(entries) > 100
    for e in entries:
        review = CaseReview.objects.get(diagnostic=e.case_list.diagnostic_id)
        if review.content_destroyed_at is not None:
            continue
        assert re.fullmatch(review.reference_pattern, e.pseudonymous_ref)
        assert _clean(e.pseudonymous_ref) and _clean(e.team) and _clean(e.legal_status)
    texts = [
        *(decrypt(a.difference_enc) for a in CaseAudit.objects.all()),
        *(decrypt(g.evidence_enc) for g in DomainGrade.objects.all()),
        *(decrypt(g.commentary_enc) for g in DomainGrade.objects.all()),
        *(decrypt(m.note_enc) for m in Moderation.objects.all()),
        *(decrypt(c.note_enc) for c in PractitionerContact.objects.all()),
        *(c.role_contacted for c in PractitionerContact.objects.all()),
        *(decrypt(c.summary_enc) for c in SafeguardingConcern.objects.all()),
        *(r.report_strengths for r in CaseReview.objects.all()),
        *(r.report_improvements for r in CaseReview.objects.all()),
    ]
    assert sum(1 for t in texts if t) > 100
    assert [t for t in texts if not _clean(t)] == []


def test_case_review_steps_are_in_order_inside_its_window_and_before_the_cutoff(
    demo: object, demo_day: date
) -> None:
    cutoff = timezone.make_aware(datetime.combine(demo_day, time(0, 0)))
    checked = 0
    for plan in _plans(demo_day):
        d = find(plan)
        review = CaseReview.objects.filter(diagnostic=d).first() if d else None
        if review is None:
            continue
        tl = Timeline(plan.day1, plan.turnaround)
        start, end = moment(tl.case_review, "09:30"), moment(tl.case_review_end, "17:00")
        entries = [
            e
            for e in AuditEntry.objects.filter(diagnostic=d).order_by("id")
            if e.action.startswith(CASE_ACTIONS)
        ]
        # Retention (at closing) is the only case review action after the window.
        during = [e for e in entries if not e.action.startswith("case_content")]
        assert during, plan.key
        ats = [e.at for e in during]
        assert ats == sorted(ats), plan.key
        assert start <= ats[0] and ats[-1] <= end, plan.key
        assert ats[-1] < cutoff
        reads = CaseReadLog.objects.filter(review=review).values_list("at", flat=True)
        assert all(start <= at <= end and at < cutoff for at in reads), plan.key
        checked += 1
    assert checked >= 5


def test_the_people_who_act_are_the_ones_the_product_expects(demo: object, demo_day: date) -> None:
    """The organiser proposes how cases are shared and the PCM accepts it; the PCM chooses
    and releases the cases and approves the report."""
    for plan, d, review in _finished(demo_day):
        by_action = {
            e.action: e.actor
            for e in AuditEntry.objects.filter(diagnostic=d).select_related("actor")
        }
        organiser = d.council_roles.get(role=CouncilRoleKind.ORGANISER).person.user
        pcm = d.team.get(role=TeamRole.PEER_CHALLENGE_MANAGER).person.user
        assert isinstance(organiser, User) and isinstance(pcm, User)
        assert by_action["case_sharing_proposed"] == organiser, plan.key
        for action in (
            "case_sharing_accepted",
            "case_sample_drawn",
            "cases_released",
            "case_report_approved",
            "case_report_issued",
        ):
            assert by_action[action] == pcm, (plan.key, action)
        assert review.seed == f"{plan.seed:06d}"
