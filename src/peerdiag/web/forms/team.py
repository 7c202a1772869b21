"""Forms for the peer bench and the peer team. They parse and validate; domain functions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from peerdiag.diagnostics.enums import CouncilDecision, TeamRole
from peerdiag.diagnostics.models import Diagnostic
from peerdiag.directory.enums import Expertise, OrganisationKind, PeerRoleOffer, Region, Seniority
from peerdiag.directory.models import Organisation, Person

from .common import DomainErrorsMixin
from .diagnostics import VersionedForm
from .fields import GovukDateField, YesNoField


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(v), str(lbl)) for v, lbl in choices]]


def _councils() -> Any:
    return Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name")


# The peer bench ---------------------------------------------------------------------------------


class BenchSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search the bench",
        help_text="Name, job title, council or words from the profile",
    )
    role = forms.ChoiceField(choices=_any("Any role", PeerRoleOffer.choices), required=False)
    expertise = forms.ChoiceField(choices=_any("Any expertise", Expertise.choices), required=False)
    region = forms.ChoiceField(choices=_any("Any region", Region.choices), required=False)


class PeerProfileForm(DomainErrorsMixin, forms.Form):
    seniority = forms.ChoiceField(
        choices=Seniority.choices,
        widget=forms.RadioSelect,
        label="Seniority",
        error_messages={"required": "Choose the peer's seniority"},
    )
    roles = forms.MultipleChoiceField(
        choices=PeerRoleOffer.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Roles the peer can fill",
        help_text="Only a director or assistant director can be a lead peer",
        error_messages={"required": "Choose at least one role the peer can fill"},
    )
    expertise = forms.MultipleChoiceField(
        choices=Expertise.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Areas of expertise",
        help_text="Select all that apply. Suggestions for a team match these against the key "
        "lines of enquiry.",
    )
    summary = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Profile the council will see",
        help_text="A few sentences on the peer's experience",
    )
    trained_on = GovukDateField(
        required=False,
        label="Date of peer training (optional)",
        help_text="For example, 14 9 2026",
    )
    availability_notes = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Availability (optional)",
        help_text="For example, months the peer cannot do, or how many diagnostics a year",
    )
    active = forms.BooleanField(required=False, initial=True, label="Available for new diagnostics")


class PeerProfileEditForm(VersionedForm, PeerProfileForm):
    """Someone's bench profile, drawn from one version of it (0: they had none yet)."""

    first_save = True


class BenchAddForm(PeerProfileForm):
    """A new person at a council and their bench profile, in one step."""

    council = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Council the peer works for",
        empty_label="Choose a council",
        to_field_name="code",
        error_messages={"required": "Choose the council the peer works for"},
    )
    full_name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter the peer's full name"}
    )
    job_title = forms.CharField(max_length=200, required=False, label="Job title")
    email = forms.EmailField(
        required=False,
        label="E-mail address",
        error_messages={"invalid": "Enter an e-mail address like name@council.gov.uk"},
    )

    field_order = ["council", "full_name", "job_title", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = _councils()  # type: ignore[attr-defined]


class RecentWorkForm(DomainErrorsMixin, forms.Form):
    council = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Council",
        empty_label="Choose a council",
        to_field_name="code",
        error_messages={"required": "Choose the council the work was for"},
    )
    ended_on = GovukDateField(
        required=False,
        label="When did the work end?",
        help_text="Leave empty if it still goes on. For example, 31 7 2025",
    )
    description = forms.CharField(
        max_length=200,
        required=False,
        label="What was the work? (optional)",
        help_text="For example, interim head of service, or a consultancy project",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = _councils()  # type: ignore[attr-defined]


# The peer team ----------------------------------------------------------------------------------


class ProposeForm(DomainErrorsMixin, forms.Form):
    """Put someone forward for a role on the team (from the suggestions or the picker)."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Person",
        empty_label="Choose a person",
        to_field_name="code",
        error_messages={
            "required": "Choose a person",
            "invalid_choice": "Choose someone from the list",
        },
    )
    role = forms.ChoiceField(
        choices=TeamRole.choices,
        widget=forms.RadioSelect,
        label="Role on the team",
        error_messages={"required": "Choose a team role"},
    )

    def __init__(self, *args: Any, diagnostic: Diagnostic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Peers come from the bench (people at other councils); the PCM from the LGA.
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            Person.objects.exclude(organisation=diagnostic.host_council)
            .exclude(team_places__diagnostic=diagnostic)
            .filter(
                Q(organisation__kind=OrganisationKind.LGA)
                | Q(organisation__kind=OrganisationKind.COUNCIL, peer_profile__active=True)
            )
            .select_related("organisation")
            .order_by("full_name")
        )
        self.fields["person"].label_from_instance = _person_label  # type: ignore[attr-defined]


def _person_label(p: Person) -> str:
    return ", ".join(part for part in (p.full_name, p.job_title, p.organisation.name) if part)


class ContinuesForm(VersionedForm, forms.Form):
    continues = YesNoField(
        required=True,
        label="Carries on into delivery",
        error_messages={"required": "Say whether the case auditor carries on into delivery"},
    )


class DecisionForm(VersionedForm, DomainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (CouncilDecision.APPROVED.value, "Approve this peer"),
            (CouncilDecision.OBJECTED.value, "Object to this peer"),
        ],
        widget=forms.RadioSelect,
        label="Your decision",
        error_messages={"required": "Choose whether you approve this peer or object"},
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Reason for the objection",
        help_text="Needed if you object, for example a past working relationship. The peer "
        "challenge manager will read it and find someone else.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == CouncilDecision.OBJECTED and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for the objection")
        return data


class DeclarationForm(DomainErrorsMixin, forms.Form):
    worked_for_host = YesNoField(required=True, label="")
    details = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="If yes, what was the work and when did it end?",
    )

    def __init__(self, *args: Any, host: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worked_for_host"]
        field.label = f"Have you worked for {host} in the last three years?"
        field.help_text = "Include employment, interim posts, consultancy and secondments"
        field.error_messages["required"] = f"Say whether you have worked for {host}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("worked_for_host") and not data.get("details", "").strip():
            self.add_error("details", "Say what the work for the host council was")
        return data


class BriefingForm(VersionedForm, DomainErrorsMixin, forms.Form):
    """`version`: the latest briefing the PCM saw (0 when none had been issued)."""

    first_save = True

    file = forms.FileField(
        label="Upload the briefing",
        help_text="A PDF, Word or OpenDocument file, smaller than 25 MB. Every peer will be "
        "asked to read the new version.",
        error_messages={
            "required": "Choose the briefing file",
            "empty": "The file is empty",
            "invalid": "Choose the briefing file",
        },
    )


class ConfidentialityForm(VersionedForm, DomainErrorsMixin, forms.Form):
    """`version`: the agreement text's version the person saw (0 when there was none)."""

    first_save = True

    required = YesNoField(
        required=True,
        label="Must peers sign a confidentiality agreement?",
        error_messages={"required": "Say whether peers must sign a confidentiality agreement"},
    )
    text = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=50_000,
        label="Text of the agreement",
        help_text="Needed if peers must sign. If you change the text, every peer must sign again.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("required") and not data.get("text", "").strip():
            self.add_error("text", "Enter the text of the agreement peers will sign")
        return data


class SignForm(DomainErrorsMixin, forms.Form):
    typed_name = forms.CharField(
        max_length=200,
        label="Type your full name to sign",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Type your full name to sign the agreement"},
    )

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["typed_name"].help_text = f"As it appears here: {person.full_name}"
