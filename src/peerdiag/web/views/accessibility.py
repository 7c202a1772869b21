"""The accessibility statement: GET /accessibility/, no sign-in, linked from every page's footer.

It follows the model statement for the Public Sector Bodies (Websites and Mobile Applications)
(No. 2) Accessibility Regulations 2018: who runs the service, how accessible it is, what to do
when part of it cannot be used, how to report a problem, the enforcement procedure, and the
technical information (compliance status, what is not accessible and why, how it was tested).
Keep its list of known problems in step with the open accessibility issues.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

# When the statement was prepared and when the service was last tested against it.
PREPARED = date(2026, 12, 7)
LAST_TESTED = date(2026, 12, 7)
# Where people ask for another format or report a problem (PEERDIAG_ACCESSIBILITY_CONTACT).
DEFAULT_CONTACT = "accessibility@peerdiag.local"
REPLY_WITHIN_WORKING_DAYS = 5


def accessibility_contact() -> str:
    """The e-mail address for accessibility requests and reports, without any mailto: prefix."""
    contact = str(getattr(settings, "ACCESSIBILITY_CONTACT", "") or DEFAULT_CONTACT)
    return contact.removeprefix("mailto:")


@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, the same for everyone, signed in or not."""
    return render(
        request,
        "web/accessibility/statement.html",
        {
            "contact": accessibility_contact(),
            "reply_days": REPLY_WITHIN_WORKING_DAYS,
            "prepared": PREPARED,
            "last_tested": LAST_TESTED,
        },
    )
