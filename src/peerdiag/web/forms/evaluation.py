"""Forms for the evaluation survey, its outcome, the check-ins and the portfolio's filters.
They parse and validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.evaluation.domain.surveys import RATING_QUESTIONS, RATING_SCALE, RATINGS
from peerdiag.findings.enums import FindingKind

from .common import DomainErrorsMixin
from .fields import YES_NO, GovukDateField
from .versioning import VersionedFormMixin

RATING_HINTS = {
    "usefulness": "Think about whether it helped you understand your services",
    "accuracy": "Did the strengths and areas for consideration match what you know?",
    "team_quality": "Their preparation, how they worked with your staff, and their expertise",
    "impact": "On practice and on children and families",
}


def _rating_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[(str(k), v) for k, v in RATING_SCALE.items()],
        coerce=int,
        widget=forms.RadioSelect,
        label=RATING_QUESTIONS[name],
        help_text=RATING_HINTS[name],
        error_messages={"required": f"Choose a rating for: {RATING_QUESTIONS[name].lower()}"},
    )


class SurveyForm(DomainErrorsMixin, forms.Form):
    usefulness = _rating_field("usefulness")
    accuracy = _rating_field("accuracy")
    team_quality = _rating_field("team_quality")
    impact = _rating_field("impact")
    comments = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        label="Anything else you would like to tell us? (optional)",
        help_text="What went well and what could have been better",
    )
    further_support = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Would your council like further support from the LGA?",
        error_messages={"required": "Say whether your council would like further support"},
    )
    further_support_what = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        label="What support would help?",
    )

    field_order = [*RATINGS, "comments", "further_support", "further_support_what"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("further_support") == "yes"
            and not data.get("further_support_what", "").strip()
        ):
            self.add_error("further_support_what", "Say what support would help")
        return data

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in RATINGS},
            "comments": data["comments"],
            "further_support": data["further_support"] == "yes",
            "further_support_what": data["further_support_what"],
        }


class OutcomeForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    first_save = True  # the page sends NO_OUTCOME_YET (0) before any outcome is recorded
    # Optional here so the domain's message names what is missing.
    contacted_on = GovukDateField(
        required=False,
        label="Date the council was contacted",
        help_text="For example, 27 4 2027",
    )
    further_support = forms.CharField(
        widget=forms.Textarea,
        max_length=5000,
        label="Further support decided",
        help_text="What the LGA offered or agreed, or why no further support is needed",
        error_messages={"required": "Say what further support was decided, or that none is"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CheckInForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    held_on = GovukDateField(required=False, label="Date held", help_text="For example, 27 7 2027")
    notes = forms.CharField(
        widget=forms.Textarea,
        max_length=5000,
        label="What the check-in found",
        error_messages={"required": "Write what the check-in found"},
    )


def _blank(first: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", first), *choices]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search the statements")
    theme = forms.ChoiceField(choices=[("", "Any theme")], required=False, label="Theme")
    kind = forms.ChoiceField(
        choices=_blank(
            "Strengths and areas", [(str(v), str(lbl)) for v, lbl in FindingKind.choices]
        ),
        required=False,
        label="Kind",
    )

    def __init__(self, *args: Any, themes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = _blank("Any theme", [(t, t) for t in themes])  # type: ignore[attr-defined]
