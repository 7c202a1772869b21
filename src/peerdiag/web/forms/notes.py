"""Forms for evidence notes and quotes. They parse and validate; domain functions write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from peerdiag.common.errors import DomainError
from peerdiag.diagnostics.models import Diagnostic, Kloe
from peerdiag.documents.models import DocumentRequest
from peerdiag.findings.domain.notes import (
    MAX_BODY,
    MAX_GROUP,
    MAX_HEARD_FROM,
    MAX_QUOTE,
    MAX_TITLE,
    refuse_if_too_long,
)
from peerdiag.findings.enums import Polarity, SourceType

from .common import DomainErrorsMixin
from .versioning import VersionedFormMixin

OTHER_GROUP = "__other__"


def at_most(limit: int, what: str) -> Callable[[str], None]:
    """A length limit checked on the server only, with the domain's message naming it.

    Used instead of a field's max_length, which would also put a maxlength attribute on the
    input: browsers then cut pasted text at the limit without a word. Here the person keeps
    everything they typed and is told how long it may be.
    """

    def check(value: str) -> None:
        try:
            refuse_if_too_long(value, limit=limit, field="", what=what)
        except DomainError as e:
            raise ValidationError(e.message, code="max_length") from None

    return check


def _kloe_choices(diagnostic: Diagnostic, kloes: list[Kloe] | None = None) -> list[tuple[str, str]]:
    rows = kloes if kloes is not None else list(diagnostic.kloes.all())
    return [(k.code, f"{k.order}. {k.text}") for k in rows]


class KloesMixin:
    cleaned_data: dict[str, Any]

    def chosen_kloes(self) -> list[Kloe]:
        codes = set(self.cleaned_data.get("kloes") or [])
        return [k for k in self.kloe_rows if k.code in codes]  # type: ignore[attr-defined]


class NoteForm(KloesMixin, DomainErrorsMixin, forms.Form):
    """What the author changes as they type: who spoke, the KLOEs, the polarity and the words."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    editor = forms.CharField(required=False, widget=forms.HiddenInput)
    heard_from = forms.CharField(
        validators=[at_most(MAX_HEARD_FROM, "Heard from")],
        required=False,
        label="Heard from",
        help_text="By role or group, never by name",
    )
    kloes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Key lines of enquiry"
    )
    polarity = forms.ChoiceField(
        choices=Polarity.choices,
        widget=forms.RadioSelect,
        label="What does it say?",
        initial=Polarity.NEUTRAL,
        error_messages={"required": "Choose strength, concern or neutral"},
    )
    body = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Notes",
        strip=False,
        validators=[at_most(MAX_BODY, "A note")],
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, kloes: list[Kloe], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kloe_rows = kloes
        self.fields["kloes"].choices = _kloe_choices(diagnostic, kloes)  # type: ignore[attr-defined]


class AddNoteForm(KloesMixin, DomainErrorsMixin, forms.Form):
    """A note that is not tied to a session of the week."""

    source_type = forms.ChoiceField(
        choices=[
            (SourceType.DOCUMENT, "A document"),
            (SourceType.DATA, "Data"),
            (SourceType.OBSERVATION, "An observation"),
            (SourceType.CASE_REVIEW, "The case record review"),
            (SourceType.INTERVIEW, "An interview outside the timetable"),
            (SourceType.FOCUS_GROUP, "A focus group outside the timetable"),
        ],
        widget=forms.RadioSelect,
        label="Where does the evidence come from?",
        error_messages={"required": "Choose where the evidence comes from"},
    )
    title = forms.CharField(
        validators=[at_most(MAX_TITLE, "A title")],
        label="Title",
        help_text="For example ‘Re-referral rates, last 12 months’",
        error_messages={"required": "Give the note a title"},
    )
    document = forms.ChoiceField(
        required=False,
        label="Document (optional)",
        help_text="One of the key documents the council supplied",
    )
    heard_from = forms.CharField(
        validators=[at_most(MAX_HEARD_FROM, "Heard from")],
        required=False,
        label="Heard from (optional)",
        help_text="By role or group, never by name",
    )
    kloes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Key lines of enquiry"
    )
    polarity = forms.ChoiceField(
        choices=Polarity.choices,
        widget=forms.RadioSelect,
        label="What does it say?",
        initial=Polarity.NEUTRAL,
        error_messages={"required": "Choose strength, concern or neutral"},
    )
    body = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Notes",
        strip=False,
        validators=[at_most(MAX_BODY, "A note")],
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kloe_rows = list(diagnostic.kloes.all())
        self.fields["kloes"].choices = _kloe_choices(diagnostic, self.kloe_rows)  # type: ignore[attr-defined]
        self.documents = list(DocumentRequest.objects.filter(diagnostic=diagnostic))
        self.fields["document"].choices = [("", "None")] + [  # type: ignore[attr-defined]
            (r.code, r.title) for r in self.documents
        ]

    def chosen_document(self) -> DocumentRequest | None:
        code = self.cleaned_data.get("document") or ""
        return next((r for r in self.documents if r.code == code), None)


