"""`{% presence_here kind code editing as here %}`: records the person on the page's object and
says who else has it open (used by web/includes/presence.html; see web/views/presence.py)."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.web.views.presence import KINDS, here_now

register = template.Library()


@register.simple_tag(takes_context=True)
def presence_here(
    context: template.Context, kind: str, code: Any, editing: Any = False
) -> dict[str, Any] | None:
    """Nothing (no line, no polling) without a signed-in person, a diagnostic `d`, a known
    kind or a code: the page that includes it has checked the person may see it."""
    request = context.get("request")
    d = context.get("d")
    user = getattr(request, "user", None)
    if request is None or d is None or not code or kind not in KINDS:
        return None
    if user is None or not user.is_authenticated:
        return None
    return here_now(request, kind=kind, ref=d.reference, code=str(code), editing=bool(editing))
