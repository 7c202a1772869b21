"""Forms for attendees, the availability grid and the spreadsheet upload."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms

from peerdiag.timetable.domain.attendees import Window, hour_blocks
from peerdiag.timetable.domain.spreadsheet import MAX_BYTES
from peerdiag.timetable.enums import HEARING_DAYS
from peerdiag.timetable.models import Timetable

from .diagnostics import DomainErrorsMixin

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


def _cell_name(day: int, start: time) -> str:
    return f"d{day}_{start:%H%M}"


class AvailabilityGridForm(DomainErrorsMixin, forms.Form):
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
                mine = [w for w in current if w.day == day]
                # Blocks only partly covered: an attendee's stay unticked (free time is never
                # widened), a peer's ticked (time off is never narrowed).
                if attendee:
                    on = any(w.start <= start and end <= w.end for w in mine)
                else:
                    on = any(w.start < end and start < w.end for w in mine)
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
