"""What the diagnostics app's fields hold (see peerdiag.common.personal_data)."""

from peerdiag.common.personal_data import ERASED, Policy, destroyed, kept, not_personal

from .retention import INTERNAL_STEP

_CHOICE = not_personal("a fixed choice")
_ABOUT_THE_SERVICE = not_personal("describes the council's service, not people")

FIELDS: dict[str, dict[str, Policy]] = {
    "Diagnostic": {
        "reference": not_personal(),
        "type": _CHOICE,
        "type_other": _ABOUT_THE_SERVICE,
        "title": _ABOUT_THE_SERVICE,
        "focus_statement": _ABOUT_THE_SERVICE,
        "online_platform": _CHOICE,
        "online_platform_other": not_personal("the name of a video platform"),
        "written_feedback_format": _CHOICE,
        "suitability": _CHOICE,
        "suitability_rationale": _ABOUT_THE_SERVICE,
        "internal_notes": destroyed(
            INTERNAL_STEP,
            how="blanked (the LGA's working notes can say anything about anyone)",
        ),
        "stage": _CHOICE,
        "stage_before_pause": _CHOICE,
    },
    "Kloe": {"text": _ABOUT_THE_SERVICE, "theme": _ABOUT_THE_SERVICE},
    "CouncilRole": {"role": _CHOICE},
    "Endorsement": {
        "role": _CHOICE,
        "status": _CHOICE,
        "note": kept(
            "the council's consent to the diagnostic by its Lead Member and Chief Executive "
            "(public office holders), kept with the diagnostic as the record it was agreed"
        ),
        "file": kept("the endorsement letter itself, kept for the same reason as the note"),
    },
    "ScopingMeeting": {
        "team_requirements": _ABOUT_THE_SERVICE,
        "background_information": _ABOUT_THE_SERVICE,
        "meeting_link": not_personal("the online meeting's address"),
    },
    # The sponsor's answers on the scope (issue 17).
    "ScopeConfirmation": {
        "decision": _CHOICE,
        "comment": kept(
            "the sponsor's request for changes to the scope, kept with the diagnostic as the "
            "record of how its scope was agreed"
        ),
        "fingerprint": not_personal("a hash of the scope"),
        "focus": _ABOUT_THE_SERVICE,
        "kloes": _ABOUT_THE_SERVICE,
    },
    # A council's request for a diagnostic (issue 17).
    "CouncilRequest": {
        "concerns": kept(
            "the council's own account of why it asked (the form asks it to name no child or "
            "family), kept with the diagnostic as the record of the enquiry"
        ),
        "preferred_weeks": not_personal("dates"),
        **{
            f"{who}_{what}": kept(
                "the council officer it proposed, as it proposed them (work contact details), "
                "kept with the diagnostic as the record of the enquiry"
            )
            for who in ("sponsor", "organiser")
            for what in ("name", "email", "job_title")
        },
        "status": _CHOICE,
        "decline_reason": kept(
            "the LGA's reason for declining, which the council reads; kept as the record"
        ),
    },
    "AgreedCaseList": {"name": not_personal("names a list of cases, not a case")},
    "TeamMember": {
        "role": _CHOICE,
        "council_decision": _CHOICE,
        "council_reason": destroyed(
            INTERNAL_STEP,
            how="blanked (the council's reasons about a named peer); the decision stays",
        ),
    },
    "ConflictDeclaration": {
        "details": destroyed(
            INTERNAL_STEP,
            how="blanked (a peer's past work); whether they worked for the council stays",
        )
    },
    "Briefing": {
        "file": not_personal("the LGA's Peer Team Briefing"),
        "original_name": not_personal("the briefing's file name"),
    },
    "ConfidentialityAgreement": {
        "text": not_personal("the council's agreement text"),
        "text_sha256": not_personal(),
    },
    "Signature": {
        # The signature row (who, when, which text) stays as the proof of the undertaking;
        # the typed name becomes the pseudonym when the person is erased.
        "typed_name": ERASED,
        "text_sha256": not_personal(),
    },
    "DataAccessEvent": {
        "event": _CHOICE,
        "reason": kept(
            "the log of who was given access to child-level data (decision 9); an erased "
            "person's name in it becomes their pseudonym"
        ),
    },
    "AuditEntry": {
        "action": not_personal(),
        "summary": kept(
            "the audit trail, which cannot be changed: summaries may name people; changes of "
            "details such as internal notes copy old and new values"
        ),
        "changes": kept("the audit trail (see summary)"),
    },
}
