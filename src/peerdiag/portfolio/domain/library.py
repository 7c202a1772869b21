"""The learning library: approved strengths and areas for consideration from every diagnostic
whose written feedback has been issued, grouped by KLOE theme and anonymised.

An entry carries its statement, its kind, the diagnostic's type and year, and nothing else: no
council, no reference, no one's name. Names of people (anyone in the directory, attendees) and
of organisations are taken out of the words with the KIT digest's own `scrub`, as are the words
of small groups' quotes nobody allowed into the outputs. Searching runs on the scrubbed words,
so a search for a council's name finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.enums import OrganisationKind
from peerdiag.directory.models import Organisation, Person
from peerdiag.findings.domain.digest import scrub
from peerdiag.findings.enums import SMALL_GROUP, FindingKind
from peerdiag.findings.models import Finding, Quote
from peerdiag.timetable.models import Attendee

OTHER_THEME = "Other"
MIN_NAME = 3  # shorter "names" (initials) would blank out ordinary words


@dataclass(frozen=True)
class Entry:
    kind: str
    kind_label: str
    statement: str
    theme: str
    diagnostic_type: str
    year: int | None


@dataclass
class Theme:
    name: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def strengths(self) -> int:
        return sum(1 for e in self.entries if e.kind == FindingKind.STRENGTH)

    @property
    def areas(self) -> int:
        return sum(1 for e in self.entries if e.kind == FindingKind.AREA)


def _clean(names: Iterable[str]) -> list[str]:
    return sorted(
        {n.strip() for n in names if n and len(n.strip()) >= MIN_NAME}, key=len, reverse=True
    )


@dataclass(frozen=True)
class Scrubber:
    """Everything that must never reach the library: names and withheld words (lower-cased
    copies kept to skip, cheaply, the names a text cannot contain)."""

    names: list[str]
    withheld: list[str]

    def __call__(self, text: str) -> str:
        low = text.lower()
        names = [n for n in self.names if n.lower() in low]
        withheld = [w for w in self.withheld if w.lower() in low]
        if not names and not withheld:
            return text
        return scrub(text, names=names, withheld=withheld)


def scrubber_for(diagnostic_ids: list[int]) -> Scrubber:
    """Four queries: people, organisations, the diagnostics' attendees and their quotes."""
    names = list(Person.objects.values_list("full_name", flat=True))
    # Councils and partners; the LGA's own name is not a clue to anyone.
    names += list(
        Organisation.objects.exclude(kind=OrganisationKind.LGA).values_list("name", flat=True)
    )
    names += list(
        Attendee.objects.filter(diagnostic_id__in=diagnostic_ids).values_list("name", flat=True)
    )
    withheld = [
        q.strip()
        for q in Quote.objects.filter(
            note__diagnostic_id__in=diagnostic_ids, group_size__lt=SMALL_GROUP, override_reason=""
        ).values_list("text", flat=True)
        if q.strip()
    ]
    return Scrubber(names=_clean(names), withheld=withheld)


def _year(d: Diagnostic) -> int | None:
    when = d.day1 or d.written_feedback_issued_on
    return when.year if when else None


def library_entries() -> list[Entry]:
    """Every approved finding of every issued diagnostic, anonymised (a fixed number of queries)."""
    findings = list(
        Finding.objects.filter(
            approved_at__isnull=False, diagnostic__written_feedback_issued_on__isnull=False
        )
        .select_related("diagnostic", "kloe")
        .order_by("kind", "-diagnostic__written_feedback_issued_on", "order", "pk")
    )
    clean = scrubber_for(sorted({f.diagnostic_id for f in findings}))
    out = []
    for f in findings:
        theme = (f.kloe.theme.strip() if f.kloe else "") or OTHER_THEME
        out.append(
            Entry(
                kind=f.kind,
                kind_label=str(FindingKind(f.kind).label),
                statement=clean(f.statement),
                theme=clean(theme),
                diagnostic_type=clean(f.diagnostic.type_label),
                year=_year(f.diagnostic),
            )
        )
    return out


def _matches(entry: Entry, words: list[str]) -> bool:
    haystack = f"{entry.statement} {entry.theme} {entry.diagnostic_type}".lower()
    return all(w in haystack for w in words)


def search_library(
    entries: list[Entry], *, q: str = "", theme: str = "", kind: str = ""
) -> list[Theme]:
    """The entries with every word of `q` (in the anonymised text), of a theme and kind, grouped
    by theme: themes in alphabetical order, 'Other' last."""
    words = [w for w in q.lower().split() if w]
    groups: dict[str, Theme] = {}
    for e in entries:
        if theme and e.theme != theme:
            continue
        if kind and e.kind != kind:
            continue
        if words and not _matches(e, words):
            continue
        groups.setdefault(e.theme, Theme(e.theme)).entries.append(e)
    return sorted(groups.values(), key=lambda t: (t.name == OTHER_THEME, t.name.lower()))


def theme_names(entries: list[Entry]) -> list[str]:
    names = {e.theme for e in entries}
    return sorted(names, key=lambda n: (n == OTHER_THEME, n.lower()))
