"""The sponsor's confirmation of the scope (domain.md i.19).

After scoping, the diagnostic's sponsor confirms the focus, the key lines of enquiry (in order)
and whether a case record review is in scope, or asks for changes with a comment. The
confirmation records who, when and exactly what they saw: a fingerprint of those three, and the
texts themselves, so that a later change makes it stale (the gate out of scoping and the gate
into delivery ask for it again) and the sponsor's page can show what changed.

Changes made on delivery day 1 (the overview meeting fine-tunes the scope, see kloes.py) are
agreed at that meeting: they are shown to the sponsor but ask for no new confirmation, since no
gate after delivery starts looks at it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind

from ..enums import CouncilRoleKind, Stage, TeamRole
from ..models import AuditEntry, Diagnostic, ScopeConfirmation, ScopeDecision
from . import audit
from .kloes import DAY1_ACTION

# Stages in which the sponsor may answer: once the scoping meeting is held, until delivery.
CONFIRMABLE = frozenset(
    {
        Stage.SCOPING_SCHEDULED,
        Stage.SCOPED,
        Stage.TEAM_FORMING,
        Stage.PREPARATION,
        Stage.CASE_REVIEW,
        Stage.READY,
    }
)
COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """The scope as it stands: what the sponsor confirms."""

    focus: str
    kloes: tuple[str, ...]
    case_review_in_scope: bool | None

    @property
    def fingerprint(self) -> str:
        data = {
            "focus": self.focus,
            "kloes": list(self.kloes),
            "case_review_in_scope": self.case_review_in_scope,
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ScopeChange:
    """One difference between the scope the sponsor answered on and the scope now."""

    label: str
    old: str
    new: str


@dataclass
class ScopeStatus:
    """Where the sponsor's confirmation stands, for the pages and the gates."""

    latest: ScopeConfirmation | None
    current: Scope
    changes: list[ScopeChange] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        """The sponsor confirmed, and nothing they confirmed has changed since."""
        return (
            self.latest is not None
            and self.latest.decision == ScopeDecision.CONFIRMED
            and self.latest.fingerprint == self.current.fingerprint
        )

    @property
    def stale(self) -> bool:
        """Confirmed once, but the scope has changed since."""
        return (
            self.latest is not None
            and self.latest.decision == ScopeDecision.CONFIRMED
            and self.latest.fingerprint != self.current.fingerprint
        )

    @property
    def changes_requested(self) -> bool:
        return self.latest is not None and self.latest.decision == ScopeDecision.CHANGES_REQUESTED


def current_scope(diagnostic: Diagnostic) -> Scope:
    fresh = Diagnostic.objects.only("focus_statement", "case_review_in_scope").get(pk=diagnostic.pk)
    return Scope(
        focus=fresh.focus_statement.strip(),
        kloes=tuple(
            t.strip() for t in diagnostic.kloes.order_by("order").values_list("text", flat=True)
        ),
        case_review_in_scope=fresh.case_review_in_scope,
    )


def _yes_no(value: bool | None) -> str:
    return "Not decided" if value is None else ("In scope" if value else "Not in scope")


def _changes(was: ScopeConfirmation, now: Scope) -> list[ScopeChange]:
    out = []
    if was.focus != now.focus:
        out.append(ScopeChange("Focus", was.focus, now.focus))
    before = list(was.kloes or [])
    after = list(now.kloes)
    for text in before:
        if text not in after:
            out.append(ScopeChange("Key line of enquiry removed or reworded", text, ""))
    for text in after:
        if text not in before:
            out.append(ScopeChange("Key line of enquiry added or reworded", "", text))
    if set(before) == set(after) and before != after:
        out.append(
            ScopeChange("Order of the key lines of enquiry", " / ".join(before), " / ".join(after))
        )
    if was.case_review_in_scope != now.case_review_in_scope:
        out.append(
            ScopeChange(
                "Case record review",
                _yes_no(was.case_review_in_scope),
                _yes_no(now.case_review_in_scope),
            )
        )
    return out


def scope_status(diagnostic: Diagnostic) -> ScopeStatus:
    latest = diagnostic.scope_confirmations.select_related("person", "by").first()
    now = current_scope(diagnostic)
    status = ScopeStatus(latest=latest, current=now)
    if latest is not None and latest.fingerprint != now.fingerprint:
        status.changes = _changes(latest, now)
    return status


def day1_changes(diagnostic: Diagnostic) -> list[AuditEntry]:
    """Changes to the key lines of enquiry made on delivery day 1, oldest first."""
    return list(
        diagnostic.audit.filter(action=DAY1_ACTION).select_related("actor").order_by("at", "id")
    )


def last_confirmed(diagnostic: Diagnostic) -> ScopeConfirmation | None:
    return diagnostic.scope_confirmations.filter(decision=ScopeDecision.CONFIRMED).first()


def is_sponsor(user: User | None, diagnostic: Diagnostic) -> bool:
    """Asked afresh (not the predicates' per-request cache): a write must see the roles now."""
    person = getattr(user, "person", None) if user is not None else None
    return (
        person is not None
        and diagnostic.council_roles.filter(role=CouncilRoleKind.SPONSOR, person=person).exists()
    )


