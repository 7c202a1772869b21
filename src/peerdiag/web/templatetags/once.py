"""`{% once_token %}`: the one-time token a form that makes something carries.

Put it next to `{% csrf_token %}` in every form that creates something (a finding, a note, an
upload...). web/middleware.py::OnceMiddleware claims the token when the form is sent, so a
second press of the button, or the same post sent again, does not make a second one. The tag is
a template builtin (settings.TEMPLATES), so no `{% load %}` is needed.
"""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

FIELD = "once"


def new_token() -> str:
    return secrets.token_urlsafe(18)


@register.simple_tag
def once_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
