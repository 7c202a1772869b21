"""Forms for the written feedback and the feedback exports. They parse; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.reports.domain.exports import DIAGNOSTIC_KINDS
from peerdiag.reports.domain.written import MAX_HEADING, MAX_TEXT
from peerdiag.reports.enums import ExportKind

from .common import DomainErrorsMixin
from .versioning import VersionedFormMixin

MOVES = ("submit", "pass_check", "return", "council_done", "issue")


class ParagraphForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """One section of the report, drawn from one version of it (a stale save is refused).

    No `max_length` here: it would put a maxlength on the fields, and browsers cut pasted text
    to it without a word. update_paragraph refuses text over the limit and names it; the form
    gives the whole text back.
    """

    heading = forms.CharField(
        label="Heading",
        help_text=f"Up to {MAX_HEADING} characters",
        error_messages={"required": "Enter the section's heading"},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        label="Text",
        help_text=f"Up to {MAX_TEXT:,} characters. Leave a blank line between paragraphs",
    )


class RestoreForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """Put an earlier wording of a section back; `version` is the one the history page showed."""

    restore = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the version to put back"},
    )


class CommentForm(DomainErrorsMixin, forms.Form):
    paragraph_key = forms.ChoiceField(
        label="Which part of the report is your comment about?",
        error_messages={
            "required": "Choose the part of the report",
            "invalid_choice": "Choose a part of the report",
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        label="Your comment",
        help_text="Say what is inaccurate and what it should say",
        error_messages={"required": "Enter your comment"},
    )

    def __init__(self, *args: Any, keys: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paragraph_key"].choices = keys  # type: ignore[attr-defined]


class RespondForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        label="Your response to the council",
    )
    resolve = forms.BooleanField(
        required=False, label="The comment is dealt with: mark it as resolved"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("resolve") and not (data.get("response") or "").strip():
            self.add_error("response", "Enter your response, or mark the comment as resolved")
        return data


class MoveForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """One step of the written feedback, from the version of it the page showed."""

    action = forms.ChoiceField(choices=[(m, m) for m in MOVES])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="What needs changing",
    )


class ExportForm(DomainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, ExportKind(k).label) for k in DIAGNOSTIC_KINDS],
        error_messages={"required": "Choose a file to build"},
    )
    draft = forms.ChoiceField(
        choices=[("0", "Final: approved findings only"), ("1", "Draft: includes unapproved")],
        required=False,
    )

    def is_draft(self) -> bool:
        return self.cleaned_data.get("draft") == "1"
