"""No `[:MAX]` slicing of user text: a limit is checked and refused, never applied by cutting.

This reads the source of every domain module, the web app and the API, finds each slice with a
constant end (`[:200]`, `[:MAX_BODY]`, `[:-1]`) and fails, naming the line, unless the line is
an audit-trail summary (which shortens a long text for display: the text itself is kept whole
on its object) or is in ALLOWED with the reason it is not cutting stored user text.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "peerdiag"
SLICE = re.compile(r"\[\s*:\s*(-?\d[\d_]*|[A-Z_][A-Z0-9_]*)\s*\]")
# `summary=f"..."` / `summary = f"..."`: the one-line description in the audit trail.
AUDIT_SUMMARY = re.compile(r"\bsummary\s*=\s*f?[\"']")

# (file relative to src/peerdiag, a piece of the line) -> why it is not cutting stored user text.
ALLOWED: dict[tuple[str, str], str] = {
    ("casereview/domain/lists.py", "int(digits[:4])"): "reads a date's parts from digits",
    ("casereview/domain/lists.py", "int(digits[:2])"): "reads a date's parts from digits",
    ("reports/domain/content.py", "strengths[:KEY_MESSAGES_EACH]"): "the first findings, whole",
    ("reports/domain/content.py", "areas[:KEY_MESSAGES_EACH]"): "the first findings, whole",
    ("web/views/tokens.py", "int(choice[:-1])"): "reads an offered choice such as '90d'",
    ("accounts/domain/two_factor.py", "chars[:_RECOVERY_HALF]"): "splits a generated code",
    ("casereview/domain/audits.py", "what=what[:100]"): "the read log's label, set by the code",
    ("casereview/domain/retention.py", "reason=reason[:200]"): "the daily run's own reason",
    ("diagnostics/domain/access.py", "reason=reason[:300]"): "reasons written by the code",
    ("diagnostics/domain/audit.py", "summary=summary[:300]"): "the audit trail's one-line summary",
    ("api/errors.py", "rest[:1]"): "reads the first part of an error's location",
    ("accounts/domain/throttle.py", "_hash(_normal(email))[:32]"): "a hash",
    ("accounts/domain/throttle.py", "_hash(ip.strip())[:32]"): "a hash",
    ("api/ratelimit.py", "hexdigest()[:32]"): "a hash",
    ("api/ratelimit.py", "key_hash[:32]"): "a hash",
    ("documents/domain/uploads.py", "basename(name)[:80]"): "an error message shows the name",
    ("documents/domain/uploads.py", "original_name=os.path.basename(name)[:200]"): (
        "a file's name as the browser sent it; the file itself is stored whole"
    ),
    ("portfolio/domain/portfolio.py", "cell[:1]"): "reads the first character",
    ("diagnostics/domain/tasklist.py", "texts[:HINT_ITEMS]"): (
        "the first few gate messages as a hint, each whole, with how many more there are"
    ),
    ("documents/domain/uploads.py", "basename(item.name)[:80]"): "an error message shows the name",
    ("documents/domain/uploads.py", "text[:1].lower()"): "lower-cases the first character",
    ("timetable/domain/week_shape.py", "text[:-2]"): "drops '.0' from a number it formatted",
    ("web/forms/documents.py", "upload.name[:80]"): "an error message shows the file's name",
    ("findings/domain/coverage.py", "text[:57]"): "a label shown on the coverage grid",
    ("findings/domain/board.py", "statement[:100]"): "names a finding in a message",
    ("findings/domain/board.py", "text[:100]"): "names a recommendation in a message",
    ("findings/domain/board.py", "statement[:80]"): "names a finding in a message",
    ("findings/domain/board.py", "text[:80]"): "names a recommendation in a message",
    ("findings/domain/gate.py", "statement[:80]"): "names a finding in a gate message",
    ("findings/domain/gate.py", "text[:80]"): "names a recommendation in a gate message",
    ("findings/domain/search.py", "seen[:12]"): "a list of results",
    ("findings/domain/search.py", "query.strip()[:400]"): "a search query, never stored",
    ("findings/domain/search.py", "[:MAX_RESULTS]"): "a list of results",
    ("findings/domain/search.py", '.values("all")[:1]'): "a query's first row",
    ("findings/domain/digest.py", "parts[:-1]"): "a list of words joined for display",
    ("findings/domain/digest.py", "hexdigest()[:16]"): "a hash",
    ("timetable/domain/gate.py", "missing[:3]"): "the first names in a message",
    ("timetable/domain/generate.py", "best=line[:200]"): "the solver's own progress line",
    ("web/views/diagnostics.py", '.select_related("actor")[:8]'): "the latest audit entries",
    ("web/views/attendees.py", "problems[:MAX_ERRORS_SHOWN]"): "the first errors shown",
    ("web/views/reports.py", "it.item.text[:67]"): "a label in a list",
    ("web/views/timetable.py", 'request.GET["group"].strip()[:120]'): (
        "pre-fills a form from a link; the person sees and submits the field themselves"
    ),
    ("web/forms/findings.py", "f.statement[:120]"): "a finding's label in a list of choices",
}


def _sources() -> list[Path]:
    files = [p for p in SRC.glob("*/domain/**/*.py")]
    files += [p for p in (SRC / "web").rglob("*.py")]
    files += [p for p in (SRC / "api").rglob("*.py")]
    return sorted(files)


def cuts_in(relative: str, source: str) -> list[str]:
    """Each line of `source` that slices with a constant end and is neither a summary nor
    allowed, as 'file:line: code'."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if not SLICE.search(code) or AUDIT_SUMMARY.search(code):
            continue
        if any(path == relative and piece in code for path, piece in ALLOWED):
            continue
        found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_the_check_names_a_line_that_cuts_user_text():
    source = (
        "note = Note(title=title[:200], body=body[:MAX_BODY])\n"
        'audit.record(d, by=by, summary=f"Added ‘{title[:120]}’")\n'
        "keep = body  # body[:10] in a comment is not code\n"
    )
    assert cuts_in("findings/domain/notes.py", source) == [
        "findings/domain/notes.py:1: note = Note(title=title[:200], body=body[:MAX_BODY])"
    ]


def test_no_user_text_is_cut_to_a_limit_before_it_is_stored():
    found: list[str] = []
    for path in _sources():
        relative = path.relative_to(SRC).as_posix()
        found += cuts_in(relative, path.read_text(encoding="utf-8"))
    assert found == [], (
        "refuse text over its limit with a DomainError naming the limit instead of cutting it "
        "(or, if this is not stored user text, add it to ALLOWED with the reason):\n"
        + "\n".join(found)
    )
