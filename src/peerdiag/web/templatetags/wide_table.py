"""`{% wide_table "label" %}…{% endwide_table %}`: a table that may be wider than the screen.

At 320 CSS px (a 1280 px screen zoomed to 400 %) a table with several columns cannot fit, and
it must not widen the whole page (WCAG 2.2, 1.4.10 Reflow). GOV.UK's answer is to let the table
scroll sideways inside its own box, which keyboard users can reach (tabindex="0") and screen
readers announce as a named region. The tag writes that box around its content:

    {% load wide_table %}
    {% wide_table "Attendees in " g.name %}
    <table class="govuk-table">…</table>
    {% endwide_table %}

gives `<div class="pd-table-wrapper" role="region" aria-label="Attendees in Social workers"
tabindex="0"><table …>…</table></div>`. The label is every argument (strings and variables, with
filters) joined together, with its spaces tidied. `class="…"` adds classes to the box.
The box is styled by `.pd-table-wrapper` in assets/src/app.css (positioned, so GOV.UK's visually
hidden text inside the table cannot escape it).
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import format_html

register = template.Library()

WRAPPER_CLASS = "pd-table-wrapper"


def _text(expression: FilterExpression, context: template.Context) -> str:
    """The expression's value as text ("" for nothing)."""
    value = expression.resolve(context)
    return "" if value is None else str(value)


class WideTableNode(template.Node):
    """The scrolling, focusable, labelled box around a wide table."""

    def __init__(
        self, label: list[FilterExpression], classes: FilterExpression | None, nodelist: NodeList
    ) -> None:
        self.label = label
        self.classes = classes
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        """The box with the rendered content inside it."""
        label = " ".join("".join(_text(part, context) for part in self.label).split())
        classes = WRAPPER_CLASS
        if self.classes is not None:
            extra = " ".join(_text(self.classes, context).split())
            if extra:
                classes = f"{classes} {extra}"
        return format_html(
            '<div class="{}" role="region" aria-label="{}" tabindex="0">{}</div>',
            classes,
            label,
            self.nodelist.render(context),
        )


@register.tag("wide_table")
def wide_table(parser: Parser, token: Token) -> WideTableNode:
    """Parse `{% wide_table label… [class="extra classes"] %}…{% endwide_table %}`."""
    name, *bits = token.split_contents()
    label: list[FilterExpression] = []
    classes: FilterExpression | None = None
    for bit in bits:
        if bit.startswith("class="):
            classes = parser.compile_filter(bit.removeprefix("class="))
        else:
            label.append(parser.compile_filter(bit))
    if not label:
        raise template.TemplateSyntaxError(
            f"{name} needs a label: the name screen readers announce for the scrolling box"
        )
    nodelist = parser.parse(("endwide_table",))
    parser.delete_first_token()
    return WideTableNode(label, classes, nodelist)
