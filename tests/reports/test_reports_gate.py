"""The 'reports' capability: feedback given → written feedback issued waits for the issue."""

from __future__ import annotations

from peerdiag.common.versioning import UNCHECKED
from peerdiag.diagnostics.domain.capabilities import capability_blockers
from peerdiag.diagnostics.domain.gates import gate_blockers
from peerdiag.diagnostics.domain.stages import advance
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.reports.domain.content import written_for
from peerdiag.reports.domain.written import (
    add_comment,
    issue_written,
    pass_pcm_check,
    resolve_comment,
    submit_for_check,
)

from .helpers import drafted


def _feedback_given(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    Diagnostic.objects.filter(pk=x.d.pk).update(
        stage=Stage.FEEDBACK_GIVEN, written_feedback_format="report"
    )
    x.d.refresh_from_db()
    return x


def test_before_anything_is_written_the_gate_says_so(world):  # type: ignore[no-untyped-def]
    x = _feedback_given(world)
    blockers = gate_blockers(x.d, Stage.WRITTEN_FEEDBACK_ISSUED)
    assert [(b.code, b.message, b.fix, b.unavailable) for b in blockers] == [
        (
            "reports.not_issued",
            "The written feedback is not issued yet (it is being drafted)",
            "written",
            False,
        )
    ]


def test_the_gate_waits_for_the_issued_feedback_and_resolved_comments(world):  # type: ignore[no-untyped-def]
    x = _feedback_given(world)
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    add_comment(w, by=world.sponsor, paragraph_key="context", text="Wrong year.")
    blockers = capability_blockers(
        "reports", x.d, Stage.WRITTEN_FEEDBACK_ISSUED, needs=["not used"]
    )
    assert [(b.code, b.fix) for b in blockers] == [
        ("reports.not_issued", "written"),
        ("reports.unresolved_comments", "written"),
    ]
    assert blockers[0].message == (
        "The written feedback is not issued yet (it is with the council for a factual-accuracy "
        "check)"
    )
    assert blockers[1].message == "1 factual-accuracy comment from the council still to resolve"
    resolve_comment(w.comments.get(), by=world.pcm, version=UNCHECKED)
    issue_written(w, by=world.pcm, version=UNCHECKED)
    assert capability_blockers("reports", x.d, Stage.WRITTEN_FEEDBACK_ISSUED, needs=[]) == []


def test_once_issued_the_diagnostic_moves_on(world):  # type: ignore[no-untyped-def]
    x = _feedback_given(world)
    w = written_for(x.d)
    submit_for_check(w, by=world.pcm, version=UNCHECKED)
    pass_pcm_check(w, by=world.pcm, version=UNCHECKED)
    assert gate_blockers(x.d, Stage.WRITTEN_FEEDBACK_ISSUED) != []
    issue_written(w, by=world.pcm, version=UNCHECKED)
    x.d.refresh_from_db()
    assert gate_blockers(x.d, Stage.WRITTEN_FEEDBACK_ISSUED) == []
    advance(x.d, Stage.WRITTEN_FEEDBACK_ISSUED, by=world.pcm)
    assert Diagnostic.objects.get(pk=x.d.pk).stage == Stage.WRITTEN_FEEDBACK_ISSUED
