"""Forms of the case record review. They parse and validate; casereview/domain writes."""

from __future__ import annotations

from typing import Any

from django import forms

from peerdiag.casereview.domain.audits import GradeIn
from peerdiag.casereview.enums import (
    AgeBand,
    Grade,
    SharingMethod,
    audit_domains,
    domain_label,
)
from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.models import Person

from .common import DomainErrorsMixin
from .fields import GovukDateField, YesNoField
from .versioning import VersionedFormMixin

MAX_UPLOAD = 2 * 1024 * 1024


class _Versioned(VersionedFormMixin):
    """A versioned form on a page with several: its hidden version gets an id of its own."""

    version_id = "version"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].widget.attrs["id"] = self.version_id  # type: ignore[attr-defined]

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        """As VersionedFormMixin's, with choices shown by their labels rather than values."""
        super().show_conflict(error, current=current)
        form: Any = self
        for row in self.conflict.fields if self.conflict else []:
            field: Any = form.fields[row.name]
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                choices: Any = field.choices
                labels = {str(k): str(v) for k, v in choices}
                row.mine = labels.get(row.mine, row.mine) if row.mine else ""
                row.theirs = labels.get(row.theirs, row.theirs) if row.theirs else ""

    def show_stale(self, error: StaleEdit, *, what: str, not_done: str) -> None:
        """For a form with nothing of the person's to set beside the other's (a button, or a
        choice whose result is on the page): say who changed `what` and when, that `not_done`,
        and keep whatever they typed in the form."""
        form: Any = self
        data = form.data.copy()
        data[form.add_prefix("version")] = str(error.current_version)
        form.data = data
        form.add_error(
            None,
            f"{error.changed_by_name} changed {what} at {when_text(error.changed_at)}, after "
            f"you opened it, so {not_done}. Check the page as it is now and try again if you "
            "still want to",
        )


class SharingProposalForm(_Versioned, DomainErrorsMixin, forms.Form):
    """The organiser's proposal: how the cases are shared and whom to contact about access."""

    version_id = "proposal_version"

    method = forms.ChoiceField(
        choices=SharingMethod.choices,
        widget=forms.RadioSelect,
        label="How will the council share the cases?",
        error_messages={"required": "Choose how the council will share the cases"},
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Details (needed for another way)",
        help_text="For example, which system, when the accounts open and for how long",
        error_messages={"max_length": "The details can be up to 2000 characters"},
    )
    contact_name = forms.CharField(
        max_length=200,
        label="Name of the council's contact",
        help_text="The person the case auditors contact about access to the cases",
        error_messages={
            "required": "Enter the name of the council's contact",
            "max_length": "The name can be up to 200 characters",
        },
    )
    contact_email = forms.CharField(
        max_length=254,
        label="Their e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the contact's e-mail address",
            "max_length": "The e-mail address can be up to 254 characters",
        },
    )
    contact_phone = forms.CharField(
        required=False,
        max_length=40,
        label="Their telephone number (optional)",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"max_length": "The telephone number can be up to 40 characters"},
    )


class SharingDecisionForm(_Versioned, DomainErrorsMixin, forms.Form):
    """The PCM accepts the proposal on the page, or asks again with a reason."""

    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("ask_again", "Ask again")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose whether to accept the proposal"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="What should the council change?",
        help_text="The council sees this on the page",
        error_messages={"max_length": "The reason can be up to 2000 characters"},
    )

    def __init__(self, *args: Any, decision: str = "accept", **kwargs: Any) -> None:
        self.version_id = f"{decision}_version"
        kwargs.setdefault("auto_id", f"{decision}_%s")
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = decision


class ReferencePatternForm(_Versioned, DomainErrorsMixin, forms.Form):
    """The council's case reference format, as a regular expression (checked by the domain)."""

    version_id = "pattern_version"

    pattern = forms.CharField(
        required=False,
        max_length=200,
        label="The council's case reference format",
        help_text="A regular expression that every case reference must match in full. For "
        "example, ^[A-Z]{2}\\d{6}$ for 2 capital letters then 6 digits, or ^\\d{7}$ for 7 "
        "digits. Leave it empty to use the standard check.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"max_length": "The reference format can be up to 200 characters"},
    )


class UploadForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Upload the list as a CSV file",
        help_text="Columns: reference, cohort, team, legal_status, and no others. Pseudonymous "
        "references only: a file with names or dates, or with any other column, is refused.",
        error_messages={"required": "Choose a CSV file"},
    )

    def clean_file(self) -> bytes:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return bytes(f.read())


class DrawForm(_Versioned, DomainErrorsMixin, forms.Form):
    version_id = "draw_version"

    size = forms.IntegerField(
        min_value=1,
        max_value=100,
        label="Sample size",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Enter the sample size", "invalid": "Enter a whole number"},
    )
    seed = forms.CharField(
        required=False,
        max_length=32,
        label="Seed (optional)",
        help_text="Leave empty for a new random draw, or enter an earlier seed to draw the "
        "same sample",
    )


class ByHandForm(_Versioned, DomainErrorsMixin, forms.Form):
    version_id = "by_hand_version"

    entry = forms.CharField(
        max_length=16, label="Case", error_messages={"required": "Choose a case"}
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        label="Why this case",
        error_messages={"required": "Say why this case is chosen"},
    )


def _grade_choices(with_na: bool) -> list[tuple[str, str]]:
    return [(g.value, str(g.label)) for g in Grade if with_na or g != Grade.NA]


