"""`peerdiag report presentation|written`: the feedback files of a diagnostic, from the database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from pptx import Presentation

from .helpers import drafted


def report(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("report", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def slide_titles(path: Path) -> list[str]:
    return [s.shapes.title.text_frame.text for s in Presentation(str(path)).slides]


def slide_lines(path: Path, title: str) -> list[str]:
    slide = next(s for s in Presentation(str(path)).slides if s.shapes.title.text == title)
    return [p.text for p in slide.placeholders[1].text_frame.paragraphs if p.level == 0]


def test_presentation_writes_the_deck_from_the_approved_board(world, tmp_path: Path):  # type: ignore[no-untyped-def]
    x = drafted(world)
    target = tmp_path / "feedback.pptx"
    code, out, err = report("presentation", x.d.reference, "-o", str(target))
    assert (code, err) == (0, "")
    assert out.strip() == f"Wrote {target}"
    assert slide_titles(target)[0] == x.d.title
    assert slide_titles(target)[1:3] == ["What we did", "Key messages"]
    assert slide_titles(target)[5:8] == [
        "Strengths",
        "Areas for consideration",
        "Recommendations",
    ]
    assert slide_lines(target, "Strengths") == ["Leaders are visible.", "Supervision is regular."]
    assert slide_lines(target, "Recommendations") == [
        "Agree a plan template.",
        "Publish an escalation route.",
    ]
    assert not any("Draft" in t for t in slide_titles(target))


def test_written_writes_the_report_and_its_pdf(world, tmp_path: Path):  # type: ignore[no-untyped-def]
    x = drafted(world)
    docx, pdf = tmp_path / "report.docx", tmp_path / "report.pdf"
    code, out, err = report("written", x.d.reference.lower(), "-o", str(docx), "--pdf", str(pdf))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"Wrote {docx}", f"Wrote {pdf}"]
    doc = Document(str(docx))
    numbered = [
        p.text.split("\n")[0] for p in doc.paragraphs if p.style and p.style.name == "List Number"
    ]
    assert numbered == [
        "Leaders are visible.",
        "Supervision is regular.",
        "Plans lack detail.",
        "Partners are unsure how to escalate.",
        "Agree a plan template.",
        "Publish an escalation route.",
    ]
    assert pdf.read_bytes().startswith(b"%PDF-") and len(pdf.read_bytes()) > 1500


def test_draft_takes_unapproved_findings_and_says_draft(world, tmp_path: Path):  # type: ignore[no-untyped-def]
    x = drafted(world, approve=False)
    target = tmp_path / "draft.pptx"
    code, _, err = report("presentation", x.d.reference, "-o", str(target), "--draft")
    assert (code, err) == (0, "")
    titles = slide_titles(target)
    assert titles[5] == "Strengths – Draft" and all(t.endswith("Draft") for t in titles)
    assert slide_lines(target, "Strengths – Draft") == [
        "Leaders are visible.",
        "Supervision is regular.",
    ]


def test_nothing_approved_is_refused_in_one_line(world, tmp_path: Path):  # type: ignore[no-untyped-def]
    x = drafted(world, approve=False)
    target = tmp_path / "feedback.pptx"
    code, out, err = report("presentation", x.d.reference, "-o", str(target))
    assert code == 2 and out == "" and not target.exists()
    assert err.strip() == (
        f"peerdiag report presentation: {x.d.reference} has no approved findings yet: "
        "approve them on the drafting board, or add --draft for a draft"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["written", "RPD-1999-999", "-o", "{tmp}/r.docx"], "No diagnostic has the reference"),
        (["presentation", "{ref}"], "give -o FILE.pptx"),
        (["written", "{ref}"], "give -o FILE.docx"),
        (["presentation", "{ref}", "-o", "{tmp}/r.docx"], "must end in .pptx"),
        (["written", "{ref}", "-o", "{tmp}/r.docx", "--pdf", "{tmp}/r.txt"], "end in .pdf"),
        (["presentation", "{ref}", "-o", "{tmp}/r.pptx", "--pdf", "{tmp}/r.pdf"], "--pdf"),
        (["presentation", "-o", "{tmp}/r.pptx"], "REF"),
        (["presentation", "{ref}", "-o", "{tmp}/missing/r.pptx"], "cannot write"),
    ],
)
def test_mistakes_exit_2_with_one_line(world, tmp_path: Path, args, says):  # type: ignore[no-untyped-def]
    x = drafted(world)
    argv = [a.replace("{ref}", x.d.reference).replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = report(*argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and says in err
    assert err.startswith(f"peerdiag report {args[0]}: ")
    assert list(tmp_path.iterdir()) == []
