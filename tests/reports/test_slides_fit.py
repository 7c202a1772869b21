"""The presentation as PowerPoint will show it (issue 16): no text runs off its box at any length,
every slide after the first is numbered, the lead peer is introduced first, "What we did" is
counted from the data, recommendations name the areas they answer, and the file's properties
are the LGA's and today's.

Text is measured here independently of the builder: with Liberation Sans (metrically the same
as Arial, the template's font) through Pillow, not with the builder's own width table.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from PIL import ImageFont
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from peerdiag.documents.enums import RequestStatus
from peerdiag.documents.models import DocumentRequest
from peerdiag.reports.domain.content import activity, feedback_for
from peerdiag.reports.render import fit
from peerdiag.reports.render.model import Item
from peerdiag.reports.render.pptx import build_presentation
from peerdiag.timetable.enums import SessionStatus, SessionType
from peerdiag.timetable.models import Attendee, Session

from .helpers import drafted
from .test_render import feedback

FONT = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
BOLD = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
WHEN = datetime(2027, 3, 9, 16, 30, tzinfo=UTC)

SENTENCES = [
    "Leaders are visible across the service and staff say they can approach them.",
    "Supervision happens monthly for most social workers and records show reflective discussion.",
    "Partners described the front door as responsive, though thresholds are applied unevenly.",
    "Plans for children in need lack measurable outcomes and are seldom reviewed on time.",
    "Caseloads in the assessment teams have fallen since the summer but remain above target.",
    "Young people told the team that their views shape their plans, which is a clear strength.",
    "Quality assurance activity is regular; learning from audits is not yet closing the loop.",
]
QUOTES = [
    "“My manager always makes time for me, even on the busiest days.” (social workers)",
    "“We know who to call, and they call us back the same day.” (partners)",
    "“Audits tell us what we already know; we need help changing it.” (team managers)",
]


def ordinary(n: int, kind: str) -> tuple[Item, ...]:
    """`n` findings of two to four sentences, each with a line of enquiry and two quotes."""
    out = []
    for i in range(n):
        count = 2 + i % 3
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(count))
        out.append(
            Item(
                f"{kind} {i + 1}: {text}",
                kloe="How well do leaders know the quality of practice across the service?",
                quotes=(QUOTES[i % 3], QUOTES[(i + 1) % 3]),
            )
        )
    return tuple(out)


def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    path = BOLD if bold else FONT
    assert path.exists(), f"{path} is missing: install Debian's fonts-liberation (.ci/run does)"
    return ImageFont.truetype(str(path), round(size * 20))


def measured_lines(text: str, width: float, size: float, bold: bool) -> int:
    font = _font(size, bold)

    def w(s: str) -> float:
        return font.getlength(s) / 20

    lines, line = 1, ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if w(trial) <= width:
            line = trial
            continue
        if line:
            lines += 1
        while w(word) > width:  # a word longer than the line breaks at the edge
            cut = len(word)
            while cut > 1 and w(word[:cut]) > width:
                cut -= 1
            word = word[cut:]
            lines += 1
        line = word
    return lines


def measured_height(frame, box: fit.Box) -> float:  # type: ignore[no-untyped-def]
    body = frame._txBody.find(qn("a:bodyPr"))
    auto = body.find(qn("a:normAutofit")) if body is not None else None
    scale = int(auto.get("fontScale", "100000")) / 100000 if auto is not None else 1.0
    total = 0.0
    for n, para in enumerate(frame.paragraphs):
        level = box.level(para.level)
        size = level.size * scale
        # Arial's ascent plus descent is 1.149 of its size: the line PowerPoint sets.
        line = size * 1.149
        if n:
            total += level.space_before + level.space_before_lines * line
        total += measured_lines(para.text, box.width - level.margin, size, level.bold) * line
    return total


def overflowing(data: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(data))
    problems = []
    for number, slide in enumerate(prs.slides, start=1):
        for ph in slide.placeholders:
            idx = ph.placeholder_format.idx
            if idx > 2:
                continue
            box = fit.box_of(slide.slide_layout, idx)
            used = measured_height(ph.text_frame, box)
            if used > box.height:
                problems.append(f"slide {number} box {idx}: {used:.0f} pt of {box.height:.0f}")
    return problems


def test_thirty_ordinary_findings_never_run_off_a_slide() -> None:
    fb = feedback(
        strengths=ordinary(12, "Strength"),
        areas=ordinary(10, "Area"),
        recommendations=tuple(
            replace(i, kloe="", quotes=(), answers=("Plans lack measurable outcomes.",))
            for i in ordinary(8, "Recommendation")
        ),
        team=(
            "Łukasz Wójcik, lead peer, Northshire",
            "Siân Ó Súilleabháin, operational manager, Westshire",
            "Zoë Ngọc Trần, peer challenge manager, LGA",
        ),
    )
    data = build_presentation(fb, when=WHEN)
    assert overflowing(data) == []
    prs = Presentation(io.BytesIO(data))
    titles = [s.shapes.title.text for s in prs.slides]
    # The thirty findings went over several slides, each marked as a continuation.
    assert titles.count("Strengths (continued)") >= 2
    assert titles.count("Recommendations (continued)") >= 1
    text = "\n".join(
        p.text for s in prs.slides for sh in s.placeholders for p in sh.text_frame.paragraphs
    )
    for item in (*fb.strengths, *fb.areas, *fb.recommendations):
        assert " ".join(item.text.split()) in text, "a finding went missing"
    assert "Łukasz Wójcik, lead peer, Northshire" in text


@pytest.mark.parametrize("length", [1, 400, 1500, 4000])
def test_one_finding_of_any_length_fits_by_shrinking_or_going_on_never_by_cutting(
    length: int,
) -> None:
    words = ("safeguarding practice " * length)[: length * 6].strip()
    fb = feedback(strengths=(Item(words, quotes=(QUOTES[0],)),))
    data = build_presentation(fb, when=WHEN)
    assert overflowing(data) == []
    prs = Presentation(io.BytesIO(data))
    shown = [
        p.text
        for s in prs.slides
        if s.shapes.title.text.startswith("Strengths")
        for p in s.placeholders[1].text_frame.paragraphs
        if p.level == 0
    ]
    # All of it, in order, over as many slides as it needs.
    assert " ".join(shown) == words


def test_every_slide_but_the_first_carries_its_number() -> None:
    prs = Presentation(io.BytesIO(build_presentation(feedback(), when=WHEN)))
    for number, slide in enumerate(prs.slides, start=1):
        numbers = [
            sh
            for sh in slide.placeholders
            if sh.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER
        ]
        if number == 1:
            assert numbers == []
            continue
        assert len(numbers) == 1, f"slide {number}"
        field = numbers[0]._element.find(f".//{qn('a:fld')}")
        assert field is not None and field.get("type") == "slidenum"
        assert numbers[0].text_frame.text == str(number)


def test_the_properties_are_the_lgas_and_todays() -> None:
    props = Presentation(io.BytesIO(build_presentation(feedback(), when=WHEN))).core_properties
    assert props.author == props.last_modified_by == "Local Government Association"
    assert props.created == props.modified == WHEN.replace(tzinfo=None)
    assert props.language == "en-GB"
    assert props.revision == 1


def test_the_team_is_introduced_lead_peer_first_and_the_pcm_last(world) -> None:  # type: ignore[no-untyped-def]
    x = drafted(world)
    fb = feedback_for(x.d)
    roles = [line.split(", ")[1] for line in fb.team]
    assert roles[0] == "lead peer" and roles[-1] == "peer challenge manager"
    prs = Presentation(io.BytesIO(build_presentation(fb, when=WHEN)))
    closing = prs.slides[len(prs.slides) - 1]
    assert closing.placeholders[1].text_frame.paragraphs[0].text == fb.team[0]


def test_recommendations_show_the_areas_they_answer(world) -> None:  # type: ignore[no-untyped-def]
    x = drafted(world)
    fb = feedback_for(x.d)
    assert [r.answers for r in fb.recommendations] == [
        ("Plans lack detail.",),
        ("Partners are unsure how to escalate.",),
    ]
    prs = Presentation(io.BytesIO(build_presentation(fb, when=WHEN)))
    slide = next(s for s in prs.slides if s.shapes.title.text == "Recommendations")
    lines = [(p.text, p.level) for p in slide.placeholders[1].text_frame.paragraphs]
    assert lines[:2] == [
        ("Agree a plan template.", 0),
        ("Answers: Plans lack detail.", 1),
    ]


def test_what_we_did_is_counted_from_the_data(world) -> None:  # type: ignore[no-untyped-def]
    x = drafted(world)
    d = x.d
    social = [
        Attendee.objects.create(diagnostic=d, name=f"Worker {n}", group="Social workers")
        for n in range(3)
    ]
    child = Attendee.objects.create(
        diagnostic=d, name="Amy Young", group="Children in care council", young_person=True
    )
    held = Session.objects.create(
        diagnostic=d,
        type=SessionType.FOCUS_GROUP,
        title="Social workers",
        day=1,
        start=time(10),
        status=SessionStatus.HELD,
    )
    held.attendees.set(social)
    council = Session.objects.create(
        diagnostic=d,
        type=SessionType.FOCUS_GROUP,
        title="Children in care council",
        day=2,
        start=time(16),
        status=SessionStatus.HELD,
    )
    council.attendees.set([child, social[0]])
    planned = Session.objects.create(
        diagnostic=d, type=SessionType.INTERVIEW, title="Not yet held", day=3, start=time(9)
    )
    planned.attendees.set([Attendee.objects.create(diagnostic=d, name="Later", group="Partners")])
    for status in (RequestStatus.SUPPLIED, RequestStatus.ACCEPTED, RequestStatus.REQUESTED):
        DocumentRequest.objects.create(diagnostic=d, title=f"Doc {status}", status=status)
    counts = {label: (n, level) for label, n, level in activity(d)}
    assert counts["Interviews and focus groups held"] == ("2", 0)
    assert counts["People heard"] == ("4", 0)
    assert counts["Social workers"] == ("3", 1)
    assert counts["Young people"] == ("1", 1)
    assert "Partners" not in counts
    assert counts["Documents read"][0] == str(
        DocumentRequest.objects.filter(
            diagnostic=d, status__in=(RequestStatus.SUPPLIED, RequestStatus.ACCEPTED)
        ).count()
    )
    text = "\n".join(
        p.text
        for s in Presentation(io.BytesIO(build_presentation(feedback_for(d)))).slides
        for sh in s.placeholders
        for p in sh.text_frame.paragraphs
    )
    assert "People heard: 4" in text and "Young people: 1" in text
    assert "Amy Young" not in text
    # A group name typed with a child's name in it is scrubbed like any other text.
    Attendee.objects.filter(pk=social[1].pk).update(group="Friends of Amy Young")
    text = "\n".join(
        p.text
        for s in Presentation(io.BytesIO(build_presentation(feedback_for(d)))).slides
        for sh in s.placeholders
        for p in sh.text_frame.paragraphs
    )
    assert "Friends of" in text and "Amy Young" not in text
