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

Text is measured against its box before it is placed (fit.py): long lists go on over
"(continued)" slides at the point where the next finding would run off the bottom, and a single
piece of text too long for a whole slide is shrunk (PowerPoint's own shrink-on-overflow setting,
with the scale written in), never cut. Every slide but the first carries its number.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide, SlideLayout

from . import fit
from .model import Feedback, Item
from .text import (
    AREAS,
    CONTEXT,
    CONTINUED,
    KEY_MESSAGES,
    KLOES,
    NEXT_STEPS,
    NONE_RECORDED,
    RECOMMENDATIONS,
    SCOPE,
    STRENGTHS,
    TEAM,
    WHAT_WE_DID,
    draft_title,
    paragraphs,
)

TITLE, BULLETS, TEXT, CLOSING = "Title", "Bullets", "Text", "Closing"
LAYOUTS = (TITLE, BULLETS, TEXT, CLOSING)
# The placeholder indexes (idx) each layout must have.
PLACEHOLDERS = {TITLE: (0, 1), BULLETS: (0, 1), TEXT: (0, 1), CLOSING: (0, 1, 2)}

ITEMS_PER_SLIDE = 6  # at most this many findings on one slide, and only as many as fit
QUOTES_PER_ITEM = 2  # the slides show the first quotes; the written report has them all
ANSWERS = "Answers: "  # before the areas for consideration a recommendation answers

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
    if item.answers:
        lines.append((ANSWERS + "; ".join(_one_line(a) for a in item.answers), 1))
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
        self._boxes: dict[tuple[str, int], fit.Box] = {}
        self._drop_slides()

    def _drop_slides(self) -> None:
        """Sample slides left in the template are not part of the deck."""
        ids = self.prs.slides._sldIdLst
        for sld_id in list(ids):
            self.prs.part.drop_rel(sld_id.rId)
            ids.remove(sld_id)

    def box(self, layout: str, idx: int) -> fit.Box:
        key = (layout, idx)
        if key not in self._boxes:
            self._boxes[key] = fit.box_of(self.layouts[layout], idx)
        return self._boxes[key]

    def slide(self, layout: str, title: str) -> Slide:
        slide = self.prs.slides.add_slide(self.layouts[layout])
        self.fill(slide, 0, [(draft_title(title, self.draft), 0)], layout=layout)
        if len(self.prs.slides) > 1:
            self._number(slide, layout)
        return slide

    def _number(self, slide: Slide, layout: str) -> None:
        """The layout's slide number placeholder, copied onto the slide with its number."""
        shapes: Any = self.layouts[layout].placeholders
        for ph in shapes:
            if ph.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER:
                element = copy.deepcopy(ph._element)
                for text in element.iter(qn("a:t")):
                    text.text = str(len(self.prs.slides))
                slide.shapes._spTree.append(element)
                return

    def fill(self, slide: Slide, idx: int, lines: Iterable[Line], *, layout: str = "") -> None:
        """Put `lines` in placeholder `idx`; text that would overflow the box is shrunk."""
        lines = list(lines)
        frame = slide.placeholders[idx].text_frame
        for n, (text, level) in enumerate(lines):
            para = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            para.text = text
            para.level = level
        name = layout or slide.slide_layout.name
        scale = fit.scale_to_fit(self.box(name, idx), lines)
        if scale < 1:
            body = frame._txBody.find(qn("a:bodyPr"))
            for old in list(body):
                if old.tag in (qn("a:noAutofit"), qn("a:spAutoFit"), qn("a:normAutofit")):
                    body.remove(old)
            auto = body.makeelement(qn("a:normAutofit"), {"fontScale": str(int(scale * 100000))})
            body.append(auto)

    def paged(self, layout: str, title: str, groups: Sequence[list[Line]], most: int) -> None:
        """Slides of `layout` holding `groups` of lines in order, a group never split, each
        slide holding at most `most` groups and only as many as fit its box."""
        box = self.box(layout, 1)
        page: list[list[Line]] = []
        filled = 0
        for group in (piece for g in groups for piece in fit.split_to_fit(box, list(g))):
            trial = [line for g in page for line in g] + group
            if page and (len(page) >= most or not fit.fits(box, trial)):
                self._page(layout, title, page, filled)
                filled += 1
                page = []
            page.append(group)
        self._page(layout, title, page, filled)

    def _page(self, layout: str, title: str, page: list[list[Line]], n: int) -> None:
        heading = title if n == 0 else f"{title} {CONTINUED}"
        self.fill(self.slide(layout, heading), 1, [line for g in page for line in g])

    def bullets(self, title: str, lines: Sequence[Line]) -> None:
        # A line and the deeper lines under it stay together.
        groups: list[list[Line]] = []
        for line in lines:
            if line[1] == 0 or not groups:
                groups.append([line])
            else:
                groups[-1].append(line)
        self.paged(BULLETS, title, groups, most=len(groups) or 1)

    def text(self, title: str, text: str) -> None:
        groups = [[(p, 0)] for p in paragraphs(text)] or [[("", 0)]]
        self.paged(TEXT, title, groups, most=len(groups))

    def items(self, title: str, items: Sequence[Item]) -> None:
        if not items:
            self.bullets(title, [(NONE_RECORDED, 0)])
            return
        self.paged(BULLETS, title, [_item_lines(item) for item in items], most=ITEMS_PER_SLIDE)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def build_presentation(
    fb: Feedback, *, template: bytes | None = None, when: datetime | None = None
) -> bytes:
    """The feedback presentation for `fb`: title, what we did, key messages, scope and lines
    of enquiry, context, strengths, areas for consideration, recommendations with the areas
    they answer (long lists over several slides), next steps and the team, lead peer first.
    With `fb.draft`, every slide title says "Draft"."""
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

    if fb.activity:
        b.bullets(WHAT_WE_DID, [(f"{label}: {n}", level) for label, n, level in fb.activity])
    if fb.key_messages:
        b.bullets(KEY_MESSAGES, [(_one_line(m), 0) for m in fb.key_messages])

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
    now = (when or datetime.now(tz=UTC)).replace(microsecond=0)
    props.title = draft_title(f"{fb.title}: feedback presentation", fb.draft)
    props.subject = f"{fb.council} {fb.reference}".strip()
    props.author = props.last_modified_by = "Local Government Association"
    props.created = props.modified = now
    props.revision = 1
    props.language = "en-GB"
    props.keywords = "peer diagnostic; feedback"
    props.comments = ""
    return b.save()
