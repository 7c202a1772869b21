import pytest

from peerdiag.casereview.domain.audits import GradeIn, save_audit
from peerdiag.casereview.domain.concerns import raise_concern
from peerdiag.casereview.enums import AuditDomain
from tests.casereview.helpers import add_auditor, released_case

pytestmark = pytest.mark.django_db


def test_the_team_sees_progress_as_counts_without_case_content(world, as_user):  # type: ignore[no-untyped-def]
    auditor = add_auditor(world.own, "cara@example.org")
    case = released_case(world.own)
    grades = {d: GradeIn("good", "Secret evidence") for d in AuditDomain.values}
    audit = save_audit(
        case,
        by=auditor,
        header={},
        grades=grades,
        overall_grade="good",
        difference="",
        finish=True,
        version=0,
    )
    raise_concern(audit, by=auditor, summary="Secret summary")
    response = as_user(world.pcm).get(f"/diagnostics/{world.own.reference}/case-review")
    assert response.status_code == 200
    body = response.json()
    assert body["cases"] == 1 and body["audits_finished"] == 1
    assert body["concerns_open"] == 1 and body["concerns_not_escalated"] == 0
    assert [b["code"] for b in body["blockers"]] == ["case_review.report"]
    assert body["warnings"] == [
        "No case auditor carries on into delivery: at least one usually should"
    ]
    text = response.content.decode()
    assert "Secret" not in text and case.entry.pseudonymous_ref not in text


def test_the_council_and_outsiders_are_refused(world, as_user):  # type: ignore[no-untyped-def]
    url = f"/diagnostics/{world.own.reference}/case-review"
    assert as_user(world.sponsor).get(url).status_code == 403
    assert as_user(world.stranger_peer).get(url).status_code == 404
