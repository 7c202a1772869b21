"""The presentation, the Word report and the PDF, opened again with python-pptx and python-docx."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any, cast

import pytest
from docx import Document
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pypdf import PdfReader

from peerdiag.reports.domain.content import feedback_for
from peerdiag.reports.render.docx import build_report
from peerdiag.reports.render.make_template import build_template
from peerdiag.reports.render.model import Feedback, Item, Paragraph
from peerdiag.reports.render.pdf import build_report_pdf
from peerdiag.reports.render.pptx import (
    ITEMS_PER_SLIDE,
    LAYOUTS,
    build_presentation,
    default_template,
)

from .helpers import drafted

SLIDES = [
    "Safeguarding diagnostic",
    "Scope and key lines of enquiry",
    "Context",
    "Strengths",
    "Areas for consideration",
    "Recommendations",
    "Next steps",
    "Thank you",
]
HEADINGS = [
    "Introduction",
    "Scope and focus",
    "Context",
    "Strengths",
    "Areas for consideration",
    "Recommendations",
    "Next steps",
    "The peer team",
]


def feedback(**changes: object) -> Feedback:
    fb = Feedback(
        reference="RPD-2027-001",
        council="Northshire County Council",
        title="Safeguarding diagnostic",
        diagnostic_type="Safeguarding",
        delivery="1 to 9 March 2027",
        lead_peer="Alex Lead",
        team=("Alex Lead, lead peer", "Pat Manager, peer challenge manager"),
        scope="The council’s front door – and what gets in the way.",
        kloes=("How effective is the front door?", "How good is supervision?"),
        context="The team read the documents.\nIt held forty interviews.",
        strengths=(
            Item(
                "Leaders are visible.",
                kloe="How effective is the front door?",
                quotes=("“We are heard.” (social workers)",),
            ),
            Item("Supervision is regular.", kloe="How good is supervision?"),
        ),
        areas=(Item("Plans lack detail."), Item("Partners are unsure how to escalate.")),
        recommendations=(Item("Agree a plan template."), Item("Publish an escalation route.")),
        next_steps="The council decides what to do next.",
        paragraphs=(
            Paragraph("introduction", "Introduction", "Northshire asked for a diagnostic."),
            Paragraph("scope", "Scope and focus", "The front door."),
            Paragraph("context", "Context", "The team read the documents."),
            Paragraph("next_steps", "Next steps", "The council decides what to do next."),
        ),
    )
    return replace(fb, **changes)  # type: ignore[arg-type]


def many(n: int, word: str = "Finding") -> tuple[Item, ...]:
    return tuple(Item(f"{word} {i}.") for i in range(1, n + 1))


# --- the presentation -----------------------------------------------------------------------


def deck(data: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(data))


def titles(data: bytes) -> list[str]:
    return [s.shapes.title.text_frame.text for s in deck(data).slides]


def body(slide) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(p.text, p.level) for p in slide.placeholders[1].text_frame.paragraphs]


def all_text(data: bytes) -> str:
    return "\n".join(
        p.text
        for s in deck(data).slides
        for shape in s.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
    )


def test_the_slides_come_in_the_lga_order() -> None:
    data = build_presentation(feedback())
    assert titles(data) == SLIDES
    first = deck(data).slides[0]
    assert first.slide_layout.name == "Title"
    assert body(first) == [
        ("Northshire County Council", 0),
        ("1 to 9 March 2027", 0),
        ("Feedback presentation", 0),
        ("Lead peer: Alex Lead", 0),
    ]
    slides = deck(data).slides
    assert body(slides[1]) == [
        ("The council’s front door – and what gets in the way.", 0),
        ("Key lines of enquiry", 0),
        ("How effective is the front door?", 1),
        ("How good is supervision?", 1),
    ]
    assert body(slides[2]) == [
        ("The team read the documents.", 0),
        ("It held forty interviews.", 0),
    ]
    assert [t for t, _ in body(slides[7])] == [
        "Alex Lead, lead peer",
        "Pat Manager, peer challenge manager",
    ]


def test_findings_keep_board_order_with_their_kloe_and_quotes_as_sub_lines() -> None:
    slides = deck(build_presentation(feedback())).slides
    assert body(slides[3]) == [
        ("Leaders are visible.", 0),
        ("How effective is the front door?", 1),
        ("“We are heard.” (social workers)", 2),
        ("Supervision is regular.", 0),
        ("How good is supervision?", 1),
    ]
    assert body(slides[4]) == [
        ("Plans lack detail.", 0),
        ("Partners are unsure how to escalate.", 0),
    ]
    assert body(slides[5]) == [
        ("Agree a plan template.", 0),
        ("Publish an escalation route.", 0),
    ]


def test_long_lists_go_over_several_slides_marked_continued() -> None:
    n = 2 * ITEMS_PER_SLIDE + 1
    data = build_presentation(feedback(areas=many(n, "Area"), recommendations=many(3, "Rec")))
    got = titles(data)
    assert got[4:7] == [
        "Areas for consideration",
        "Areas for consideration (continued)",
        "Areas for consideration (continued)",
    ]
    assert got[7] == "Recommendations"
    area_slides = list(deck(data).slides)[4:7]
    assert [len(body(s)) for s in area_slides] == [ITEMS_PER_SLIDE, ITEMS_PER_SLIDE, 1]
    assert [t for s in area_slides for t, _ in body(s)] == [i.text for i in many(n, "Area")]


def test_an_empty_list_still_has_its_slide() -> None:
    data = build_presentation(feedback(strengths=()))
    assert titles(data) == SLIDES
    assert body(deck(data).slides[3]) == [("None recorded.", 0)]


def test_draft_is_marked_on_every_slide_and_only_for_drafts() -> None:
    draft = titles(build_presentation(feedback(draft=True)))
    assert len(draft) == len(SLIDES)
    assert all(t == f"{s} – Draft" for t, s in zip(draft, SLIDES, strict=True))
    assert "Draft" not in all_text(build_presentation(feedback()))


def test_sample_slides_left_in_the_template_are_not_in_the_deck() -> None:
    prs = Presentation(io.BytesIO(default_template()))
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "Sample"
    out = io.BytesIO()
    prs.save(out)
    assert titles(build_presentation(feedback(), template=out.getvalue())) == SLIDES


def _renamed(old: str, new: str) -> bytes:
    prs = Presentation(io.BytesIO(default_template()))
    layout = next(lay for lay in prs.slide_layouts if lay.name == old)
    layout._element.cSld.set("name", new)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def test_a_template_missing_a_named_layout_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no slide layout named 'Bullets'"):
        build_presentation(feedback(), template=_renamed("Bullets", "Bullet list"))


def test_a_layout_missing_a_placeholder_is_refused_by_name() -> None:
    prs = Presentation(io.BytesIO(default_template()))
    closing = next(lay for lay in prs.slide_layouts if lay.name == "Closing")
    shapes: Any = closing.placeholders
    caption = next(p for p in shapes if p.placeholder_format.idx == 2)
    caption._element.getparent().remove(caption._element)
    out = io.BytesIO()
    prs.save(out)
    with pytest.raises(ValueError, match="'Closing' has no placeholder with index 2"):
        build_presentation(feedback(), template=out.getvalue())


def _theme_colour(data: bytes, slot: str) -> str:
    prs = Presentation(io.BytesIO(data))
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    return str(theme.xpath(f"//a:clrScheme/a:{slot}/a:srgbClr/@val", namespaces=ns)[0])


def test_the_look_is_the_templates() -> None:
    """A designer's change to the template (here the theme's dark blue) reaches the deck."""
    prs = Presentation(io.BytesIO(default_template()))
    part = prs.slide_master.part.part_related_by(RT.THEME)
    part._blob = part.blob.replace(b'val="0B2A4A"', b'val="5A1A6B"')  # type: ignore[attr-defined]
    out = io.BytesIO()
    prs.save(out)
    assert _theme_colour(build_presentation(feedback()), "dk2") == "0B2A4A"
    assert _theme_colour(build_presentation(feedback(), template=out.getvalue()), "dk2") == (
        "5A1A6B"
    )


def test_the_committed_template_has_the_layouts_the_builder_uses() -> None:
    for data in (default_template(), build_template()):
        names = [layout.name for layout in Presentation(io.BytesIO(data)).slide_layouts]
        assert names == list(LAYOUTS)
        assert titles(build_presentation(feedback(), template=data)) == SLIDES


# --- the Word report ------------------------------------------------------------------------


def style(p: Any) -> str:
    return str(p.style.name) if p.style is not None else ""


def numbered(data: bytes) -> dict[str, list[str]]:
    """Each Heading 1 and the List Number paragraphs under it (first line of each)."""
    out: dict[str, list[str]] = {}
    heading = ""
    for p in Document(io.BytesIO(data)).paragraphs:
        if style(p) == "Heading 1":
            heading = p.text
            out[heading] = []
        elif style(p) == "List Number":
            out[heading].append(p.text.split("\n")[0])
    return out


def test_the_report_has_its_sections_and_numbered_items_in_order() -> None:
    data = build_report(feedback())
    doc = Document(io.BytesIO(data))
    assert [p.text for p in doc.paragraphs if style(p) == "Heading 1"] == HEADINGS
    assert style(doc.paragraphs[0]) == "Title"
    assert doc.paragraphs[0].text == "Safeguarding diagnostic"
    lists = numbered(data)
    assert lists["Strengths"] == ["Leaders are visible.", "Supervision is regular."]
    assert lists["Areas for consideration"] == [
        "Plans lack detail.",
        "Partners are unsure how to escalate.",
    ]
    assert lists["Recommendations"] == ["Agree a plan template.", "Publish an escalation route."]
    bullets = [p.text for p in doc.paragraphs if style(p) == "List Bullet"]
    assert bullets[:2] == ["How effective is the front door?", "How good is supervision?"]


def test_each_numbered_list_counts_from_one_and_kloes_and_quotes_are_set_apart() -> None:
    doc = Document(io.BytesIO(build_report(feedback())))
    num_ids = {
        p.text.split("\n")[0]: cast(Any, p._p.pPr).numPr.numId.val
        for p in doc.paragraphs
        if style(p) == "List Number"
    }
    assert num_ids["Leaders are visible."] == num_ids["Supervision is regular."]
    assert (
        len(
            {
                num_ids["Leaders are visible."],
                num_ids["Plans lack detail."],
                num_ids["Agree a plan template."],
            }
        )
        == 3
    )
    first = next(p for p in doc.paragraphs if p.text.startswith("Leaders are visible."))
    assert [(r.text, r.style.name) for r in first.runs if r.text][-1] == (
        "How effective is the front door?",
        "Emphasis",
    )
    quotes = [p.text for p in doc.paragraphs if style(p) == "List Continue"]
    assert quotes == ["“We are heard.” (social workers)"]


def test_the_report_says_draft_only_for_drafts() -> None:
    draft = Document(io.BytesIO(build_report(feedback(draft=True))))
    assert draft.sections[0].header.paragraphs[0].text.startswith("Draft")
    assert draft.paragraphs[0].text == "Safeguarding diagnostic – Draft"
    final = Document(io.BytesIO(build_report(feedback())))
    assert all("Draft" not in p.text for p in final.sections[0].header.paragraphs)
    assert all("Draft" not in p.text for p in final.paragraphs)


def test_without_paragraphs_the_feedbacks_own_text_makes_the_sections() -> None:
    doc = Document(io.BytesIO(build_report(feedback(paragraphs=()))))
    assert [p.text for p in doc.paragraphs if style(p) == "Heading 1"] == [
        "Scope and key lines of enquiry",
        "Context",
        "Strengths",
        "Areas for consideration",
        "Recommendations",
        "Next steps",
        "The peer team",
    ]


# --- the PDF --------------------------------------------------------------------------------


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data), strict=True).pages)


def pdf_text(data: bytes) -> str:
    """The PDF's text layer, page by page, as a reader copies it (tests/reports/
    test_pdf_accessible.py checks the tags and fonts)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_is_a_pdf_with_the_report_in_it() -> None:
    data = build_report_pdf(feedback())
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(data) >= 2  # the cover and the report
    text = pdf_text(data)
    for words in ("Leaders are visible.", "Agree a plan template.", "Next steps"):
        assert words in text
    # Curly quotes and dashes survive, they are not turned into "?".
    assert "“We are heard.” (social workers)" in text
    assert text.index("Leaders are visible.") < text.index("Plans lack detail.")
    assert "Draft" not in text


