"""The form that confirms destroying a diagnostic's working data early (views/closing.py)."""

from __future__ import annotations

from django import forms

from .common import DomainErrorsMixin


class DestroyEarlyForm(DomainErrorsMixin, forms.Form):
    confirmation = forms.CharField(
        max_length=40,
        label="Type the diagnostic's reference to confirm",
        help_text="For example, RPD-2027-001",
        error_messages={"required": "Type the diagnostic's reference to confirm"},
    )
