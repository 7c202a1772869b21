"""Findings, their evidence and how well it stands up, and recommendations.

A finding is a strength or an area for consideration, on one line of enquiry, backed (or
contradicted) by evidence notes. Its corroboration counts the distinct kinds of source and the
distinct voices (sessions, or notes outside sessions) that support it; resting on one kind of
source or one voice earns a warning. A recommendation follows from one or more findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.text import Truncator

from peerdiag.accounts.models import User
from peerdiag.common.errors import DomainError
from peerdiag.common.versioning import claim, created_by, record_revision, revision_of
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.models import Diagnostic, Kloe

from ..enums import CORROBORATED_SOURCES, FindingKind, SourceType, Stance
from ..models import EvidenceNote, Finding, FindingEvidence, Recommendation
from .common import member_for, refuse_if_ended


@dataclass(frozen=True)
class Corroboration:
    source_types: tuple[str, ...]  # distinct SourceType values of the supporting notes
    sessions: int  # distinct sessions among the supporting notes
    voices: int  # distinct sessions plus supporting notes outside sessions
    supporting: int
    contradicting: int

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.supporting == 0:
            out.append("No evidence supports this finding yet")
            return out
        if len(self.source_types) < CORROBORATED_SOURCES:
            label = SourceType(self.source_types[0]).label.lower()
            out.append(f"It rests on one kind of source only ({label})")
        if self.voices < CORROBORATED_SOURCES:
            out.append("It rests on one voice only")
        if self.contradicting:
            out.append(
                f"{self.contradicting} piece{'s' if self.contradicting != 1 else ''} of "
                "evidence point the other way"
            )
        return out

    @property
    def strength(self) -> str:
        """'none', 'thin' or 'corroborated', for the gauge."""
        if self.supporting == 0:
            return "none"
        if len(self.source_types) < CORROBORATED_SOURCES or self.voices < CORROBORATED_SOURCES:
            return "thin"
        return "corroborated"


def corroboration_of(links: Iterable[FindingEvidence]) -> Corroboration:
    """Count from a finding's links (with their notes loaded): no queries of its own."""
    types: list[str] = []
    sessions: set[int] = set()
    loose = supporting = contradicting = 0
    for link in links:
        note = link.note
        if link.stance == Stance.CONTRADICTS:
            contradicting += 1
            continue
        supporting += 1
        if note.source_type not in types:
            types.append(note.source_type)
        if note.session_id is not None:
            sessions.add(note.session_id)
        else:
            loose += 1
    return Corroboration(
        source_types=tuple(sorted(types)),
        sessions=len(sessions),
        voices=len(sessions) + loose,
        supporting=supporting,
        contradicting=contradicting,
    )


def findings_with_evidence(diagnostic: Diagnostic) -> list[Finding]:
    """Every finding with its links, notes and KLOE loaded (two queries, whatever the size).

    The notes come joined to the links: prefetching them by id would list every id in one
    query, which SQLite refuses beyond about a thousand.
    """
    links = FindingEvidence.objects.select_related("note").order_by("pk")
    return list(
        Finding.objects.filter(diagnostic=diagnostic)
        .select_related("kloe", "author__person")
        .prefetch_related(Prefetch("links", queryset=links))
        .order_by("kind", "order", "pk")
    )


def _kind(kind: str) -> str:
    if kind not in FindingKind.values:
        raise DomainError("Choose strength or area for consideration", field="kind")
    return kind


def _kloe(diagnostic: Diagnostic, kloe: Kloe | None) -> Kloe | None:
    if kloe is not None and kloe.diagnostic_id != diagnostic.pk:
        raise DomainError("Choose a line of enquiry of this diagnostic", field="kloe")
    return kloe


def add_finding(
    diagnostic: Diagnostic,
    *,
    by: User | None,
    kind: str,
    statement: str,
    kloe: Kloe | None,
    evidence: Iterable[EvidenceNote] = (),
) -> Finding:
    """Record a finding, optionally with the notes that support it. Side effects: audit entry."""
    refuse_if_ended(diagnostic)
    author = member_for(diagnostic, by)
    statement = statement.strip()
    if not statement:
        raise DomainError("Write the finding as a statement", field="statement")
    notes = list(evidence)
    if any(n.diagnostic_id != diagnostic.pk for n in notes):
        raise DomainError("Choose evidence of this diagnostic", field="evidence")
    with transaction.atomic():
        last = Finding.objects.filter(diagnostic=diagnostic, kind=kind).aggregate(n=Max("order"))
        finding = Finding.objects.create(
            diagnostic=diagnostic,
            kind=_kind(kind),
            statement=statement,
            kloe=_kloe(diagnostic, kloe),
            author=author,
            order=(last["n"] or 0) + 1,
            **created_by(by),
        )
        record_revision(finding, data=finding_text(finding), by=by)
        FindingEvidence.objects.bulk_create(
            FindingEvidence(finding=finding, note=n, stance=Stance.SUPPORTS) for n in notes
        )
        audit.record(
            diagnostic,
            by=by,
            action="finding",
            summary=f"Added the {finding.get_kind_display().lower()} ‘{statement[:120]}’",
        )
    return finding


