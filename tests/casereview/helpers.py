"""Building blocks for case review tests: lists, cleared case auditors, released cases."""

from __future__ import annotations

from typing import Any

from peerdiag.accounts.models import User
from peerdiag.casereview.domain.lists import import_case_list
from peerdiag.casereview.domain.reviews import record_sharing_mechanism, review_for
from peerdiag.casereview.domain.sampling import select_by_hand, share_out
from peerdiag.casereview.models import CaseAudit, CaseReview, SampledCase
from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.enums import TeamRole
from peerdiag.diagnostics.models import AgreedCaseList, Diagnostic
from tests.factories import PersonFactory, TeamMemberFactory, UserFactory

COHORTS = ["early help", "child in need", "child protection", "child in care"]


def csv_bytes(n: int = 12, *, prefix: str = "MOS") -> bytes:
    lines = ["reference,cohort,team,legal_status"]
    for i in range(n):
        lines.append(f"{prefix}{1000 + i},{COHORTS[i % 4]},Assessment team,Section 17")
    return ("\n".join(lines) + "\n").encode()


def make_review(d: Diagnostic, *, by: User | None = None, n: int = 12) -> CaseReview:
    Diagnostic.objects.filter(pk=d.pk).update(case_review_in_scope=True)
    d.case_review_in_scope = True
    case_list, _ = AgreedCaseList.objects.get_or_create(diagnostic=d, name="Open cases")
    if not case_list.entries.exists():
        import_case_list(case_list, by=by, data=csv_bytes(n))
    return review_for(d)


def add_auditor(d: Diagnostic, email: str, name: str = "Cara Auditor") -> User:
    user = UserFactory(email=email)
    person = PersonFactory(user=user, full_name=name, email=email)
    TeamMemberFactory(diagnostic=d, person=person, role=TeamRole.CASE_AUDITOR)
    return user


def released_case(d: Diagnostic, auditor: User | None = None) -> SampledCase:
    """One case chosen by hand and released to a case auditor (made if none is given)."""
    review = make_review(d)
    if auditor is None and not d.team.filter(role=TeamRole.CASE_AUDITOR).exists():
        add_auditor(d, f"auditor-{d.reference.lower()}@example.org")
    if not review.sharing_recorded_at:
        record_sharing_mechanism(
            review, by=None, text="Read-only accounts in Mosaic", version=UNCHECKED
        )
    # Tests add cases one at a time: take back the earlier release so another can be chosen.
    released = list(review.cases.filter(released_at__isnull=False).values_list("pk", flat=True))
    review.cases.filter(pk__in=released).update(released_at=None)
    entry = next(
        e
        for e in review.diagnostic.agreed_case_lists.first().entries.all()  # type: ignore[union-attr]
        if not e.samples.exists()
    )
    case = select_by_hand(review, by=None, entry=entry, reason="Tracked case", version=UNCHECKED)
    share_out(review, by=None, version=UNCHECKED)
    case.refresh_from_db()
    return case


def url_arguments(route: str, d: Diagnostic) -> dict[str, Any]:
    """For tests/diagnostics/test_sensitive_urls.py: make what a case review route names."""
    review = make_review(d)
    if "<str:code>" not in route:
        return {}
    if "/lists/" in route:
        return {"code": review.diagnostic.agreed_case_lists.first().code}  # type: ignore[union-attr]
    case = released_case(d)
    assert case.auditor is not None
    CaseAudit.objects.get_or_create(case=case, auditor=case.auditor)
    return {"code": case.code}
