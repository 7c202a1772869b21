"""What the renderers share: wording, paragraph splitting and the report's outline.

The Word report and its PDF say the same things in the same order: both walk `outline(fb)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Feedback, Item

DRAFT = "Draft"
NONE_RECORDED = "None recorded."
CONTINUED = "(continued)"

STRENGTHS = "Strengths"
AREAS = "Areas for consideration"
RECOMMENDATIONS = "Recommendations"
SCOPE = "Scope and key lines of enquiry"
KLOES = "Key lines of enquiry"
CONTEXT = "Context"
NEXT_STEPS = "Next steps"
TEAM = "The peer team"
WHAT_WE_DID = "What we did"
KEY_MESSAGES = "Key messages"


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of `text`, each a paragraph, with inner runs of spaces collapsed."""
    return [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip()]


def draft_title(title: str, draft: bool) -> str:
    return f"{title} – {DRAFT}" if draft else title


@dataclass(frozen=True)
class Section:
    """One Heading 1 section of the written report."""

    heading: str
    text: tuple[str, ...] = ()  # paragraphs
    bullets: tuple[str, ...] = ()  # an unnumbered list after the text
    items: tuple[Item, ...] = ()  # a numbered list of findings or recommendations
    numbered: bool = False  # True for the three findings sections, even when empty
    key: str = ""  # the Paragraph key it came from, if any


@dataclass(frozen=True)
class Outline:
    title: str
    cover: tuple[str, ...]  # lines under the title on the cover page
    sections: tuple[Section, ...] = field(default=())
    draft: bool = False


def _findings(fb: Feedback) -> list[Section]:
    return [
        Section(heading, items=items, text=() if items else (NONE_RECORDED,), numbered=True)
        for heading, items in (
            (STRENGTHS, fb.strengths),
            (AREAS, fb.areas),
            (RECOMMENDATIONS, fb.recommendations),
        )
    ]


def outline(fb: Feedback) -> Outline:
    """The written report, section by section.

    The report's own paragraphs come in their order, the lines of enquiry listed under the
    "scope" one; the strengths, areas for consideration and recommendations go just before the
    "next_steps" paragraph (or after the last paragraph when there is none); the team closes it.
    Without any paragraphs, the scope, context and next steps of `fb` stand in for them.
    """
    own = list(fb.paragraphs)
    sections: list[Section] = []
    if own:
        for p in own:
            sections.append(
                Section(
                    p.heading,
                    text=tuple(paragraphs(p.text)),
                    bullets=fb.kloes if p.key == "scope" else (),
                    key=p.key,
                )
            )
        if not any(p.key == "scope" for p in own) and fb.kloes:
            sections.insert(1 if sections else 0, Section(KLOES, bullets=fb.kloes))
    else:
        sections = [
            Section(SCOPE, text=tuple(paragraphs(fb.scope)), bullets=fb.kloes, key="scope"),
            Section(CONTEXT, text=tuple(paragraphs(fb.context)), key="context"),
            Section(NEXT_STEPS, text=tuple(paragraphs(fb.next_steps)), key="next_steps"),
        ]
    at = next((i for i, s in enumerate(sections) if s.key == "next_steps"), len(sections))
    sections[at:at] = _findings(fb)
    if fb.team:
        sections.append(Section(TEAM, bullets=fb.team))
    cover = tuple(
        line
        for line in (
            fb.council,
            f"{fb.diagnostic_type} remote peer diagnostic" if fb.diagnostic_type else "",
            fb.delivery,
            f"Reference {fb.reference}" if fb.reference else "",
            f"Lead peer: {fb.lead_peer}" if fb.lead_peer else "",
        )
        if line
    )
    return Outline(
        title=draft_title(fb.title or "Peer diagnostic", fb.draft),
        cover=cover,
        sections=tuple(sections),
        draft=fb.draft,
    )