def finding_text(finding: Finding) -> dict[str, object]:
    """What a finding's revision keeps: the words a person chose."""
    return {
        "kind": finding.kind,
        "statement": finding.statement,
        "kloe": finding.kloe.code if finding.kloe_id and finding.kloe else "",
    }


def update_finding(
    finding: Finding,
    *,
    by: User | None,
    kind: str,
    statement: str,
    kloe: Kloe | None,
    version: int | None,
) -> Finding:
    """Change a finding's words, kind or KLOE; an approved finding goes back for approval.

    Refused with StaleEdit (nothing saved) when someone saved the finding after `version`.
    Side effects: a revision; audit entry.
    """
    return _save_finding(finding, by=by, kind=kind, statement=statement, kloe=kloe, version=version)


def _save_finding(
    finding: Finding,
    *,
    by: User | None,
    kind: str,
    statement: str,
    kloe: Kloe | None,
    version: int | None,
    restored_from: int | None = None,
) -> Finding:
    d = finding.diagnostic
    refuse_if_ended(d)
    member_for(d, by)
    statement = statement.strip()
    if not statement:
        raise DomainError("Write the finding as a statement", field="statement")
    with transaction.atomic():
        claim(finding, version=version, by=by, noun="this finding")
        changed = (finding.kind, finding.statement, finding.kloe_id) != (
            _kind(kind),
            statement,
            getattr(_kloe(d, kloe), "pk", None),
        )
        finding.kind, finding.statement, finding.kloe = kind, statement, kloe
        if changed:
            finding.approved_at = None
            finding.approved_by = None
        finding.save()
        record_revision(finding, data=finding_text(finding), by=by, restored_from=restored_from)
        if restored_from is None:
            summary = f"Changed ‘{statement[:120]}’"
        else:
            words = Truncator(statement).chars(100)
            summary = f"Put back version {restored_from} of the finding ‘{words}’"
        audit.record(d, by=by, action="finding", summary=summary)
    return finding


def restore_finding(
    finding: Finding, *, by: User | None, revision: int, version: int | None
) -> Finding:
    """Put back the words, kind and KLOE the finding had at version `revision`, as a new
    revision (which records where it came from). Like any edit, refused with StaleEdit when
    someone saved after `version`. A KLOE removed since is left empty.

    Side effects: a revision; an approved finding goes back for approval; audit entry.
    """
    old = revision_of(finding, revision).data
    kloe = Kloe.objects.filter(diagnostic=finding.diagnostic, code=old.get("kloe") or "").first()
    return _save_finding(
        finding,
        by=by,
        kind=str(old.get("kind") or finding.kind),
        statement=str(old.get("statement") or ""),
        kloe=kloe,
        version=version,
        restored_from=revision,
    )


def link_evidence(
    finding: Finding, note: EvidenceNote, *, by: User | None, stance: str = Stance.SUPPORTS
) -> FindingEvidence:
    """Link a note to a finding as supporting or contradicting it (changing the stance if it is
    linked already). Side effects: audit entry."""
    d = finding.diagnostic
    refuse_if_ended(d)
    member_for(d, by)
    if note.diagnostic_id != d.pk:
        raise DomainError("Choose evidence of this diagnostic", field="note")
    if stance not in Stance.values:
        raise DomainError("Choose supports or contradicts", field="stance")
    with transaction.atomic():
        link, _ = FindingEvidence.objects.update_or_create(
            finding=finding, note=note, defaults={"stance": stance}
        )
        audit.record(
            d,
            by=by,
            action="finding",
            summary=f"Linked the note {note.code} ({stance}) to ‘{finding.statement[:100]}’",
        )
    return link


