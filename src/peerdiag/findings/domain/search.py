"""Search across a diagnostic's evidence notes, findings and recommendations.

Evidence notes and their quotes are encrypted at rest (findings/models.py), so the database
cannot search them: the diagnostic's live notes and quotes are read (two queries, however many
there are) and searched here, the same on every database: every word of the query must appear
(in any case) in the note's title, who it was heard from, its body or its quotes.

Findings and recommendations are plain. On PostgreSQL they are found by full-text search
(English stemming, web-search syntax, with the matching words picked out by the database); on
SQLite by the same plain rule as notes. Every result ranks by how often the query's words
appear in it (at least 1 for a stemmed match), so notes, findings and recommendations rank
alike on both databases, and plain snippets are cut around the first word found.

Notes destroyed under the retention rules never appear. Snippets are returned as parts
(text, matched?) so pages can mark matches without trusting any HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from peerdiag.diagnostics.models import Diagnostic

from ..models import EvidenceNote, Finding, Recommendation

MAX_RESULTS = 50
SNIPPET_CHARS = 220
# Markers the database puts around matched words (control characters never typed in notes).
_START, _STOP = "\x02", "\x03"

KINDS = {"note": "Evidence note", "finding": "Finding", "recommendation": "Recommendation"}

Snippet = list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "note", "finding" or "recommendation": which page it links to
    code: str
    title: str
    snippet: Snippet
    rank: float

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def words_of(query: str) -> list[str]:
    """The words of a query, without search syntax, duplicates or empties."""
    seen: list[str] = []
    for w in re.findall(r"\w+", query.lower()):
        if w not in seen and w != "or":
            seen.append(w)
    return seen[:12]


def search(diagnostic: Diagnostic, query: str) -> list[SearchResult]:
    """Everything in the diagnostic's notes, findings and recommendations matching `query`,
    best first (at most MAX_RESULTS). No side effects."""
    words = words_of(query)
    if not words:
        return []
    found = _search_notes(diagnostic, words)
    if connection.vendor == "postgresql":
        found += _search_postgres(diagnostic, query.strip()[:400], words)
    else:
        found += _search_plain(diagnostic, words)
    found.sort(key=lambda r: (-r.rank, list(KINDS).index(r.kind), r.title.lower()))
    return found[:MAX_RESULTS]


def _title(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _live_notes(diagnostic: Diagnostic) -> QuerySet[EvidenceNote]:
    return EvidenceNote.objects.filter(diagnostic=diagnostic, destroyed_at__isnull=True)


# --- Notes (every database) and, on SQLite, findings: words, icontains, hits ----------------------


def _hits(text: str, words: list[str]) -> int:
    low = text.lower()
    return sum(low.count(w) for w in words)


def plain_snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> Snippet:
    """A window of `text` around the first word found, with every found word marked."""
    text = " ".join(text.split())
    low = text.lower()
    firsts = [i for i in (low.find(w) for w in words) if i >= 0]
    first = min(firsts) if firsts else 0
    start = max(0, first - size // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    window = text[start : start + size]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    parts: Snippet = [("…", False)] if start else []
    at = 0
    for m in pattern.finditer(window):
        if m.start() > at:
            parts.append((window[at : m.start()], False))
        parts.append((m.group(0), True))
        at = m.end()
    if at < len(window):
        parts.append((window[at:], False))
    if start + size < len(text):
        parts.append(("…", False))
    return parts


def _all_words(fields: list[str], words: list[str]) -> Q:
    q = Q()
    for w in words:
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f}__icontains": w})
        q &= any_field
    return q


def _search_notes(diagnostic: Diagnostic, words: list[str]) -> list[SearchResult]:
    """Notes with every word somewhere in their title, heard from, body or quotes (2 queries)."""
    out: list[SearchResult] = []
    for n in _live_notes(diagnostic).prefetch_related("quotes").order_by("pk"):
        quotes = " ".join(q.text for q in n.quotes.all())
        texts = [n.title, n.heard_from, n.body, quotes]
        low = " ".join(texts).lower()
        if not all(w in low for w in words):
            continue
        best = next((t for t in (n.body, quotes, n.heard_from) if _hits(t, words)), n.body)
        out.append(
            SearchResult(
                "note",
                n.code,
                n.title,
                plain_snippet(best or n.title, words),
                float(sum(_hits(t, words) for t in texts)),
            )
        )
    return out


def _search_plain(diagnostic: Diagnostic, words: list[str]) -> list[SearchResult]:
    out: list[SearchResult] = []
    for f in Finding.objects.filter(diagnostic=diagnostic).filter(_all_words(["statement"], words)):
        out.append(
            SearchResult(
                "finding",
                f.code,
                _title(f.statement),
                plain_snippet(f.statement, words),
                float(_hits(f.statement, words)),
            )
        )
    for r in Recommendation.objects.filter(diagnostic=diagnostic).filter(
        _all_words(["text"], words)
    ):
        out.append(
            SearchResult(
                "recommendation",
                r.code,
                _title(r.text),
                plain_snippet(r.text, words),
                float(_hits(r.text, words)),
            )
        )
    return out


# --- PostgreSQL: full-text search --------------------------------------------------------------


def headline_parts(text: str) -> Snippet:
    """Split a headline with the database's markers into (text, matched?) parts."""
    parts: Snippet = []
    for i, chunk in enumerate(re.split(f"[{_START}{_STOP}]", " ".join(text.split()))):
        if chunk:
            parts.append((chunk, i % 2 == 1))
    return parts


def _search_postgres(diagnostic: Diagnostic, query: str, words: list[str]) -> list[SearchResult]:
    """Findings and recommendations by full-text search (notes are searched in Python)."""
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    q = SearchQuery(query, config="english", search_type="websearch")

    def headline(expr: Any) -> SearchHeadline:
        return SearchHeadline(
            expr,
            q,
            config="english",
            start_sel=_START,
            stop_sel=_STOP,
            max_words=35,
            min_words=15,
        )

    out: dict[tuple[str, str], SearchResult] = {}
    for model, kind, text in (
        (Finding, "finding", "statement"),
        (Recommendation, "recommendation", "text"),
    ):
        vector = SearchVector(text, config="english")
        rows = (
            model.objects.filter(diagnostic=diagnostic)  # type: ignore[attr-defined]
            .annotate(search=vector)
            .filter(search=q)
            .annotate(rank=SearchRank(vector, q), snippet=headline(text))
            .order_by("-rank")[:MAX_RESULTS]
        )
        for row in rows:
            words_in = getattr(row, text)
            out[(kind, row.code)] = SearchResult(
                kind,
                row.code,
                _title(words_in),
                headline_parts(row.snippet),
                float(max(_hits(words_in, words), 1)),
            )
    return list(out.values())
