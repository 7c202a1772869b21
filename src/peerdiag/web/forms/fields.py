"""Form fields that render as GOV.UK Frontend components (see templatetags/govuk.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        super().__init__(
            [forms.TextInput(numeric), forms.TextInput(numeric), forms.TextInput(numeric)], attrs
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        parts = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or not any(str(v or "").strip() for v in data_list):
            if self.required:
                raise forms.ValidationError(
                    f"Enter the {self.label.lower() if self.label else 'date'}"
                )
            return None
        day, month, year = (str(v or "").strip() for v in data_list)
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"The date must include a {' and '.join(missing)}")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError("Enter a real date, for example 1 3 2027") from None
        if value.year < 2000 or value.year > 2100:
            raise forms.ValidationError("Enter a year between 2000 and 2100")
        return value


YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """A yes/no question that can also be left unanswered (None)."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value
