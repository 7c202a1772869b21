"""Forms of the delivery week: settings, sessions and meeting links. They parse; domain writes."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms

from peerdiag.common.versioning import StaleEdit, when_text
from peerdiag.diagnostics.models import Diagnostic, TeamMember
from peerdiag.timetable.domain.coverage import Group
from peerdiag.timetable.domain.must_hear import REASON_LIMIT, ROLES
from peerdiag.timetable.domain.sessions import SLOT_CHOICES, SessionDetails
from peerdiag.timetable.enums import INTERNAL_TYPES, Priority, SessionType
from peerdiag.timetable.models import Attendee, Session, Timetable

from .common import DomainErrorsMixin
from .fields import GovukDateField
from .versioning import Conflict, ConflictField, VersionedFormMixin

TIME_HINT = "Use the 24-hour clock, for example 09:30"


def readable(field: forms.Field, value: Any) -> str:
    """A field's value as a person reads it: choice labels, Yes or No, 09:30, 15 February 2027."""
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if value is None or value == "" or value == []:
        return ""
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(k): str(v) for k, v in choices}
        values = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        known = [label for key, label in labels.items() if key in values]
        return ", ".join(known + sorted(v for v in values if v not in labels))
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _put(data: Any, bound: forms.BoundField, value: Any) -> None:
    """Put `value` (as the form's initial data holds it) in posted `data`, as a browser would."""
    name, widget = bound.html_name, bound.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
        data.setlist(name, [str(v) for v in value or []])
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
        else:
            data.pop(name, None)
    elif isinstance(widget, forms.MultiWidget):
        parts: list[Any] = widget.decompress(value) or []
        for i, part in enumerate(parts):
            data[f"{name}_{i}"] = "" if part is None else str(part)
    elif isinstance(value, time):
        data[name] = f"{value:%H:%M}"
    else:
        data[name] = "" if value is None else str(value)


class TimetableConflictMixin(VersionedFormMixin):
    """A versioned form whose conflict panel reads as people do: choices by their labels, ticks
    as Yes or No, times and dates written out, and only the fields that really differ.

    `show_conflict` takes `current` as the form's initial data holds it (the `initial_of` of
    what is saved now) and must be called on a valid form, whose cleaned values are the
    person's own.
    """

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        form: Any = self
        data = form.data.copy()
        mine = getattr(form, "cleaned_data", {})
        rows = []
        for name, theirs in current.items():
            if name not in form.fields:
                continue
            bound = form[name]
            field = bound.field
            mine_text = readable(field, mine.get(name))
            theirs_text = readable(field, theirs)
            _put(data, bound, theirs)
            if mine_text != theirs_text:
                rows.append(
                    ConflictField(
                        name=name,
                        label=str(bound.label),
                        mine=mine_text,
                        theirs=theirs_text,
                        long=isinstance(field.widget, forms.Textarea),
                    )
                )
        data["version"] = str(error.current_version)
        form.data = data
        self.conflict = Conflict(
            by=error.changed_by_name, at=when_text(error.changed_at), fields=rows
        )
        form.add_error(None, error.message)


def _time(label: str, *, required: bool = True, hint: str = TIME_HINT) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=hint,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a time, for example 09:30",
        },
    )


def _number(label: str, *, required: bool = True, hint: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=hint,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a whole number",
        },
    )


