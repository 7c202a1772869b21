"""Render Django form fields as GOV.UK Frontend components, with their errors."""

from __future__ import annotations

from typing import Any

from django import forms, template

from peerdiag.web.forms.fields import GovukDateWidget

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is asked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.DateTimeInput):
        return "datetime"
    return "text"


def _selected(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


# The widget attributes a text box takes from its form (autocomplete and friends, WCAG 1.3.5).
# Others (type, class, rows) stay the template's business.
INPUT_ATTRS = ("autocomplete", "inputmode", "spellcheck", "autocapitalize")


def input_attrs(widget: forms.Widget, kind: str) -> dict[str, str]:
    """The extra attributes of a text or password box: the widget's own `INPUT_ATTRS`, over
    the defaults for an e-mail address (`email`, no spelling check) and a password (the
    current one)."""
    attrs: dict[str, str] = {}
    if getattr(widget, "input_type", "") == "email":
        attrs |= {"autocomplete": "email", "spellcheck": "false"}
    if kind == "password":
        attrs["autocomplete"] = "current-password"
    attrs |= {k: str(widget.attrs[k]) for k in INPUT_ATTRS if k in widget.attrs}
    return attrs


@register.inclusion_tag("web/includes/field.html")
def govuk_field(bound: forms.BoundField, width: str = "", heading: bool = False) -> dict[str, Any]:
    widget = bound.field.widget
    kind = _kind(widget)
    value = bound.value()
    ctx: dict[str, Any] = {
        "field": bound,
        "kind": kind,
        "id": bound.id_for_label or f"id_{bound.html_name}",
        "name": bound.html_name,
        "label": bound.label,
        "hint": bound.help_text,
        "errors": bound.errors,
        "width": width,
        "heading": heading,
        "required": bound.field.required,
    }
    if kind in ("radios", "checkboxes", "select"):
        chosen = _selected(bound.field.prepare_value(value) if kind != "checkboxes" else value)
        ctx["options"] = [
            {"value": str(v), "label": label, "checked": str(v) in chosen, "index": i}
            for i, (v, label) in enumerate(bound.field.choices)  # type: ignore[attr-defined]
        ]
    elif kind == "date":
        parts = value if isinstance(value, list) else widget.decompress(value)  # type: ignore[attr-defined]
        ctx["parts"] = [
            {"suffix": "0", "name": "Day", "value": parts[0] or "", "width": 2},
            {"suffix": "1", "name": "Month", "value": parts[1] or "", "width": 2},
            {"suffix": "2", "name": "Year", "value": parts[2] or "", "width": 4},
        ]
    elif kind == "checkbox":
        ctx["checked"] = bool(value)
    else:
        formatted = widget.format_value(value)  # e.g. DateTimeInput gives "%Y-%m-%dT%H:%M"
        ctx["value"] = "" if formatted is None else formatted
        ctx["input_attrs"] = input_attrs(widget, kind)
    return ctx


@register.inclusion_tag("web/includes/error_summary.html")
def govuk_error_summary(*forms_: forms.Form) -> dict[str, Any]:
    items = []
    conflicts = []
    for form in forms_:
        if form is None:
            continue
        conflict = getattr(form, "conflict", None)
        if conflict is not None:
            conflicts.append(conflict)
        for message in form.non_field_errors():
            items.append({"href": "", "message": message})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.id_for_label or f"id_{bound.html_name}"
            if isinstance(bound.field.widget, GovukDateWidget):
                anchor = f"{bound.auto_id}_0"
            for message in errors:
                items.append({"href": f"#{anchor}", "message": message})
    return {"items": items, "conflicts": conflicts}


@register.filter
def govuk_date(value: Any) -> str:
    if not value:
        return ""
    return f"{value.day} {value:%B %Y}"