class QuoteForm(DomainErrorsMixin, forms.Form):
    """Words worth quoting, with the role group that said them and how big that group is."""

    text = forms.CharField(
        widget=forms.Textarea,
        label="What was said",
        validators=[at_most(MAX_QUOTE, "A quote")],
        error_messages={"required": "Enter the words that were said"},
    )
    group = forms.ChoiceField(label="Said by (role group)", required=False)
    group_other = forms.CharField(
        validators=[at_most(MAX_GROUP, "A role group")],
        required=False,
        label="Or type the role group",
        help_text="A role or group, never a person's name",
    )
    group_size = forms.IntegerField(
        min_value=1,
        max_value=999,
        required=False,
        label="How many people are in that group?",
        error_messages={
            "invalid": "Enter the number of people as a whole number",
            "min_value": "Enter a number of people of 1 or more",
        },
    )

    def __init__(self, *args: Any, groups: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        self.fields["group"].choices = (  # type: ignore[attr-defined]
            [("", "Choose a group")]
            + [(g, f"{g} ({n} in the session)") for g, n in groups.items()]
            + [(OTHER_GROUP, "Another group (type it below)")]
        )
        if groups:
            counts = ", ".join(f"{g} {n}" for g, n in groups.items())
            self.fields["group_size"].help_text = (
                f"Leave blank to use the number who came to this session ({counts}). "
                "Fewer than 3 keeps the quote out of every output."
            )
        else:
            self.fields[
                "group_size"
            ].help_text = "Fewer than 3 keeps the quote out of every output."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("group") or ""
        other = (data.get("group_other") or "").strip()
        group = other if other and chosen in ("", OTHER_GROUP) else chosen
        if group == OTHER_GROUP:
            group = ""
        if not group:
            self.add_error("group", "Say which role group said it (never a name)")
            return data
        data["role_group"] = group
        if data.get("group_size") is None and "group_size" not in self.errors:
            if group in self.groups:
                data["group_size"] = self.groups[group]
            else:
                self.add_error("group_size", "Enter how many people are in that group")
        return data


class OverrideForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """The PCM's reason for letting a quote in, drawn from one version of the quote."""

    reason = forms.CharField(
        widget=forms.Textarea,
        validators=[at_most(2000, "A reason")],
        label="Why is it safe to use this quote?",
        help_text="For example, the group agreed to be quoted, or the words cannot point to anyone",
        error_messages={"required": "Give the reason it is safe to use this quote"},
    )


class NoteFilterForm(forms.Form):
    kloe = forms.ChoiceField(required=False, label="Key line of enquiry")
    polarity = forms.ChoiceField(
        required=False, label="Polarity", choices=[("", "Any"), *Polarity.choices]
    )
    source = forms.ChoiceField(
        required=False, label="Source", choices=[("", "Any"), *SourceType.choices]
    )

    def __init__(self, *args: Any, kloes: list[Kloe], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = [(k.code, f"{k.order}. {k.text}") for k in kloes]
        self.fields["kloe"].choices = [("", "Any"), *rows]  # type: ignore[attr-defined]