class WeekSettingsForm(TimetableConflictMixin, DomainErrorsMixin, forms.Form):
    """The week's settings, drawn from one version of them (a stale save is refused)."""

    day_start = _time("Start of the working day")
    day_end = _time("End of the working day")
    slot_minutes = forms.TypedChoiceField(
        label="Time slot",
        help_text="Sessions start on this grid from the start of the day",
        choices=[(str(n), f"{n} minutes") for n in SLOT_CHOICES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the time slot"},
    )
    lunch_earliest = _time("Earliest start of lunch")
    lunch_latest = _time("Latest end of lunch")
    lunch_minutes = _number("Lunch break in minutes", hint="Every peer gets this long, each day")
    peer_buffer_minutes = _number(
        "Break between a peer's sessions in minutes",
        hint="Time a peer has free between one session and the next",
    )
    max_sessions_per_day = _number(
        "Most sessions a peer sits in each day",
        required=False,
        hint="Leave blank for no limit",
    )

    @staticmethod
    def initial_of(t: Timetable) -> dict[str, Any]:
        return {
            "day_start": t.day_start,
            "day_end": t.day_end,
            "slot_minutes": str(t.slot_minutes),
            "lunch_earliest": t.lunch_earliest,
            "lunch_latest": t.lunch_latest,
            "lunch_minutes": t.lunch_minutes,
            "peer_buffer_minutes": t.peer_buffer_minutes,
            "max_sessions_per_day": t.max_sessions_per_day,
        }


DAY_CHOICES = [(str(n), f"Day {n}") for n in range(1, 8)]


class SessionForm(DomainErrorsMixin, forms.Form):
    type = forms.ChoiceField(
        label="Kind of session",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of session"},
    )
    title = forms.CharField(
        max_length=200,
        label="Title",
        help_text="What people will see in their invitation, for example ‘Front door social "
        "workers’",
        error_messages={"required": "Enter a title for the session"},
    )
    kloes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Key lines of enquiry covered"
    )
    group = forms.ChoiceField(
        required=False,
        label="Stakeholder group",
        help_text="Leave as ‘From the attendees’ to count the attendees' own groups",
    )
    group_other = forms.CharField(
        required=False, max_length=120, label="Or another stakeholder group"
    )
    attendees = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Attendees from the council"
    )
    head_count = _number(
        "People expected", required=False, hint="For a focus group: roughly how many will come"
    )
    priority = forms.ChoiceField(
        label="How important is it?",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        initial=Priority.SHOULD,
        error_messages={"required": "Choose how important the session is"},
    )
    minutes = _number("Length in minutes", hint="From 15 minutes to 8 hours")
    peers_needed = _number(
        "Peers needed",
        required=False,
        hint="How many peers sit in the session. Leave blank for the usual: two for interviews "
        "and focus groups (one asks, one takes notes), one for anything else",
    )
    whole_team = forms.BooleanField(required=False, label="The whole peer team attends")
    required_peers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Peers who must attend"
    )
    roles = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Key people it hears from",
        help_text="The coverage page checks the week hears from each of them. Choosing the "
        "director of children's services, the lead member or the chief executive makes the lead "
        "peer a peer who must attend",
    )
    chair = forms.ChoiceField(
        required=False,
        label="Chair",
        help_text="Leave blank for the usual: the lead peer chairs peer team meetings",
    )
    earliest_start = _time(
        "Earliest start (optional)",
        required=False,
        hint="No earlier than this on any day. Leave blank for the usual: any time, or from "
        "15:30 (after school) when children or young people take part. To allow any time with "
        "children or young people, for example in the school holidays, enter the start of the "
        "working day",
    )
    allowed_days = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Days it may take place",
        help_text="Leave all unticked for any day; interviews and focus groups are on days 1 to 5",
    )
    fixed_day = forms.TypedChoiceField(
        required=False,
        label="Fixed day (optional)",
        choices=[("", "Not fixed"), *DAY_CHOICES],
        coerce=int,
        empty_value=None,
    )
    fixed_start = _time("Fixed start (optional)", required=False)
    presentation_minutes = _number(
        "Council's presentation in minutes",
        required=False,
        hint="Inside the overview meeting, at most 20 minutes",
    )
    internal_only = forms.BooleanField(
        required=False, label="Private to the peer team (the council does not see it)"
    )
    platform_link = forms.CharField(required=False, max_length=500, label="Meeting link (optional)")
    young_people = forms.BooleanField(required=False, label="Children or young people take part")
    supporting_adult = forms.CharField(
        required=False,
        max_length=200,
        label="Supporting adult",
        help_text="Who supports the children or young people during the session",
    )
    consent_recorded_on = GovukDateField(
        required=False,
        label="Date consent was recorded",
        help_text="Needed before the timetable can be published, for example 15 2 2027",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea, max_length=2000, label="Notes")

    def __init__(
        self,
        *args: Any,
        diagnostic: Diagnostic,
        members: list[TeamMember],
        attendees: list[Attendee],
        groups: list[Group],
        other_groups: list[str],
        internal: bool,
        dates: dict[int, date],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.diagnostic = diagnostic
        self.internal = internal
        self.members = {m.code: m for m in members}
        self.attendee_map = {a.code: a for a in attendees}
        self.kloe_map = {k.code: k for k in diagnostic.kloes.order_by("order")}
        types = [(v, lbl) for v, lbl in SessionType.choices if internal or v not in INTERNAL_TYPES]
        self.fields["type"].choices = types  # type: ignore[attr-defined]
        self.fields["kloes"].choices = [  # type: ignore[attr-defined]
            (k.code, f"{k.order}. {k.text}") for k in self.kloe_map.values()
        ]
        self.fields["attendees"].choices = [  # type: ignore[attr-defined]
            (a.code, f"{a.name}{f', {a.job_title}' if a.job_title else ''} ({a.group})")
            for a in attendees
        ]
        self.fields["required_peers"].choices = [  # type: ignore[attr-defined]
            (m.code, f"{m.person.full_name}, {m.get_role_display().lower()}") for m in members
        ]
        self.fields["roles"].choices = [(r.key, r.short) for r in ROLES]  # type: ignore[attr-defined]
        self.fields["chair"].choices = [  # type: ignore[attr-defined]
            ("", "The usual"),
            *[(m.code, f"{m.person.full_name}, {m.get_role_display().lower()}") for m in members],
        ]
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            ("", "From the attendees"),
            *[(g.name, g.name) for g in groups],
            *[(name, name) for name in other_groups],
        ]

        def day_label(n: int) -> str:
            return (
                f"Day {n} ({dates[n]:%a} {dates[n].day} {dates[n]:%b})"
                if n in dates
                else (f"Day {n}")
            )

        self.fields["allowed_days"].choices = [  # type: ignore[attr-defined]
            (str(n), day_label(n)) for n in range(1, 6)
        ]
        self.fields["fixed_day"].choices = [  # type: ignore[attr-defined]
            ("", "Not fixed"),
            *[(str(n), day_label(n)) for n in range(1, 8)],
        ]
        if not internal:
            del self.fields["internal_only"]

    @staticmethod
    def initial_of(s: Session) -> dict[str, Any]:
        return {
            "type": s.type,
            "title": s.title,
            "kloes": [k.code for k in s.kloes.all()],
            "group": s.group,
            "attendees": [a.code for a in s.attendees.all()],
            "head_count": s.head_count,
            "priority": s.priority,
            "minutes": s.minutes,
            "peers_needed": s.peers_needed,
            "whole_team": s.whole_team,
            "required_peers": [m.code for m in s.required_peers.all()],
            "allowed_days": [str(n) for n in (s.allowed_days or [])],
            "fixed_day": s.fixed_day,
            "fixed_start": s.fixed_start,
            "presentation_minutes": s.presentation_minutes,
            "internal_only": s.internal_only,
            "platform_link": s.platform_link,
            "young_people": s.young_people,
            "supporting_adult": s.supporting_adult,
            "consent_recorded_on": s.consent_recorded_on,
            "notes": s.notes,
            "roles": list(s.roles or []),
            "earliest_start": s.earliest_start,
            "chair": s.chair.code if s.chair_id and s.chair else "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = (data.get("group_other") or "").strip()
        if other:
            data["group"] = other
        young = data.get("young_people") or any(
            self.attendee_map[c].young_person
            for c in data.get("attendees") or []
            if c in self.attendee_map
        )
        if young and not (data.get("supporting_adult") or "").strip():
            self.add_error(
                "supporting_adult",
                "Name the supporting adult for the children or young people taking part",
            )
        return data

    def details(self, keep_internal: bool = False) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            type=data["type"],
            title=data["title"],
            minutes=data["minutes"],
            priority=data["priority"],
            group=data.get("group") or "",
            kloes=tuple(self.kloe_map[c] for c in data["kloes"] if c in self.kloe_map),
            attendees=tuple(
                self.attendee_map[c] for c in data["attendees"] if c in self.attendee_map
            ),
            head_count=data.get("head_count"),
            peers_needed=data.get("peers_needed"),
            whole_team=bool(data.get("whole_team")),
            required_peers=tuple(
                self.members[c] for c in data["required_peers"] if c in self.members
            ),
            allowed_days=tuple(int(n) for n in data["allowed_days"]),
            fixed_day=data.get("fixed_day"),
            fixed_start=data.get("fixed_start"),
            internal_only=data.get("internal_only") if self.internal else keep_internal,
            presentation_minutes=data.get("presentation_minutes"),
            platform_link=data.get("platform_link") or "",
            young_people=bool(data.get("young_people")),
            supporting_adult=data.get("supporting_adult") or "",
            consent_recorded_on=data.get("consent_recorded_on"),
            notes=data.get("notes") or "",
            roles=tuple(data.get("roles") or ()),
            earliest_start=data.get("earliest_start"),
            chair=self.members.get(data.get("chair") or ""),
        )


