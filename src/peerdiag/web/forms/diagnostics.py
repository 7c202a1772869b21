"""Forms for a diagnostic and its parts. They parse and validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from peerdiag.common.versioning import StaleEdit
from peerdiag.diagnostics.enums import (
    CouncilRoleKind,
    DiagnosticType,
    EndorsementStatus,
    FeedbackFormat,
    Platform,
    Stage,
    Suitability,
)
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.enums import OrganisationKind, Region
from peerdiag.directory.models import Organisation, Person

from .common import DomainErrorsMixin
from .fields import GovukDateField, GovukDateWidget, YesNoField
from .versioning import ConflictField, VersionedFormMixin


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


def _date_words(value: Any) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


class VersionedForm(VersionedFormMixin):
    """A versioned form whose conflict panel copes with dates, yes/no answers, tick boxes and
    choices (shown by their labels, not their codes)."""

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        form: Any = self
        dates, plain = {}, {}
        for name, value in current.items():
            field = form.fields[name]
            if isinstance(field, GovukDateField):
                dates[name] = value
            elif isinstance(field, YesNoField):
                plain[name] = "" if value is None else ("yes" if value else "no")
            elif isinstance(field, forms.BooleanField):
                plain[name] = "on" if value else ""
            elif isinstance(field, forms.DateTimeField) and value:
                plain[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
            else:
                plain[name] = value
        super().show_conflict(error, current=plain)
        assert self.conflict is not None
        for row in self.conflict.fields:
            field = form.fields[row.name]
            if isinstance(field, forms.BooleanField):
                row.mine, row.theirs = ("Yes" if v else "No" for v in (row.mine, row.theirs))
            elif getattr(field, "choices", None):
                words = {str(v): str(label) for v, label in field.choices}
                row.mine, row.theirs = (
                    ", ".join(words.get(v, v) for v in text.split(", ")) if text else ""
                    for text in (row.mine, row.theirs)
                )
        for name, value in dates.items():
            for i, part in enumerate(GovukDateWidget().decompress(value)):
                form.data[f"{name}_{i}"] = "" if part is None else str(part)
            # show_conflict follows a valid form, so cleaned_data holds the date they typed.
            mine = form.cleaned_data.get(name)
            if mine != value:
                self.conflict.fields.append(
                    ConflictField(
                        name=name,
                        label=str(form[name].label),
                        mine=_date_words(mine),
                        theirs=_date_words(value),
                        long=False,
                    )
                )


class DiagnosticCreateForm(DomainErrorsMixin, forms.Form):
    host_council = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.COUNCIL),
        label="Host council",
        empty_label="Choose a council",
        error_messages={"required": "Choose the host council"},
        to_field_name="code",
    )
    title = forms.CharField(
        max_length=200,
        label="Title",
        help_text="A short name the team will recognise, for example ‘Front door and early help’",
        error_messages={"required": "Enter a title"},
    )
    type = forms.ChoiceField(
        choices=DiagnosticType.choices,
        widget=forms.RadioSelect,
        label="Type of diagnostic",
        error_messages={"required": "Choose the type of diagnostic"},
    )
    type_other = forms.CharField(
        max_length=200, required=False, label="If other, what kind of diagnostic"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == DiagnosticType.OTHER and not data.get("type_other", "").strip():
            self.add_error("type_other", "Say what kind of diagnostic this is")
        return data


class DetailsForm(VersionedForm, DomainErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    type = forms.ChoiceField(
        choices=DiagnosticType.choices,
        widget=forms.RadioSelect,
        label="Type of diagnostic",
        error_messages={
            "required": "Choose the type of diagnostic",
            "invalid_choice": "Choose the type of diagnostic",
        },
    )
    type_other = forms.CharField(max_length=200, required=False, label="If other, what kind")
    focus_statement = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Focus statement",
        help_text="The one specific part of children's services this diagnostic looks at",
    )
    covid_theme = YesNoField(label="Is the response to COVID-19 a theme?")
    online_platform = forms.ChoiceField(
        choices=_blank("Not chosen yet", Platform.choices),
        required=False,
        label="Online platform the council proposes",
    )
    online_platform_other = forms.CharField(
        max_length=100, required=False, label="If other, which platform"
    )
    case_review_in_scope = YesNoField(label="Is a case record review in scope?")
    written_feedback_format = forms.ChoiceField(
        choices=_blank("Not chosen yet", FeedbackFormat.choices),
        required=False,
        label="Written feedback format",
    )
    internal_notes = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Internal notes",
        help_text="Seen by the LGA and the peer team only, never by the council",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == DiagnosticType.OTHER and not data.get("type_other", "").strip():
            self.add_error("type_other", "Say what kind of diagnostic this is")
        if (
            data.get("online_platform") == Platform.OTHER
            and not data.get("online_platform_other", "").strip()
        ):
            self.add_error("online_platform_other", "Name the platform")
        return data


class Day1Form(VersionedForm, DomainErrorsMixin, forms.Form):
    day1 = GovukDateField(
        required=False,
        label="Delivery day 1",
        help_text="Normally a Monday. Leave empty to clear it. For example, 1 3 2027",
    )
    # Shown to LGA administrators only (a day 1 in the past is refused otherwise).
    already_held = forms.BooleanField(
        required=False,
        label="This diagnostic was already held; I am recording it",
        help_text="Only for a day 1 in the past",
    )

    def __init__(self, *args: Any, may_record_past: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_record_past:
            del self.fields["already_held"]


class KloeForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea,
        max_length=1000,
        label="Key line of enquiry",
        help_text="A question the peer team will test, for example ‘How consistently are "
        "thresholds applied at the front door?’",
        error_messages={"required": "Enter the key line of enquiry"},
    )
    theme = forms.CharField(max_length=100, required=False, label="Theme (optional)")


class KloeEditForm(VersionedForm, KloeForm):
    """An existing key line of enquiry, drawn from one version of it."""


class ReasonForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea, label="Reason", error_messages={"required": "Give a reason"}
    )


class CouncilRoleForm(DomainErrorsMixin, forms.Form):
    role = forms.ChoiceField(
        choices=CouncilRoleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Someone already known",
        empty_label="Choose a person",
        to_field_name="code",
    )
    new_name = forms.CharField(max_length=200, required=False, label="Or a new person: full name")
    new_job_title = forms.CharField(max_length=200, required=False, label="Job title")
    new_email = forms.EmailField(required=False, label="E-mail address")
    new_is_dcs = forms.BooleanField(
        required=False, label="Director of Children's Services (or equivalent)"
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation=diagnostic.host_council
        ).order_by("full_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person") and not data.get("new_name", "").strip():
            self.add_error("person", "Choose a person, or enter a new person's name")
        if data.get("person") and data.get("new_name", "").strip():
            self.add_error("new_name", "Choose someone known or enter a new person, not both")
        return data


class EndorsementForm(VersionedForm, DomainErrorsMixin, forms.Form):
    first_save = True

    status = forms.ChoiceField(
        choices=EndorsementStatus.choices,
        widget=forms.RadioSelect,
        label="Where is the endorsement?",
        error_messages={"required": "Say whether the endorsement is given or pending"},
    )
    given_on = GovukDateField(required=False, label="Date given")
    note = forms.CharField(widget=forms.Textarea, required=False, label="Note")
    file = forms.FileField(required=False, label="Letter or e-mail (optional)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = data.get("status") == EndorsementStatus.GIVEN
        if given and not data.get("given_on") and "given_on" not in self.errors:
            self.add_error("given_on", "Enter the date the endorsement was given")
        return data


class ScopingForm(VersionedForm, DomainErrorsMixin, forms.Form):
    first_save = True

    scheduled_for = forms.DateTimeField(
        required=False,
        label="Meeting booked for",
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="The online scoping meeting with the sponsor",
    )
    held_on = GovukDateField(required=False, label="Date the meeting was held")
    attendees = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who attended",
        to_field_name="code",
    )
    suitability = forms.ChoiceField(
        choices=Suitability.choices,
        required=False,
        widget=forms.RadioSelect,
        label="Is a diagnostic the right tool?",
    )
    suitability_rationale = forms.CharField(widget=forms.Textarea, required=False, label="Why")
    team_requirements = forms.CharField(
        widget=forms.Textarea, required=False, label="What the peer team needs"
    )
    background_information = forms.CharField(
        widget=forms.Textarea, required=False, label="Background information shared"
    )
    case_list_names = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Case lists agreed for the case record review",
        help_text="One list name a line, for example ‘Children on protection plans, last 6 months’",
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(
                Q(organisation=diagnostic.host_council_id) | Q(team_places__diagnostic=diagnostic)
            )
            .distinct()
            .order_by("full_name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("suitability") and not data.get("suitability_rationale", "").strip():
            self.add_error("suitability_rationale", "Explain the suitability decision")
        return data


class DashboardFilterForm(forms.Form):
    stage = forms.ChoiceField(choices=_blank("Any stage", Stage.choices), required=False)
    type = forms.ChoiceField(
        choices=_blank("Any type", DiagnosticType.choices), required=False, label="Type"
    )
    region = forms.ChoiceField(choices=_blank("Any region", Region.choices), required=False)
