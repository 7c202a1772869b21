"""Suggested key lines of enquiry that follow the diagnostic's focus, then its type's defaults.

A diagnostic about workforce stability should be offered workforce lines first, whatever its
type. `FOCUS_TOPICS` maps words found in the title or the focus statement to suggestions; the
topics found come first (in the order they appear, the title before the focus statement), then
the type's usual suggestions (`peerdiag.diagnostics.kloe_suggestions`), without repeats.

Reads only. Examples to start from: the lines are always agreed at scoping and may be reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..kloe_suggestions import suggestions_for
from ..models import Diagnostic

Suggestion = tuple[str, str]  # (theme, text), as the type's suggestions


@dataclass(frozen=True)
class FocusTopic:
    name: str
    keywords: tuple[str, ...]  # matched as whole words, case, hyphens and plurals aside
    suggestions: tuple[Suggestion, ...]


FOCUS_TOPICS: tuple[FocusTopic, ...] = (
    FocusTopic(
        "Workforce",
        (
            "workforce",
            "recruitment",
            "retention of staff",
            "staff retention",
            "staff stability",
            "stable staff",
            "turnover",
            "vacancy",
            "vacancies",
            "agency staff",
            "agency worker",
            "agency social worker",
            "caseload",
            "social work academy",
            "newly qualified",
            "ASYE",
        ),
        (
            (
                "Workforce",
                "How stable is the social work workforce, and what is driving vacancies, "
                "turnover and the use of agency staff?",
            ),
            (
                "Workforce",
                "Are caseloads manageable, and how well are new and less experienced social "
                "workers supported and supervised?",
            ),
            (
                "Workforce",
                "How well do the recruitment and retention plans work, and how do leaders "
                "know they are making a difference?",
            ),
        ),
    ),
    FocusTopic(
        "Front door",
        (
            "front door",
            "MASH",
            "multi agency safeguarding hub",
            "referral",
            "threshold",
            "contact centre",
            "children's advice and duty service",
            "CADS",
        ),
        (
            (
                "Front door",
                "How well do contacts and referrals get to the right service at the right "
                "time, and are thresholds understood by partners?",
            ),
            (
                "Front door",
                "How well do partners share information and make decisions together at the "
                "front door or MASH?",
            ),
            (
                "Front door",
                "How well are step-up and step-down between early help and social care managed?",
            ),
        ),
    ),
    FocusTopic(
        "Care leavers",
        (
            "care leaver",
            "leaving care",
            "care experienced",
            "pathway plan",
            "staying put",
            "staying close",
            "personal adviser",
            "preparation for independence",
        ),
        (
            (
                "Care leavers",
                "How well are young people prepared for leaving care, and do pathway plans "
                "reflect what they want?",
            ),
            (
                "Care leavers",
                "Do care leavers have suitable homes, and help with education, employment "
                "and training?",
            ),
            (
                "Care leavers",
                "How well do personal advisers stay in touch, and how is the local offer "
                "for care leavers shaped by them?",
            ),
        ),
    ),
    FocusTopic(
        "Placement sufficiency",
        (
            "placement",
            "foster care",
            "fostering",
            "foster carer",
            "residential care",
            "children's home",
            "unregistered",
            "unregulated",
            "out of area",
            "commissioning of placements",
        ),
        (
            (
                "Placement sufficiency",
                "Are there enough homes of the right kind, close to home, for children who "
                "need care?",
            ),
            (
                "Placement sufficiency",
                "How well does the sufficiency strategy drive fostering recruitment and "
                "commissioning, and how is it checked?",
            ),
            (
                "Placement sufficiency",
                "How well are placements matched to children's needs, and how is placement "
                "stability supported?",
            ),
        ),
    ),
    FocusTopic(
        "EHCP timeliness",
        (
            "EHCP",
            "EHC plan",
            "EHC needs assessment",
            "education health and care plan",
            "education health and care needs assessment",
            "20 week",
            "20 weeks",
            "annual review",
            "statutory assessment",
        ),
        (
            (
                "EHCP timeliness",
                "How timely are EHC needs assessments and plans, and what stands in the way "
                "of the 20-week limit?",
            ),
            (
                "EHCP timeliness",
                "How good is the advice from education, health and care that goes into "
                "plans, and does it arrive on time?",
            ),
            (
                "EHCP timeliness",
                "Are annual reviews held on time, and do they lead to plans being updated?",
            ),
        ),
    ),
    FocusTopic(
        "Exploitation",
        (
            "exploitation",
            "exploited",
            "CSE",
            "CCE",
            "county lines",
            "contextual safeguarding",
            "extra familial",
            "missing from home",
            "missing from care",
            "missing children",
            "serious youth violence",
            "gang",
            "trafficking",
        ),
        (
            (
                "Exploitation",
                "How well do partners identify and respond to children at risk of criminal "
                "and sexual exploitation?",
            ),
            (
                "Exploitation",
                "How well are risks outside the family understood and acted on, including "
                "places and peer groups?",
            ),
            (
                "Exploitation",
                "How well are children who go missing found, spoken to afterwards and kept safe?",
            ),
        ),
    ),
    FocusTopic(
        "Early help",
        (
            "early help",
            "family help",
            "family hub",
            "supporting families",
            "troubled families",
            "prevention",
            "early intervention",
        ),
        (
            (
                "Early help",
                "How well does the early help offer reach families when needs first appear, "
                "across the partnership?",
            ),
            (
                "Early help",
                "How good are early help assessments and plans, and do families' lives improve?",
            ),
            (
                "Early help",
                "How well do leaders know the impact of early help and use it to shape services?",
            ),
        ),
    ),
    FocusTopic(
        "Neglect",
        ("neglect",),
        (
            (
                "Neglect",
                "How well do practitioners recognise the cumulative harm of neglect and act "
                "on it in time?",
            ),
            (
                "Neglect",
                "How well do partners share a way of working with neglect, and is it used?",
            ),
        ),
    ),
    FocusTopic(
        "Domestic abuse",
        ("domestic abuse", "domestic violence", "MARAC"),
        (
            (
                "Domestic abuse",
                "How well do services respond to children living with domestic abuse, and "
                "to the harm done to them?",
            ),
            (
                "Domestic abuse",
                "How well do the police, health and social care share and act on domestic "
                "abuse notifications?",
            ),
        ),
    ),
    FocusTopic(
        "Management oversight",
        (
            "management oversight",
            "oversight",
            "supervision",
            "quality assurance",
            "practice standards",
            "audit",
        ),
        (
            (
                "Oversight",
                "How well do supervision and management oversight shape plans and move "
                "children's circumstances on?",
            ),
            (
                "Oversight",
                "How well does quality assurance, including audit, find weak practice and "
                "lead to change?",
            ),
        ),
    ),
)


def _normalise(text: str) -> str:
    """Lower case, with hyphens, slashes, commas and curly apostrophes made plain."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[-/,]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _pattern(keyword: str) -> re.Pattern[str]:
    words = _normalise(keyword)
    return re.compile(r"(?<![\w'])" + re.escape(words) + r"(?:s|es)?(?![\w'])")