def test_a_long_pdf_runs_over_more_pages_and_drafts_say_so() -> None:
    short = build_report_pdf(feedback())
    long = build_report_pdf(feedback(strengths=many(150), draft=True))
    assert pdf_pages(long) > pdf_pages(short) + 3
    assert pdf_text(long).count("Draft: not for circulation") == pdf_pages(long)


def test_names_outside_windows_1252_are_kept_in_the_pdf() -> None:
    names = "Łukasz Wójcik, Siân Ó Súilleabháin"
    text = pdf_text(build_report_pdf(feedback(team=(names,), lead_peer="Łukasz Wójcik")))
    assert names in text and "Lead peer: Łukasz Wójcik" in text
    assert "Lukasz" not in text


# --- from the database ----------------------------------------------------------------------


def test_the_small_group_quote_never_reaches_a_file_and_the_usable_one_does(world):  # type: ignore[no-untyped-def]
    x = drafted(world)
    fb = feedback_for(x.d)
    deck_text = all_text(build_presentation(fb))
    report = Document(io.BytesIO(build_report(fb)))
    report_text = "\n".join(p.text for p in report.paragraphs)
    pdf = pdf_text(build_report_pdf(fb))
    for text in (deck_text, report_text, pdf):
        assert "We are heard." in text
        assert "I am alone in this." not in text
    assert numbered(build_report(fb))["Strengths"] == [
        "Leaders are visible.",
        "Supervision is regular.",
    ]
