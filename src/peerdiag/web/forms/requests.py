"""Forms for a council's request for a diagnostic. They parse; diagnostics/domain/requests.py
checks the rules (Mondays, the future, limits) and writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from peerdiag.diagnostics.domain.requests import MAX_CONCERNS, MAX_REASON, NAME_LIMIT
from peerdiag.diagnostics.enums import DiagnosticType

from .common import DomainErrorsMixin
from .diagnostics import VersionedForm
from .fields import GovukDateField


def _text(label: str, required: str, **kwargs: Any) -> forms.CharField:
    # No max_length here: the domain refuses text over its limit with a message naming it.
    return forms.CharField(label=label, error_messages={"required": required}, **kwargs)


class CouncilRequestForm(DomainErrorsMixin, forms.Form):
    type = forms.ChoiceField(
        choices=DiagnosticType.choices,
        widget=forms.RadioSelect,
        label="Type of diagnostic",
        error_messages={"required": "Choose the type of diagnostic"},
    )
    type_other = forms.CharField(required=False, label="If other, what kind of diagnostic")
    concerns = _text(
        "What worries you",
        "Tell us what worries you",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            f"A few sentences, up to {MAX_CONCERNS} characters. Do not name any child or family."
        ),
    )
    week_1 = GovukDateField(
        label="First preferred week",
        help_text="The Monday the week starts on, for example 1 3 2027",
    )
    week_2 = GovukDateField(required=False, label="Second preferred week (optional)")
    week_3 = GovukDateField(required=False, label="Third preferred week (optional)")
    sponsor_name = _text("Sponsor's full name", "Enter the sponsor's name")
    sponsor_email = forms.EmailField(
        label="Sponsor's e-mail address",
        error_messages={
            "required": "Enter the sponsor's e-mail address",
            "invalid": "Enter an e-mail address in the right form, like name@council.gov.uk",
        },
    )
    sponsor_job_title = _text(
        "Sponsor's job title",
        "Enter the sponsor's job title",
        help_text="Usually the Director of Children's Services or equivalent",
    )
    organiser_name = _text("Organiser's full name", "Enter the organiser's name")
    organiser_email = forms.EmailField(
        label="Organiser's e-mail address",
        error_messages={
            "required": "Enter the organiser's e-mail address",
            "invalid": "Enter an e-mail address in the right form, like name@council.gov.uk",
        },
    )
    organiser_job_title = _text("Organiser's job title", "Enter the organiser's job title")

    LIMITS = {
        "type_other": NAME_LIMIT,
        "sponsor_name": NAME_LIMIT,
        "sponsor_job_title": NAME_LIMIT,
        "organiser_name": NAME_LIMIT,
        "organiser_job_title": NAME_LIMIT,
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == DiagnosticType.OTHER and not data.get("type_other", "").strip():
            self.add_error("type_other", "Say what kind of diagnostic this is")
        for name, limit in self.LIMITS.items():
            if len(str(data.get(name) or "").strip()) > limit:
                self.add_error(name, f"Use {limit} characters or fewer")
        return data

    def weeks(self) -> list[date]:
        return [
            self.cleaned_data[n] for n in ("week_1", "week_2", "week_3") if self.cleaned_data.get(n)
        ]


class DeclineRequestForm(VersionedForm, DomainErrorsMixin, forms.Form):
    reason = _text(
        "Why the LGA is declining",
        "Give a reason the council will see",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"The council will read this. Up to {MAX_REASON} characters.",
    )