_PATTERNS: tuple[tuple[FocusTopic, tuple[re.Pattern[str], ...]], ...] = tuple(
    (topic, tuple(_pattern(k) for k in topic.keywords)) for topic in FOCUS_TOPICS
)


def topics_in(text: str) -> list[FocusTopic]:
    """The topics whose keywords appear in `text`, in the order they first appear."""
    plain = _normalise(text)
    found: list[tuple[int, int, FocusTopic]] = []
    for order, (topic, patterns) in enumerate(_PATTERNS):
        starts = [m.start() for p in patterns if (m := p.search(plain))]
        if starts:
            found.append((min(starts), order, topic))
    return [topic for _, _, topic in sorted(found, key=lambda f: (f[0], f[1]))]


def focus_suggestions(diagnostic: Diagnostic) -> list[Suggestion]:
    """Suggestions for the topics named in the title and the focus statement."""
    text = f"{diagnostic.title}\n{diagnostic.focus_statement}"
    return [s for topic in topics_in(text) for s in topic.suggestions]


def suggestions_for_diagnostic(diagnostic: Diagnostic) -> list[Suggestion]:
    """(theme, text) pairs: those that follow the focus first, then the type's, each once."""
    out: list[Suggestion] = []
    seen: set[str] = set()
    for theme, text in focus_suggestions(diagnostic) + suggestions_for(
        diagnostic.type, covid=diagnostic.covid_theme
    ):
        if text not in seen:
            seen.add(text)
            out.append((theme, text))
    return out
