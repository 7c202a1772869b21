"""The link to the messages thread, with the person's unread count, on the overview."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.messaging.domain.threads import unread_count

register = template.Library()


@register.inclusion_tag("web/messages/_overview_link.html", takes_context=True)
def message_thread_link(context: Any, d: Any) -> dict[str, Any]:
    user = context["request"].user
    may = user.has_perm("messaging.use_thread", d)
    return {"d": d, "may": may, "unread": unread_count(d, user) if may else 0}
