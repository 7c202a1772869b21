"""The data every feedback output is made from, as plain frozen dataclasses.

The Django side (reports/domain/content.py) fills these from the approved findings; the renderers
read nothing else. Text is final: quotes are already only the usable ones (the small-group rule
has been applied) and carry their role group, never a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """A strength, an area for consideration or a recommendation, in board order."""

    text: str
    kloe: str = ""  # the line of enquiry it answers (its text), or "" if none
    quotes: tuple[str, ...] = ()  # e.g. '“We feel listened to.” (social workers)'
    # For a recommendation: the areas for consideration it answers (their text), board order.
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A piece of the written report's own text. `key` is stable, so comments can point at it."""

    key: str
    heading: str
    text: str


@dataclass(frozen=True)
class Feedback:
    reference: str  # RPD-2027-001
    council: str
    title: str
    diagnostic_type: str  # "Safeguarding"
    delivery: str  # "1 to 9 March 2027"
    lead_peer: str
    team: tuple[str, ...]  # "Name, role" lines
    scope: str  # the focus statement
    kloes: tuple[str, ...]
    context: str
    strengths: tuple[Item, ...]
    areas: tuple[Item, ...]
    recommendations: tuple[Item, ...]
    next_steps: str
    paragraphs: tuple[Paragraph, ...] = field(default=())  # the written report's own sections
    # "What we did", counted from the data, as (label, number, list level):
    # ("People heard", "40", 0), ("Social workers", "12", 1)...
    activity: tuple[tuple[str, str, int], ...] = field(default=())
    # The few messages the team leads with: the first strengths and areas in board order.
    key_messages: tuple[str, ...] = field(default=())
    draft: bool = False  # marks every page/slide "Draft" when True
