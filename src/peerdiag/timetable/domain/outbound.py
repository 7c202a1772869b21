"""Children and young people leave the service only as a group and a count, never by name.

Whatever the service sends or hands out about a diagnostic (invitation e-mails and their .ics
files, calendar feeds, timetable exports, the feedback presentation and report) passes through a
Redactor first. Young attendees become one "Young people (4)" entry, and their names, whole or
in part, are taken out of the text people wrote (titles, groups, notes, reasons). The database
keeps the full text for the pages of those allowed to see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peerdiag.diagnostics.models import Diagnostic

from ..models import Attendee

YOUNG_PEOPLE = "Young people"
REMOVED = "a young person"

# A name's parts: runs of letters, with inner apostrophes or hyphens (O'Neill, Smith-Jones).
_PART = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Between the parts of a name: any spacing or punctuation people put there, or none.
_GAP = r"[\s.,_\-]*"


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of `names`: whole (either order, any spacing) or any part of it.

    Matching ignores case and only takes whole words; parts of one letter (initials) are left.
    """
    alternatives: set[str] = set()
    for name in names:
        parts = _PART.findall(name)
        if not parts:
            continue
        escaped = [re.escape(p) for p in parts]
        alternatives.add(_GAP.join(escaped))
        alternatives.add(_GAP.join(reversed(escaped)))
        alternatives.update(e for p, e in zip(parts, escaped, strict=True) if len(p) > 1)
    if not alternatives:
        return None
    longest_first = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(longest_first) + r")(?![^\W_])", re.IGNORECASE)


def scrub(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` with every match of `pattern` (see name_pattern) replaced by "a young person"."""
    if not text or pattern is None:
        return text
    return pattern.sub(REMOVED, text)


def young_label(count: int) -> str:
    return f"{YOUNG_PEOPLE} ({count})"


@dataclass(frozen=True)
class Redactor:
    """What one diagnostic's young attendees are: their codes and a pattern of their names."""

    codes: frozenset[str] = field(default_factory=frozenset)
    pattern: re.Pattern[str] | None = None

    def text(self, value: str) -> str:
        return scrub(value, self.pattern)

    def people(self, attendees: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Adults as they are; the young people folded into one entry with no e-mail."""
        kept, young = [], 0
        for a in attendees:
            if a.get("code") in self.codes or a.get("young"):
                young += 1
            else:
                kept.append(a)
        if young:
            kept.append({"code": "", "name": young_label(young), "email": "", "group": ""})
        return kept

    def session(self, session: dict[str, Any]) -> dict[str, Any]:
        """A snapshot session fit to leave the service (a copy; the snapshot is untouched)."""
        out = dict(session)
        if "attendees" in out:
            out["attendees"] = self.people(out["attendees"])
        for key in ("title", "group", "supporting_adult", "notes", "reason"):
            if isinstance(out.get(key), str):
                out[key] = self.text(out[key])
        return out

    def problem(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A problem document (timetable format) with young people numbered, not named."""
        out = dict(doc)
        people, n = [], 0
        for p in doc.get("people", []):
            p = dict(p)
            if p.get("id") in self.codes:
                n += 1
                p["name"] = f"Young person {n}"
            if isinstance(p.get("group"), str):
                p["group"] = self.text(p["group"])
            people.append(p)
        out["people"] = people
        out["sessions"] = [
            {**s, "title": self.text(s.get("title", ""))} for s in doc.get("sessions", [])
        ]
        return out

    def solution(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A solution document with the names taken out of its reasons."""
        out = dict(doc)
        out["unscheduled"] = [
            {**u, "reason": self.text(u.get("reason", ""))} for u in doc.get("unscheduled", [])
        ]
        return out


def _redactors(rows: Iterable[tuple[Any, str, str]]) -> dict[Any, Redactor]:
    codes: dict[Any, set[str]] = {}
    names: dict[Any, list[str]] = {}
    for key, code, name in rows:
        codes.setdefault(key, set()).add(code)
        names.setdefault(key, []).append(name)
    return {k: Redactor(frozenset(codes[k]), name_pattern(names[k])) for k in codes}


def redactor_for(diagnostic: Diagnostic, *, snapshot: dict[str, Any] | None = None) -> Redactor:
    """The diagnostic's Redactor. With a published `snapshot`, the names it holds for the young
    attendees count too (someone may have been renamed since)."""
    rows = list(
        Attendee.objects.filter(diagnostic=diagnostic, young_person=True).values_list(
            "code", "name"
        )
    )
    codes = {c for c, _ in rows}
    names = [n for _, n in rows]
    for s in (snapshot or {}).get("sessions", []):
        for a in s.get("attendees", []):
            if a.get("code") in codes or a.get("young"):
                codes.add(a.get("code", ""))
                names.append(a.get("name", ""))
    return Redactor(frozenset(codes), name_pattern(names))


def redactors_by_reference(references: Iterable[str]) -> dict[str, Redactor]:
    """A Redactor for each diagnostic reference (one query); an empty one where none is young."""
    refs = set(references)
    found = _redactors(
        Attendee.objects.filter(diagnostic__reference__in=refs, young_person=True).values_list(
            "diagnostic__reference", "code", "name"
        )
    )
    return {r: found.get(r, Redactor()) for r in refs}
