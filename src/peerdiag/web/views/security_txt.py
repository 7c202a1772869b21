"""GET /.well-known/security.txt (RFC 9116): where to report a security problem, no sign-in.

The contact comes from PEERDIAG_SECURITY_CONTACT (a mailto: or https: address). `Expires` is
always six months ahead, so the file never goes stale while the service runs; the standard asks
for a date less than a year away.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

VALID_FOR = timedelta(days=182)


@require_safe
def security_txt(request: HttpRequest) -> HttpResponse:
    expires = (timezone.now() + VALID_FOR).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri('/.well-known/security.txt')}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "max-age=86400"
    return response
