"""What web/base.html tells the idle warning's script (assets/src/app.js) on a signed-in page:
`{% idle_limit %}`, the idle limit in seconds, and `{% idle_left %}`, the seconds this session
has left as the page is drawn. Both come from peerdiag.accounts.session_timeout."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.accounts.session_timeout import idle_seconds, idle_seconds_left

register = template.Library()


@register.simple_tag
def idle_limit() -> int:
    return idle_seconds()


@register.simple_tag(takes_context=True)
def idle_left(context: Any) -> int:
    request = context.get("request")
    left = idle_seconds_left(request) if request is not None else None
    return idle_seconds() if left is None else left
