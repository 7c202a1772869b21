"""Forms of the insight pages: search, and editing and sharing a KIT digest. They parse and
validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.findings.models import DigestItem

from .diagnostics import DomainErrorsMixin


class SearchForm(forms.Form):
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Search notes, findings and recommendations",
        help_text="For example ‘front door thresholds’",
    )


class DigestItemsForm(DomainErrorsMixin, forms.Form):
    """Every item of a draft digest: its words and whether it was shared."""

    def __init__(self, *args: Any, items: list[DigestItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for n, item in enumerate(items, start=1):
            self.fields[f"text_{item.pk}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=2000,
                initial=item.text,
                label=f"Item {n}",
                error_messages={"required": f"Write item {n}, or remove it"},
            )
            self.fields[f"shared_{item.pk}"] = forms.BooleanField(
                required=False, initial=item.shared, label=f"Item {n} was shared with the sponsor"
            )

    def rows(self) -> list[tuple[DigestItem, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"text_{i.pk}"], self[f"shared_{i.pk}"]) for i in self.items]

    def changes(self) -> list[tuple[DigestItem, str, bool]]:
        return [
            (i, self.cleaned_data[f"text_{i.pk}"], self.cleaned_data[f"shared_{i.pk}"])
            for i in self.items
        ]


class DigestItemForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Add an item",
        help_text="A theme in your own words: no names, and no quotes from small groups",
        error_messages={"required": "Write the item"},
    )


class ShareDigestForm(DomainErrorsMixin, forms.Form):
    previews_final_messages = forms.BooleanField(
        required=False, label="The meeting previewed the final messages with the sponsor"
    )
    sponsor_response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
        label="How the sponsor responded (optional)",
    )
