"""The written report's PDF is accessible: tagged PDF/UA with a structure tree, its title and
language set, every font embedded, and every character kept as written (issue 16).

Read back with pypdf, as a screen reader or a checker would: the catalog, the structure tree,
the fonts and the text layer.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections import Counter
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject

from peerdiag.reports.render.model import Feedback, Item, Paragraph
from peerdiag.reports.render.pdf import FACES, _fetcher, build_report_pdf, report_html
from peerdiag.reports.render.text import outline

NAMES = "Łukasz Wójcik, Siân Ó Súilleabháin"
# The 14 fonts a PDF reader must supply itself: text in them is never embedded.
BASE_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


def feedback(**changes: Any) -> Feedback:
    values: dict[str, Any] = {
        "reference": "RPD-2027-001",
        "council": "Northshire County Council",
        "title": "Safeguarding diagnostic",
        "diagnostic_type": "Safeguarding",
        "delivery": "1 to 9 March 2027",
        "lead_peer": "Łukasz Wójcik",
        "team": (f"{NAMES}, peers", "Zoë Ødegård, peer challenge manager"),
        "scope": "The front door.",
        "kloes": ("How effective is the front door?", "How good is supervision?"),
        "context": "The team read the documents.",
        "strengths": (
            Item(
                "Leaders are visible.",
                kloe="How effective is the front door?",
                quotes=("“We are heard.” (social workers)",),
            ),
            Item("Supervision is regular.", kloe="How good is supervision?"),
        ),
        "areas": (Item("Plans lack detail."),),
        "recommendations": (Item("Agree a plan template."),),
        "next_steps": "The council decides what to do next.",
        "paragraphs": (
            Paragraph("introduction", "Introduction", "Northshire asked for a diagnostic."),
            Paragraph("scope", "Scope and focus", "The front door."),
            Paragraph("next_steps", "Next steps", "The council decides what to do next."),
        ),
    }
    values.update(changes)
    return Feedback(**values)


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data), strict=True)


def catalog_of(reader: PdfReader) -> Any:
    return reader.trailer["/Root"]


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """`text` without any white space: the text layer breaks lines where the page does."""
    return re.sub(r"\s+", "", text)


def is_true(obj: Any) -> bool:
    return isinstance(obj, BooleanObject) and obj.value is True


def resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def structure_types(root: DictionaryObject) -> Counter[str]:
    """How many structure elements of each type (/H1, /P, /L...) the tree below `root` holds."""
    seen: Counter[str] = Counter()
    stack = [root]
    while stack:
        node = resolve(stack.pop())
        if not isinstance(node, DictionaryObject):
            continue  # a marked-content id
        if "/S" in node:
            seen[str(node["/S"])] += 1
        kids = resolve(node.get("/K"))
        if isinstance(kids, ArrayObject):
            stack.extend(kids)
        elif kids is not None:
            stack.append(kids)
    return seen


def fonts(reader: PdfReader) -> dict[str, DictionaryObject]:
    """Every font the pages use, by /BaseFont, with its descendant for composite fonts."""
    out: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        resources = resolve(page.get("/Resources")) or {}
        for font in (resolve(resources.get("/Font")) or {}).values():
            font = resolve(font)
            out[str(font["/BaseFont"])] = font
            for child in resolve(font.get("/DescendantFonts")) or ():
                child = resolve(child)
                out[str(child["/BaseFont"])] = child
    return out


def test_the_pdf_is_tagged_pdf_ua_with_a_structure_tree() -> None:
    fb = feedback()
    reader = read(build_report_pdf(fb))
    catalog = catalog_of(reader)
    assert is_true(catalog["/MarkInfo"]["/Marked"])
    seen = structure_types(catalog["/StructTreeRoot"])
    plan = outline(fb)
    # One H1 (the title), an H2 for the contents and for each section.
    assert seen["/H1"] == 1
    assert seen["/H2"] == len(plan.sections) + 1
    assert seen["/P"] >= len(plan.cover) + 5
    # Lists: the contents, the two bulleted ones (scope, team) and the three numbered ones.
    assert seen["/L"] >= 6
    assert seen["/LI"] >= len(plan.sections) + 2 + 2 + 4
    assert seen["/Lbl"] >= 2 + 2 + 4  # the bullets and the numbers
    assert seen["/BlockQuote"] == 1
    # Declared as PDF/UA-1 in the XMP metadata, which checkers read first.
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp


def test_the_title_and_language_are_set_and_shown() -> None:
    reader = read(build_report_pdf(feedback(draft=True)))
    catalog = catalog_of(reader)
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert reader.metadata.title == "Safeguarding diagnostic – Draft"
    assert reader.metadata.subject == "Northshire County Council RPD-2027-001"
    assert reader.metadata.author == "Local Government Association"
    # A reader shows the title, not the file name, in its window.
    assert is_true(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_every_font_is_embedded_and_none_is_a_built_in_one() -> None:
    reader = read(build_report_pdf(feedback()))
    used = fonts(reader)
    assert used
    for name, font in used.items():
        base = name.lstrip("/").split("+")[-1]  # subsets are named ABCDEF+Name
        assert base not in BASE_14, name
        if font["/Subtype"] == "/Type0":
            continue  # the glyphs live in its descendant font, checked in its own right
        descriptor = resolve(font["/FontDescriptor"])
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} not embedded"
    # The fonts are the shipped DejaVu Sans files, regular and bold, not whatever the machine has.
    assert {n.split("+")[-1] for n in used} == {"Report-Sans", "Report-Sans-Bold"}


def test_names_outside_windows_1252_come_back_exactly() -> None:
    text = text_of(read(build_report_pdf(feedback())))
    assert NAMES in text
    assert "Lead peer: Łukasz Wójcik" in text
    assert "Zoë Ødegård" in text
    assert "Lukasz" not in text


def test_every_character_of_a_finding_is_kept() -> None:
    odd = "Łódź − 2 ≥ 1, Ελλάδα, Киев, “quoted” – fine…"
    text = text_of(read(build_report_pdf(feedback(areas=(Item(odd),)))))
    assert odd in text


def test_control_characters_are_dropped_and_line_breaks_kept() -> None:
    # A form feed or an escape pasted in with the text has no shape: left in, it would print
    # as a missing-glyph box and leave the font without its plain encoding.
    pasted = Item("First line\x0c of it\nSecond\x1b[0m line\x85")
    reader = read(build_report_pdf(feedback(areas=(pasted,))))
    lines = text_of(reader).splitlines()
    assert "First line of it" in lines and "Second[0m line" in lines
    for font in fonts(reader).values():
        assert font.get("/Encoding") in (None, "/Identity-H"), font.get("/BaseFont")


def test_text_that_looks_like_markup_is_printed_not_obeyed() -> None:
    planted = '<img src="file:///etc/passwd"> <a href="http://127.0.0.1:9/">R&D</a> </li></ol><h1>'
    fb = feedback(title=planted, areas=(Item(planted, kloe=planted, quotes=(planted,)),))
    html = report_html(fb)
    assert "<img" not in html and "&lt;img" in html
    reader = read(build_report_pdf(fb))
    # The cover, the finding, its line of enquiry and its quote.
    assert squeezed(text_of(reader)).count(squeezed(planted)) >= 4
    catalog = catalog_of(reader)
    seen = structure_types(catalog["/StructTreeRoot"])
    assert seen["/H1"] == 1 and seen["/Figure"] == 0
    assert reader.metadata is not None and reader.metadata.title == planted


def test_the_renderer_fetches_nothing_but_the_shipped_fonts() -> None:
    from weasyprint.urls import FatalURLFetchingError

    fetch = _fetcher()
    for face in FACES.values():
        assert fetch.fetch(face.as_uri()).read()[:4] == b"\x00\x01\x00\x00"  # a TrueType file
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "data:text/plain,hi"):
        with pytest.raises(FatalURLFetchingError):
            fetch.fetch(url)


def test_draft_pages_say_so_and_pages_after_the_cover_are_numbered() -> None:
    many = tuple(
        Item(f"Finding {i}, written out at some length to fill the page.") for i in range(60)
    )
    reader = read(build_report_pdf(feedback(strengths=many, draft=True)))
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total >= 4
    assert all("Draft: not for circulation" in page for page in pages)
    assert "Page 1 of" not in pages[0]
    for n, page in enumerate(pages[1:], start=2):
        assert f"Page {n} of {total}" in page
    final = read(build_report_pdf(feedback()))
    assert "not for circulation" not in text_of(final)


def test_the_contents_list_the_sections_with_their_pages() -> None:
    fb = feedback()
    reader = read(build_report_pdf(fb))
    cover = reader.pages[0].extract_text()
    headings = [s.heading for s in outline(fb).sections]
    assert "Contents" in cover
    positions = [cover.index(h) for h in headings]
    assert positions == sorted(positions)
    # Each section's page: the first page whose text starts a line with the heading.
    for heading in headings:
        line = next(line for line in cover.splitlines() if line.startswith(heading))
        page = int(line.rstrip().rsplit(".", 1)[-1].strip(". "))
        assert heading in reader.pages[page - 1].extract_text().splitlines()
    # The reader's bookmarks: the title, then the contents and each section under it.
    title, below = cast(list[Any], reader.outline)
    assert title.title == "Safeguarding diagnostic"
    assert [b.title for b in below] == ["Contents", *headings]


def test_weasyprint_reports_nothing_wrong(caplog: pytest.LogCaptureFixture) -> None:
    # Missing language, an unknown CSS property or a font that failed to load would be logged.
    # Built on a new thread, so the fonts are loaded inside the check too.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        worker = threading.Thread(target=lambda: build_report_pdf(feedback(draft=True)))
        worker.start()
        worker.join()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_each_thread_loads_the_shipped_fonts_for_itself() -> None:
    # Background workers and web requests build PDFs on their own threads.
    results: list[bytes] = []
    worker = threading.Thread(target=lambda: results.append(build_report_pdf(feedback())))
    worker.start()
    worker.join()
    here = build_report_pdf(feedback())
    for data in (results[0], here):
        reader = read(data)
        assert {n.split("+")[-1] for n in fonts(reader)} == {"Report-Sans", "Report-Sans-Bold"}
        assert NAMES in text_of(reader)
