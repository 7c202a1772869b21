"""What peers hear and what they make of it: evidence notes, quotes, findings, recommendations,
and the digests shared with the sponsor at KIT meetings.

None of this is ever shown to the council, except digest items the lead peer marks as shared.

What peers heard (notes' titles, who from and bodies, quotes) and what was said at KIT meetings
(digest items, the sponsor's response) are EncryptedTextFields: encrypted at rest under the case
content keys, like the case review. Findings and recommendations are the team's own wording and
stay plain, so that the database can search them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models

from peerdiag.common.fields import EncryptedTextField
from peerdiag.common.models import CodedModel, Revision, TimeStampedModel, Versioned
from peerdiag.diagnostics.models import Diagnostic, Kloe, TeamMember
from peerdiag.documents.models import DocumentRequest
from peerdiag.timetable.models import Session

from .enums import SMALL_GROUP, FindingKind, Polarity, SourceType, Stance


class EvidenceNote(CodedModel):
    """One peer's note of what they heard in a session, or read in a document, data or the case
    review. Each peer keeps their own note of a session, so two peers never overwrite each other.
    """

    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="evidence_notes"
    )
    author = models.ForeignKey(
        TeamMember, null=True, on_delete=models.SET_NULL, related_name="evidence_notes"
    )
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_notes"
    )
    document = models.ForeignKey(
        DocumentRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was heard, and its title and who said it (session titles can name people), are
    # encrypted at rest: the database cannot search or sort them (see domain/search.py).
    title = EncryptedTextField(max_length=200)
    heard_from = EncryptedTextField(
        max_length=300, blank=True, help_text="Who spoke, by role or group, never by name"
    )
    body = EncryptedTextField(blank=True)
    kloes = models.ManyToManyField(Kloe, blank=True, related_name="evidence_notes")
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.NEUTRAL)
    # Rises with every save; a save based on an older revision is refused (see domain/notes.py).
    revision = models.PositiveIntegerField(default=0)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author"],
                condition=models.Q(session__isnull=False),
                name="one_note_per_peer_per_session",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Quote(Versioned):
    """Words worth quoting, attributed to a role group (never a name)."""

    note = models.ForeignKey(EvidenceNote, on_delete=models.CASCADE, related_name="quotes")
    text = EncryptedTextField()
    group = models.CharField("said by (role group)", max_length=120)
    group_size = models.PositiveSmallIntegerField(
        help_text="How many people are in that group: under 3 could point to one person"
    )
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Quote from {self.group}"

    @property
    def small_group(self) -> bool:
        return self.group_size < SMALL_GROUP

    @property
    def usable(self) -> bool:
        """May appear in outputs: a big enough group, or the PCM overrode with a reason."""
        return not self.small_group or bool(self.override_reason)


class Finding(CodedModel, Versioned):
    """A strength or an area for consideration, with the evidence behind (or against) it."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=10, choices=FindingKind.choices)
    statement = models.TextField()
    kloe = models.ForeignKey(
        Kloe, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    author = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Its kept wordings (peerdiag.common.versioning), deleted with it.
    revisions = GenericRelation(Revision)

    class Meta:
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return self.statement[:80]


class FindingEvidence(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="links")
    note = models.ForeignKey(EvidenceNote, on_delete=models.CASCADE, related_name="links")
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.SUPPORTS)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "note"], name="one_link_per_note")
        ]

    def __str__(self) -> str:
        return f"{self.note} {self.stance} {self.finding}"


class Recommendation(CodedModel, Versioned):
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField()
    findings = models.ManyToManyField(Finding, blank=True, related_name="recommendations")
    author = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Its kept wordings (peerdiag.common.versioning), deleted with it.
    revisions = GenericRelation(Revision)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class KitDigest(CodedModel, Versioned):
    """Emerging themes for one KIT meeting: drafted for the lead peer, who edits the items and
    marks which were shared. The sponsor sees only the shared items."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="kit_digests")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    previews_final_messages = models.BooleanField(
        default=False, help_text="The sponsor was given a preview of the final messages"
    )
    sponsor_response = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"KIT digest of {self.created_at:%d %b %Y}"


class DigestItem(TimeStampedModel, Versioned):
    digest = models.ForeignKey(KitDigest, on_delete=models.CASCADE, related_name="items")
    text = EncryptedTextField()
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
