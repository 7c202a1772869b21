"""Forms for attendees, the availability grid and the spreadsheet upload."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms

from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.timetable.domain.attendees import Window, hour_blocks
from peerdiag.timetable.domain.spreadsheet import MAX_BYTES
from peerdiag.timetable.enums import HEARING_DAYS
from peerdiag.timetable.models import Timetable

from .common import DomainErrorsMixin
from .timetable import TimetableConflictMixin
from .versioning import Conflict, ConflictField, VersionedFormMixin

ALL_WEEK, SOME_TIMES = "all_week", "times"


class AttendeeForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=200, label="Full name", error_messages={"required": "Enter the person's name"}
    )
    job_title = forms.CharField(max_length=200, required=False, label="Job title (optional)")
    email = forms.EmailField(
        required=False,
        label="Email address (optional)",
        help_text="Needed to send them invitations",
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org"
        },
    )
    group = forms.CharField(
        max_length=120,
        label="Stakeholder group",
        help_text="For example Social workers, Team managers, Police or Schools",
        error_messages={"required": "Enter their stakeholder group"},
    )
    young_person = forms.BooleanField(
        required=False,
        label="This is a child or young person (they take part with a supporting adult)",
    )


class AttendeeEditForm(TimetableConflictMixin, AttendeeForm):
    """An attendee's details, drawn from one version of them (a stale save is refused)."""

    DETAILS = ("name", "job_title", "email", "group", "young_person")

    @staticmethod
    def initial_of(a: Any) -> dict[str, Any]:
        return {name: getattr(a, name) for name in AttendeeEditForm.DETAILS}

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.DETAILS}


def _cell_name(day: int, start: time) -> str:
    return f"d{day}_{start:%H%M}"


def _cell_on(attendee: bool, windows: list[Window], day: int, start: time, end: time) -> bool:
    """Whether a block is ticked. Blocks only partly covered: an attendee's stay unticked (free
    time is never widened), a peer's ticked (time off is never narrowed)."""
    mine = [w for w in windows if w.day == day]
    if attendee:
        return any(w.start <= start and end <= w.end for w in mine)
    return any(w.start < end and start < w.end for w in mine)


class AvailabilityGridForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """One checkbox per delivery day and hourly block; for attendees, all week or some times.

    For an attendee a ticked block means free then; for a peer it means not available then.
    """

    windows = forms.CharField(required=False, widget=forms.HiddenInput)  # for domain errors

    def __init__(
        self,
        *args: Any,
        timetable: Timetable,
        attendee: bool,
        current: list[Window],
        all_week: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.blocks = hour_blocks(timetable)
        self.attendee = attendee
        for day in HEARING_DAYS:
            for start, end in self.blocks:
                on = _cell_on(attendee, current, day, start, end)
                self.fields[_cell_name(day, start)] = forms.BooleanField(required=False, initial=on)
        if attendee:
            self.fields["when"] = forms.ChoiceField(
                choices=[
                    (ALL_WEEK, "Available all week"),
                    (SOME_TIMES, "Only at the times ticked"),
                ],
                widget=forms.RadioSelect,
                label="When are they available?",
                help_text="The ticks below count only if you choose the times ticked",
                initial=ALL_WEEK if all_week else SOME_TIMES,
                error_messages={"required": "Choose when they are available"},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.attendee and data.get("when") == SOME_TIMES and not self.ticked():
            self.add_error(
                "windows",
                "Tick at least one time they are available, or choose available all week",
            )
        return data

    def ticked(self) -> list[tuple[int, time]]:
        data = getattr(self, "cleaned_data", {})
        return [
            (day, start)
            for day in HEARING_DAYS
            for start, _ in self.blocks
            if data.get(_cell_name(day, start))
        ]

    def all_week(self) -> bool:
        return self.attendee and self.cleaned_data.get("when") == ALL_WEEK

    def show_grid_conflict(
        self,
        error: StaleEdit,
        *,
        current: list[Window],
        all_week: bool,
        label: str,
        mine: str,
        theirs: str,
    ) -> None:
        """Someone saved since the grid was opened: tick what is saved now, keep the person's
        own choice beside it in words (`mine`, `theirs`), and move the version on."""
        data: Any = self.data.copy()  # type: ignore[attr-defined]
        for day in HEARING_DAYS:
            for start, end in self.blocks:
                name = _cell_name(day, start)
                if _cell_on(self.attendee, current, day, start, end):
                    data[name] = "on"
                else:
                    data.pop(name, None)
        if self.attendee:
            data["when"] = ALL_WEEK if all_week else SOME_TIMES
        data["version"] = str(error.current_version)
        self.data = data
        rows = [] if mine == theirs else [ConflictField("windows", label, mine, theirs, True)]
        self.conflict = Conflict(
            by=error.changed_by_name, at=when_text(error.changed_at), fields=rows
        )
        self.add_error(None, error.message)

    def rows(self, labels: dict[int, str], dates: dict[int, date]) -> list[dict[str, Any]]:
        """The table's rows: a day with its date, and a cell per block with its checkbox."""
        word = "Available" if self.attendee else "Not available"
        out = []
        for day in HEARING_DAYS:
            cells = []
            for start, end in self.blocks:
                bound = self[_cell_name(day, start)]
                cells.append(
                    {
                        "name": bound.html_name,
                        "id": bound.auto_id,
                        "checked": bool(bound.value()),
                        "label": f"{word} {labels[day]}, {start:%H:%M} to {end:%H:%M}",
                    }
                )
            out.append({"day": day, "label": labels[day], "date": dates.get(day), "cells": cells})
        return out


class ImportForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Upload the spreadsheet",
        help_text="An Excel workbook (.xlsx) or a CSV file, smaller than 2 MB",
        error_messages={
            "required": "Choose the spreadsheet to upload",
            "empty": "The selected file is empty",
            "invalid": "Choose the spreadsheet to upload",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return upload
