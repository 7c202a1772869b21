"""The reports' gate condition, registered as the 'reports' capability.

Feedback given → written feedback issued needs the written feedback issued: through the PCM's
check and the council's factual-accuracy check, with every council comment resolved.
"""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import Blocker, register_capability
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

from ..enums import WrittenState
from ..models import WrittenFeedback

FIX = "written"


def reports_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage != Stage.WRITTEN_FEEDBACK_ISSUED:
        return []
    written = WrittenFeedback.objects.filter(diagnostic=diagnostic).first()
    state = WrittenState(written.state) if written else WrittenState.DRAFT
    if state == WrittenState.ISSUED:
        return []
    out = [
        Blocker(
            "reports.not_issued",
            f"The written feedback is not issued yet (it is {state.label[0].lower()}"
            f"{state.label[1:]})",
            FIX,
        )
    ]
    if written is not None:
        left = written.comments.filter(resolved_at__isnull=True).count()
        if left:
            out.append(
                Blocker(
                    "reports.unresolved_comments",
                    f"{left} factual-accuracy comment{'s' if left != 1 else ''} from the "
                    "council still to resolve",
                    FIX,
                )
            )
    return out


def register() -> None:
    register_capability("reports", reports_blockers)
