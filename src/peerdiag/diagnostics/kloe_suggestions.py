"""Starting points for key lines of enquiry, by type of diagnostic.

Examples only: the KLOEs themselves are always agreed at scoping, and may be written fresh.
"""

from __future__ import annotations

from .enums import DiagnosticType

_SAFEGUARDING = [
    (
        "Front door",
        "How well do the front door and early help work, and are thresholds applied consistently?",
    ),
    (
        "Practice quality",
        "How good are assessments, plans and reviews for children in need, on "
        "protection plans and in care?",
    ),
    (
        "Oversight",
        "How well do supervision, management oversight and quality assurance improve practice?",
    ),
    (
        "Workforce",
        "Is the workforce stable, are caseloads manageable and is there enough capacity?",
    ),
    (
        "Partnership",
        "How well do the council, police, health, schools and the safeguarding "
        "partnership work together?",
    ),
    (
        "Children in care",
        "Are permanence, care leaver and corporate parenting arrangements working for children?",
    ),
    (
        "Leadership",
        "How well do leaders know the quality of practice and what they will do about it?",
    ),
]
_SEND = [
    ("Identification", "How early and how well are children's needs identified?"),
    ("Assessment", "How timely and how good are EHC needs assessments and plans?"),
    ("Outcomes", "How well are outcomes improving, including preparation for adulthood?"),
    ("Leadership", "How well is the education, health and care partnership led and governed?"),
    (
        "Co-production",
        "How well do leaders work with the parent carer forum and with children and young people?",
    ),
    (
        "Commissioning",
        "How effective are joint commissioning, the local offer and communication with families?",
    ),
    ("Sufficiency", "Is there enough inclusive provision, including alternative provision?"),
]
_EARLY_YEARS = [
    (
        "Strategy",
        "How well does the partnership lead a shared early years strategy for speech, "
        "language and communication?",
    ),
    (
        "Identification",
        "How well are children with emerging language needs identified early, "
        "and how is data used?",
    ),
    ("Settings", "How good is the support for speech, language and communication in settings?"),
    ("Parents", "How well are parents engaged and the home learning environment supported?"),
    ("Reach", "How well do services reach disadvantaged families?"),
]
_CHILDRENS_SERVICES = _SAFEGUARDING[:2] + _SAFEGUARDING[4:]
_COVID = (
    "COVID-19",
    "How were services adapted during and after COVID-19, and what has been learned?",
)

SUGGESTIONS: dict[str, list[tuple[str, str]]] = {
    DiagnosticType.SAFEGUARDING: _SAFEGUARDING,
    DiagnosticType.SEND: _SEND,
    DiagnosticType.EARLY_YEARS: _EARLY_YEARS,
    DiagnosticType.CHILDRENS_SERVICES: _CHILDRENS_SERVICES,
    DiagnosticType.OTHER: [],
}


def suggestions_for(type: str, *, covid: bool | None) -> list[tuple[str, str]]:
    """(theme, text) pairs for a type; the COVID-19 one is offered unless COVID was ruled out."""
    items = list(SUGGESTIONS.get(type, []))
    if covid is not False:
        items.append(_COVID)
    return items
