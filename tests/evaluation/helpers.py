"""A diagnostic whose written feedback was issued on Friday 19 March 2027: Good Friday (26 March)
and Easter Monday (29 March) fall in the next ten working days, so its surveys are due on
Tuesday 6 April 2027."""

from __future__ import annotations

from datetime import date

from peerdiag.diagnostics.enums import Stage
from peerdiag.diagnostics.models import Diagnostic

ISSUED = date(2027, 3, 19)
DUE = date(2027, 4, 6)


def issued(
    d: Diagnostic, on: date = ISSUED, stage: str = Stage.WRITTEN_FEEDBACK_ISSUED
) -> Diagnostic:
    Diagnostic.objects.filter(pk=d.pk).update(
        written_feedback_issued_on=on, stage=stage, day1=date(2027, 2, 1)
    )
    return Diagnostic.objects.get(pk=d.pk)
