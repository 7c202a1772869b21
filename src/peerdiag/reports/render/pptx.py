"""The feedback presentation, as the bytes of a .pptx file.

The look belongs to the template (templates/feedback.pptx, or the bytes passed in): this module
only picks slide layouts by name and puts text into their placeholders, so a designer restyles
the deck in PowerPoint without touching code. The layouts and placeholders it uses:

    "Title"    0 the diagnostic's title; 1 council, dates, "Feedback presentation", lead peer
    "Bullets"  0 the slide title; 1 a list (level 0 an item, 1 its line of enquiry, 2 a quote)
    "Text"     0 the slide title; 1 paragraphs
    "Closing"  0 the slide title; 1 the team, one per line; 2 a caption

A template without one of these layouts, or a layout without one of these placeholders, is
refused with a ValueError naming what is missing (docs/reports-template.md).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from pptx import Presentation
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide, SlideLayout

from .model import Feedback, Item
from .text import (
    AREAS,
    CONTEXT,
    CONTINUED,
    KLOES,
    NEXT_STEPS,
    NONE_RECORDED,
    RECOMMENDATIONS,
    SCOPE,
    STRENGTHS,
    TEAM,
    draft_title,
    pages,
    paragraphs,
)

TITLE, BULLETS, TEXT, CLOSING = "Title", "Bullets", "Text", "Closing"
LAYOUTS = (TITLE, BULLETS, TEXT, CLOSING)
# The placeholder indexes (idx) each layout must have.
PLACEHOLDERS = {TITLE: (0, 1), BULLETS: (0, 1), TEXT: (0, 1), CLOSING: (0, 1, 2)}

ITEMS_PER_SLIDE = 6  # at most this many findings on one slide...
LINES_PER_SLIDE = 14  # ...and about this many lines (an item, its line of enquiry, its quotes)
QUOTES_PER_ITEM = 2  # the slides show the first quotes; the written report has them all

Line = tuple[str, int]  # text and list level


@lru_cache(maxsize=1)
def default_template() -> bytes:
    """The template shipped with the app (templates/feedback.pptx)."""
    package = resources.files(__name__.rpartition(".")[0])
    return (package / "templates" / "feedback.pptx").read_bytes()


def _one_line(text: str) -> str:
    return " ".join(paragraphs(text))


def _item_lines(item: Item) -> list[Line]:
    lines: list[Line] = [(_one_line(item.text), 0)]
    if item.kloe:
        lines.append((_one_line(item.kloe), 1))
    lines.extend((_one_line(q), 2) for q in item.quotes[:QUOTES_PER_ITEM])
    return lines


class _Builder:
    def __init__(self, template: bytes, draft: bool) -> None:
        self.prs: Deck = Presentation(io.BytesIO(template))
        self.draft = draft
        names = {layout.name: layout for layout in self.prs.slide_layouts}
        self.layouts: dict[str, SlideLayout] = {}
        for name in LAYOUTS:
            if name not in names:
                have = ", ".join(repr(n) for n in names) or "none"
                raise ValueError(
                    f"The presentation template has no slide layout named {name!r}: "
                    f"rename a layout back to {name!r} (its layouts are {have})"
                )
            layout = names[name]
            shapes: Any = layout.placeholders  # (python-pptx's typing trips mypy here)
            present = {ph.placeholder_format.idx for ph in shapes}
            for idx in PLACEHOLDERS[name]:
                if idx not in present:
                    raise ValueError(
                        f"The presentation template's layout {name!r} has no placeholder "
                        f"with index {idx}: restore it (see docs/reports-template.md)"
                    )
            self.layouts[name] = layout
        self._drop_slides()

    def _drop_slides(self) -> None:
        """Sample slides left in the template are not part of the deck."""
        ids = self.prs.slides._sldIdLst
        for sld_id in list(ids):
            self.prs.part.drop_rel(sld_id.rId)
            ids.remove(sld_id)

    def slide(self, layout: str, title: str) -> Slide:
        slide = self.prs.slides.add_slide(self.layouts[layout])
        slide.placeholders[0].text_frame.text = draft_title(title, self.draft)
        return slide

    @staticmethod
    def fill(slide: Slide, idx: int, lines: Iterable[Line]) -> None:
        frame = slide.placeholders[idx].text_frame
        for n, (text, level) in enumerate(lines):
            para = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            para.text = text
            para.level = level

    def bullets(self, title: str, lines: Sequence[Line]) -> None:
        self.fill(self.slide(BULLETS, title), 1, lines)

    def text(self, title: str, text: str) -> None:
        self.fill(self.slide(TEXT, title), 1, ((p, 0) for p in paragraphs(text)))

    def items(self, title: str, items: Sequence[Item]) -> None:
        if not items:
            self.bullets(title, [(NONE_RECORDED, 0)])
            return
        split = pages(
            items,
            per_page=ITEMS_PER_SLIDE,
            lines_per_page=LINES_PER_SLIDE,
            lines=lambda item: len(_item_lines(item)),
        )
        for n, page in enumerate(split):
            heading = title if n == 0 else f"{title} {CONTINUED}"
            self.bullets(heading, [line for item in page for line in _item_lines(item)])

    def save(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def build_presentation(fb: Feedback, *, template: bytes | None = None) -> bytes:
    """The feedback presentation for `fb`: title, scope and lines of enquiry, context,
    strengths, areas for consideration, recommendations (long lists over several slides),
    next steps and the team. With `fb.draft`, every slide title says "Draft"."""
    b = _Builder(default_template() if template is None else template, fb.draft)

    title = b.slide(TITLE, fb.title or "Peer diagnostic")
    b.fill(
        title,
        1,
        (
            (line, 0)
            for line in (
                fb.council,
                fb.delivery,
                "Feedback presentation",
                f"Lead peer: {fb.lead_peer}" if fb.lead_peer else "",
            )
            if line
        ),
    )

    scope: list[Line] = [(p, 0) for p in paragraphs(fb.scope)]
    if fb.kloes:
        scope.append((KLOES, 0))
        scope.extend((_one_line(k), 1) for k in fb.kloes)
    b.bullets(SCOPE, scope)
    b.text(CONTEXT, fb.context)
    b.items(STRENGTHS, fb.strengths)
    b.items(AREAS, fb.areas)
    b.items(RECOMMENDATIONS, fb.recommendations)
    b.text(NEXT_STEPS, fb.next_steps)

    closing = b.slide(CLOSING, "Thank you")
    b.fill(closing, 1, ((line, 0) for line in fb.team))
    b.fill(
        closing,
        2,
        ((line, 0) for line in (TEAM, fb.council, fb.reference) if line),
    )

    props = b.prs.core_properties
    props.title = draft_title(f"{fb.title}: feedback presentation", fb.draft)
    props.subject = f"{fb.council} {fb.reference}".strip()
    props.author = "Local Government Association"
    return b.save()
