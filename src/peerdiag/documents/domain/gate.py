"""The key documents' gate condition, registered as the 'documents' capability."""

from __future__ import annotations

from peerdiag.diagnostics.domain.capabilities import Blocker, register_capability
from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

from ..enums import RequestStatus
from ..models import DocumentRequest

# The documents must be in before the case review or readiness (R18, decision 10).
GATED = frozenset({Stage.CASE_REVIEW, Stage.READY})


def documents_blockers(diagnostic: Diagnostic, to_stage: str) -> list[Blocker]:
    if to_stage not in GATED:
        return []
    asks = list(DocumentRequest.objects.filter(diagnostic=diagnostic).order_by("due_on", "title"))
    if not asks:
        return [
            Blocker(
                "documents.none_requested", "No key documents have been requested yet", "documents"
            )
        ]
    out = []
    for ask in asks:
        if ask.status == RequestStatus.ACCEPTED:
            continue
        state = {
            RequestStatus.REQUESTED: "has not been supplied",
            RequestStatus.SUPPLIED: "is supplied but not yet accepted",
            RequestStatus.RETURNED: "was returned to the council for another version",
        }[RequestStatus(ask.status)]
        out.append(Blocker("documents.not_accepted", f"‘{ask.title}’ {state}", "documents"))
    return out


def register() -> None:
    register_capability("documents", documents_blockers)
