"""Forms of the schedule pages: generate, move a session, publish, compare versions, record
attendance."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from peerdiag.diagnostics.models import TeamMember
from peerdiag.timetable.domain.attendance import MOST_PEOPLE, NOTE_LIMIT, OUTCOMES
from peerdiag.timetable.domain.generate import MAX_SECONDS, MIN_SECONDS
from peerdiag.timetable.enums import HEARING_DAYS, MEETING_TYPES
from peerdiag.timetable.models import Session

from .common import DomainErrorsMixin
from .timetable import TimetableConflictMixin

OUT = "out"


class GenerateForm(DomainErrorsMixin, forms.Form):
    seconds = forms.IntegerField(
        label="How long may the scheduler take, in seconds?",
        help_text=f"Between {MIN_SECONDS} and {MAX_SECONDS}. Longer runs can find a better week.",
        initial=20,
        min_value=MIN_SECONDS,
        max_value=MAX_SECONDS,
        error_messages={
            "required": "Enter how many seconds the scheduler may take",
            "invalid": "Enter a whole number of seconds, like 20",
            "min_value": f"Give the scheduler at least {MIN_SECONDS} seconds",
            "max_value": f"Give the scheduler at most {MAX_SECONDS} seconds",
        },
    )


def _day_label(n: int, on: date | None) -> str:
    return f"Day {n}, {on:%A} {on.day} {on:%B %Y}" if on else f"Day {n}"


class MoveForm(TimetableConflictMixin, DomainErrorsMixin, forms.Form):
    """Where to put one session, drawn from one version of it: a move made from an old page
    (someone else, or a generate run, placed it since) is refused rather than undoing that."""

    day = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Which day?",
        error_messages={"required": "Choose a day, or take the session out of the week"},
    )
    start = forms.TimeField(
        required=False,
        label="Start time",
        help_text="Use the 24-hour clock, for example 09:30 or 14:00",
        # Shown as 12:00 (never 12:00:00), and seconds accepted all the same, so the form
        # always takes back the value it was drawn with.
        widget=forms.TimeInput(format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"invalid": "Enter the start time like 09:30"},
    )
    peers = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which peers?",
        help_text="If you tick nobody, the session keeps its required peers and others are "
        "added in team order.",
    )

    def __init__(
        self,
        *args: Any,
        session: Session,
        dates: dict[int, date],
        members: list[TeamMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.code: m for m in members}
        days = range(1, 8) if session.type in MEETING_TYPES else HEARING_DAYS
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            (str(n), _day_label(n, dates.get(n))) for n in days if n in dates
        ] + [(OUT, "Take it out of the week")]
        self.fields["peers"].choices = [  # type: ignore[attr-defined]
            (m.code, f"{m.person.full_name} ({m.get_role_display()})") for m in members
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start = data.get("day"), data.get("start")
        if day not in (None, "", OUT) and start is None and "start" not in self.errors:
            self.add_error("start", "Enter a start time")
        return data

    @staticmethod
    def initial_of(session: Session) -> dict[str, Any]:
        return {
            "day": str(session.day) if session.placed else None,
            "start": session.start,
            "peers": [m.code for m in session.peers.all()],
        }

    def chosen_day(self) -> int | None:
        day = self.cleaned_data["day"]
        return None if day == OUT else int(day)

    def chosen_peers(self) -> list[TeamMember]:
        return [self.members[c] for c in self.cleaned_data.get("peers") or [] if c in self.members]


class PublishForm(DomainErrorsMixin, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=300,
        label="Note for the version history (optional)",
        help_text="For example ‘Moved the partners' focus group to day 3’",
    )
    # Kept only when the draft has new or changed sessions dated before today (views/schedule).
    past_confirmed = forms.BooleanField(
        required=False,
        label="Publish these past sessions as a record; nobody is e-mailed about them",
    )

    def __init__(self, *args: Any, has_past: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_past:
            del self.fields["past_confirmed"]


class CompareForm(forms.Form):
    """Two versions to compare: ?from=N&to=M, where `to` may also be the draft."""

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(n), f"Version {n}") for n in numbers]
        self.fields["from"] = forms.TypedChoiceField(
            choices=choices,
            coerce=int,
            label="From",
            error_messages={"invalid_choice": "Choose a published version to compare from"},
        )
        self.fields["to"] = forms.ChoiceField(
            choices=[("draft", "The draft"), *choices],
            label="To",
            error_messages={"invalid_choice": "Choose a version or the draft to compare to"},
        )


class AttendanceForm(TimetableConflictMixin, DomainErrorsMixin, forms.Form):
    """What happened to one interview or focus group, and how many came from each group."""

    outcome = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What happened?",
        choices=[(k, label) for k, (_, label) in OUTCOMES.items()],
        error_messages={"required": "Choose what happened to the session"},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_LIMIT,
        label="Note (optional)",
        help_text="For example when a moved session will now take place. Do not name a child.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"The note can be up to {NOTE_LIMIT} characters: shorten it and save"
        },
    )

    def __init__(self, *args: Any, groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        for i, group in enumerate(groups):
            self.fields[f"count_{i}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=MOST_PEOPLE,
                label=group,
                error_messages={
                    "invalid": f"Enter how many people came from {group} as a whole number",
                    "min_value": f"The number for {group} cannot be below 0",
                    "max_value": f"The number for {group} can be at most {MOST_PEOPLE}",
                },
            )

    def count_fields(self) -> list[Any]:
        return [self[f"count_{i}"] for i in range(len(self.groups))]

    @staticmethod
    def initial_of(session: Session, groups: list[str]) -> dict[str, Any]:
        status_to_outcome = {status: k for k, (status, _) in OUTCOMES.items() if status}
        counted = {c.group.lower(): c.people for c in session.counts.all()}
        out: dict[str, Any] = {
            "outcome": status_to_outcome.get(session.status, "clear"),
            "note": session.attendance_note,
        }
        for i, group in enumerate(groups):
            out[f"count_{i}"] = counted.get(group.lower())
        return out

    def counts(self) -> dict[str, int | None]:
        return {group: self.cleaned_data.get(f"count_{i}") for i, group in enumerate(self.groups)}