def unlink_evidence(finding: Finding, note: EvidenceNote, *, by: User | None) -> None:
    d = finding.diagnostic
    refuse_if_ended(d)
    member_for(d, by)
    with transaction.atomic():
        FindingEvidence.objects.filter(finding=finding, note=note).delete()
        audit.record(d, by=by, action="finding", summary=f"Unlinked the note {note.code}")


def _findings(diagnostic: Diagnostic, findings: Iterable[Finding]) -> list[Finding]:
    chosen = list(findings)
    if not chosen:
        raise DomainError("Link the recommendation to at least one finding", field="findings")
    if any(f.diagnostic_id != diagnostic.pk for f in chosen):
        raise DomainError("Choose findings of this diagnostic", field="findings")
    return chosen


def recommendation_text(rec: Recommendation) -> dict[str, object]:
    """What a recommendation's revision keeps: its words and the codes of the findings it
    follows from (board order)."""
    chosen = sorted(rec.findings.all(), key=lambda f: (f.kind, f.order, f.pk))
    return {"text": rec.text, "findings": [f.code for f in chosen]}


def add_recommendation(
    diagnostic: Diagnostic, *, by: User | None, text: str, findings: Iterable[Finding]
) -> Recommendation:
    """A recommendation, following from one or more findings. Side effects: revision 1; audit
    entry."""
    refuse_if_ended(diagnostic)
    author = member_for(diagnostic, by)
    text = text.strip()
    if not text:
        raise DomainError("Write the recommendation", field="text")
    chosen = _findings(diagnostic, findings)
    with transaction.atomic():
        last = Recommendation.objects.filter(diagnostic=diagnostic).aggregate(n=Max("order"))
        rec = Recommendation.objects.create(
            diagnostic=diagnostic,
            text=text,
            author=author,
            order=(last["n"] or 0) + 1,
            **created_by(by),
        )
        rec.findings.set(chosen)
        record_revision(rec, data=recommendation_text(rec), by=by)
        audit.record(diagnostic, by=by, action="finding", summary=f"Recommended ‘{text[:120]}’")
    return rec


def update_recommendation(
    rec: Recommendation,
    *,
    by: User | None,
    text: str,
    findings: Iterable[Finding],
    version: int | None,
) -> Recommendation:
    """Change a recommendation's words or the findings it follows from; an approved one goes
    back for approval.

    Refused with StaleEdit (nothing saved) when someone saved it after `version`.
    Side effects: a revision; audit entry.
    """
    return _save_recommendation(rec, by=by, text=text, findings=findings, version=version)


def _save_recommendation(
    rec: Recommendation,
    *,
    by: User | None,
    text: str,
    findings: Iterable[Finding],
    version: int | None,
    restored_from: int | None = None,
) -> Recommendation:
    d = rec.diagnostic
    refuse_if_ended(d)
    member_for(d, by)
    text = text.strip()
    if not text:
        raise DomainError("Write the recommendation", field="text")
    chosen = _findings(d, findings)
    with transaction.atomic():
        claim(rec, version=version, by=by, noun="this recommendation")
        rec.text = text
        rec.approved_at = None
        rec.approved_by = None
        rec.save()
        rec.findings.set(chosen)
        record_revision(rec, data=recommendation_text(rec), by=by, restored_from=restored_from)
        if restored_from is None:
            summary = f"Changed ‘{text[:120]}’"
        else:
            words = Truncator(text).chars(100)
            summary = f"Put back version {restored_from} of the recommendation ‘{words}’"
        audit.record(d, by=by, action="finding", summary=summary)
    return rec


def restore_recommendation(
    rec: Recommendation, *, by: User | None, revision: int, version: int | None
) -> Recommendation:
    """Put back the words and findings the recommendation had at version `revision`, as a new
    revision. Findings that no longer exist are left out; refused when none is left. Like any
    edit, refused with StaleEdit when someone saved after `version`.

    Side effects: a revision; an approved recommendation goes back for approval; audit entry.
    """
    old = revision_of(rec, revision).data
    codes = [str(c) for c in old.get("findings") or []]
    found = {f.code: f for f in Finding.objects.filter(diagnostic=rec.diagnostic, code__in=codes)}
    chosen = [found[c] for c in codes if c in found]
    if not chosen:
        raise DomainError(
            f"Version {revision} cannot be put back: none of the findings it followed from "
            "is still there",
            field="version",
        )
    return _save_recommendation(
        rec,
        by=by,
        text=str(old.get("text") or ""),
        findings=chosen,
        version=version,
        restored_from=revision,
    )
