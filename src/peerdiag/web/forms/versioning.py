"""Forms that edit something several people can edit (see peerdiag.common.versioning).

A versioned form carries the version it was drawn from in a hidden field. When the domain
function refuses the save because someone else saved since (`StaleEdit`), `show_conflict` turns
the form into the conflict page: the fields now hold what is saved, the person's own input is
kept beside it (`form.conflict`, shown by the error summary), and the hidden version moves on, so
saving again is a choice made with both texts in view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms

from peerdiag.common.versioning import StaleEdit, when_text


@dataclass
class ConflictField:
    name: str
    label: str
    mine: str
    theirs: str
    long: bool


@dataclass
class Conflict:
    by: str
    at: str
    fields: list[ConflictField] = field(default_factory=list)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _as_words(value: Any) -> str:
    """A date as people write it (6 December 2026); anything else as text."""
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return _as_text(value)


class VersionedFormMixin:
    """Adds the hidden `version` field; `initial_version` is the version the page shows.

    With `first_save = True` the version may be 0, meaning the person saw nothing saved yet (a
    record made on its first save, such as the scoping record or a case audit)."""

    conflict: Conflict | None = None
    first_save = False

    def __init__(self, *args: Any, initial_version: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.fields["version"] = forms.IntegerField(  # type: ignore[attr-defined]
            widget=forms.HiddenInput,
            min_value=0 if self.first_save else 1,
            error_messages={
                "required": "This form is out of date: open the page again and make your change",
                "invalid": "This form is out of date: open the page again and make your change",
            },
        )
        if initial_version is not None:
            self.initial["version"] = initial_version  # type: ignore[attr-defined]

    def sent_version(self) -> int:
        return int(self.cleaned_data["version"])  # type: ignore[attr-defined]

    def show_conflict(self, error: StaleEdit, *, current: dict[str, Any]) -> None:
        """Put what is saved now (`current`: field name → value as the form takes it) in the
        fields, keep the person's own input in `self.conflict`, and say what happened.

        Works with prefixed forms, multiple choices and day-month-year boxes (any MultiWidget:
        the saved value is split into its boxes and both are compared as words)."""
        form: Any = self
        data = form.data.copy()
        rows = []
        for name, theirs in current.items():
            bound = form[name]
            key = bound.html_name
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
                mine_value: Any = form.data.getlist(key)
                data.setlist(key, [str(v) for v in theirs])
            elif isinstance(widget, forms.MultiWidget):
                parts: list[Any] = list(widget.decompress(theirs) or [])
                mine_parts = [form.data.get(f"{key}_{i}", "") for i in range(len(parts))]
                cleaned = getattr(form, "cleaned_data", {})
                mine_value = (
                    _as_words(cleaned[name])
                    if cleaned.get(name) is not None
                    else " ".join(str(p) for p in mine_parts if p)
                )
                for i, part in enumerate(parts):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
                theirs = _as_words(theirs)
            else:
                mine_value = form.data.get(key, "")
                data[key] = "" if theirs is None else str(theirs)
            if _as_text(mine_value).strip() != _as_text(theirs).strip():
                rows.append(
                    ConflictField(
                        name=key,
                        label=str(bound.label),
                        mine=_as_text(mine_value),
                        theirs=_as_text(theirs),
                        long=isinstance(widget, forms.Textarea),
                    )
                )
        data[form.add_prefix("version")] = str(error.current_version)
        form.data = data
        self.conflict = Conflict(
            by=error.changed_by_name, at=when_text(error.changed_at), fields=rows
        )
        form.add_error(None, error.message)
