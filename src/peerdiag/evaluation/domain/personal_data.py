"""What the evaluation app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import AFTER_EVALUATION, Policy, destroyed, not_personal

from .retention import STEP

_REPLACED = "replaced by a line saying so"

FIELDS: dict[str, dict[str, Policy]] = {
    "Survey": {
        "role": not_personal("sponsor or organiser"),
        "token": destroyed(
            STEP, how="replaced, so the old link no longer opens the survey", when=AFTER_EVALUATION
        ),
        "comments": destroyed(STEP, how=_REPLACED, when=AFTER_EVALUATION),
        "further_support_what": destroyed(STEP, how=_REPLACED, when=AFTER_EVALUATION),
    },
    "EvaluationOutcome": {
        "further_support": not_personal("the support the LGA offered the council"),
    },
    "CheckIn": {"notes": destroyed(STEP, how=_REPLACED, when=AFTER_EVALUATION)},
}