class SessionEditForm(TimetableConflictMixin, SessionForm):
    """An existing session, drawn from one version of it (a stale save is refused)."""

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        super().show_conflict(error, current=current)
        data: Any = self.data
        data["group_other"] = ""  # what is saved is in the group list


OUT_OF_DATE = "This form is out of date: open the page again and make your change"


class LinksForm(DomainErrorsMixin, forms.Form):
    """One meeting-link box per session, named link_<code>, each with the version of its
    session (version_<code>), so every row is saved or refused on its own."""

    def __init__(
        self, *args: Any, sessions: list[Session], labels: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        self.conflicts: list[Conflict] = []
        for s in sessions:
            self.fields[f"link_{s.code}"] = forms.CharField(
                required=False,
                max_length=500,
                label=s.title,
                help_text=labels.get(s.pk, ""),
                initial=s.platform_link,
            )
            self.fields[f"version_{s.code}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=1,
                initial=s.version,
                error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
            )

    def links(self) -> dict[Session, str]:
        return {s: self.cleaned_data.get(f"link_{s.code}") or "" for s in self.sessions}

    def versions(self) -> dict[Session, int | None]:
        return {s: self.cleaned_data[f"version_{s.code}"] for s in self.sessions}

    def field_of(self, s: Session) -> str:
        return f"link_{s.code}"

    def link_fields(self) -> list[forms.BoundField]:
        return [self[f"link_{s.code}"] for s in self.sessions]

    def version_fields(self) -> list[forms.BoundField]:
        return [self[f"version_{s.code}"] for s in self.sessions]

    def show_stale(self, stale: dict[Session, StaleEdit]) -> None:
        """Rows someone changed since the page was opened: their link goes in the box, the
        one typed is kept beside it in a panel, the row's version moves on, and the error on
        the row names who changed it."""
        data: Any = self.data.copy()  # type: ignore[attr-defined]
        for s, e in stale.items():
            name = self.field_of(s)
            mine = self.cleaned_data.get(name) or ""
            theirs = getattr(e.current, "platform_link", "") or ""
            data[name] = theirs
            data[f"version_{s.code}"] = str(e.current_version)
            self.conflicts.append(
                Conflict(
                    by=e.changed_by_name,
                    at=when_text(e.changed_at),
                    fields=[
                        ConflictField(
                            name=name, label=s.title, mine=mine, theirs=theirs, long=False
                        )
                    ],
                )
            )
            self.add_error(
                name,
                f"‘{s.title}’: {e.changed_by_name} changed this session at "
                f"{when_text(e.changed_at)}, after you opened it, so this link has not been "
                "saved. Their link is now in the box and yours is shown above: check it and "
                "save again",
            )
        self.data = data


class DismissMustHearForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    """Why the week need not hear from one key person or group (version 0: never dismissed)."""

    first_save = True

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_LIMIT,
        label="Why does the week not need to hear from them?",
        help_text="Everyone who plans the week sees this reason",
        error_messages={
            "required": "Say why the week need not hear from them",
            "max_length": f"Keep the reason to {REASON_LIMIT} characters",
        },
    )
