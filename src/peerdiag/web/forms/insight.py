"""Forms of the insight pages: search, and editing and sharing a KIT digest. They parse and
validate; domain functions write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from peerdiag.common.versioning import when_text
from peerdiag.findings.domain.digest import DigestItemsStale, ItemEdit, item_state
from peerdiag.findings.models import DigestItem

from .common import DomainErrorsMixin
from .diagnostics import VersionedForm
from .versioning import Conflict, ConflictField

OUT_OF_DATE = "This page is out of date: open the digest again and make your change"


class SearchForm(forms.Form):
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Search notes, findings and recommendations",
        help_text="For example ‘front door thresholds’",
    )


class DigestItemsForm(DomainErrorsMixin, forms.Form):
    """Every item of a draft digest: its words and whether it was shared, with the version of
    each item the page showed and a fingerprint of what it showed (so an item the person left
    alone is never written back over someone else's newer words).

    `removed` are items the page showed that are no longer there: what was sent for them is
    kept, to show beside the refusal."""

    conflict: Conflict | None = None

    def __init__(
        self, *args: Any, items: list[DigestItem], removed: Iterable[int] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.removed = list(removed)
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
            self.fields[f"version_{item.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=1,
                initial=item.version,
                error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
            )
            self.fields[f"shown_{item.pk}"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                initial=item_state(item.text, item.shared),
            )

    def rows(self) -> list[tuple[Any, ...]]:
        return [
            (
                i,
                self[f"text_{i.pk}"],
                self[f"shared_{i.pk}"],
                self[f"version_{i.pk}"],
                self[f"shown_{i.pk}"],
            )
            for i in self.items
        ]

    def edits(self) -> list[ItemEdit]:
        out = [
            ItemEdit(
                pk=i.pk,
                text=self.cleaned_data[f"text_{i.pk}"],
                shared=self.cleaned_data[f"shared_{i.pk}"],
                version=self.cleaned_data[f"version_{i.pk}"],
                shown=self.cleaned_data[f"shown_{i.pk}"],
            )
            for i in self.items
        ]
        for pk in self.removed:
            out.append(
                ItemEdit(
                    pk=pk,
                    text=str(self.data.get(f"text_{pk}", "")),
                    shared=bool(self.data.get(f"shared_{pk}")),
                    version=0,
                    shown="",
                )
            )
        return out

    def show_conflicts(self, error: DigestItemsStale) -> None:
        """Put what is saved now in the fields of the items that changed underneath, keep the
        person's own words beside them (`self.conflict`), and say what happened."""
        numbers = {i.pk: n for n, i in enumerate(self.items, start=1)}
        sent: Any = self.data
        data = sent.copy()
        rows = []
        people: list[str] = []
        latest = None
        for e in error.stale:
            item: DigestItem = e.current  # type: ignore[assignment]
            pk, n = item.pk, numbers.get(item.pk, 0)
            mine_text = str(self.data.get(f"text_{pk}", ""))
            mine_shared = bool(self.data.get(f"shared_{pk}"))
            data[f"text_{pk}"] = item.text
            if item.shared:
                data[f"shared_{pk}"] = "on"
            else:
                data.pop(f"shared_{pk}", None)
            data[f"version_{pk}"] = str(item.version)
            data[f"shown_{pk}"] = item_state(item.text, item.shared)
            if mine_text.strip() != item.text:
                rows.append(
                    ConflictField(f"text_{pk}", f"Item {n}", mine_text, item.text, long=True)
                )
            if mine_shared != item.shared:
                rows.append(
                    ConflictField(
                        f"shared_{pk}",
                        f"Item {n}: shared with the sponsor",
                        "Yes" if mine_shared else "No",
                        "Yes" if item.shared else "No",
                        long=False,
                    )
                )
            if e.changed_by_name not in people:
                people.append(e.changed_by_name)
            if e.changed_at is not None and (latest is None or e.changed_at > latest):
                latest = e.changed_at
        for edit in error.removed:
            rows.append(
                ConflictField(
                    f"removed_{edit.pk}",
                    "An item someone removed after you opened the digest",
                    edit.text,
                    "(removed)",
                    long=True,
                )
            )
        self.data = data
        self.conflict = Conflict(
            by=" and ".join(people) or "Someone", at=when_text(latest), fields=rows
        )
        self.add_error(None, error.message)


class DigestItemForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Add an item",
        help_text="A theme in your own words: no names, and no quotes from small groups",
        error_messages={"required": "Write the item"},
    )


class ShareDigestForm(VersionedForm, DomainErrorsMixin, forms.Form):
    """Recording what was shared, drawn from one version of the digest (the list of items the
    sponsor will see): refused if anything in it changed since."""

    previews_final_messages = forms.BooleanField(
        required=False, label="The meeting previewed the final messages with the sponsor"
    )
    sponsor_response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
        label="How the sponsor responded (optional)",
    )
