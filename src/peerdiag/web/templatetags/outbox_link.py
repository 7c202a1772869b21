"""`{% outbox_link d %}`: the link to a diagnostic's outbox, for whoever may read it (its PCM
and the LGA administrators), with the number of e-mails that failed. Put it beside the other
per-diagnostic links: `{% load outbox_link %}{% outbox_link d %}`."""

from __future__ import annotations

from typing import Any

from django import template

from peerdiag.common.models import MailStatus, OutboxMessage

register = template.Library()


@register.inclusion_tag("web/outbox/_overview_link.html", takes_context=True)
def outbox_link(context: Any, d: Any) -> dict[str, Any]:
    user = context["request"].user
    may = user.has_perm("diagnostics.view_outbox", d)
    failed = (
        OutboxMessage.objects.filter(diagnostic=d, status=MailStatus.FAILED).count() if may else 0
    )
    return {"d": d, "may": may, "failed": failed}
