"""Forms of the messages thread. They parse; messaging/domain/threads.py checks and writes.

No `max_length` on the text: browsers would cut pasted text to it without a word. The domain
refuses text over its limit and names it; the form gives the whole text back.
"""

from __future__ import annotations

from django import forms

from peerdiag.messaging.domain.threads import MAX_REASON, MAX_TEXT

from .common import DomainErrorsMixin
from .versioning import VersionedFormMixin


class MessageForm(DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your message",
        help_text=f"Up to {MAX_TEXT:,} characters",
        error_messages={"required": "Enter your message"},
    )


class EditMessageForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your message",
        help_text=f"Up to {MAX_TEXT:,} characters",
        error_messages={"required": "Enter your message"},
    )


class HideMessageForm(VersionedFormMixin, DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you hiding this message?",
        help_text=f"Up to {MAX_REASON} characters. The reason is kept in the audit trail",
        error_messages={"required": "Enter why you are hiding the message"},
    )
