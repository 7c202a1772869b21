"""Forms for findings, their evidence and recommendations. They parse; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.findings.enums import FindingKind, Stance
from peerdiag.findings.models import EvidenceNote, Finding

from .common import DomainErrorsMixin
from .versioning import VersionedFormMixin


def _kloe_choices(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    return [("", "Choose a line of enquiry")] + [
        (k.code, f"{k.order}. {k.text}") for k in diagnostic.kloes.all()
    ]


class FindingForm(DomainErrorsMixin, forms.Form):
    """A finding's kind, words and KLOE; on a new finding also the notes that support it."""

    kind = forms.ChoiceField(
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        label="What kind of finding is it?",
        error_messages={"required": "Choose strength or area for consideration"},
    )
    statement = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Finding",
        help_text="One clear statement the team could say to the council",
        error_messages={"required": "Write the finding as a statement"},
    )
    kloe = forms.ChoiceField(
        label="Key line of enquiry",
        error_messages={
            "required": "Choose the line of enquiry the finding answers",
            "invalid_choice": "Choose one of the lines of enquiry listed",
        },
    )
    evidence = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidence that supports it",
        error_messages={"invalid_choice": "Choose notes from the list"},
    )

    def __init__(
        self,
        *args: Any,
        diagnostic: Diagnostic,
        notes: list[EvidenceNote] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.diagnostic = diagnostic
        self.kloes = {k.code: k for k in diagnostic.kloes.all()}
        self.fields["kloe"].choices = _kloe_choices(diagnostic)  # type: ignore[attr-defined]
        if notes is None:
            del self.fields["evidence"]
            self.notes: dict[str, EvidenceNote] = {}
        else:
            self.notes = {n.code: n for n in notes}
            self.fields["evidence"].choices = [(n.code, n.title) for n in notes]  # type: ignore[attr-defined]

    def chosen_kloe(self) -> Kloe | None:
        return self.kloes.get(self.cleaned_data.get("kloe") or "")

    def chosen_notes(self) -> list[EvidenceNote]:
        return [self.notes[c] for c in self.cleaned_data.get("evidence") or []]


class FindingEditForm(VersionedFormMixin, FindingForm):
    """An existing finding, drawn from one version of it (a stale save is refused)."""


class LinkEvidenceForm(DomainErrorsMixin, forms.Form):
    """Link one more note to a finding, supporting or contradicting it."""

    note = forms.ChoiceField(
        label="Note",
        error_messages={
            "required": "Choose the note to link",
            "invalid_choice": "Choose one of the notes listed",
        },
    )
    stance = forms.ChoiceField(
        choices=Stance.choices,
        widget=forms.RadioSelect,
        label="Does it support or contradict the finding?",
        error_messages={"required": "Choose supports or contradicts"},
    )

    def __init__(self, *args: Any, notes: list[EvidenceNote], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes = {n.code: n for n in notes}
        self.fields["note"].choices = [("", "Choose a note")] + [  # type: ignore[attr-defined]
            (n.code, f"{n.title} ({n.get_source_type_display()}, {n.get_polarity_display()})")
            for n in notes
        ]
        if not self.is_bound:
            self.fields["stance"].initial = Stance.SUPPORTS

    def chosen_note(self) -> EvidenceNote:
        return self.notes[self.cleaned_data["note"]]


class RecommendationForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Recommendation",
        error_messages={"required": "Write the recommendation"},
    )
    # Not required here: the domain rule (at least one finding) gives the message.
    findings = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Findings it follows from",
        help_text="Choose at least one",
        error_messages={"invalid_choice": "Choose findings from the list"},
    )

    def __init__(self, *args: Any, findings: list[Finding], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found = {f.code: f for f in findings}
        self.fields["findings"].choices = [  # type: ignore[attr-defined]
            (f.code, f"{f.get_kind_display()}: {f.statement[:120]}") for f in findings
        ]

    def chosen_findings(self) -> list[Finding]:
        return [self.found[c] for c in self.cleaned_data.get("findings") or []]

    def finding_labels(self, codes: list[str]) -> str:
        """The findings named by `codes`, in words (for the conflict panel)."""
        labels = dict(self.fields["findings"].choices)  # type: ignore[attr-defined]
        return "; ".join(str(labels.get(c, "a finding removed since")) for c in codes) or "None"


class RecommendationEditForm(VersionedFormMixin, RecommendationForm):
    """An existing recommendation, drawn from one version of it (a stale save is refused)."""


class RestoreForm(forms.Form):
    """Put back an earlier version: carries the version the history page was drawn from."""

    version = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "This page is out of date: open the history again and choose once more",
            "invalid": "This page is out of date: open the history again and choose once more",
        },
    )
