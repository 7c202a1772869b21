"""The sponsor's confirmation of the scope, as a panel on the diagnostic's overview (issue 17)."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.diagnostics.domain.scope import scope_status

register = template.Library()


@register.inclusion_tag("web/scope/_overview_panel.html")
def scope_panel(d: Any) -> dict[str, Any]:
    return {"d": d, "status": scope_status(d)}
