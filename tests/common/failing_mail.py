"""An e-mail backend whose server refuses every message, for tests of failed sends:
`settings.EMAIL_BACKEND = FAILING`."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

FAILING = "tests.common.failing_mail.RefusingBackend"
ANSWER = "5.7.1 Relaying denied"


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPDataError(554, ANSWER)
