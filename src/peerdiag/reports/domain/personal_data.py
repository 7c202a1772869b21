"""What the reports app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.domain.personal_data import FIELDS as COMMON_FIELDS
from peerdiag.common.personal_data import Policy, destroyed, not_personal

from .retention import STEP

_CHOICE = not_personal("a fixed choice")
_OUTPUT = not_personal("the diagnostic's output, about the service; quotes only by group")

FIELDS: dict[str, dict[str, Policy]] = {
    "WrittenFeedback": {
        "state": _CHOICE,
        "issued_file": _OUTPUT,
        "issued_pdf": _OUTPUT,
        "reminders_sent": not_personal("day counts"),
    },
    "ReportParagraph": {"key": not_personal(), "heading": _OUTPUT, "text": _OUTPUT},
    "FactualComment": {
        "paragraph_key": not_personal(),
        "text": destroyed(STEP, how="replaced by a line saying so"),
        "response": destroyed(STEP, how="replaced by a line saying so"),
    },
    # A proxy of common's Job: the same fields, so the same answers.
    "ExportJob": COMMON_FIELDS["Job"],
}