class AuditForm(_Versioned, DomainErrorsMixin, forms.Form):
    """Header fields, then a grade, evidence and commentary for each domain of domain.md (f).

    Drawn from one version of the audit, or NO_AUDIT_YET (0) before the first save."""

    first_save = True  # the page sends NO_AUDIT_YET (0) before the audit exists
    version_id = "audit_version"

    period_months = forms.IntegerField(
        min_value=1,
        max_value=36,
        initial=12,
        label="Months reviewed",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Enter the number of months reviewed"},
    )
    age_band = forms.ChoiceField(
        choices=[("", "Choose"), *AgeBand.choices], required=False, label="Age band"
    )
    placement_moves = forms.IntegerField(
        min_value=0,
        max_value=99,
        required=False,
        label="Placement moves (optional)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    referrals_last_year = forms.IntegerField(
        min_value=0,
        max_value=99,
        required=False,
        label="Referrals in the last 12 months (optional)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, diagnostic_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SEND headings on a SEND diagnostic, the social-care domains otherwise.
        self.headings = audit_domains(diagnostic_type)
        for value, label in self.headings:
            self.fields[f"{value}_grade"] = forms.ChoiceField(
                choices=_grade_choices(True),
                widget=forms.RadioSelect,
                required=False,
                label=f"Grade for {label[0].lower()}{label[1:]}",
            )
            self.fields[f"{value}_evidence"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=5000,
                label="Evidence",
            )
            self.fields[f"{value}_commentary"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=5000,
                label="Commentary",
            )
        self.fields["overall_grade"] = forms.ChoiceField(
            choices=_grade_choices(False),
            widget=forms.RadioSelect,
            required=False,
            label="Overall grade",
        )
        self.fields["difference"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            max_length=5000,
            label="What difference the work has made to the child",
        )

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        """Each domain's evidence and commentary are named with their domain in the panel."""
        super().show_conflict(error, current=current)
        for row in self.conflict.fields if self.conflict else []:
            dom, _, part = row.name.rpartition("_")
            if part in ("evidence", "commentary") and f"{dom}_grade" in self.fields:
                row.label = f"{domain_label(dom)}: {part}"

    def domain_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": label,
                "grade": self[f"{value}_grade"],
                "evidence": self[f"{value}_evidence"],
                "commentary": self[f"{value}_commentary"],
            }
            for value, label in self.headings
        ]

    def header(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            k: c.get(k) for k in ("period_months", "placement_moves", "referrals_last_year")
        } | {"age_band": c.get("age_band") or ""}

    def grades(self) -> dict[str, GradeIn]:
        c = self.cleaned_data
        return {
            value: GradeIn(c[f"{value}_grade"], c[f"{value}_evidence"], c[f"{value}_commentary"])
            for value, _ in self.headings
            if c.get(f"{value}_grade")
        }


class ConcernForm(DomainErrorsMixin, forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="What is the concern?",
        help_text="Say what you read that makes you think the child may be at risk. Use the case "
        "reference, never the child's name.",
        error_messages={"required": "Describe the concern"},
    )


class ReportTextForm(_Versioned, DomainErrorsMixin, forms.Form):
    version_id = "report_version"

    strengths = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
        label="Strengths",
        help_text="Themes across the cases; no child's details",
    )
    improvements = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
        label="Areas for improvement",
        help_text="Themes across the cases; no child's details",
    )


class ContactForm(DomainErrorsMixin, forms.Form):
    """A conversation with the case's practitioner or their manager (R27)."""

    contacted_on = GovukDateField(label="Date of the contact", help_text="For example, 4 3 2027")
    role_contacted = forms.CharField(
        max_length=100,
        label="Who you spoke to",
        help_text="Their role, for example ‘allocated social worker’, never their name",
        error_messages={"required": "Say who you spoke to (their role, not their name)"},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        label="What you discussed (optional)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].error_messages["required"] = "Enter the date of the contact"
        self.fields["contacted_on"].required = True


class ReviewActionForm(_Versioned, DomainErrorsMixin, forms.Form):
    """A button on the review page (share out, approve and issue), drawn from one version of
    the review so that nobody releases a sample or approves a report they have not seen."""

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        self.version_id = f"{action}_version"
        super().__init__(*args, **kwargs)


class AcknowledgeForm(_Versioned, DomainErrorsMixin, forms.Form):
    """Acknowledging a safeguarding concern, as of the version of it on the page."""


class ModerationForm(DomainErrorsMixin, forms.Form):
    """A second reading of a finished audit."""

    agrees = YesNoField(
        required=True,
        label="Do you agree with the grades given?",
        error_messages={"required": "Say whether you agree with the grades"},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        label="Your reasons",
        help_text="Needed when you disagree: say which grades and why",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "moderation_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agrees") is False and not (data.get("note") or "").strip():
            self.add_error("note", "Say which grades you disagree with and why")
        return data


class NamedContactForm(_Versioned, DomainErrorsMixin, forms.Form):
    version_id = "named_contact_version"

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        to_field_name="code",
        label="Named contact for safeguarding concerns",
        empty_label="Nobody named: the sponsor",
        help_text="The person at the council who is told at once of a safeguarding concern",
        error_messages={"invalid_choice": "Choose someone who works for the council"},
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(organisation=diagnostic.host_council).order_by(
            "full_name"
        )
        field.error_messages["invalid_choice"] = (
            f"Choose someone who works for {diagnostic.host_council.name}"
        )

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        """As for any versioned form, but both choices are shown by name, not by code."""
        super().show_conflict(error, current=current)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        names = {p.code: p.full_name for p in field.queryset or []}
        for row in self.conflict.fields if self.conflict else []:
            row.mine = names.get(row.mine, str(field.empty_label))
            row.theirs = names.get(row.theirs, str(field.empty_label))
