"""The sponsor's answer on the scope, and the scoping meeting's link (issue 17)."""

from __future__ import annotations

from django import forms

from peerdiag.diagnostics.domain.scope import COMMENT_LIMIT
from peerdiag.diagnostics.models import ScopeDecision

from .common import DomainErrorsMixin
from .diagnostics import VersionedForm


class ScopeAnswerForm(DomainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[
            (ScopeDecision.CONFIRMED, "I confirm the scope as shown"),
            (ScopeDecision.CHANGES_REQUESTED, "I ask for changes"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you confirm the scope or ask for changes"},
    )
    comment = forms.CharField(
        label="What should change (needed if you ask for changes)",
        widget=forms.Textarea,
        required=False,
        max_length=COMMENT_LIMIT,
        help_text="Do not write the name of any child or family.",
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput)


class ScopingLinkForm(VersionedForm, DomainErrorsMixin, forms.Form):
    link = forms.CharField(
        label="Meeting link",
        required=False,
        max_length=500,
        help_text="The link people use to join, starting with https:// (leave empty to remove it)",
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=240,
        error_messages={
            "required": "Enter how long the meeting lasts, in minutes",
            "invalid": "Enter the length as a number of minutes",
            "min_value": "The meeting lasts at least 15 minutes",
            "max_value": "The meeting lasts at most 240 minutes",
        },
    )