def _check_answerable(diagnostic: Diagnostic, scope: Scope) -> None:
    if diagnostic.stage not in CONFIRMABLE:
        if diagnostic.stage in (Stage.ENQUIRY,):
            raise DomainError("The scope is confirmed after the scoping meeting", field="decision")
        raise DomainError(
            f"The scope cannot be confirmed while the diagnostic is "
            f"{Stage(diagnostic.stage).label.lower()}",
            field="decision",
        )
    scoping = getattr(diagnostic, "scoping", None)
    if scoping is None or scoping.held_on is None:
        raise DomainError("The scope is confirmed after the scoping meeting", field="decision")
    if not scope.focus or not scope.kloes or scope.case_review_in_scope is None:
        raise DomainError(
            "The scope is not complete yet: it needs a focus, at least one key line of enquiry "
            "and a decision on the case record review",
            field="decision",
        )


def _clean_comment(decision: str, comment: str) -> str:
    """The comment stripped, or a DomainError for an unknown decision or an unfit comment."""
    if decision not in ScopeDecision.values:
        raise DomainError(
            "Choose whether you confirm the scope or ask for changes", field="decision"
        )
    comment = comment.strip()
    if decision == ScopeDecision.CHANGES_REQUESTED and not comment:
        raise DomainError("Say what should change", field="comment")
    if len(comment) > COMMENT_LIMIT:
        raise DomainError(
            f"Keep your comment under {COMMENT_LIMIT:,} characters (it has {len(comment):,})",
            field="comment",
        )
    return comment


def _record_answer(
    d: Diagnostic, *, by: User, decision: str, comment: str, scope: Scope
) -> ScopeConfirmation:
    """The ScopeConfirmation of the scope the sponsor answered on, with its audit entry."""
    person = by.person  # type: ignore[attr-defined]
    made = ScopeConfirmation.objects.create(
        diagnostic=d,
        decision=decision,
        comment=comment,
        person=person,
        by=by,
        at=timezone.now(),
        fingerprint=scope.fingerprint,
        focus=scope.focus,
        kloes=list(scope.kloes),
        case_review_in_scope=scope.case_review_in_scope,
    )
    if decision == ScopeDecision.CONFIRMED:
        summary = f"{person} confirmed the scope ({len(scope.kloes)} key lines of enquiry)"
    else:
        summary = f"{person} asked for changes to the scope"
    audit.record(
        d,
        by=by,
        action="scope",
        summary=summary,
        changes=[
            {
                "field": "scope",
                "label": "Scope version",
                "old": "",
                "new": scope.fingerprint,
            }
        ],
    )
    return made


def _tell_pcms_of_changes(d: Diagnostic, *, by: User, person_name: str) -> None:
    """Once the transaction commits, e-mail the PCM(s) that the sponsor asked for changes."""
    to = _pcm_addresses(d)
    if to:
        body = _changes_body(d, person_name=person_name)
        transaction.on_commit(
            lambda: outbox.send(
                kind=MailKind.SCOPE_CHANGES,
                subject=f"{d.reference}: the sponsor asked for changes to the scope",
                body=body,
                to=to,
                diagnostic=d,
                by=by,
            )
        )


def answer_scope(
    diagnostic: Diagnostic,
    *,
    by: User,
    decision: str,
    comment: str = "",
    fingerprint: str,
) -> ScopeConfirmation:
    """Record the sponsor's confirmation of the scope, or their request for changes.

    `fingerprint` is the one of the scope the page showed: if the focus, the key lines of
    enquiry or the case review decision changed since, nothing is recorded and the sponsor is
    asked to read the scope again. Only the diagnostic's sponsor may answer (never the PCM or
    the LGA on their behalf). A request for changes needs a comment.

    Side effects: a ScopeConfirmation; an audit entry; for a request for changes, an e-mail to
    the peer challenge manager(s) (it names the diagnostic, not the comment's words).
    """
    comment = _clean_comment(decision, comment)
    with transaction.atomic():
        d = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if not is_sponsor(by, d):
            raise DomainError(
                "Only the diagnostic's sponsor can answer on the scope", field="decision"
            )
        scope = current_scope(d)
        _check_answerable(d, scope)
        if fingerprint != scope.fingerprint:
            raise DomainError(
                "The scope changed after you opened this page, so your answer has not been "
                "recorded. Read the scope again below and answer again",
                field="version",
            )
        made = _record_answer(d, by=by, decision=decision, comment=comment, scope=scope)
        if decision == ScopeDecision.CHANGES_REQUESTED:
            _tell_pcms_of_changes(d, by=by, person_name=str(made.person))
    return made


def _pcm_addresses(d: Diagnostic) -> list[str]:
    return sorted(
        {
            e
            for e in d.team.filter(role=TeamRole.PEER_CHALLENGE_MANAGER).values_list(
                "person__email", flat=True
            )
            if e
        }
    )


def _changes_body(d: Diagnostic, *, person_name: str) -> str:
    url = settings.SITE_URL + reverse("web:scope", args=[d.reference])
    return (
        "Hello,\n\n"
        f"{person_name}, the sponsor of {d.reference} at {d.host_council.name}, has asked for "
        "changes to the scope (the focus, the key lines of enquiry or the case record review).\n\n"
        f"Read their comment and the scope they saw here:\n{url}\n\n"
        "Once the scope is changed, the sponsor can confirm it on the same page.\n"
    )
