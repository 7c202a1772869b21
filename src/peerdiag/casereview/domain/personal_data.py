"""What the case review's fields hold (see peerdiag.common.personal_data).

Case content is about children, held pseudonymously and encrypted; it goes on the destroy-by
date (casereview/domain/retention.py).
"""

from peerdiag.common.personal_data import Policy, destroyed, kept, not_personal

from .retention import CASE_CONTENT_STEP

_CHOICE = not_personal("a fixed choice")
_CASE = destroyed(CASE_CONTENT_STEP, how="the encrypted text is blanked")

FIELDS: dict[str, dict[str, Policy]] = {
    "CaseReview": {
        "sharing_mechanism": not_personal("how the council shares case records"),
        "seed": not_personal("the random seed of the sample"),
        "report_strengths": not_personal("aggregate themes, never a child (decision 7)"),
        "report_improvements": not_personal("aggregate themes, never a child (decision 7)"),
        "reference_pattern": not_personal("the format of the council's case references"),
    },
    "CaseSharing": {
        "state": _CHOICE,
        "method": _CHOICE,
        "details": not_personal("how the council shares case records"),
        "contact_name": destroyed(CASE_CONTENT_STEP, how="blanked"),
        "contact_email": destroyed(CASE_CONTENT_STEP, how="blanked"),
        "contact_phone": destroyed(CASE_CONTENT_STEP, how="blanked"),
        "reason": not_personal("why the PCM asked again, about the way of sharing"),
    },
    "CaseListEntry": {
        "pseudonymous_ref": destroyed(CASE_CONTENT_STEP, how="replaced by 'destroyed-<code>'"),
        "ref_digest": destroyed(
            CASE_CONTENT_STEP, how="recomputed from 'destroyed-<code>' with the reference"
        ),
        "cohort": _CHOICE,
        "team": destroyed(CASE_CONTENT_STEP, how="blanked"),
        "legal_status": destroyed(
            CASE_CONTENT_STEP,
            how="anonymised: once the reference is replaced, nothing links it to a child",
        ),
    },
    "SampledCase": {
        "method": _CHOICE,
        "reason": kept(
            "why the case was selected (decision 1 keeps it); by cohort and need, never the "
            "child, and anonymous once the reference is replaced"
        ),
    },
    "CaseAudit": {
        "status": _CHOICE,
        "age_band": not_personal("anonymous once the reference is replaced"),
        "overall_grade": _CHOICE,
        "difference_enc": _CASE,
    },
    "DomainGrade": {
        "domain": _CHOICE,
        "grade": _CHOICE,
        "evidence_enc": _CASE,
        "commentary_enc": _CASE,
    },
    "PractitionerContact": {
        "role_contacted": not_personal("a role, not a name"),
        "note_enc": _CASE,
    },
    "Moderation": {"note_enc": _CASE},
    "SafeguardingConcern": {
        "summary_enc": _CASE,
        "escalated_to": destroyed(CASE_CONTENT_STEP, how="the e-mail addresses are blanked"),
    },
    "CaseReadLog": {"what": kept("the read log of case content (decision 9)")},
    "Destruction": {"reason": not_personal(), "counts": not_personal("numbers")},
}
